package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/web"
)

// TestExportTriage exports the triage queue with a filter as CSV and as
// XLSX, reads both files back, and checks the rows, the translated
// headings, that no sealed field is in them, the audit event, and the
// refusals.
func TestExportTriage(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Coordinator, auth.Intake, auth.Partner)
		for _, lang := range []string{"km", "km", "en"} {
			doc := strings.Replace(publicReport, `"language":"km"`, `"language":"`+lang+`"`, 1)
			if res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", doc); res.status != http.StatusCreated {
				t.Fatalf("report: %d %s", res.status, res.body)
			}
		}
		const pattern = "/api/v1/exports/lists/triage"
		read := map[string]func(t *testing.T, body []byte) [][]string{
			"csv": func(t *testing.T, body []byte) [][]string {
				body, ok := bytes.CutPrefix(body, []byte("\ufeff"))
				if !ok {
					t.Error("the CSV has no byte-order mark")
				}
				rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				return rows
			},
			"xlsx": func(t *testing.T, body []byte) [][]string {
				f, err := excelize.OpenReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				rows, err := f.GetRows(f.GetSheetName(0))
				if err != nil {
					t.Fatal(err)
				}
				return rows
			},
		}
		for format, readBack := range read {
			t.Run(format, func(t *testing.T) {
				res := e.do("coordinator@hotline.test", "GET", pattern, pattern+"?format="+format+"&lang=zh&language=km&urgent=1", nil)
				if res.status != http.StatusOK {
					t.Fatalf("export: %d %s", res.status, res.body)
				}
				if cd := res.header.Get("Content-Disposition"); !strings.Contains(cd, "."+format) {
					t.Errorf("Content-Disposition %q, want a .%s file", cd, format)
				}
				rows := readBack(t, res.body)
				if len(rows) != 3 {
					t.Fatalf("got %d rows, want a heading and the 2 Khmer reports: %q", len(rows), rows)
				}
				if rows[0][0] != "编号" || rows[0][3] != "状态" {
					t.Errorf("headings %q, want them in Chinese", rows[0])
				}
				cats, err := web.Catalogues()
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows[1:] {
					if r[3] != cats["zh"]["status.received"] || r[4] != cats["zh"]["langname.km"] || r[10] != cats["zh"]["export.yes"] {
						t.Errorf("status, language, still held %q, want them in Chinese", r[3:11])
					}
				}
				for _, sealed := range []string{"Reporter Name", "Victim Name", "+85512000000", "passport in the compound"} {
					for _, r := range rows {
						if strings.Contains(strings.Join(r, "|"), sealed) {
							t.Errorf("the export holds the sealed %q: %q", sealed, r)
						}
					}
				}
			})
		}
		var page api.Page[api.AuditView]
		res := e.do("coordinator@hotline.test", "GET", "/api/v1/audit", "/api/v1/audit?action=export.list", nil)
		res.decode(t, &page)
		if len(page.Items) != 2 || page.Items[0].ActorID != e.users["coordinator@hotline.test"].UserID {
			t.Errorf("audit events of the exports: %+v, want 2 by the coordinator", page.Items)
		}
		for _, tc := range []struct {
			who, query string
			status     int
			field      string
		}{
			{"partner@hotline.test", "", http.StatusForbidden, ""},
			{"coordinator@hotline.test", "?format=pdf", http.StatusUnprocessableEntity, "format"},
			{"coordinator@hotline.test", "?urgent=yes", http.StatusUnprocessableEntity, "urgent"},
			{"coordinator@hotline.test", "?from=yesterday", http.StatusUnprocessableEntity, "from"},
			{"coordinator@hotline.test", "?incident_type=nope", http.StatusUnprocessableEntity, "incident_type"},
		} {
			res := e.do(tc.who, "GET", pattern, pattern+tc.query, nil)
			var b api.ErrorBody
			if tc.field != "" {
				res.decode(t, &b)
			}
			if res.status != tc.status || b.Error.Field != tc.field {
				t.Errorf("%s %s: %d field %q, want %d field %q", tc.who, tc.query, res.status, b.Error.Field, tc.status, tc.field)
			}
		}
		res = e.do("coordinator@hotline.test", "GET", "/api/v1/audit", "/api/v1/audit?action=no.such", nil)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("an unknown action: %d, want 422", res.status)
		}
		// Search results export, every result, and the search words are
		// not kept in the trail.
		var ack struct {
			ID           string `json:"id"`
			TrackingCode string `json:"tracking_code"`
		}
		e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport).decode(t, &ack)
		const sp = "/api/v1/exports/lists/search"
		res = e.do("coordinator@hotline.test", "GET", sp, sp+"?q="+ack.TrackingCode, nil)
		if res.status != http.StatusOK {
			t.Fatalf("search export: %d %s", res.status, res.body)
		}
		srows := read["csv"](t, res.body)
		if len(srows) != 2 || srows[1][1] != ack.ID {
			t.Errorf("search export rows %q, want the one report", srows)
		}
		if res := e.do("coordinator@hotline.test", "GET", sp, sp, nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("search export without q: %d, want 422", res.status)
		}
		evs, err := e.db.Read().ListAuditEvents(context.Background(), store.AuditFilter{Action: "export.list"})
		if err != nil || len(evs) != 3 {
			t.Fatalf("export events: %d, %v; want 3", len(evs), err)
		}
		if !strings.Contains(evs[0].Detail, `"list":"search"`) || strings.Contains(evs[0].Detail, ack.TrackingCode) {
			t.Errorf("the search export's event detail %s: want the list and not the search words", evs[0].Detail)
		}
		if !strings.Contains(evs[1].Detail, "urgent=1") {
			t.Errorf("the triage export's event detail %s: want its filter", evs[1].Detail)
		}
		// The other lists export too.
		for _, l := range []string{"cases", "referrals", "stats"} {
			p := "/api/v1/exports/lists/" + l
			if res := e.do("coordinator@hotline.test", "GET", p, p+"?format=xlsx", nil); res.status != http.StatusOK {
				t.Errorf("%s: %d %s", l, res.status, res.body)
			}
		}
	})
}

