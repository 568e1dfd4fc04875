package screen_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/screen"
)

// checkEntries fails unless every parsed entry has an ID and a name and the
// IDs are distinct.
func checkEntries(t *testing.T, es []screen.Entry) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range es {
		if strings.TrimSpace(e.ID) == "" || strings.TrimSpace(e.Name) == "" {
			t.Fatalf("entry without id or name: %+v", e)
		}
		if seen[e.ID] {
			t.Fatalf("id %q twice", e.ID)
		}
		seen[e.ID] = true
	}
}

func seed(f *testing.F, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func FuzzOFACCSV(f *testing.F) {
	f.Add(seed(f, "testdata/ofac-csv/sdn.csv"), seed(f, "testdata/ofac-csv/alt.csv"), seed(f, "testdata/ofac-csv/add.csv"))
	f.Add([]byte("1,\"A\",-0- ,\"X\"\n"), []byte("1,2,\"aka\",\"B\",-0- \n"), []byte("\x1a"))
	f.Add([]byte("1,\"A\n"), []byte{}, []byte("1,2,\"x\""))
	f.Fuzz(func(t *testing.T, sdn, alt, add []byte) {
		es, err := screen.ParseOFACCSV(bytes.NewReader(sdn), bytes.NewReader(alt), bytes.NewReader(add), nil)
		if err == nil {
			checkEntries(t, es)
		}
	})
}

func FuzzOFACXML(f *testing.F) {
	f.Add(seed(f, "testdata/sdn.xml"))
	f.Add([]byte("<sdnList><sdnEntry><uid>1</uid><lastName>A</lastName></sdnEntry></sdnList>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := screen.ParseOFACXML(bytes.NewReader(b))
		if err == nil {
			checkEntries(t, es)
		}
	})
}

func FuzzUNXML(f *testing.F) {
	f.Add(seed(f, "testdata/consolidated.xml"))
	f.Add([]byte("<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := screen.ParseUNXML(bytes.NewReader(b))
		if err == nil {
			checkEntries(t, es)
		}
	})
}

func FuzzFTM(f *testing.F) {
	f.Add(seed(f, "testdata/entities.ftm.json"))
	f.Add([]byte(`{"id":"x","schema":"Person","properties":{"name":["A"],"birthDate":["1960-01"]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := screen.ParseFTM(bytes.NewReader(b))
		if err == nil {
			checkEntries(t, es)
		}
	})
}

func FuzzCSV(f *testing.F) {
	f.Add(seed(f, "testdata/own.csv"))
	f.Add(seed(f, "demo/demo-sdn.csv"))
	f.Add([]byte("name\nA\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := screen.ParseCSV(bytes.NewReader(b))
		if err == nil {
			checkEntries(t, es)
		}
	})
}

// FuzzNormalize checks the normaliser and a search on any input: valid
// UTF-8 out, single spaces, lower case, scores in [0, 1].
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Try Pheap", "ទ្រី ភាព", "ឧកញ៉ា ទ្រី ភាព", "王小明", "ณัฐ รุ่งตะวันคีรี", "Nguyễn Văn Đức",
		"M.D.S. THMORDA S.E.Z. CO., LTD.", "AL-ZAWAHIRI, Ayman", "Владимир", "김정은", "محمد بن سلمان", "الله", "ويي", "Xi2 Jin4ping2", "\xff\xfe", "្្្", "เเเ์์", "a b c d e"} {
		f.Add(s)
	}
	demo, err := screen.DemoEntries()
	if err != nil {
		f.Fatal(err)
	}
	ix := screen.Build("demo", demo, screen.BuildOptions{})
	f.Fuzz(func(t *testing.T, s string) {
		n := screen.Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
		}
		if strings.Contains(n, "  ") || strings.TrimSpace(n) != n {
			t.Fatalf("Normalize(%q) = %q: stray spaces", s, n)
		}
		if n != strings.ToLower(n) {
			t.Fatalf("Normalize(%q) = %q: not lower case", s, n)
		}
		for _, m := range ix.Search(screen.Query{Name: s}, 5, 0) {
			if m.Score < 0 || m.Score > 1 || m.Why == "" {
				t.Fatalf("Search(%q): %+v", s, m)
			}
		}
	})
}
