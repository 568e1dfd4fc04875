package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/screen"
)

// doorRoles are the demo accounts the screening doors are asked as, with
// what the screening service answers each about the golden case: hits seen
// (coordinator, investigator); a reader refused the hits (intake staff, and
// the police partner the case is referred to); someone who may not even
// read the reports (an admin, the embassy partner, the operator).
var doorRoles = []struct {
	email string
	role  auth.Role
	org   string
	// hits is what the API answers for the report's hits: 200, 403 or 404.
	hits int
	// screen is what the API answers to a name screen.
	screen int
}{
	{"coordinator@hotline.demo", auth.Coordinator, "hotline", http.StatusOK, http.StatusOK},
	{"investigator@hotline.demo", auth.Investigator, "hotline", http.StatusOK, http.StatusOK},
	{"intake@hotline.demo", auth.Intake, "hotline", http.StatusForbidden, http.StatusForbidden},
	{"partner@police.demo", auth.Partner, "police", http.StatusForbidden, http.StatusForbidden},
	{"admin@hotline.demo", auth.Admin, "hotline", http.StatusNotFound, http.StatusForbidden},
	{"partner@embassy.demo", auth.Partner, "embassy", http.StatusNotFound, http.StatusForbidden},
	{"operator@hotline.demo", auth.Operator, "hotline", http.StatusNotFound, http.StatusForbidden},
}

var hitForm = regexp.MustCompile(`name="hit" value="([^"]+)"`)

// pageHitIDs are the hits the case page offers to review.
func pageHitIDs(body string) []string {
	var ids []string
	for _, m := range hitForm.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	slices.Sort(ids)
	return ids
}

// apiHits asks the API, as c, for the hits of each report, and returns
// them with the status of the first answer that was not 200 (else 200).
func (e *env) apiHits(t *testing.T, c *http.Client, reportIDs []string) (map[string]screen.Hit, int) {
	t.Helper()
	hits := map[string]screen.Hit{}
	for _, id := range reportIDs {
		p := e.do(t, c, "GET", "/api/v1/reports/"+id+"/screening", nil)
		if p.status != http.StatusOK {
			return nil, p.status
		}
		var pg struct{ Items []screen.Hit }
		if err := json.Unmarshal([]byte(p.body), &pg); err != nil {
			t.Fatalf("hits of %s: %v", id, err)
		}
		for _, h := range pg.Items {
			hits[h.ID] = h
		}
	}
	return hits, http.StatusOK
}