// TestExportSealed: the triage export carries the sealed fields only for
// one who may reveal them and gives a reason, which the audit trail shows;
// anyone else is refused, naming the parameter.
func TestExportSealed(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Coordinator, auth.Intake)
		if res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport); res.status != http.StatusCreated {
			t.Fatalf("report: %d %s", res.status, res.body)
		}
		const pattern = "/api/v1/exports/lists/triage"
		for _, c := range []struct {
			name, who, query string
			status           int
			field            string
		}{
			{"intake may not reveal", "intake@hotline.test", "?sealed=true&reason=checking+a+victim", http.StatusForbidden, "sealed"},
			{"no reason", "coordinator@hotline.test", "?sealed=true", http.StatusUnprocessableEntity, "reason"},
			{"not a yes or no", "coordinator@hotline.test", "?sealed=maybe&reason=checking+a+victim", http.StatusUnprocessableEntity, "sealed"},
			{"the case list has none", "coordinator@hotline.test", "/../cases?sealed=true&reason=checking+a+victim", http.StatusUnprocessableEntity, "sealed"},
		} {
			path, pat := pattern+c.query, pattern
			if strings.HasPrefix(c.query, "/../cases") {
				path, pat = "/api/v1/exports/lists/cases"+strings.TrimPrefix(c.query, "/../cases"), "/api/v1/exports/lists/cases"
			}
			res := e.do(c.who, "GET", pat, path, nil)
			if res.status != c.status || !strings.Contains(string(res.body), `"field":"`+c.field+`"`) {
				t.Errorf("%s: %d %s, want %d naming %s", c.name, res.status, res.body, c.status, c.field)
			}
		}
		res := e.do("coordinator@hotline.test", "GET", pattern, pattern+"?lang=en&sealed=true&reason=call+the+victim%27s+family", nil)
		if res.status != http.StatusOK {
			t.Fatalf("export: %d %s", res.status, res.body)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.body, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("rows %q, %v", rows, err)
		}
		head, row := rows[0], rows[1]
		got := map[string]string{}
		for i, h := range head {
			got[h] = row[i]
		}
		if got["Reporter's name"] != "Reporter Name" || got["Reporter's contact"] != "'+85512000000" /* defused: a cell may not start a formula */ || got["Victims' names"] != "Victim Name" {
			t.Errorf("sealed columns: %v", got)
		}
		found := false
		for _, ev := range e.audit("coordinator@hotline.test", "").Items {
			if ev.Action == "export.reveal" && ev.Reason == "call the victim's family" {
				found = true
			}
		}
		if !found {
			t.Error("no export.reveal event with the reason in the audit trail")
		}
	})
}
