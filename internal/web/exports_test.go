package web_test

import (
	"bytes"
	"encoding/csv"
	"html"
	"net/http"
	"strings"
	"testing"
)

// TestExportLinks: the triage page links its exports with its filters; the
// CSV link gives the rows the page lists, with headings in the page's
// language; a partner's triage export is refused.
func TestExportLinks(t *testing.T) {
	e := newEnv(t)
	c := e.login(t, "coordinator@hotline.demo")
	p := e.do(t, c, "GET", "/app/triage?urgent=1&lang=vi", nil)
	if p.status != http.StatusOK {
		t.Fatalf("triage: %d", p.status)
	}
	link := html.UnescapeString(regexpFind(p.body, `href="(/app/export/triage\?[^"]*format=csv[^"]*)"`))
	if link == "" || !strings.Contains(link, "urgent=1") {
		t.Fatalf("the triage page's CSV link %q does not keep its filter", link)
	}
	x := e.do(t, c, "GET", link, nil)
	if x.status != http.StatusOK {
		t.Fatalf("export: %d %s", x.status, x.body)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix([]byte(x.body), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || rows[0][1] != "Mã theo dõi" {
		t.Fatalf("export rows %q, want Vietnamese headings and rows", rows)
	}
	for _, r := range rows[1:] {
		if r[10] != "có" {
			t.Errorf("a report without anyone still held in the urgent=1 export: %q", r)
		}
	}
	// The search page exports its results.
	id := e.demo.Reports[firstKey(e.demo.Reports)]
	sp := e.do(t, c, "GET", "/app/search?q="+id, nil)
	slink := html.UnescapeString(regexpFind(sp.body, `href="(/app/export/search\?[^"]*format=csv[^"]*)"`))
	if slink == "" {
		t.Fatal("the search page has no CSV link")
	}
	x = e.do(t, c, "GET", slink, nil)
	if x.status != http.StatusOK || !strings.Contains(x.body, id) {
		t.Errorf("search export: %d, report %s missing: %s", x.status, id, x.body)
	}
	if x := e.do(t, e.login(t, "partner@police.demo"), "GET", "/app/export/triage?format=xlsx", nil); x.status != http.StatusForbidden {
		t.Errorf("a partner's triage export: %d, want 403", x.status)
	}
}
