package api

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/auth"
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

// The screening handlers only read the request and write the answer: who may
// screen, see a report's hits or review one is the screen service's to
// decide (screen.Service.ScreenName, ReportHits, ReviewHit), the same for
// the case page.

func (api *API) screenName(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in ScreenIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	ms, err := api.svc.Screen.ScreenName(r.Context(), a, screen.Query{Name: in.Name, Type: in.Type, BirthDate: in.BirthDate, Country: in.Country},
		screen.Options{PrimaryOnly: in.PrimaryOnly})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page(ms, 0, func(screen.Match) string { return "" }))
	return nil
}

func (api *API) reportScreening(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	hits, err := api.svc.Screen.ReportHits(r.Context(), a, r.PathValue("id"))
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
	h, err := api.svc.Screen.ReviewHit(r.Context(), a, r.PathValue("id"), in.Decision, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}
