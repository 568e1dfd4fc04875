package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/store"
)

// dataExports counts the export.data events in the trail.
func (e *env) dataExports(t *testing.T) []*store.AuditEvent {
	t.Helper()
	evs, err := e.srv.DB.Read().ListAuditEvents(context.Background(), store.AuditFilter{Action: "export.data"})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestDataExportPage: on both engines, a coordinator finds the data export
// page in the navigation, and each of its forms downloads its format
// through the export service (the same files as the API): a STIX bundle,
// FollowTheMoney JSON lines, the CTDC header row, a CSV table with
// headings in the chosen language, an XLSX workbook. Each download is
// audited as export.data.
func TestDataExportPage(t *testing.T) {
	engines(t, func(t *testing.T, eng store.Engine) {
		e := newEnvCfg(t, eng, nil)
		c := e.login(t, "coordinator@hotline.demo")
		home := e.do(t, c, "GET", "/app/triage", nil)
		if !strings.Contains(home.body, `href="/app/exports"`) {
			t.Fatal("a coordinator's navigation has no data export page")
		}
		p := e.do(t, c, "GET", "/app/exports?lang=km", nil)
		if p.status != http.StatusOK {
			t.Fatalf("export page: %d %s", p.status, p.body)
		}
		checkLabels(t, "exports", p.body)
		for _, f := range export.Formats() {
			if !strings.Contains(p.body, `action="/app/exports/`+f+`"`) {
				t.Errorf("the export page has no form for %s", f)
			}
		}
		for _, want := range []string{`name="tlp"`, `name="k"`, `name="table"`, `name="since"`, `id="export-sealed"`, localeText(t, "km", "dataexport.ctdc.about"),
			`<option value="statements">` + localeText(t, "km", "dataexport.table.statements")} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the export page lacks %s", want)
			}
		}
		before := len(e.dataExports(t))
		tests := []struct {
			name, path, ctype string
			check             func(t *testing.T, body string)
		}{
			{"stix", "/app/exports/stix?tlp=green&since=", "application/stix+json", func(t *testing.T, body string) {
				var b struct {
					Type    string           `json:"type"`
					ID      string           `json:"id"`
					Objects []map[string]any `json:"objects"`
				}
				if err := json.Unmarshal([]byte(body), &b); err != nil {
					t.Fatalf("not JSON: %v", err)
				}
				if b.Type != "bundle" || !strings.HasPrefix(b.ID, "bundle--") || len(b.Objects) == 0 {
					t.Errorf("not a STIX bundle with objects: %.200s", body)
				}
				if !strings.Contains(body, "TLP:GREEN") {
					t.Error("the bundle does not carry the TLP:GREEN marking chosen")
				}
			}},
			{"ftm", "/app/exports/ftm?since=", "application/x-ndjson", func(t *testing.T, body string) {
				lines := strings.Split(strings.TrimSpace(body), "\n")
				for _, l := range lines {
					var ent struct {
						ID     string         `json:"id"`
						Schema string         `json:"schema"`
						Props  map[string]any `json:"properties"`
					}
					if err := json.Unmarshal([]byte(l), &ent); err != nil || ent.ID == "" || ent.Schema == "" {
						t.Fatalf("not a FollowTheMoney entity line: %q (%v)", l, err)
					}
				}
				if len(lines) < 2 {
					t.Errorf("%d entities from the demo data", len(lines))
				}
			}},
			{"ctdc", "/app/exports/ctdc?k=2&since=", "text/csv", func(t *testing.T, body string) {
				rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
				if err != nil || len(rows) == 0 {
					t.Fatalf("CTDC: %v %.200s", err, body)
				}
				if !strings.Contains(strings.Join(rows[0], ","), "gender") {
					t.Errorf("CTDC header row %q", rows[0])
				}
			}},
			{"csv", "/app/exports/csv?table=victims&lang=vi&since=", "text/csv", func(t *testing.T, body string) {
				rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
				if err != nil || len(rows) < 2 {
					t.Fatalf("CSV: %v %.200s", err, body)
				}
				if rows[0][0] != localeText(t, "vi", "export.col.report_id") || len(rows[0]) != 6 {
					t.Errorf("CSV victims header %q: want six Vietnamese headings, no sealed column", rows[0])
				}
				for _, v := range sealedValues {
					if strings.Contains(body, v) {
						t.Errorf("the CSV without identities holds %q", v)
					}
				}
			}},
			{"xlsx", "/app/exports/xlsx?lang=en&since=", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", func(t *testing.T, body string) {
				if !strings.HasPrefix(body, "PK\x03\x04") {
					t.Fatalf("XLSX does not start with the zip magic: %q", body[:min(8, len(body))])
				}
				f, err := excelize.OpenReader(strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if n := len(f.GetSheetList()); n != 5 {
					t.Errorf("%d sheets, want one per table (5)", n)
				}
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				x := e.do(t, c, "GET", tt.path, nil)
				if x.status != http.StatusOK {
					t.Fatalf("%s: %d %.300s", tt.path, x.status, x.body)
				}
				if ct := x.header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
					t.Errorf("Content-Type %q, want %s", ct, tt.ctype)
				}
				if cd := x.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
					t.Errorf("Content-Disposition %q", cd)
				}
				tt.check(t, x.body)
			})
		}
		evs := e.dataExports(t)
		if len(evs) != before+len(tests) {
			t.Fatalf("%d export.data events after %d downloads, want %d", len(evs), len(tests), before+len(tests))
		}
		formats := map[string]bool{}
		for _, ev := range evs {
			var d map[string]string
			if err := json.Unmarshal([]byte(ev.Detail), &d); err != nil {
				t.Fatalf("detail %q: %v", ev.Detail, err)
			}
			formats[d["format"]] = true
			if d["format"] == "stix" && d["tlp"] != "green" {
				t.Errorf("the STIX export is audited with tlp %q", d["tlp"])
			}
			if d["format"] == "ctdc" && d["k"] != "2" {
				t.Errorf("the CTDC export is audited with k %q", d["k"])
			}
		}
		if len(formats) != len(tests) {
			t.Errorf("audited formats %v", formats)
		}
	})
}

