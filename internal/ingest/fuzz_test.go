package ingest_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

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
