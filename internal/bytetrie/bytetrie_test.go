package bytetrie_test

import (
	"testing"

	"github.com/vigil-project/vigil/internal/bytetrie"
)

// walk follows key from the root and returns the entry ending there, or -1
// (also when the path is missing).
func walk(t *bytetrie.Trie, key string) int32 {
	n := int32(0)
	for i := 0; i < len(key); i++ {
		if n = t.Next(n, key[i]); n == 0 {
			return -1
		}
	}
	return t.Entry(n)
}

func TestTrie(t *testing.T) {
	tr := bytetrie.New()
	keys := []string{"telegram", "tele", "西港", "sihanoukville", "s", "sa", "sb", "sc", "tell", "telx"}
	for i, k := range keys {
		if old := tr.Insert(k, int32(i)); old != -1 {
			t.Fatalf("Insert(%q) = %d, want -1", k, old)
		}
	}
	for _, tc := range []struct {
		key  string
		want int32
	}{
		{"telegram", 0}, {"tele", 1}, {"西港", 2}, {"sihanoukville", 3}, {"s", 4},
		{"tel", -1}, {"telegrams", -1}, {"西", -1}, {"", -1}, {"x", -1},
		{"sa", 5}, {"sb", 6}, {"sc", 7}, {"sd", -1}, {"tell", 8}, {"telx", 9}, {"tely", -1}, {"si", -1},
	} {
		if got := walk(tr, tc.key); got != tc.want {
			t.Errorf("walk(%q) = %d, want %d", tc.key, got, tc.want)
		}
	}
	if old := tr.Insert("tele", 9); old != 1 {
		t.Errorf("re-Insert returned %d, want 1", old)
	}
	if got := walk(tr, "tele"); got != 9 {
		t.Errorf("after re-Insert: %d, want 9", got)
	}
}

func TestHash6(t *testing.T) {
	if bytetrie.Hash6("西港abc") != bytetrie.Hash6("西港xyz") {
		t.Error("Hash6 reads past six bytes")
	}
	if bytetrie.Hash6("ស្រុកក") == bytetrie.Hash6("西港abc") {
		t.Log("collision (allowed, but unlikely for these)")
	}
	// The hash of the six bytes as one little-endian number, whatever
	// loads read them.
	for _, s := range []string{"西港abc", "ស្រុកក", "abcdef", "\xff\x00\x80\x7f\x01\xfe", "telegram"} {
		var v uint64
		for i := 5; i >= 0; i-- {
			v = v<<8 | uint64(s[i])
		}
		if got, want := bytetrie.Hash6(s), uint16((v*0x9E3779B97F4A7C15)>>48); got != want {
			t.Errorf("Hash6(%q) = %#x, want %#x", s, got, want)
		}
	}
}