// TestDataExportRefused: bad values come back as the form with the field
// named (422), never a 500; those without auth.ExportData have no
// navigation entry and are refused the page and the downloads; the sealed
// export needs a reason, and gives the identities with one (audited as
// export.reveal).
func TestDataExportRefused(t *testing.T) {
	engines(t, func(t *testing.T, eng store.Engine) {
		e := newEnvCfg(t, eng, nil)
		c := e.login(t, "coordinator@hotline.demo")
		bad := []struct{ path, field, text, anchor string }{
			{"/app/exports/ctdc?k=1", "k", "dataexport.err.k", "ctdc-k"},
			{"/app/exports/ctdc?k=eleven", "k", "dataexport.err.k", "ctdc-k"},
			{"/app/exports/ctdc?k=5000", "k", "dataexport.err.k", "ctdc-k"},
			{"/app/exports/stix?since=31%2F01%2F2026", "since", "dataexport.err.since", "stix-since"},
			{"/app/exports/stix?tlp=purple", "tlp", "dataexport.err.tlp", "stix-tlp"},
			{"/app/exports/csv?table=passwords", "table", "dataexport.err.table", "csv-table"},
			{"/app/exports/ftm?k=5", "k", "dataexport.err.k", "export-ftm"},
		}
		for _, b := range bad {
			x := e.do(t, c, "GET", b.path, nil)
			if x.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422", b.path, x.status)
				continue
			}
			if !strings.Contains(x.header.Get("Content-Type"), "text/html") || !strings.Contains(x.body, `id="export-error"`) {
				t.Errorf("%s: not the form with the refusal", b.path)
			}
			label := localeText(t, "en", "dataexport.field."+b.field)
			summary := strings.ReplaceAll(localeText(t, "en", "dataexport.err.summary"), "%s", label)
			if !strings.Contains(x.body, `<a href="#`+b.anchor+`">`+html.EscapeString(summary)+`</a>`) {
				t.Errorf("%s: the summary does not name %q linking to #%s", b.path, label, b.anchor)
			}
			if !strings.Contains(x.body, `id="`+b.anchor+`"`) {
				t.Errorf("%s: the summary links to #%s, which is not on the page", b.path, b.anchor)
			}
			if b.field != "k" || strings.HasPrefix(b.path, "/app/exports/ctdc") {
				if !strings.Contains(x.body, `<p class="field-error">`+localeText(t, "en", b.text)) {
					t.Errorf("%s: no message beside %s", b.path, b.field)
				}
			}
		}
		// The refused value stays in its field.
		if x := e.do(t, c, "GET", "/app/exports/ctdc?k=1", nil); !strings.Contains(x.body, `value="1"`) || !strings.Contains(x.body, `aria-invalid="true"`) {
			t.Error("the refused k is not kept and marked in its field")
		}
		if x := e.do(t, c, "GET", "/app/exports/pdf", nil); x.status != http.StatusNotFound {
			t.Errorf("an unknown format: %d, want 404", x.status)
		}
		// The sealed export: a reason is needed, and then the victims'
		// identities are in the file and the reveal is audited.
		x := e.do(t, c, "POST", "/app/exports/csv", url.Values{"reveal": {"true"}, "table": {"victims"}, "reason": {"no"}})
		if x.status != http.StatusUnprocessableEntity || !strings.Contains(x.body, localeText(t, "en", "dataexport.err.reason")) || !strings.Contains(x.body, `id="export-sealed" open`) {
			t.Errorf("a sealed export with a short reason: %d", x.status)
		}
		x = e.do(t, c, "POST", "/app/exports/csv", url.Values{"reveal": {"true"}, "table": {"victims"}, "lang": {"en"}, "reason": {"court request 2026/114"}})
		if x.status != http.StatusOK {
			t.Fatalf("sealed CSV: %d %.300s", x.status, x.body)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(x.body, "\ufeff"))).ReadAll()
		if err != nil || len(rows) < 2 || len(rows[0]) != 9 {
			t.Fatalf("sealed victims CSV: %v, header %q", err, rows[0])
		}
		found := false
		for _, v := range sealedValues {
			found = found || strings.Contains(x.body, v)
		}
		if !found {
			t.Error("the sealed victims CSV holds no identity from the demo data")
		}
		evs, err := e.srv.DB.Read().ListAuditEvents(context.Background(), store.AuditFilter{Action: "export.reveal"})
		if err != nil || len(evs) != 1 {
			t.Errorf("export.reveal events: %d, %v", len(evs), err)
		}
		xs := e.do(t, c, "POST", "/app/exports/xlsx", url.Values{"reveal": {"true"}, "lang": {"th"}, "reason": {"court request 2026/114"}})
		if xs.status != http.StatusOK || !bytes.HasPrefix([]byte(xs.body), []byte("PK\x03\x04")) {
			t.Errorf("sealed XLSX: %d", xs.status)
		}

		// An admin may export but not reveal: no sealed form, and a
		// forged one is refused naming the identities.
		a := e.login(t, "admin@hotline.demo")
		if p := e.do(t, a, "GET", "/app/exports", nil); p.status != http.StatusOK || strings.Contains(p.body, `id="export-sealed"`) {
			t.Errorf("admin's export page: %d, with the sealed form: %v", p.status, strings.Contains(p.body, `id="export-sealed"`))
		}
		if x := e.do(t, a, "POST", "/app/exports/csv", url.Values{"reveal": {"true"}, "table": {"victims"}, "reason": {"court request 2026/114"}}); x.status != http.StatusForbidden || !strings.Contains(x.body, localeText(t, "en", "dataexport.err.sealed")) {
			t.Errorf("an admin's sealed export: %d, want 403 naming the identities", x.status)
		}

		// Roles without auth.ExportData.
		for _, who := range []string{"investigator@hotline.demo", "intake@hotline.demo", "partner@police.demo"} {
			u := e.login(t, who)
			home := e.do(t, u, "GET", "/app/account", nil)
			if strings.Contains(home.body, `href="/app/exports"`) {
				t.Errorf("%s has the data export page in the navigation", who)
			}
			// A partner is not shown that staff pages exist (404).
			want := http.StatusForbidden
			if strings.HasPrefix(who, "partner") {
				want = http.StatusNotFound
			}
			for _, path := range []string{"/app/exports", "/app/exports/stix", "/app/exports/csv?table=victims"} {
				if x := e.do(t, u, "GET", path, nil); x.status != want {
					t.Errorf("%s GET %s: %d, want %d", who, path, x.status, want)
				}
			}
		}
	})
}
