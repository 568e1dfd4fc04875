package ingest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
	if err := ex.WriteDir(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, export.TableStatements+".csv")); (err == nil) != reveal {
		t.Fatalf("statements.csv written: %v, want %v", err == nil, reveal)
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
		cv, err := src.srv.Casework.Create(ctx, src.coord, &casework.CaseIn{ReportIDs: ids[:2], Title: "=Golden Fortune recruitment", Urgency: "high"})
		if err != nil {
			t.Fatal(err)
		}
		resolved := casework.StatusResolved
		if _, err := src.srv.Casework.Update(ctx, src.coord, cv.ID, cv.Version, &casework.Patch{Status: &resolved}); err == nil {
			t.Fatal("a new case became resolved in one step")
		}
		for _, st := range casework.StatusPath(casework.StatusNew, resolved) {
			if cv, err = src.srv.Casework.Update(ctx, src.coord, cv.ID, cv.Version, &casework.Patch{Status: &st}); err != nil {
				t.Fatal(err)
			}
		}
		addTestimony(t, src, ids)
		// Without a reveal, no testimony.
		plain := exportCSV(t, src, false)
		if _, err := os.Stat(filepath.Join(plain, export.AttachmentsDir)); err == nil {
			t.Error("an export without reveal has an attachments folder")
		}
		dir := exportCSV(t, src, true)
		if got := len(readCSV(t, dir, export.TableStatements)) - 1; got != 8 {
			t.Errorf("statements.csv has %d versions, want 8", got)
		}

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

		badAttachments(t, dst, dir)
		res, err := dst.svc.ImportVigil(ctx, dst.coord, x, dst.srv.Casework, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 3 || res.Already != 0 || res.Cases != 1 || res.Statements != 8 || res.Attachments != 1 {
			t.Fatalf("first import: %+v (cases %d, statements %d, attachments %d)", res.Result, res.Cases, res.Statements, res.Attachments)
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
		}{{export.TableReports, instance}, {export.TableVictims, nil}, {export.TableCases, []string{"id", "assignee_id", "due_at", "created_at", "updated_at"}},
			// Statements: their ids, dates and staff are the instance's.
			{export.TableStatements, []string{"statement_id", "created_at", "taken_by_user", "recants_id"}},
			{export.TableAttachments, []string{"attachment_id", "created_at", "path"}}} {
			want := comparable(readCSV(t, dir, tc.table), nil, tc.drop...)
			got := comparable(readCSV(t, again, tc.table), same, tc.drop...)
			if !slices.Equal(got, want) {
				t.Errorf("%s after the round trip:\n got %q\nwant %q", tc.table, got, want)
			}
		}
		// Each statement version and the photo keep their date in the first
		// instance beside the import's, on the report they came with.
		stRows := readCSV(t, dir, export.TableStatements)
		var tkeys []string
		for _, r := range stRows[1:] {
			v, _ := strconv.Atoi(r[2])
			tkeys = append(tkeys, ingest.StatementKey(r[1], v))
		}
		atRows := readCSV(t, dir, export.TableAttachments)
		for _, r := range atRows[1:] {
			tkeys = append(tkeys, ingest.AttachmentKey(r[1]))
		}
		kept, err := dst.srv.DB.Read().ImportRowsOf(ctx, dst.org, tkeys)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range append(stRows[1:], atRows[1:]...) {
			at := r[6]
			k := kept[tkeys[i]]
			if k == nil {
				t.Errorf("%v: no import row", r)
				continue
			}
			orig, err := time.Parse(time.RFC3339Nano, at)
			if err != nil || k.OriginalAt != orig.Truncate(time.Second).UnixMicro() && k.OriginalAt != orig.UnixMicro() || k.ImportedAt < k.OriginalAt || same[k.ReportID] != r[0] {
				t.Errorf("%v: import row %+v (original %s)", r, k, at)
			}
		}
		// The recantation recants the same statement (by its text), and
		// the files are the same bytes.
		if got, want := recanted(t, again), recanted(t, dir); !slices.Equal(got, want) || len(want) != 1 {
			t.Errorf("recantations %q, want %q", got, want)
		}
		if got, want := fileSums(t, again), fileSums(t, dir); !slices.Equal(got, want) || len(want) != 1 {
			t.Errorf("attachment files %q, want %q", got, want)
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
		if res2.Created != 0 || res2.Already != 3 || res2.Cases != 0 || res2.CasesAlready != 1 || res2.Statements != 0 || res2.Attachments != 0 {
			t.Errorf("second import: %+v (cases %d, already %d, statements %d, attachments %d)", res2.Result, res2.Cases, res2.CasesAlready, res2.Statements, res2.Attachments)
		}
		if n := len(readCSV(t, exportCSV(t, dst, true), export.TableStatements)) - 1; n != 8 {
			t.Errorf("%d statement versions after two imports, want 8", n)
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

// addTestimony gives the reports of w more testimony: the first report a
// correction of its narrative, a corrected statement taken by phone, a
// recantation of its narrative and a photo; the third a clinic's record
// (spaces and lines kept).
func addTestimony(t *testing.T, w *world, ids []string) {
	t.Helper()
	ctx := context.Background()
	sts, err := w.srv.Intake.ExportStatements(ctx, w.coord, ids[0])
	if err != nil || len(sts) != 1 {
		t.Fatalf("statements %v, %v", sts, err)
	}
	if _, err := w.srv.Intake.AddVersion(ctx, w.coord, ids[0], sts[0].ID, "The recruiter called from +855 12 345 678 about a job in Sihanoukville, in May."); err != nil {
		t.Fatal(err)
	}
	call, err := w.srv.Intake.AddStatement(ctx, w.coord, ids[0], &intake.StatementIn{Kind: intake.KindTestimony, Language: "en", Channel: "phone",
		Text: "Follow-up call: he was moved to a second compound.", Circumstances: "by phone, with an interpreter"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Intake.AddVersion(ctx, w.coord, ids[0], call.ID, "Follow-up call: he was moved to a second compound near the border."); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Intake.AddStatement(ctx, w.coord, ids[0], &intake.StatementIn{Kind: intake.KindRecantation, RecantsID: sts[0].ID, Language: "en",
		Text: "=He now says he was not in Sihanoukville but in Bavet."}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Intake.AddStatement(ctx, w.coord, ids[2], &intake.StatementIn{Kind: intake.KindThirdParty, Language: "th", Source: "clinic record",
		TakenBy: "Dr. Somchai", Text: "  Medical note: bruises on both arms.\n\nSecond paragraph.  "}); err != nil {
		t.Fatal(err)
	}
	var png bytes.Buffer
	if err := encodePNG(&png); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Intake.AddAttachment(ctx, w.coord, ids[0], "file", "compound gate.png", &png); err != nil {
		t.Fatal(err)
	}
}

// badAttachments checks that an export whose file does not match its
// SHA-256, or is no photo or PDF, is refused naming attachments.csv's
// line, and that nothing of it is imported into w.
func badAttachments(t *testing.T, w *world, dir string) {
	t.Helper()
	ctx := context.Background()
	rows := readCSV(t, dir, export.TableAttachments)
	// The photo with one byte changed: its size is right, its sum not.
	altered, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rows[1][7])))
	if err != nil {
		t.Fatal(err)
	}
	altered[len(altered)/2] ^= 1
	for _, c := range []struct {
		name, want string
		data       []byte
		fixSum     bool
	}{
		{"altered", ":2: column attachments.csv sha256", altered, false},
		{"no image", ":2: column attachments.csv path", []byte("#!/bin/sh\necho this is no photo\n"), true},
	} {
		bad := t.TempDir()
		if err := os.CopyFS(bad, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bad, filepath.FromSlash(rows[1][7])), c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if c.fixSum {
			sum := sha256.Sum256(c.data)
			var b bytes.Buffer
			cw := csv.NewWriter(&b)
			fixed := slices.Clone(rows[1])
			fixed[4], fixed[5] = strconv.Itoa(len(c.data)), hex.EncodeToString(sum[:])
			if err := cw.WriteAll([][]string{rows[0], fixed}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(bad, "attachments.csv"), b.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		x, err := ingest.PrepareVigil(bad, time.Now())
		if err == nil {
			_, err = w.svc.ImportVigil(ctx, w.coord, x, w.srv.Casework, ingest.Options{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
		if n, err := w.srv.DB.Read().CountReportsUpTo(ctx, store.ReportFilter{OrgID: w.org}, 10); err != nil || n != 0 {
			t.Errorf("%s: %d reports imported (%v), want none", c.name, n, err)
		}
	}
}

// recanted lists an export's recantations as "what it says → the first
// version of what it recants".
func recanted(t *testing.T, dir string) []string {
	t.Helper()
	rows := readCSV(t, dir, export.TableStatements)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	first := map[string]string{}
	for _, r := range rows[1:] {
		if r[col["version"]] == "1" {
			first[r[col["statement_id"]]] = r[col["text"]]
		}
	}
	var out []string
	for _, r := range rows[1:] {
		if id := r[col["recants_id"]]; id != "" {
			out = append(out, r[col["text"]]+" → "+first[id])
		}
	}
	slices.Sort(out)
	return out
}

// fileSums lists the SHA-256 of each file in an export's attachments
// folder, with the file's name as attachments.csv gives it.
func fileSums(t *testing.T, dir string) []string {
	t.Helper()
	rows := readCSV(t, dir, export.TableAttachments)
	var out []string
	for _, r := range rows[1:] {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(r[7])))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		out = append(out, r[2]+" "+hex.EncodeToString(sum[:]))
	}
	slices.Sort(out)
	return out
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
