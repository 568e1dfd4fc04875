package ingest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/ingest"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/store"
)

// exportCSV writes w's CSV export (codes as headings, sealed fields
// revealed when reveal) to a new directory.
func exportCSV(t *testing.T, w *world, reveal bool) string {
	t.Helper()
	ctx := context.Background()
	r := export.Request{Format: export.CSV}
	if reveal {
		r.Reveal, r.Reason = true, "moving the organisation to its new server"
	}
	ex, err := export.New(w.srv.DB, w.srv.Keys, w.srv.Intake, nil).Start(ctx, w.coord, r)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range export.Tables() {
		var b bytes.Buffer
		if err := ex.WriteTable(ctx, name, &b); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".csv"), b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readCSV reads dir/name.csv.
func readCSV(t *testing.T, dir, name string) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// comparable is a table's rows as the round trip must keep them: by
// column code, ids replaced through ids, the columns that name the
// instance (its ids, tracking codes, dates of receipt, channel, status)
// left out, sorted.
func comparable(rows [][]string, ids map[string]string, drop ...string) []string {
	var out []string
	for _, rec := range rows[1:] {
		var cells []string
		for i, h := range rows[0] {
			if slices.Contains(drop, h) {
				continue
			}
			// A cell may be a list of IDs ("a; b"): each is mapped.
			items := strings.Split(rec[i], "; ")
			for j, it := range items {
				if n, ok := ids[it]; ok {
					items[j] = n
				}
			}
			slices.Sort(items)
			v := strings.Join(items, "; ")
			cells = append(cells, h+"="+v)
		}
		out = append(out, strings.Join(cells, ","))
	}
	slices.Sort(out)
	return out
}

func TestVigilRoundTrip(t *testing.T) {
	engines(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		// The source files through intake.Submit, which needs intake's
		// batcher running.
		src, dst := newWorldOpt(t, servertest.Options{Engine: e, Start: true, NoJobs: true}), newWorld(t, e)
		subs := []*intake.Submission{
			{Language: "en", Country: "KH", Channel: "phone", ContactedOn: "2026-11-02",
				Narrative:     "The recruiter called from +855 12 345 678 about a job in Sihanoukville.",
				IncidentTypes: []string{"deceptive_recruitment", "confinement"}, Places: []intake.PlaceIn{{Name: "Sihanoukville"}},
				Victims: []intake.VictimIn{{Name: "Sok Dara", Contact: "+855 97 555 0101", Passport: "N1234567", Nationality: "KH", AgeBand: "18_25", Gender: "male", StillHeld: true},
					{Nationality: "VN", AgeBand: "26_35", Gender: "female"}},
				Subjects: []intake.SubjectIn{{Name: "Golden Fortune Co., Ltd.", Type: "company", Role: "employer"}, {Name: "Ah Long", Type: "person", Role: "recruiter"}},
				Reporter: &intake.Reporter{Name: "Sok Srey", Contact: "+855 97 555 0202"}},
			{Language: "km", Country: "KH", Channel: "phone",
				Narrative:     "ប្អូនប្រុសខ្ញុំត្រូវបានគេឃុំខ្លួននៅ KK Park ។",
				IncidentTypes: []string{"extortion_ransom"}, Places: []intake.PlaceIn{{Name: "KK Park"}, {Name: "Myawaddy"}},
				Victims: []intake.VictimIn{{Nationality: "KH", AgeBand: "under_18", Gender: "male", StillHeld: true}}},
			{Language: "th", Country: "TH", Channel: "walk_in",
				Narrative: "-- a walk-in with no victim named"},
		}
		var ids []string
		for _, s := range subs {
			ack, err := src.srv.Intake.Submit(ctx, src.actor, s)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ack.ID)
		}
		if _, err := src.srv.Casework.Create(ctx, src.coord, &casework.CaseIn{ReportIDs: ids[:2], Title: "=Golden Fortune recruitment", Urgency: "high"}); err != nil {
			t.Fatal(err)
		}
		dir := exportCSV(t, src, true)

		x, err := ingest.PrepareVigil(dir, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		// The formula guard's apostrophe is gone: a phone number is itself.
		if got := readCSV(t, dir, export.TableVictims); !slices.ContainsFunc(got, func(r []string) bool {
			return slices.Contains(r, "'+855975550101") || slices.Contains(r, "'+855 97 555 0101")
		}) {
			t.Fatalf("the export did not guard the victim's phone: %q", got)
		}
		var contact, reporter string
		for _, r := range x.Plan.Rows {
			for _, v := range r.Sub.Victims {
				if v.Name == "Sok Dara" {
					contact = v.Contact
				}
			}
			if r.Sub.Reporter != nil {
				reporter = r.Sub.Reporter.Contact
			}
		}
		if !strings.HasPrefix(contact, "+855") || !strings.HasPrefix(reporter, "+855") {
			t.Errorf("phones read as %q and %q, want +855…", contact, reporter)
		}

		res, err := dst.svc.ImportVigil(ctx, dst.coord, x, dst.srv.Casework, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 3 || res.Already != 0 || res.Cases != 1 {
			t.Fatalf("first import: %+v (cases %d)", res.Result, res.Cases)
		}
		// The reports as the new instance exports them are the same.
		keys := make([]string, len(ids))
		for i, id := range ids {
			keys[i] = ingest.VigilKey(id)
		}
		have, err := dst.srv.DB.Read().ImportedKeys(ctx, dst.org, keys)
		if err != nil {
			t.Fatal(err)
		}
		same := map[string]string{}
		for i, id := range ids {
			same[have[keys[i]]] = id
		}
		again := exportCSV(t, dst, true)
		instance := []string{"id", "tracking_code", "received_at", "channel", "status", "case_ids"}
		for _, tc := range []struct {
			table string
			drop  []string
		}{{export.TableReports, instance}, {export.TableVictims, nil}, {export.TableCases, []string{"id", "status", "assignee_id", "due_at", "created_at", "updated_at"}}} {
			want := comparable(readCSV(t, dir, tc.table), nil, tc.drop...)
			got := comparable(readCSV(t, again, tc.table), same, tc.drop...)
			if !slices.Equal(got, want) {
				t.Errorf("%s after the round trip:\n got %q\nwant %q", tc.table, got, want)
			}
		}
		reps, err := dst.srv.DB.Read().GetReports(ctx, res.Reports)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			if r.Channel != "import" {
				t.Errorf("report %s channel %q, want import", r.ID, r.Channel)
			}
		}

		// A second import creates nothing.
		x2, err := ingest.PrepareVigil(again, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		res2, err := dst.svc.ImportVigil(ctx, dst.coord, x, dst.srv.Casework, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res2.Created != 0 || res2.Already != 3 || res2.Cases != 0 || res2.CasesAlready != 1 {
			t.Errorf("second import: %+v (cases %d, already %d)", res2.Result, res2.Cases, res2.CasesAlready)
		}
		if len(x2.Plan.Rows) != 3 {
			t.Errorf("the new instance's export has %d reports", len(x2.Plan.Rows))
		}
		cases, err := dst.srv.DB.Read().ListCases(ctx, store.CaseFilter{OrgID: dst.org, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) != 1 {
			t.Errorf("%d cases after two imports, want 1", len(cases))
		}
	})
}

func TestVigilProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("reports.csv", strings.Join(export.Columns(export.TableReports, false), ",")+"\n"+
		"r1,VG-1,2026-01-02T03:04:05Z,,web,en,KH,received,false,fraud,,,,1,\n")
	write("victims.csv", strings.Join(export.Columns(export.TableVictims, false), ",")+"\n"+
		"r1,1,KH,old,male,false\nr9,1,KH,18_25,male,false\n")
	_, err := ingest.PrepareVigil(dir, time.Now())
	var ps *ingest.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want problems", err)
	}
	msg := ps.Error()
	for _, want := range []string{"victims.csv age_band", `"old" is not an age band`, `"fraud" is not an incident type`, "r9 is not a report"} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems %q lack %q", msg, want)
		}
	}
	if _, err := ingest.PrepareVigil(t.TempDir(), time.Now()); err == nil {
		t.Error("an empty directory imported")
	}
}
