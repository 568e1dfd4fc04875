// Package views keeps each staff member's saved list views: a name for the
// filters of the triage queue or the case list, as the list page writes
// them in its URL. A view is its owner's alone: nobody else lists, opens
// or deletes it.
package views

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/listexport"
	"github.com/vigil-project/vigil/internal/store"
)

// The lists a view can be saved for.
const (
	Triage = "triage"
	Cases  = "cases"
)

// Lists are the lists a view can be saved for.
var Lists = []string{Triage, Cases}

// Limits on a view.
const (
	MaxName  = 100
	MaxQuery = 2000
	// MaxPerList is how many views one account keeps per list.
	MaxPerList = 50
)

// View is a saved view.
type View struct {
	ID   string `json:"id"`
	List string `json:"list"`
	Name string `json:"name"`
	// Query is the list's filters as a URL query ("status=received&urgent=1").
	Query     string    `json:"query"`
	CreatedAt time.Time `json:"created_at"`
}

// In is a view to save.
type In struct {
	List  string `json:"list"`
	Name  string `json:"name"`
	Query string `json:"query"`
}

// Service saves, lists and deletes views.
type Service struct {
	db *store.DB
}

// New returns the service.
func New(db *store.DB) *Service { return &Service{db: db} }

// listAction is what an account must be allowed to do to use a list.
func listAction(list string) auth.Action {
	if list == Triage {
		return auth.ListReports
	}
	return auth.ListCases
}

// check validates list and that a may use it.
func check(a auth.Actor, list string) error {
	if a.UserID == "" {
		return auth.ErrUnauthenticated
	}
	if !slices.Contains(Lists, list) {
		return invalid.Field("list", "invalid_value", "must be one of %s", strings.Join(Lists, ", "))
	}
	if !auth.Can(a, listAction(list), auth.Resource{OrgID: a.OrgID}) {
		return auth.ErrForbidden
	}
	return nil
}

// ignored are the parameters of a list URL that are not filters: the page
// position, the notice and the language.
var ignored = []string{"after", "before", "cursor", "done", "lang"}

// cleanQuery keeps the filters of query, checked as the list page reads
// them, in a canonical order.
func cleanQuery(list, query string) (string, error) {
	query = strings.TrimPrefix(strings.TrimSpace(query), "?")
	if len(query) > MaxQuery {
		return "", invalid.Field("query", "too_long", "must be at most %d bytes", MaxQuery)
	}
	f, err := url.ParseQuery(query)
	if err != nil {
		return "", invalid.Field("query", "invalid_value", "is not a URL query: %v", err)
	}
	for _, k := range ignored {
		delete(f, k)
	}
	for k, vs := range f {
		vs = slices.DeleteFunc(vs, func(v string) bool { return v == "" })
		if len(vs) == 0 {
			delete(f, k)
			continue
		}
		f[k] = vs
	}
	switch list {
	case Triage:
		_, err = listexport.TriageFilter(f)
	case Cases:
		_, err = listexport.CasesFilter(f, "")
	}
	if fe, ok := invalid.As(err); ok {
		return "", invalid.Field("query", fe.Code, "%s: %s", fe.Field, fe.Message)
	}
	if err != nil {
		return "", err
	}
	return f.Encode(), nil
}

// Save saves a's view of a list under a name; saving a name again gives
// that view the new filters. Refusals name the field (list, name, query).
func (s *Service) Save(ctx context.Context, a auth.Actor, in *In) (*View, error) {
	if err := check(a, in.List); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	if err := invalid.Line("name", name, MaxName, true); err != nil {
		return nil, err
	}
	query, err := cleanQuery(in.List, in.Query)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	v := &store.SavedView{ID: store.NewID(), UserID: a.UserID, List: in.List, Name: name, Query: query, CreatedAt: now.UnixMicro()}
	err = s.db.Tx(ctx, func(q store.Q) error {
		have, err := q.ListSavedViews(ctx, a.UserID, in.List)
		if err != nil {
			return err
		}
		if len(have) >= MaxPerList && !slices.ContainsFunc(have, func(h *store.SavedView) bool { return h.Name == name }) {
			return invalid.Field("name", "too_many", "at most %d views per list; delete one first", MaxPerList)
		}
		v.ID, err = q.PutSavedView(ctx, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("views: save: %w", err)
	}
	return view(v), nil
}

// List returns a's views of a list ("" for every list a may use), by name.
func (s *Service) List(ctx context.Context, a auth.Actor, list string) ([]View, error) {
	if list != "" {
		if err := check(a, list); err != nil {
			return nil, err
		}
	} else if a.UserID == "" {
		return nil, auth.ErrUnauthenticated
	}
	vs, err := s.db.Read().ListSavedViews(ctx, a.UserID, list)
	if err != nil {
		return nil, err
	}
	out := []View{}
	for _, v := range vs {
		if check(a, v.List) == nil {
			out = append(out, *view(v))
		}
	}
	return out, nil
}

// Delete deletes one of a's views; not found for anyone else's.
func (s *Service) Delete(ctx context.Context, a auth.Actor, id string) error {
	if a.UserID == "" {
		return auth.ErrUnauthenticated
	}
	return s.db.Tx(ctx, func(q store.Q) error { return q.DeleteSavedView(ctx, id, a.UserID) })
}

func view(v *store.SavedView) *View {
	return &View{ID: v.ID, List: v.List, Name: v.Name, Query: v.Query, CreatedAt: store.Time(v.CreatedAt)}
}
