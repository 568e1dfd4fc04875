package screen

import "testing"

// TestBestWeightIgnoresLinkOrder: of vocabulary tokens equally similar to
// a query token but of different weights, bestWeight gives the weight of
// the first met in the list, whatever the order they were linked in (it
// used to be whichever a map yielded first).
func TestBestWeightIgnoresLinkOrder(t *testing.T) {
	ix := &Index{weight: make([]float32, 40)}
	for v := range ix.weight {
		ix.weight[v] = float32(v + 1)
	}
	for _, reversed := range []bool{false, true} {
		p := &prepared{slot: make([]int32, 40)}
		for i := int32(0); i < 40; i++ {
			v := i
			if reversed {
				v = 39 - i
			}
			if v == 3 {
				p.link(v, 2, 1, kindFuzzy) // another query token: not a candidate
				continue
			}
			p.link(v, 1, 0.9, kindFuzzy)
		}
		if w := ix.bestWeight(p, 1); w != 1 {
			t.Fatalf("reversed %v: bestWeight = %v, want 1 (the weight of vocabulary token 0)", reversed, w)
		}
		if w := ix.bestWeight(p, 4); w != 0 {
			t.Errorf("reversed %v: no candidate: bestWeight = %v, want 0", reversed, w)
		}
	}
}

// TestLinkKeepsBestEdge: linking a token to the same query tokens again
// keeps the higher similarity; to other query tokens, adds an edge; and
// release leaves no slot set.
func TestLinkKeepsBestEdge(t *testing.T) {
	sc := &scratchBuf{vslot: make([]int32, 8)}
	p := &prepared{slot: sc.vslot}
	p.link(5, 1, 0.85, kindFuzzy)
	p.link(2, 1, 0.9, kindFuzzy)
	p.link(5, 1, 0.95, kindStruct)
	p.link(5, 1, 0.8, kindFuzzy)
	p.link(5, 2, 1, kindFuzzy)
	want := []qedge{{1, 0.95, kindStruct}, {2, 1, kindFuzzy}}
	if got := p.edges(5); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("edges(5) = %v, want %v", got, want)
	}
	if got := p.edges(2); len(got) != 1 || got[0].sim != 0.9 {
		t.Fatalf("edges(2) = %v, want one of 0.9", got)
	}
	if got := p.edges(3); got != nil {
		t.Fatalf("edges(3) = %v, want none", got)
	}
	p.release(sc)
	for v, s := range sc.vslot {
		if s != 0 {
			t.Fatalf("slot of %d is %d after release", v, s)
		}
	}
}
