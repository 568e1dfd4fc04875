package screen

import (
	"math/rand/v2"
	"testing"
)

// tableDistance is the Levenshtein distance by the full table, as levSim
// computed it before editDistanceASCII.
func tableDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			d := 1
			if a[i-1] == b[j-1] {
				d = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+d)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// TestEditDistanceASCII agrees with the table on fixed pairs and on random
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
		if got, want := editDistanceASCII(a, b), tableDistance(a, b); got != want {
			t.Fatalf("editDistanceASCII(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}
