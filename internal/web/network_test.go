package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
)

// linked is what linkCases adds to the demo: a Chinese report of the
// hotline in a case of its own ("durian") that shares the golden case's
// Telegram handle and has a phone of its own, and two reports of the NGO
// naming the same handle.
type linked struct {
	report, caseID string
	theirs         []string
}

// The words linkCases files, for the tests to look for.
const (
	linkedChineseWord = "榴莲园区"
	linkedPhone       = "+855 16 888 246" // as the testimony writes it
	linkedPhoneLocal  = "016888246"       // as a Cambodian types it
	linkedCaseTitle   = "Durian compound: the same recruiter"
)

func linkCases(t testing.TB, e *env) linked {
	t.Helper()
	ctx := context.Background()
	coord := auth.Actor{UserID: e.demo.Users["coordinator@hotline.demo"], OrgID: e.demo.Orgs["hotline"], Role: auth.Coordinator}
	ngo := auth.Actor{UserID: e.demo.Users["coordinator@ngo.demo"], OrgID: e.demo.Orgs["ngo"], Role: auth.Coordinator}
	ack, err := e.srv.Intake.Submit(ctx, coord, &intake.Submission{Language: "zh", Country: "CN",
		Narrative: "我被骗到" + linkedChineseWord + "，招聘的人用飞机 @golden_job_kh 联系我，电话 " + linkedPhone + "。他们收走了护照。"})
	if err != nil {
		t.Fatal(err)
	}
	l := linked{report: ack.ID}
	for _, text := range []string{"The recruiter's Telegram was @golden_job_kh.", "Agent on Telegram t.me/golden_job_kh took my passport."} {
		a, err := e.srv.Intake.Submit(ctx, ngo, &intake.Submission{Language: "th", Country: "TH", Narrative: text})
		if err != nil {
			t.Fatal(err)
		}
		l.theirs = append(l.theirs, a.ID)
	}
	c, err := e.srv.Casework.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{ack.ID}, Title: linkedCaseTitle})
	if err != nil {
		t.Fatal(err)
	}
	l.caseID = c.ID
	if err := e.srv.Jobs.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestCaseNetworkAcrossCases reads the golden case's network page and
// graph: the other case sharing the recruiter's handle, by title and
// link, and the NGO's reports as a count on the handle, with none of
// their IDs; every report, case and identifier node opens its page.
func TestCaseNetworkAcrossCases(t *testing.T) {
	engines(t, func(t *testing.T, eng store.Engine) {
		e := newEnvOn(t, eng)
		l := linkCases(t, e)
		golden := e.demo.Cases["golden"]
		inv := e.login(t, "investigator@hotline.demo")
		p := e.do(t, inv, "GET", "/app/cases/"+golden+"/network?lang=en", nil)
		if p.status != 200 || !strings.Contains(p.body, `href="/app/cases/`+l.caseID+`"`) || !strings.Contains(p.body, linkedCaseTitle) {
			t.Errorf("network page: status %d, want a link to the other case:\n%s", p.status, p.body)
		}
		if !strings.Contains(p.body, "<code class=\"ident-value\">@golden_job_kh</code>: 2</li>") {
			t.Errorf("network page does not count the NGO's 2 reports:\n%s", p.body)
		}
		g := e.do(t, inv, "GET", "/app/cases/"+golden+"/graph.json", nil)
		if g.status != 200 {
			t.Fatalf("graph.json: status %d", g.status)
		}
		for _, id := range l.theirs {
			if strings.Contains(g.body+p.body, id) {
				t.Errorf("the network shows the NGO's report %s", id)
			}
		}
		var graph struct {
			Nodes []struct {
				Data struct{ ID, Label, Kind, URL string }
			}
		}
		if err := json.Unmarshal([]byte(g.body), &graph); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, n := range graph.Nodes {
			d := n.Data
			kinds[d.Kind]++
			switch d.Kind {
			case "report", "case", "identifier":
				if d.URL == "" {
					t.Errorf("node %+v opens nothing", d)
				}
			case "hidden":
				if d.URL != "" || d.Label != "reports you cannot open: 2" {
					t.Errorf("hidden node %+v: want a count that opens nothing", d)
				}
			}
			if d.ID == "case:"+l.caseID && (d.Label != linkedCaseTitle || d.URL != "/app/cases/"+l.caseID) {
				t.Errorf("the other case's node %+v", d)
			}
			if d.ID == "report:"+l.report && d.URL != "/app/reports/"+l.report {
				t.Errorf("the other case's report node %+v", d)
			}
		}
		if kinds["case"] != 2 || kinds["hidden"] != 1 {
			t.Errorf("graph node kinds %v: want 2 cases and 1 hidden count", kinds)
		}
		// The NGO's coordinator may not open the hotline's case network.
		ngo := e.login(t, "coordinator@ngo.demo")
		if p := e.do(t, ngo, "GET", "/app/cases/"+golden+"/network", nil); p.status != 404 {
			t.Errorf("the NGO reads the hotline's case network: status %d", p.status)
		}
		// Intake staff (no links) still see the case's own graph.
		in := e.login(t, "intake@hotline.demo")
		if p := e.do(t, in, "GET", "/app/cases/"+golden+"/graph.json", nil); p.status != 200 || strings.Contains(p.body, l.caseID) {
			t.Errorf("intake graph.json: status %d, want the case alone", p.status)
		}
	})
}
