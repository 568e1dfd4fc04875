package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/links"
)

// TestIdentifierAPI reads an identifier's page through the API: the
// organisation's reports naming it, the other organisation's counted.
func TestIdentifierAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("home", true, auth.Coordinator, auth.Intake)
		e.org("other", false, auth.Coordinator)
		ctx := context.Background()
		var home string
		for _, as := range []string{"coordinator@home.test", "coordinator@home.test", "coordinator@other.test"} {
			ack, err := e.intake.Submit(ctx, e.users[as], &intake.Submission{Language: "en", Country: "KH", Narrative: "The recruiter's Telegram is t.me/api_ident_agent."})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.links.Process(ctx, ack.ID); err != nil {
				t.Fatal(err)
			}
			if home == "" {
				home = ack.ID
			}
		}
		ids, err := e.links.ReportIdentifiers(ctx, e.users["coordinator@home.test"], home)
		if err != nil || len(ids) != 1 {
			t.Fatalf("identifiers %+v, %v", ids, err)
		}
		const route = "/api/v1/identifiers/{id}"
		r := e.do("coordinator@home.test", "GET", route, "/api/v1/identifiers/"+ids[0].ID, nil)
		var p links.IdentifierPage
		r.decode(t, &p)
		if r.status != http.StatusOK || p.Value != "@api_ident_agent" || p.Readable != 2 || p.Hidden != 1 || len(p.Reports) != 2 {
			t.Errorf("identifier: %d %s", r.status, r.body)
		}
		if r := e.do("coordinator@home.test", "GET", route, "/api/v1/identifiers/"+ids[0].ID+"?limit=0", nil); r.status != http.StatusUnprocessableEntity {
			t.Errorf("limit=0: %d %s; want 422", r.status, r.body)
		}
		if r := e.do("intake@home.test", "GET", route, "/api/v1/identifiers/"+ids[0].ID, nil); r.status != http.StatusForbidden {
			t.Errorf("intake: %d; want 403", r.status)
		}
	})
}
