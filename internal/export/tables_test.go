package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/web"
)

// tables writes every table of a CSV export.
func tables(t *testing.T, f *fixture, e *export.Export) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range export.Tables() {
		var b bytes.Buffer
		if err := e.WriteTable(context.Background(), name, &b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b.Bytes()
	}
	return out
}

// normalise replaces the fixture's random ids (reports, tracking codes)
// with stable names, for the golden files.
func (f *fixture) normalise(t *testing.T, b []byte) []byte {
	t.Helper()
	reps, err := f.db.Read().GetReports(context.Background(), f.reports)
	if err != nil {
		t.Fatal(err)
	}
	for n, id := range f.reports {
		b = bytes.ReplaceAll(b, []byte(reps[id].TrackingCode), []byte("VG-REPORT-"+strconv.Itoa(n+1)))
		b = bytes.ReplaceAll(b, []byte(id), []byte("report-"+strconv.Itoa(n+1)))
	}
	return b
}

func TestCSV(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, e)
			ex, err := f.svc.Start(ctx, f.coord, export.Request{Format: export.CSV})
			if err != nil {
				t.Fatal(err)
			}
			out := tables(t, f, ex)
			for _, name := range export.Tables() {
				rows, err := csv.NewReader(bytes.NewReader(out[name])).ReadAll()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !slices.Equal(rows[0], export.Columns(name, false)) {
					t.Errorf("%s header %v", name, rows[0])
				}
				for _, never := range []string{"Sok Dara", "Sok Srey", "+85597"} {
					if bytes.Contains(out[name], []byte(never)) {
						t.Errorf("%s holds sealed %q without a reveal", name, never)
					}
				}
				if e == store.SQLite {
					golden(t, "csv-"+name+".golden.csv", f.normalise(t, out[name]))
				}
			}
			if n := bytes.Count(out[export.TableVictims], []byte("\n")) - 1; n != 5 {
				t.Errorf("victims.csv has %d rows, want 5", n)
			}

			// Revealed: the sealed columns, audited with the reason.
			ex, err = f.svc.Start(ctx, f.coord, export.Request{Format: export.CSV, Reveal: true, Reason: "police request 2026/77"})
			if err != nil {
				t.Fatal(err)
			}
			out = tables(t, f, ex)
			for _, want := range []string{"Sok Dara", "+85597"} {
				if !bytes.Contains(out[export.TableVictims], []byte(want)) && !bytes.Contains(out[export.TableIdentifiers], []byte(want)) {
					t.Errorf("revealed export lacks %q", want)
				}
			}
			testimony(t, f, e, ex)
			evs, err := f.db.Read().ListAuditEvents(ctx, store.AuditFilter{OrgID: f.coord.OrgID, ActorID: f.coord.UserID})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, ev := range evs {
				actions = append(actions, ev.Action)
				if ev.Action == "export.data" && !strings.Contains(ev.Detail, `"rows":"4"`) {
					t.Errorf("export.data detail %s", ev.Detail)
				}
			}
			if slices.Index(actions, "export.data") < 0 || slices.Index(actions, "export.reveal") < 0 {
				t.Errorf("audit trail %v lacks export.data or export.reveal", actions)
			}
		})
	}
}

