package listexport_test

import (
	"testing"

	"github.com/vigil-project/vigil/internal/listexport"
)

func TestDefuse(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Sihanoukville", "Sihanoukville"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+855 12 000", "'+855 12 000"},
		{"-1+2", "'-1+2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"ក្រុងព្រះសីហនុ", "ក្រុងព្រះសីហនុ"},
	} {
		if got := listexport.Defuse(tc.in); got != tc.want {
			t.Errorf("Defuse(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
