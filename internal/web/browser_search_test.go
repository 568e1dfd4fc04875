package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
)

// TestBrowserSearchAndPaging drives chromium through the search box (a
// report found by its tracking code written without dashes and by a Khmer
// word of its testimony), paging through 250 reports in triage, and a
// partner's search, which finds only what was referred to it.
func TestBrowserSearchAndPaging(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	coord := auth.Actor{UserID: e.demo.Users["coordinator@hotline.demo"], OrgID: e.demo.Orgs["hotline"], Role: auth.Coordinator}
	const khmerWord = "កាស៊ីណូ"
	ack, err := e.srv.Intake.Submit(ctx, coord, &intake.Submission{Language: "km", Narrative: "ខ្ញុំត្រូវបានគេឃុំខ្លួននៅក្នុង" + khmerWord + "មួយនៅបាវិត។"})
	if err != nil {
		t.Fatal(err)
	}
	org := e.demo.Orgs["hotline"]
	err = e.srv.DB.Tx(ctx, func(q store.Q) error {
		for i := range 250 {
			id := store.NewID()
			r := &store.Report{ID: id, OrgID: org, TrackingCode: "VG-" + id, SecretHash: []byte{1}, Channel: "web", Language: "km",
				IncidentTypes: []string{"confinement"}, Places: []store.PlaceRef{{Name: "Browserville " + fmt.Sprint(i%5)}},
				Status: "received", ReceivedAt: store.Now(), UpdatedAt: store.Now()}
			if err := q.PutReport(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, e.ts.URL)
	b.desktop()
	b.login("investigator@hotline.demo")
	search := func(q string) string {
		t.Helper()
		b.open("/app/triage?lang=en")
		b.set("#search-q", q)
		b.submit("form.search button", "table.queue")
		return b.eval("document.querySelector('table.queue').innerHTML")
	}
	for _, q := range []string{strings.ReplaceAll(ack.TrackingCode, "-", ""), khmerWord} {
		if got := search(q); !strings.Contains(got, `href="/app/reports/`+ack.ID+`"`) {
			t.Errorf("search %q does not find the report", q)
		}
	}
	b.shot("search-khmer-en")

	// 250 reports in triage, a page at a time.
	seen := map[string]bool{}
	b.open("/app/triage?place=browserville&lang=en")
	for page := 1; ; page++ {
		ids, _, next := listPage(t, b.eval("document.documentElement.outerHTML"))
		for _, id := range ids {
			if seen[id] {
				t.Errorf("report %s on two pages", id)
			}
			seen[id] = true
		}
		if cap := b.text("table.queue caption"); !strings.Contains(cap, "250") {
			t.Errorf("page %d says %q; want 250 reports", page, cap)
		}
		if next == "" {
			break
		}
		if page > 10 {
			t.Fatal("paging does not end")
		}
		b.submit(`a[rel="next"]`, "table.queue")
	}
	if len(seen) != 250 {
		t.Errorf("paged through %d reports; want 250", len(seen))
	}
	b.logout()

	// The partner finds the reports of the case referred to it, and not
	// the hotline's own report.
	b.login("partner@police.demo")
	got := search("golden_job_kh")
	referred := map[string]bool{}
	for _, k := range []string{"en-lure", "zh-xigang", "km-sihanoukville"} {
		id := e.demo.Reports[k]
		referred[id[len(id)-8:]] = true
	}
	found := regexp.MustCompile(`<small>([0-9a-f]+)</small>`).FindAllStringSubmatch(got, -1)
	if len(found) == 0 {
		t.Errorf("the partner's search finds nothing referred to it:\n%s", got)
	}
	for _, m := range found {
		if !referred[m[1]] {
			t.Errorf("the partner's search finds %s, not referred to it", m[1])
		}
	}
	b.set("#search-q", khmerWord)
	b.submit("form.search button", "table.queue")
	if got := b.eval("document.querySelector('table.queue').innerHTML"); strings.Contains(got, ack.ID) || !strings.Contains(got, localeText(t, "en", "search.empty")) {
		t.Errorf("the partner's search finds a report not referred to it:\n%s", got)
	}
	b.shot("search-partner-en")
	b.checkClean()
}
