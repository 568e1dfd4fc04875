package screen_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/screen"
)

func byID(es []screen.Entry) map[string]screen.Entry {
	m := map[string]screen.Entry{}
	for _, e := range es {
		m[e.ID] = e
	}
	return m
}

func TestParseFixtures(t *testing.T) {
	for _, tc := range []struct {
		format, path string
		n            int
		check        func(t *testing.T, m map[string]screen.Entry)
	}{
		{screen.FormatOFACCSV, "testdata/ofac-csv", 3, func(t *testing.T, m map[string]screen.Entry) {
			e := m["28042"]
			if e.Type != screen.TypePerson || !slices.Contains(e.Programs, "GLOMAG") || !slices.Contains(e.Countries, "KH") {
				t.Errorf("28042: %+v", e)
			}
			if !slices.ContainsFunc(e.Aliases, func(a screen.Alias) bool { return a.Name == "PHEAP, Thy" && a.Kind == "aka" }) ||
				!slices.ContainsFunc(e.Aliases, func(a screen.Alias) bool { return a.Name == "OKNHA TRY PHEAP" && a.Weak }) {
				t.Errorf("28042 aliases: %+v", e.Aliases)
			}
			if z := m["23647"]; !slices.Equal(z.BirthDates, []string{"1952-09-16"}) || !slices.Contains(z.Countries, "CN") || !slices.Contains(z.Countries, "HK") {
				t.Errorf("23647: %+v", z)
			}
			if m["28046"].Type != screen.TypeEntity {
				t.Errorf("28046: %+v", m["28046"])
			}
		}},
		{screen.FormatOFACXML, "testdata/sdn.xml", 3, func(t *testing.T, m map[string]screen.Entry) {
			if e := m["28042"]; e.Name != "TRY, Pheap" || e.Aliases[0].Name != "PHEAP, Thy" || !slices.Contains(e.Countries, "KH") {
				t.Errorf("28042: %+v", e)
			}
			if e := m["23647"]; !slices.Equal(e.BirthDates, []string{"1952-09-16"}) || !e.Aliases[1].Weak {
				t.Errorf("23647: %+v", e)
			}
		}},
		{screen.FormatUNXML, "testdata/consolidated.xml", 3, func(t *testing.T, m map[string]screen.Entry) {
			e := m["KPi.966"]
			if e.Name != "KIM JONG SIK" || e.Type != screen.TypePerson || !slices.Equal(e.BirthDates, []string{"1967/1969"}) ||
				!slices.Contains(e.Countries, "KP") || len(e.Aliases) != 3 || !e.Aliases[2].Weak || e.Aliases[0].Kind != "native" {
				t.Errorf("KPi.966: %+v", e)
			}
			if e := m["KPe.901"]; e.Type != screen.TypeEntity || e.Aliases[0].Name != "Changgwang Credit Bank" {
				t.Errorf("KPe.901: %+v", e)
			}
		}},
		{screen.FormatFTM, "testdata/entities.ftm.json", 4, func(t *testing.T, m map[string]screen.Entry) {
			if e := m["NK-prince-group"]; e.Type != screen.TypeEntity || len(e.Aliases) != 2 || !slices.Contains(e.Countries, "KH") {
				t.Errorf("prince group: %+v", e)
			}
			if e := m["NK-try-pheap"]; !e.Aliases[0].Weak {
				t.Errorf("try pheap: %+v", e)
			}
			if e := m["NK-vessel"]; e.Type != screen.TypeVessel || !slices.Contains(e.Countries, "KP") {
				t.Errorf("vessel: %+v", e)
			}
		}},
		{screen.FormatCSV, "testdata/own.csv", 3, func(t *testing.T, m map[string]screen.Entry) {
			if e := m["own-1"]; len(e.Aliases) != 2 || !slices.Equal(e.BirthDates, []string{"1985"}) {
				t.Errorf("own-1: %+v", e)
			}
		}},
	} {
		es, err := screen.Parse(tc.format, tc.path)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if len(es) != tc.n {
			t.Errorf("%s: got %d entries, want %d", tc.path, len(es), tc.n)
		}
		tc.check(t, byID(es))
	}
}

// TestParseErrors: malformed input is an error naming the line, never a
// panic.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func() error
		line  string
	}{
		{"ofac csv bare quote", func() error {
			_, err := screen.ParseOFACCSV(strings.NewReader("1,\"A\",-0- ,\"X\"\n2,\"B\"x\",-0- ,\"Y\"\n"), nil, nil, nil)
			return err
		}, "line 2"},
		{"ofac csv short", func() error {
			_, err := screen.ParseOFACCSV(strings.NewReader("1,\"A\",-0- ,\"X\"\n2,\"B\"\n"), nil, nil, nil)
			return err
		}, "line 2"},
		{"ofac csv repeated id", func() error {
			_, err := screen.ParseOFACCSV(strings.NewReader("1,\"A\",-0- ,\"X\"\n1,\"B\",-0- ,\"Y\"\n"), nil, nil, nil)
			return err
		}, "line 2"},
		{"ofac alt short", func() error {
			_, err := screen.ParseOFACCSV(strings.NewReader("1,\"A\",-0- ,\"X\"\n"), strings.NewReader("1,2,\"aka\",\"B\"\n1,3\n"), nil, nil)
			return err
		}, "alt.csv line 2"},
		{"ofac xml", func() error {
			_, err := screen.ParseOFACXML(strings.NewReader("<sdnList>\n<sdnEntry><uid>1</uid>\n<lastName>A</lastName>\n</sdnEntr>\n</sdnList>"))
			return err
		}, "line 4"},
		{"un xml", func() error {
			_, err := screen.ParseUNXML(strings.NewReader("<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>1</DATAID></INDIVIDUAL>\n</INDIVIDUALS></CONSOLIDATED_LIST>"))
			return err
		}, "line 3"},
		{"ftm", func() error {
			_, err := screen.ParseFTM(strings.NewReader(`{"id":"a","schema":"Person","properties":{"name":["A"]}}` + "\n{\"id\":\n"))
			return err
		}, "line 2"},
		{"csv unknown column", func() error {
			_, err := screen.ParseCSV(strings.NewReader("name,colour\nA,red\n"))
			return err
		}, "line 1"},
		{"csv empty name", func() error {
			_, err := screen.ParseCSV(strings.NewReader("id,name\n1,A\n2,\n"))
			return err
		}, "line 3"},
		{"csv bad date", func() error {
			_, err := screen.ParseCSV(strings.NewReader("name,birth_date\nA,1960\nB,someday\n"))
			return err
		}, "line 3"},
		{"csv unterminated quote", func() error {
			_, err := screen.ParseCSV(strings.NewReader("name\nA\n\"B\n"))
			return err
		}, "line 3"},
	} {
		err := tc.parse()
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.line) || !errors.Is(err, screen.ErrFormat) {
			t.Errorf("%s: got %v, want ErrFormat naming %s", tc.name, err, tc.line)
		}
	}
	if _, err := screen.Parse("pdf", "x"); !errors.Is(err, screen.ErrFormat) {
		t.Errorf("unknown format: got %v", err)
	}
}
