package screen

import (
	"math/rand/v2"
	"testing"
)

// TestEditDistanceASCII agrees with the table (editDistanceRunes) on fixed pairs and on random
// tokens from small alphabets (so letters repeat) of 1 to 63 letters.
func TestEditDistanceASCII(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"a", "a", 0},
		{"a", "b", 1},
		{"a", "", 1},
		{"kitten", "sitting", 3},
		{"fagih", "faqih", 1},
		{"chaivorasilp", "chaiworasin", 3},
		{"mohammed", "muhammad", 2},
		{"abc", "cba", 2},
		{"xiaoming", "xiao", 4},
		{"ab", "ba ab", 3},
	}
	for _, tt := range tests {
		if got := editDistanceASCII(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistanceASCII(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	r := rand.New(rand.NewPCG(8, 8))
	word := func(alphabet string) string {
		b := make([]byte, 1+r.IntN(63))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for i := range 20000 {
		alphabet := []string{"ab", "abc", "aeiouhnst", "abcdefghijklmnopqrstuvwxyz -'"}[i%4]
		a, b := word(alphabet), word(alphabet)
		if i%3 == 0 {
			b = b[:min(len(b), 1+r.IntN(8))]
		}
		if got, want := editDistanceASCII(a, b), editDistanceRunes([]rune(a), []rune(b)); got != want {
			t.Fatalf("editDistanceASCII(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}
