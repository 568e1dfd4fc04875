package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
)

// TestSearchScopes: in the policy matrix's world, every role that may
// search finds a scope's report (by ID, and by a word of its statement)
// exactly when it may read it: staff their own organisation's, a partner
// what was referred to its organisation. No answer tells what it cannot
// open: no count, and the same empty page as for nothing at all.
func TestSearchScopes(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("home", true, matrixRoles...)
		e.org("other", false, auth.Coordinator, auth.Integration)
		e.org("third", false, auth.Coordinator)
		e.org("fourth", false)
		w := world(t, e, "home")
		for _, role := range []auth.Role{auth.Coordinator, auth.Investigator, auth.Intake, auth.Partner} {
			for _, sc := range allScopes {
				f := w[sc]
				for _, q := range []string{f.report, f.report[:13]} {
					res := e.do(string(role)+"@home.test", "GET", "/api/v1/search", "/api/v1/search?q="+url.QueryEscape(q), nil)
					if res.status != http.StatusOK {
						t.Fatalf("%s searching %s: %d %s", role, sc, res.status, res.body)
					}
					var p struct {
						Results []struct{ ID, Kind, Title, Matched string }
						Next    string `json:"next_cursor"`
					}
					res.decode(t, &p)
					var ids []string
					for _, r := range p.Results {
						ids = append(ids, r.ID)
					}
					want := slices.Contains(allowed["GET /api/v1/reports/{id}"][role], sc)
					if got := slices.Contains(ids, f.report); got != want {
						t.Errorf("%s searching %q (%s): found %v, want found=%v", role, q, sc, ids, want)
					}
					if !want && (len(p.Results) != 0 || p.Next != "" || strings.Contains(string(res.body), "count")) {
						t.Errorf("%s searching %q (%s): %s, want an empty page", role, q, sc, res.body)
					}
				}
			}
		}
		// Bad input is refused by field, never a 500.
		for _, c := range []struct{ query, field string }{
			{"q=" + strings.Repeat("x", 201), "q"},
			{"q=", "q"},
			{"q=a&cursor=%21%21", "cursor"},
			{"q=a&cursor=" + strings.Repeat("A", 60), "cursor"},
			{"q=a&limit=abc", "limit"},
			{"q=a&limit=0", "limit"},
			{"q=a&limit=101", "limit"},
		} {
			res := e.do("investigator@home.test", "GET", "/api/v1/search", "/api/v1/search?"+c.query, nil)
			var b api.ErrorBody
			res.decode(t, &b)
			if res.status < 400 || res.status >= 500 || b.Error.Field != c.field {
				t.Errorf("?%.40s: %d %s, want a 4xx naming %s", c.query, res.status, res.body, c.field)
			}
		}
	})
}
