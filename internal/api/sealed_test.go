package api_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestPlantedStringsNotAtRest plants unique strings in every sealed field,
// then reads the raw SQLite files (database, WAL) and a pg_dump, and finds
// none of them. The same strings come back through an audited reveal, so
// the planting itself worked.
func TestPlantedStringsNotAtRest(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, engine)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, db)
			e.org("hotline", true, auth.Investigator)
			tag := fmt.Sprintf("%x", os.Getpid())
			planted := map[string]string{
				"reporter.name":       "PLANT-RN-" + tag,
				"reporter.contact":    "PLANT-RC-" + tag,
				"victims[0].name":     "PLANT-VN-" + tag,
				"victims[0].passport": "PLANT-VP-" + tag,
				"victims[0].contact":  "PLANT-VC-" + tag,
				"narrative":           "PLANT-NARRATIVE-" + tag,
				"job_ad":              "PLANT-AD-" + tag,
			}
			sub := fmt.Sprintf(`{"language":"th","narrative":%q,"job_ad":%q,"reporter":{"name":%q,"contact":%q},
				"victims":[{"name":%q,"passport":%q,"contact":%q,"nationality":"TH","still_held":true}],"places":[{"name":"Poipet"}]}`,
				planted["narrative"], planted["job_ad"], planted["reporter.name"], planted["reporter.contact"],
				planted["victims[0].name"], planted["victims[0].passport"], planted["victims[0].contact"])
			res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", sub)
			var ack intake.Ack
			res.decode(t, &ack)
			if res.status != 201 {
				t.Fatalf("submit: %d %s", res.status, res.body)
			}
			rv := e.do("investigator@hotline.test", "POST", "/api/v1/reports/{id}/reveal", "/api/v1/reports/"+ack.ID+"/reveal", map[string]string{"reason": "planted-string test"})
			for f, s := range planted {
				if f == "narrative" || f == "job_ad" {
					continue
				}
				if !bytes.Contains(rv.body, []byte(s)) {
					t.Fatalf("reveal lacks %s: %s", f, rv.body)
				}
			}

			var raw []byte
			if engine == store.SQLite {
				path := strings.TrimPrefix(dsn, "sqlite:")
				files, _ := filepath.Glob(path + "*")
				if len(files) == 0 {
					t.Fatalf("no SQLite files at %s", path)
				}
				for _, f := range files {
					b, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					raw = append(raw, b...)
				}
			} else {
				out, err := exec.Command("pg_dump", "--data-only", "--inserts", dsn).Output()
				if err != nil {
					t.Fatalf("pg_dump: %v", err)
				}
				raw = out
			}
			if !bytes.Contains(raw, []byte("Poipet")) {
				t.Fatalf("the raw database does not hold the report's open fields; the test would prove nothing")
			}
			for f, s := range planted {
				if bytes.Contains(raw, []byte(s)) {
					t.Errorf("%s (%q) found in the raw database", f, s)
				}
			}
		})
	}
}
