package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

func TestTerms(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string // must all be among the terms
		not  []string // must not be
	}{
		{"The recruiter took our PASSPORTS.", []string{"the", "recruiter", "took", "our", "passports"}, []string{"The", "a"}},
		{"Tôi bị giữ ở Đà Nẵng", []string{"tôi", "giữ", "đà", "nẵng", "toi", "giu", "da", "nang"}, []string{"ở", "o"}},
		{"Saya ditahan di Sihanoukville", []string{"saya", "ditahan", "di", "sihanoukville"}, nil},
		{"我被关在园区里", []string{"我", "园", "园区", "被关", "区里"}, []string{"我被关"}},
		{"ខ្ញុំ\u200bត្រូវ", []string{"ខ្", "្ញ", "ុំ", "ំត"}, []string{"\u200b"}},
		{"ถูกขังไว้", []string{"ถู", "ูก", "กข", "ขั"}, nil},
		{"ＶＩＧＩＬ full-width", []string{"vigil", "full", "width"}, nil},
	} {
		got := Terms(c.text)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("Terms(%q) = %q: no %q", c.text, got, w)
			}
		}
		for _, w := range c.not {
			if slices.Contains(got, w) {
				t.Errorf("Terms(%q) = %q: has %q", c.text, got, w)
			}
		}
	}
}

func TestQueryForms(t *testing.T) {
	for _, c := range []struct{ q, code, lo string }{
		{"VG-7K3M-9QXP-2HRD", "VG-7K3M-9QXP-2HRD", ""},
		{"vg7k3m9qxp2hrd", "VG-7K3M-9QXP-2HRD", ""},
		{"7k3m 9qxp 2hrd", "VG-7K3M-9QXP-2HRD", ""},
		{"VG-7K3M-9QXP-2HRO", "VG-7K3M-9QXP-2HR0", ""},
		{"0199a2b3", "", "0199a2b3"},
		{"0199A2B3C4D5", "VG-0199-A2B3-C4D5", "0199a2b3-c4d5"}, // both: each stage looks
		{"0199a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b", "", "0199a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b"},
		{"abc", "", ""},
		{"cafe", "", "cafe"},
		{"hello", "", ""},
	} {
		q, err := Parse(c.q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.q, err)
		}
		if q.TrackingCode != c.code || q.IDLo != c.lo {
			t.Errorf("Parse(%q): code %q, id %q; want %q, %q", c.q, q.TrackingCode, q.IDLo, c.code, c.lo)
		}
		if q.IDLo != "" && q.IDHi != q.IDLo+"g" {
			t.Errorf("Parse(%q): id range [%q, %q)", c.q, q.IDLo, q.IDHi)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := cursor{stage: stageSubject, id: "0199a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b"}
	got, err := parseCursor(c.encode())
	if err != nil || got != c {
		t.Errorf("round trip: %+v, %v", got, err)
	}
	if len(c.encode()) > 64 {
		t.Errorf("cursor %q is longer than the API documents", c.encode())
	}
	// An id of the right length and characters that is not a UUID in
	// canonical form (the index orders ids by their UUID's bytes) is
	// refused, as a client's error.
	for _, id := range []string{"0199a2b3c4d5-7e6f-8a9b-0c1d2e3f4a5b-", "0199A2B3-C4D5-7E6F-8A9B-0C1D2E3F4A5B", "------------------------------------"} {
		bad := cursor{stage: stageSubject, id: id}
		if _, err := parseCursor(bad.encode()); err == nil || !strings.HasPrefix(err.Error(), "cursor:") {
			t.Errorf("cursor with id %q: %v, want refused by field cursor", id, err)
		}
	}
}

// FuzzParse: the query parser never panics, refuses only by field q, and
// what it accepts is bounded and consistent with the index: every term a
// query must match is a term Terms gives the same string, so a statement
// is always found by a query that is a copy of it. Cursors never panic and
// are refused by field cursor.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "VG-7K3M-9QXP-2HRD", "0199a2b3", "+855 12 345 678", "t.me/abc", "@abc", "Nguyễn Văn A",
		"翡翠园区", "ក្រពើស្វាយរៀង", "ปลาหมึก", "a\u200bb", "\xff\xfe", strings.Repeat("x ", 300), "Ｖ\u0301", "ǅ ß İ ﬁ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if _, cerr := parseCursor(s); cerr != nil && !strings.HasPrefix(cerr.Error(), "cursor:") {
			t.Fatalf("parseCursor(%q): %v", s, cerr)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "q:") {
				t.Fatalf("Parse(%q) refused %v, not by field q", s, err)
			}
			return
		}
		if utf8.RuneCountInString(q.Raw) > MaxQuery || len(q.Terms) > MaxTerms {
			t.Fatalf("Parse(%q) accepted %d characters, %d terms", s, utf8.RuneCountInString(q.Raw), len(q.Terms))
		}
		indexed := Terms(s)
		for _, term := range q.Terms {
			if !validTerm(term) {
				t.Fatalf("Parse(%q): invalid term %q", s, term)
			}
			if !slices.Contains(indexed, term) {
				t.Fatalf("Parse(%q): term %q is not among the text's own terms %q", s, term, indexed)
			}
		}
		if q.TrackingCode != "" && trackingCode(q.TrackingCode) != q.TrackingCode {
			t.Fatalf("tracking code %q is not canonical", q.TrackingCode)
		}
		if q.IDLo != "" && (q.IDHi != q.IDLo+"g" || strings.Trim(q.IDLo, "0123456789abcdef-") != "") {
			t.Fatalf("id range [%q, %q)", q.IDLo, q.IDHi)
		}
	})
}

// TestASCIIShortcut checks that normalise's and stripMarks' shortcut for
// ASCII gives what the full transforms give, for every ASCII character.
func TestASCIIShortcut(t *testing.T) {
	var all strings.Builder
	for b := 0; b < utf8.RuneSelf; b++ {
		all.WriteByte(byte(b))
	}
	full := func(s string) string {
		out, _, err := transform.String(transform.Chain(runes.Remove(invisible), norm.NFKC, cases.Fold(), norm.NFC), s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, s := range []string{all.String(), "The Recruiter took our PASSPORTS.", "Call +855 12 345 678 or @Golden_Job", ""} {
		if got, want := normalise(s), full(s); got != want {
			t.Errorf("normalise(%q) = %q, the full transform gives %q", s, got, want)
		}
		if got := stripMarks(s); got != s {
			t.Errorf("stripMarks(%q) = %q, want it unchanged", s, got)
		}
	}
}
