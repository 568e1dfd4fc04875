package converse_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/converse"
)

// TestSplit: parts within the limit in characters, halved when the text
// has a character outside the BMP (the apps count UTF-16 units).
func TestSplit(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    string
		n    int
		want []string
	}{
		{"short", "hello", 10, []string{"hello"}},
		{"exact", "abcd", 4, []string{"abcd"}},
		{"long", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"Khmer runes, not bytes", strings.Repeat("ក", 6), 4, []string{"កកកក", "កក"}},
		{"an emoji halves the limit", "ab😀cdef", 4, []string{"ab", "😀c", "de", "f"}},
		{"empty", "", 4, []string{""}},
	} {
		if got := converse.Split(tt.s, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Split(%q, %d) = %q, want %q", tt.name, tt.s, tt.n, got, tt.want)
		}
	}
	if got := converse.Cut("ភាសាខ្មែរ", 3); got != "ភាស" {
		t.Errorf("Cut = %q", got)
	}
}
