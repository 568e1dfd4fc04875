package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/ingest"
	"github.com/vigil-project/vigil/internal/staff"
)

// TestKoboWebhook posts Kobo's REST Service delivery (from the standards'
// examples) to the hook's address, as Kobo would: signed in as no one.
func TestKoboWebhook(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("home", false, auth.Coordinator)
		mapping := []byte("skip: {consent: [\"no\"]}\nfields:\n  victim.gender: {column: person/gender, values: {Masculine: male}}\n  places: compound_name\n  subject.name: {column: perp_name, repeat: perpetrator}\n")
		token, err := ingest.New(e.db, e.intake, slog.New(slog.DiscardHandler)).CreateKoboHook(context.Background(), staff.System, e.orgs["home"], "field", mapping)
		if err != nil {
			t.Fatal(err)
		}
		body, err := os.ReadFile("../../../shared/standards/kobo-odk/examples/kobo-rest-service-post-with-payload-template.json")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, path string
			body       []byte
			status     int
			want       string
		}{
			{"delivery", "/api/v1/intake/kobo/" + token, body, http.StatusOK, `"created":1`},
			{"retry", "/api/v1/intake/kobo/" + token, body, http.StatusOK, `"already_imported":1`},
			{"unknown token", "/api/v1/intake/kobo/kobo_nope", body, http.StatusNotFound, `"not_found"`},
			{"not json", "/api/v1/intake/kobo/" + token, []byte("<data/>"), http.StatusUnprocessableEntity, `is not Kobo JSON`},
			{"bad value", "/api/v1/intake/kobo/" + token, []byte(`{"meta/rootUuid":"uuid:1","person/gender":"Robot"}`), http.StatusUnprocessableEntity, `"field":"person/gender"`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := e.do("", "POST", "/api/v1/intake/kobo/{token}", tc.path, tc.body)
				if res.status != tc.status || !bytes.Contains(res.body, []byte(tc.want)) {
					t.Fatalf("got %d %s; want %d with %s", res.status, res.body, tc.status, tc.want)
				}
			})
		}
	})
}