// reviewAPI posts a review of hit through the API.
func (e *env) reviewAPI(t *testing.T, c *http.Client, hit, decision, note string) page {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"decision": decision, "note": note})
	req, err := http.NewRequest("POST", e.ts.URL+"/api/v1/screening/"+hit+"/review", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// TestScreeningSameThroughBothDoors: a report's hits, a review and a name
// screen get the same answer, and the same refusal, through the JSON API
// and through the case page, for every role; both doors ask
// screen.Service.
func TestScreeningSameThroughBothDoors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	golden := "/app/cases/" + e.demo.Cases["golden"]
	reports := []string{e.demo.Reports["en-lure"], e.demo.Reports["zh-xigang"], e.demo.Reports["km-sihanoukville"]}

	// The hits as the service holds them, to review and compare against.
	coord := auth.Actor{UserID: e.demo.Users["coordinator@hotline.demo"], OrgID: e.demo.Orgs["hotline"], Role: auth.Coordinator}
	var all []string
	for _, id := range reports {
		hs, err := e.srv.Screen.ReportHits(ctx, coord, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			all = append(all, h.ID)
		}
	}
	slices.Sort(all)
	if len(all) == 0 {
		t.Fatal("the golden case has no screening hits to compare")
	}
	hit := all[0]

	for _, tc := range doorRoles {
		t.Run(tc.email, func(t *testing.T) {
			c := e.login(t, tc.email)
			a := auth.Actor{UserID: e.demo.Users[tc.email], OrgID: e.demo.Orgs[tc.org], Role: tc.role}

			// A report's hits: the API's answer is what the page shows.
			api, status := e.apiHits(t, c, reports)
			if status != tc.hits {
				t.Fatalf("API hits: status %d, want %d", status, tc.hits)
			}
			pg := e.do(t, c, "GET", golden+"?lang=en", nil)
			shown := pageHitIDs(pg.body)
			switch tc.hits {
			case http.StatusOK:
				var ids []string
				for id, h := range api {
					ids = append(ids, id)
					if !strings.Contains(pg.body, `title="`+h.Why+`"`) && !strings.Contains(pg.body, h.EntryName) {
						t.Errorf("page lacks hit %s (%s)", id, h.EntryName)
					}
				}
				slices.Sort(ids)
				if !slices.Equal(ids, all) || !slices.Equal(shown, all) {
					t.Errorf("hits: API %v, page %v, service %v", ids, shown, all)
				}
			case http.StatusForbidden:
				// The reader sees the case, and no hits.
				if pg.status != http.StatusOK || len(shown) > 0 || strings.Contains(pg.body, `class="hits"`) {
					t.Errorf("page for a reader refused the hits: status %d, %d hits shown", pg.status, len(shown))
				}
			case http.StatusNotFound:
				if pg.status != http.StatusNotFound {
					t.Errorf("page for someone who may not read the case: status %d, want 404", pg.status)
				}
			}

			// A review: same refusal through both doors; allowed, the same
			// validation, and each door sees what the other recorded.
			type review struct{ decision, note string }
			for _, rv := range []review{{"dismissed", ""}, {"confirmed", "same person: the compound owner"}, {"pending", ""}} {
				viaAPI := e.reviewAPI(t, c, hit, rv.decision, rv.note)
				viaPage := e.do(t, c, "POST", golden+"/screening?lang=en", url.Values{"hit": {hit}, "decision": {rv.decision}, "note": {rv.note}})
				if tc.hits == http.StatusOK {
					want := http.StatusOK
					if rv.note == "" && rv.decision == "dismissed" {
						want = http.StatusUnprocessableEntity
					}
					pageWant := want
					if want == http.StatusOK {
						pageWant = http.StatusSeeOther
					}
					if viaAPI.status != want || viaPage.status != pageWant {
						t.Errorf("review %s: API %d (want %d), page %d (want %d)", rv.decision, viaAPI.status, want, viaPage.status, pageWant)
					}
					if want != http.StatusOK {
						continue
					}
					var h screen.Hit
					if err := json.Unmarshal([]byte(viaAPI.body), &h); err != nil || h.Status != rv.decision || h.ReviewerID != a.UserID {
						t.Errorf("review %s through the API answered %+v, %v", rv.decision, h, err)
					}
					after, _ := e.apiHits(t, c, reports)
					if after[hit].Status != rv.decision {
						t.Errorf("after reviewing %s on the page, the API says %s", rv.decision, after[hit].Status)
					}
					continue
				}
				if viaAPI.status != tc.hits || viaPage.status != tc.hits {
					t.Errorf("review %s: API %d, page %d, want %d from both", rv.decision, viaAPI.status, viaPage.status, tc.hits)
				}
			}
			if tc.hits != http.StatusOK {
				after, err := e.srv.Screen.ReportHits(ctx, coord, e.demo.Reports["km-sihanoukville"])
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range after {
					if h.ReviewerID == a.UserID {
						t.Errorf("a refused review was recorded: %+v", h)
					}
				}
			}

			// A name screen: there is no page for it; the API answers what
			// the service answers the same actor.
			q := screen.Query{Name: "Try Pheap"}
			body, _ := json.Marshal(map[string]string{"name": q.Name})
			req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/screen", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var got struct{ Items []screen.Match }
			_ = json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
			ms, err := e.srv.Screen.ScreenName(ctx, a, q, screen.Options{})
			refused := tc.screen != http.StatusOK
			if resp.StatusCode != tc.screen || (err != nil) != refused || (refused && answer.Of(err).Status != tc.screen) {
				t.Fatalf("name screen: API %d, service %v; want %d", resp.StatusCode, err, tc.screen)
			}
			if !refused && (len(ms) == 0 || len(got.Items) != len(ms) || got.Items[0].ID != ms[0].ID || got.Items[0].Score != ms[0].Score) {
				t.Errorf("name screen: API %+v, service %+v", got.Items, ms)
			}
		})
	}
}
