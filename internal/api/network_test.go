package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/links"
)

// TestNetworkAPI reads a report's network through the API: the home
// organisation's other report by its node, the other organisation's two
// reports on the shared phone as one count, with no ID of theirs in the
// answer, and the bounds checked.
func TestNetworkAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("home", true, auth.Coordinator, auth.Intake)
		e.org("other", false, auth.Coordinator)
		ctx := context.Background()
		var reports []string
		for _, f := range []struct{ as, text string }{
			{"coordinator@home.test", "The recruiter called from +855 12 345 678."},
			{"coordinator@home.test", "The agent's phone is 012 345 678."},
			{"coordinator@other.test", "Recruiter: +855-12-345-678."},
			{"coordinator@other.test", "The recruiter used +85512345678 again."},
		} {
			ack, err := e.intake.Submit(ctx, e.users[f.as], &intake.Submission{Language: "en", Country: "KH", Narrative: f.text})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.links.Process(ctx, ack.ID); err != nil {
				t.Fatal(err)
			}
			reports = append(reports, ack.ID)
		}
		const route = "/api/v1/reports/{id}/network"
		r := e.do("coordinator@home.test", "GET", route, "/api/v1/reports/"+reports[0]+"/network", nil)
		var n links.Network
		r.decode(t, &n)
		if r.status != http.StatusOK {
			t.Fatalf("network: %d %s", r.status, r.body)
		}
		var own, hidden int
		for _, nd := range n.Nodes {
			switch nd.Type {
			case links.NodeReport:
				own++
			case links.NodeHidden:
				hidden += nd.Count
				if nd.Label != "" {
					t.Errorf("a hidden node is labelled: %+v", nd)
				}
			}
		}
		if own != 2 || hidden != 2 {
			t.Errorf("network: %d reports, %d hidden; want 2 and 2:\n%s", own, hidden, r.body)
		}
		for _, id := range reports[2:] {
			if strings.Contains(string(r.body), id) {
				t.Errorf("the network holds the other organisation's report %s:\n%s", id, r.body)
			}
		}
		for _, q := range []string{"?depth=0", "?depth=7", "?max=1", "?max=1001", "?depth=x"} {
			if r := e.do("coordinator@home.test", "GET", route, "/api/v1/reports/"+reports[0]+"/network"+q, nil); r.status != http.StatusUnprocessableEntity {
				t.Errorf("network%s: %d %s; want 422", q, r.status, r.body)
			}
		}
		if r := e.do("coordinator@other.test", "GET", route, "/api/v1/reports/"+reports[0]+"/network", nil); r.status != http.StatusNotFound {
			t.Errorf("another organisation's network: %d; want 404", r.status)
		}
		if r := e.do("intake@home.test", "GET", route, "/api/v1/reports/"+reports[0]+"/network", nil); r.status != http.StatusForbidden {
			t.Errorf("intake: %d; want 403", r.status)
		}
	})
}
