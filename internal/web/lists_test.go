package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/store"
)

var (
	reportLink = regexp.MustCompile(`href="/app/reports/([0-9a-f-]{36})"`)
	pagerLink  = regexp.MustCompile(`<a href="([^"]+)" rel="(prev|next)">`)
)

// listPage reads a triage page: its report ids in order and its links.
func listPage(t *testing.T, body string) (ids []string, prev, next string) {
	t.Helper()
	for _, m := range reportLink.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	for _, m := range pagerLink.FindAllStringSubmatch(body, -1) {
		if m[2] == "prev" {
			prev = html.UnescapeString(m[1])
		} else {
			next = html.UnescapeString(m[1])
		}
	}
	return ids, prev, next
}

// TestTriagePaging files 250 new reports at one place and pages through
// the queue filtered by that place: next to the end, previous back to the
// start; every report once, still-held ones first, the count 250 on every
// page, and the filter kept by every link.
func TestTriagePaging(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	org := e.demo.Orgs["hotline"]
	want := map[string]bool{}
	urgent := map[string]bool{}
	err := e.srv.DB.Tx(ctx, func(q store.Q) error {
		for i := range 250 {
			id := store.NewID()
			r := &store.Report{ID: id, OrgID: org, TrackingCode: "VG-" + id, SecretHash: []byte{1}, Channel: "web", Language: "km",
				IncidentTypes: []string{"confinement"}, Places: []store.PlaceRef{{Name: "Pagingville " + fmt.Sprint(i%7)}},
				Urgent: i%9 == 0, Status: "received", ReceivedAt: store.Now(), UpdatedAt: store.Now()}
			want[id], urgent[id] = true, r.Urgent
			if err := q.PutReport(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := e.login(t, "investigator@hotline.demo")
	get := func(path string) string {
		t.Helper()
		p := e.do(t, c, "GET", path, nil)
		if p.status != http.StatusOK {
			t.Fatalf("GET %s: status %d\n%s", path, p.status, p.body)
		}
		if !strings.Contains(p.body, "250 reports") {
			t.Errorf("GET %s: the page does not say 250 reports", path)
		}
		return p.body
	}
	var pages [][]string
	path := "/app/triage?place=pagingville"
	for {
		ids, prev, next := listPage(t, get(path))
		if len(pages) > 0 && prev == "" {
			t.Errorf("page %d has no link back", len(pages)+1)
		}
		pages = append(pages, ids)
		for _, l := range []string{prev, next} {
			if l != "" && !strings.Contains(l, "place=pagingville") {
				t.Errorf("link %s drops the place filter", l)
			}
		}
		if next == "" {
			break
		}
		if len(pages) > 10 {
			t.Fatal("paging does not end")
		}
		path = next
	}
	var seen []string
	for _, p := range pages {
		seen = append(seen, p...)
	}
	if len(pages) != 3 || len(pages[0]) != 100 || len(pages[2]) != 50 {
		t.Errorf("pages of %d, %d, …: want 100, 100, 50", len(pages[0]), len(pages[len(pages)-1]))
	}
	dup := map[string]bool{}
	stillHeldDone := false
	for _, id := range seen {
		if dup[id] {
			t.Errorf("report %s shown twice", id)
		}
		dup[id] = true
		if !want[id] {
			t.Errorf("report %s is not one of the filtered reports", id)
		}
		if !urgent[id] {
			stillHeldDone = true
		} else if stillHeldDone {
			t.Errorf("still-held report %s after one that is not", id)
		}
	}
	if len(dup) != 250 {
		t.Errorf("saw %d reports, want 250", len(dup))
	}
	// Back from the last page to the first, the same pages in reverse.
	for i := len(pages) - 1; i > 0; i-- {
		ids, prev, _ := listPage(t, get(path))
		if strings.Join(ids, " ") != strings.Join(pages[i], " ") {
			t.Errorf("page %d going back differs from going forward", i+1)
		}
		if prev == "" {
			t.Fatalf("page %d has no link back", i+1)
		}
		path = prev
	}
	ids, prev, _ := listPage(t, get(path))
	if strings.Join(ids, " ") != strings.Join(pages[0], " ") || prev != "" {
		t.Errorf("back at the start: not the first page (prev link %q)", prev)
	}
}

// TestListBadFilters: a malformed cursor or an unknown filter value is a
// 400 naming the parameter, never a 500.
func TestListBadFilters(t *testing.T) {
	e := newEnv(t)
	c := e.login(t, "investigator@hotline.demo")
	for _, tt := range []struct{ path, field string }{
		{"/app/triage?after=nonsense", "after"},
		{"/app/triage?before=1.not-an-id", "before"},
		{"/app/triage?after=0190c0de-0000-7000-8000-000000000000", "after"},
		{"/app/triage?incident_type=unheard_of", "incident_type"},
		{"/app/triage?language=not%20a%20tag", "language"},
		{"/app/triage?urgent=yes", "urgent"},
		{"/app/triage?from=31/12/2024", "from"},
		{"/app/cases?status=sleeping", "status"},
		{"/app/cases?urgency=whenever", "urgency"},
		{"/app/cases?overdue=2", "overdue"},
		{"/app/cases?after=x", "after"},
	} {
		p := e.do(t, c, "GET", tt.path, nil)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "“"+tt.field+"”") {
			t.Errorf("GET %s: status %d, want 400 naming %q\n%.300s", tt.path, p.status, tt.field, p.body)
		}
	}
}

// TestCasesPagingCount: the case list counts what the actor may open and
// pages with the filters kept; a partner counts only cases referred to it.
func TestCasesPagingCount(t *testing.T) {
	e := newEnv(t)
	c := e.login(t, "investigator@hotline.demo")
	p := e.do(t, c, "GET", "/app/cases?overdue=1&urgency=critical", nil)
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	n, err := e.srv.DB.Read().CountCasesUpTo(context.Background(), store.CaseFilter{OrgID: e.demo.Orgs["hotline"]}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	p = e.do(t, c, "GET", "/app/cases", nil)
	if !strings.Contains(p.body, fmt.Sprintf("%d cases", n)) {
		t.Errorf("case list does not say %d cases", n)
	}
	police := e.demo.Orgs["police"]
	np, err := e.srv.DB.Read().CountCasesUpTo(context.Background(), store.CaseFilter{ReferredTo: police}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if np >= n {
		t.Fatalf("the demo refers %d of %d cases to the police: the test needs fewer", np, n)
	}
	// A partner has no case list page (as before), and the service counts
	// for it only the cases referred to its organisation.
	if p := e.do(t, e.login(t, "partner@police.demo"), "GET", "/app/cases", nil); p.status != http.StatusNotFound {
		t.Errorf("partner's case list: status %d, want 404", p.status)
	}
	partner := auth.Actor{UserID: e.demo.Users["partner@police.demo"], OrgID: police, Role: auth.Partner}
	if got, err := e.srv.Casework.Count(context.Background(), partner, casework.ListFilter{}, 1000); err != nil || got != np {
		t.Errorf("partner's count = %d, %v; want %d", got, err, np)
	}
}
