package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/store"
)

// codebookColumns reads the column names of Table 1 (the k-anonymised
// Global Dataset) from the shared CTDC codebook.
func codebookColumns(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(standards, "ctdc-htcds", "ctdc-codebook.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile(`^\| (\d+) \| (\w+) \|`)
	var cols []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		switch l := sc.Text(); {
		case strings.HasPrefix(l, "## Table 1"):
			in = true
		case strings.HasPrefix(l, "## Table 2"):
			in = false
		case in:
			if m := row.FindStringSubmatch(l); m != nil {
				cols = append(cols, m[2])
			}
		}
	}
	return cols
}

func TestCTDCColumnsMatchCodebook(t *testing.T) {
	want := codebookColumns(t)
	if len(want) != 63 || !slices.Equal(export.CTDCColumns, want) {
		t.Errorf("CTDCColumns (%d) differ from the codebook's Table 1 (%d):\n got %v\nwant %v", len(export.CTDCColumns), len(want), export.CTDCColumns, want)
	}
}

// quasi is a row's quasi-identifiers as written: the columns of
// export.CTDCQuasi (age is ageBroad and majorityStatus; exploitation the
// exploitation and labour-type columns).
func quasi(head, rec []string) string {
	var b strings.Builder
	for i, h := range head {
		if h == "ageBroad" || h == "majorityStatus" || h == "gender" || h == "citizenship" || h == "CountryOfExploitation" ||
			h == "yearOfRegistration" || strings.HasPrefix(h, "is") || strings.HasPrefix(h, "typeOf") {
			b.WriteString(h + "=" + rec[i] + ";")
		}
	}
	return b.String()
}

func readCSV(t *testing.T, b []byte) (head []string, rows [][]string) {
	t.Helper()
	all, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return all[0], all[1:]
}

func TestCTDCKAnonymity(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, e)
			// 600 reports with a victim each, drawn so that some
			// combinations are common and many are rare.
			rng := rand.New(rand.NewPCG(1, 2))
			pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
			var batch []*store.Intake
			victims := 5 // the fixture's
			for i := range 600 {
				id := store.NewID()
				types := []string{pick("forced_criminality", "confinement", "deceptive_recruitment", "organ_blood_harvesting", "violence")}
				r := &store.Report{ID: id, OrgID: f.coord.OrgID, TrackingCode: "VG-" + id, SecretHash: []byte{1}, Channel: pick("web", "phone", "walk_in"),
					Language: "en", IncidentTypes: types, Places: []store.PlaceRef{{Name: "KK Park", PlaceID: "kk-park", Country: pick("MM", "MM", "KH", "LA")}},
					Victims: []store.Victim{{Nationality: pick("KH", "KH", "VN", "ID", "PH", "KE", "LK"), AgeBand: pick("18_25", "26_35", "18_25", "under_18", "over_50"), Gender: pick("male", "male", "female", "other")}},
					Status:  "received", ReceivedAt: day(i % 700), UpdatedAt: day(i % 700)}
				batch = append(batch, &store.Intake{Report: r, DataKey: []byte("k")})
				victims++
			}
			if err := f.db.Tx(ctx, func(q store.Q) error { return q.PutIntake(ctx, batch) }); err != nil {
				t.Fatal(err)
			}
			for _, k := range []int{2, 5, 11, 50} {
				ex, out := run(t, f, f.coord, export.Request{Format: export.CTDC, K: k})
				head, rows := readCSV(t, out)
				if !slices.Equal(head, export.CTDCColumns) {
					t.Fatalf("header %v", head)
				}
				groups := map[string]int{}
				for _, r := range rows {
					if len(r) != 63 {
						t.Fatalf("row of %d cells", len(r))
					}
					groups[quasi(head, r)]++
				}
				for g, n := range groups {
					if n < k {
						t.Errorf("k=%d: %d row(s) share %s", k, n, g)
					}
				}
				sr, sc := ex.Suppressed()
				if len(rows)+sr != victims || ex.Rows != len(rows) {
					t.Errorf("k=%d: %d rows + %d suppressed != %d victims (Rows %d)", k, len(rows), sr, victims, ex.Rows)
				}
				t.Logf("k=%d: %d rows, %d groups, suppressed %d rows and %d cells", k, len(rows), len(groups), sr, sc)
			}
		})
	}
}

func TestCTDCGolden(t *testing.T) {
	f := newFixture(t, store.SQLite)
	_, out := run(t, f, f.coord, export.Request{Format: export.CTDC, K: 2})
	golden(t, "ctdc-k2.golden.csv", out)
	for _, never := range []string{"Sok Dara", "+855"} {
		if bytes.Contains(out, []byte(never)) {
			t.Errorf("CTDC export holds %q", never)
		}
	}
}
