package ingest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/ingest"
)

// checkRead fails t if a reader's answer breaks its contract: either a
// table or an error, and a *Problems error names lines that exist.
func checkRead(t *testing.T, format string, data []byte, m *ingest.Mapping) {
	tab, err := ingest.Read(format, bytes.NewReader(data), m)
	if err != nil {
		if ps, ok := err.(*ingest.Problems); ok {
			lines := 1 + bytes.Count(data, []byte("\n"))
			for _, p := range ps.List {
				if format != "xlsx" && p.Line > lines {
					t.Fatalf("problem at line %d of a %d-line file: %v", p.Line, lines, p)
				}
			}
		}
		return
	}
	if tab == nil {
		t.Fatal("no table and no error")
	}
	// Whatever was read, preparing it answers (problems or a plan), never panics.
	_, _ = ingest.Prepare(format, "fuzz", bytes.NewReader(data), m, time.Now())
}

func fuzzMapping(t testing.TB, name string) *ingest.Mapping {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ingest.ParseMapping(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func FuzzReadCSV(f *testing.F) {
	for _, name := range []string{"testdata/cases.csv", "testdata/bad.csv"} {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Add([]byte("a;b\n1;\"2\n"))
	f.Add([]byte("\xef\xbb\xbfCase ID\tWhat happened\nX\ty\n"))
	m := fuzzMapping(f, "cases.yaml")
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, "csv", data, m) })
}

func FuzzReadXLSX(f *testing.F) {
	b, _ := os.ReadFile("testdata/cases.csv")
	tab, err := ingest.ReadCSV(bytes.NewReader(b), "")
	if err != nil {
		f.Fatal(err)
	}
	x := excelize.NewFile()
	for i, h := range tab.Headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		x.SetCellValue("Sheet1", cell, h)
	}
	for r, rec := range tab.Records {
		for i, h := range tab.Headers {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			x.SetCellValue("Sheet1", cell, rec.Get(h))
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	m := fuzzMapping(f, "cases.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		checkRead(t, "xlsx", data, m)
	})
}

func FuzzReadKobo(f *testing.F) {
	for _, name := range []string{"kobo-v2-data-list.json", "kobo-rest-service-post.json", "kobo-rest-service-post-with-payload-template.json"} {
		b, err := os.ReadFile(standards + "/kobo-odk/examples/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	b, _ := os.ReadFile("testdata/htcds-submission.json")
	f.Add(b)
	f.Add([]byte(`{"results": {"a": 1}}`))
	f.Add([]byte(`[{"perpetrator": [1, {"perpetrator/perp_name": "x"}]}]`))
	m := fuzzMapping(f, "kobo.yaml")
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, "kobo", data, m) })
}

func FuzzParseMapping(f *testing.F) {
	for _, name := range []string{"cases.yaml", "kobo.yaml", "htcds.yaml"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b)
	}
	f.Add([]byte("fields: {narrative: [a, b]}\ndate_format: MM\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ingest.ParseMapping(data)
		if err == nil {
			// A mapping that parses reads a file without panicking.
			_, _ = ingest.Prepare("csv", "f", strings.NewReader("a,b\n1,2\n"), m, time.Now())
		}
	})
}

func FuzzSuggestXLSForm(f *testing.F) {
	b, err := os.ReadFile(standards + "/ctdc-htcds/htcds/htcds_xlsform.xlsx")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		m, _, err := ingest.SuggestXLSForm(bytes.NewReader(data))
		if err == nil {
			if _, err := m.Marshal(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzPrepareVigil feeds a Vigil export directory whose statements.csv and
// attachments.csv (and the one file the latter may name) are the fuzzer's:
// PrepareVigil answers a plan or an error, never panics, and a plan's
// statements are whole (versions 1, 2, … each once).
func FuzzPrepareVigil(f *testing.F) {
	statements := strings.Join(export.Columns(export.TableStatements, true), ",") + "\n"
	attachments := strings.Join(export.Columns(export.TableAttachments, true), ",") + "\n"
	f.Add([]byte(statements+"r1,s1,1,testimony,,en,2026-01-02T03:04:05Z,,,,,,They took my passport.\n"+
		"r1,s1,2,testimony,,en,2026-01-03T03:04:05Z,,,,,,'=They took both passports.\n"+
		"r1,s2,1,recantation,s1,en,2026-01-04T03:04:05Z,phone,u1,,,,He recants.\n"),
		[]byte(attachments+"r1,a1,gate.png,image/png,3,039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81,2026-01-02T03:04:05Z,attachments/a1.png\n"),
		[]byte("abc"))
	f.Add([]byte(statements+"r1,s1,2,testimony,,en,,,,,,,gap\nr2,s1,1,note,x,xx,soon,fax,,,,,\n"),
		[]byte(attachments+"r1,a1,x,,1,00,,../../etc/passwd\nr1,a1,x,,1,00,,attachments/a1.png\n"), []byte{})
	f.Fuzz(func(t *testing.T, st, at, file []byte) {
		dir := t.TempDir()
		write := func(name string, b []byte) {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		write("reports.csv", []byte(strings.Join(export.Columns(export.TableReports, false), ",")+"\n"+
			"r1,VG-1,2026-01-02T03:04:05Z,,web,en,KH,received,false,,,,,0,\n"))
		write("victims.csv", []byte(strings.Join(export.Columns(export.TableVictims, false), ",")+"\n"))
		write("statements.csv", st)
		write("attachments.csv", at)
		if err := os.MkdirAll(filepath.Join(dir, export.AttachmentsDir), 0o700); err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(export.AttachmentsDir, "a1.png"), file)
		x, err := ingest.PrepareVigil(dir, time.Now())
		if err != nil {
			return
		}
		if x == nil || len(x.Plan.Rows) != 1 {
			t.Fatalf("plan %+v", x)
		}
		if n := strings.Count(string(st), "\n"); x.Statements > n {
			t.Fatalf("%d statement versions from %d lines", x.Statements, n)
		}
	})
}
