package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
)

// TestExportData asks for each data export through the API and checks the
// answers and the refusals that name a parameter.
func TestExportData(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Coordinator, auth.Admin, auth.Investigator)
		if res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport); res.status != http.StatusCreated {
			t.Fatalf("report: %d %s", res.status, res.body)
		}
		const pattern = "/api/v1/exports/{format}"
		for _, c := range []struct {
			as, query string
			status    int
			field     string
			ctype     string
		}{
			{"coordinator", "stix?tlp=green", http.StatusOK, "", "application/stix+json"},
			{"coordinator", "ftm", http.StatusOK, "", "application/x-ndjson"},
			{"admin", "ctdc?k=5", http.StatusOK, "", "text/csv"},
			{"coordinator", "csv?table=victims&since=2020-01-01", http.StatusOK, "", "text/csv"},
			{"admin", "xlsx", http.StatusOK, "", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
			{"investigator", "stix", http.StatusForbidden, "", ""},
			{"coordinator", "pdf", http.StatusUnprocessableEntity, "format", ""},
			{"coordinator", "ctdc?k=1", http.StatusUnprocessableEntity, "k", ""},
			{"coordinator", "ctdc?k=eleven", http.StatusUnprocessableEntity, "k", ""},
			{"coordinator", "stix?tlp=purple", http.StatusUnprocessableEntity, "tlp", ""},
			{"coordinator", "stix?since=yesterday", http.StatusUnprocessableEntity, "since", ""},
			{"coordinator", "csv?reveal=true", http.StatusUnprocessableEntity, "reason", ""},
			{"admin", "csv?reveal=true&reason=court+order+77", http.StatusForbidden, "", ""},
			{"coordinator", "csv?table=statements", http.StatusUnprocessableEntity, "table", ""},
			{"admin", "csv?table=statements&reveal=true&reason=court+order+77", http.StatusForbidden, "", ""},
		} {
			t.Run(c.as+" "+c.query, func(t *testing.T) {
				res := e.do(c.as+"@hotline.test", "GET", pattern, "/api/v1/exports/"+c.query, nil)
				if res.status != c.status {
					t.Fatalf("%d %s, want %d", res.status, res.body, c.status)
				}
				if c.ctype != "" && !strings.HasPrefix(res.header.Get("Content-Type"), c.ctype) {
					t.Errorf("Content-Type %q, want %s", res.header.Get("Content-Type"), c.ctype)
				}
				if c.field != "" {
					var body struct{ Error struct{ Field string } }
					if err := json.Unmarshal(res.body, &body); err != nil || body.Error.Field != c.field {
						t.Errorf("error %s, want one naming %s", res.body, c.field)
					}
				}
				if strings.Contains(c.query, "table=statements") {
					return
				}
				for _, sealed := range []string{"Victim Name", "Reporter Name", "+85512000000", "They took my passport"} {
					if c.status == http.StatusOK && bytes.Contains(res.body, []byte(sealed)) {
						t.Errorf("the export holds sealed %q", sealed)
					}
				}
			})
		}
	})
}

// TestExportStatements: a coordinator who reveals, with a reason, gets the
// testimony as the statements table; without reveal it is refused, naming
// the table.
func TestExportStatements(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Coordinator)
		if res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport); res.status != http.StatusCreated {
			t.Fatalf("report: %d %s", res.status, res.body)
		}
		res := e.do("coordinator@hotline.test", "GET", "/api/v1/exports/{format}", "/api/v1/exports/csv?table=statements&reveal=true&reason=moving+to+the+new+server", nil)
		if res.status != http.StatusOK || !bytes.Contains(res.body, []byte("They took my passport in the compound.")) || !bytes.HasPrefix(res.body, []byte("report_id,statement_id,version,")) {
			t.Errorf("statements: %d %s", res.status, res.body)
		}
	})
}