// testimony checks the directory a revealing export writes: statements.csv
// with every version, attachments.csv and the files, each as received;
// an export without reveal writes neither.
func testimony(t *testing.T, f *fixture, e store.Engine, revealed *export.Export) {
	t.Helper()
	ctx := context.Background()
	f.in.Files = blob.NewDir(t.TempDir())
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	photo := slices.Clone(img.Bytes())
	if _, err := f.in.AddAttachment(ctx, f.coord, f.reports[0], "file", "gate.png", &img); err != nil {
		t.Fatal(err)
	}
	sts, err := f.in.ExportStatements(ctx, f.coord, f.reports[0])
	if err != nil || len(sts) != 1 {
		t.Fatalf("statements %v, %v", sts, err)
	}
	if _, err := f.in.AddVersion(ctx, f.coord, f.reports[0], sts[0].ID, "=SUM(A1) the corrected text"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := revealed.WriteDir(ctx, dir); err != nil {
		t.Fatal(err)
	}
	// Ids and times are the run's: masked for the golden files.
	mask := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d\d-\d\dT[0-9:.]+Z`)
	for _, name := range export.TestimonyTables() {
		b, err := os.ReadFile(filepath.Join(dir, name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], export.Columns(name, true)) {
			t.Errorf("%s header %v", name, rows[0])
		}
		if e == store.SQLite {
			golden(t, "csv-"+name+".golden.csv", mask.ReplaceAll(f.normalise(t, b), []byte("X")))
		}
	}
	atts, err := os.ReadDir(filepath.Join(dir, export.AttachmentsDir))
	if err != nil || len(atts) != 1 {
		t.Fatalf("attachments folder %v, %v", atts, err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, export.AttachmentsDir, atts[0].Name())); err != nil || !bytes.Equal(got, photo) {
		t.Errorf("the exported file differs from the photo (%v)", err)
	}
	// Without reveal: the five tables only.
	plain, err := f.svc.Start(ctx, f.coord, export.Request{Format: export.CSV})
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	if err := plain.WriteDir(ctx, dir); err != nil {
		t.Fatal(err)
	}
	files, err := os.ReadDir(dir)
	if err != nil || len(files) != len(export.Tables()) {
		t.Errorf("an export without reveal wrote %d files (%v), want %d", len(files), err, len(export.Tables()))
	}
	if _, err := f.svc.Start(ctx, f.coord, export.Request{Format: export.CSV, Table: export.TableStatements}); err == nil {
		t.Error("the statements table was exported without reveal")
	}
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, store.SQLite)
	for _, c := range []struct {
		name  string
		a     auth.Actor
		r     export.Request
		field string // "" for forbidden
	}{
		{"intake staff may not export", f.intake, export.Request{Format: export.STIX}, ""},
		{"the public may not export", auth.Actor{}, export.Request{Format: export.CTDC}, ""},
		{"an admin may not reveal", f.admin, export.Request{Format: export.CSV, Reveal: true, Reason: "because I say so"}, "sealed"},
		{"a reveal needs a reason", f.coord, export.Request{Format: export.CSV, Reveal: true}, "reason"},
		{"unknown format", f.coord, export.Request{Format: "pdf"}, "format"},
		{"unknown TLP", f.coord, export.Request{Format: export.STIX, TLP: "purple"}, "tlp"},
		{"k too small", f.coord, export.Request{Format: export.CTDC, K: 1}, "k"},
		{"k on STIX", f.coord, export.Request{Format: export.STIX, K: 5}, "k"},
		{"reveal on STIX", f.coord, export.Request{Format: export.STIX, Reveal: true, Reason: "never"}, "reveal"},
		{"unknown table", f.coord, export.Request{Format: export.CSV, Table: "users"}, "table"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Start(ctx, c.a, c.r)
			var ie *invalid.Error
			switch {
			case c.field == "" && !errors.Is(err, auth.ErrForbidden):
				t.Errorf("got %v, want forbidden", err)
			case c.field == "sealed":
				if err == nil || !strings.Contains(err.Error(), "sealed") {
					t.Errorf("got %v, want a refusal naming sealed", err)
				}
			case c.field != "" && (!errors.As(err, &ie) || ie.Field != c.field):
				t.Errorf("got %v, want an invalid %s", err, c.field)
			}
		})
	}
	// An admin exports the non-sealed tables; another organisation's
	// coordinator sees none of this one's reports.
	_, out := run(t, f, f.admin, export.Request{Format: export.CSV, Table: export.TableReports})
	if n := bytes.Count(out, []byte("\n")); n != 5 {
		t.Errorf("admin's reports.csv has %d lines, want 5", n)
	}
	_, out = run(t, f, f.other, export.Request{Format: export.CSV, Table: export.TableReports})
	if n := bytes.Count(out, []byte("\n")); n != 1 {
		t.Errorf("another organisation's export has %d lines:\n%s", n, out)
	}
}

func TestXLSX(t *testing.T) {
	f := newFixture(t, store.SQLite)
	cats, err := web.Catalogues()
	if err != nil {
		t.Fatal(err)
	}
	f.svc = export.New(f.db, f.keys, f.in, cats)
	_, out := run(t, f, f.coord, export.Request{Format: export.XLSX, Lang: "zh"})
	x, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if got := x.GetSheetList(); !slices.Equal(got, export.Tables()) {
		t.Errorf("sheets %v", got)
	}
	rows, err := x.GetRows(export.TableVictims)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 {
		t.Errorf("victims sheet has %d rows, want 6", len(rows))
	}
	head, _ := x.GetRows(export.TableReports)
	if head[0][1] == "tracking_code" || head[0][1] == "" {
		t.Errorf("heading not in Chinese: %q", head[0][1])
	}
	// Revealed: a statements sheet after the five, a row per version.
	_, out = run(t, f, f.coord, export.Request{Format: export.XLSX, Reveal: true, Reason: "moving to a new server"})
	if x, err = excelize.OpenReader(bytes.NewReader(out)); err != nil {
		t.Fatal(err)
	}
	if got := x.GetSheetList(); !slices.Equal(got, append(export.Tables(), export.TableStatements)) {
		t.Errorf("revealed sheets %v", got)
	}
	if rows, err = x.GetRows(export.TableStatements); err != nil || len(rows) != 5 || !strings.Contains(rows[4][12], "The recruiter called") {
		t.Errorf("statements sheet %q, %v; want a heading and 4 statements", rows, err)
	}
	// A table longer than a sheet goes on in the next, with its heading:
	// the five victims, three rows a sheet (a heading and two victims).
	f.svc.SheetRows = 3
	_, out = run(t, f, f.coord, export.Request{Format: export.XLSX})
	if x, err = excelize.OpenReader(bytes.NewReader(out)); err != nil {
		t.Fatal(err)
	}
	var victims [][]string
	for _, sheet := range []string{export.TableVictims, export.TableVictims + " (2)", export.TableVictims + " (3)"} {
		rows, err := x.GetRows(sheet)
		if err != nil || len(rows) < 2 || len(rows) > 3 || !slices.Equal(rows[0], head0(t, x)) {
			t.Fatalf("sheet %q: %q, %v", sheet, rows, err)
		}
		victims = append(victims, rows[1:]...)
	}
	if len(victims) != 5 || slices.Contains(x.GetSheetList(), export.TableVictims+" (4)") {
		t.Errorf("victims across sheets %q, sheets %v; want the 5 in three sheets", victims, x.GetSheetList())
	}
}

// head0 is the heading row of the victims' first sheet.
func head0(t *testing.T, x *excelize.File) []string {
	t.Helper()
	rows, err := x.GetRows(export.TableVictims)
	if err != nil || len(rows) == 0 {
		t.Fatalf("victims sheet: %v", err)
	}
	return rows[0]
}
