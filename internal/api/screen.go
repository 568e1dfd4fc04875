package api

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/screen"
)

// ScreenIn is a name to screen.
type ScreenIn struct {
	Name      string `json:"name"`
	Type      string `json:"type,omitempty"`
	BirthDate string `json:"birth_date,omitempty"`
	Country   string `json:"country,omitempty"`
	// PrimaryOnly ignores the lists' own aliases.
	PrimaryOnly bool `json:"primary_only,omitempty"`
}

func (api *API) screenName(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	if !auth.Can(a, auth.RunScreen, auth.Resource{OrgID: a.OrgID}) {
		return invalid.ErrForbidden
	}
	var in ScreenIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	ms, err := api.svc.Screen.Screen(r.Context(), screen.Query{Name: in.Name, Type: in.Type, BirthDate: in.BirthDate, Country: in.Country},
		screen.Options{PrimaryOnly: in.PrimaryOnly})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page(ms, 0, func(screen.Match) string { return "" }))
	return nil
}

func (api *API) reportScreening(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	id := r.PathValue("id")
	if _, err := api.svc.Intake.Authorize(r.Context(), a, id, auth.ReviewScreen); err != nil {
		return err
	}
	hits, err := api.svc.Screen.Hits(r.Context(), []string{id})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page(hits, 0, func(screen.Hit) string { return "" }))
	return nil
}

// ReviewIn confirms or dismisses a screening hit.
type ReviewIn struct {
	// Decision is confirmed, dismissed or pending (to reopen).
	Decision string `json:"decision"`
	Note     string `json:"note,omitempty"`
}

func (api *API) reviewHit(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in ReviewIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	h, err := api.svc.Screen.Hit(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	// The hit is as visible as its report.
	if _, err := api.svc.Intake.Authorize(r.Context(), a, h.ReportID, auth.ReviewScreen); err != nil {
		return err
	}
	if err := api.svc.Screen.Review(r.Context(), h.ID, in.Decision, in.Note, a); err != nil {
		return err
	}
	h, err = api.svc.Screen.Hit(r.Context(), h.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}
