package screen

import "testing"

// TestBestWeightIgnoresMapOrder: two vocabulary tokens equally similar to a
// query token but of different weights give the same weight on every call
// (it used to be whichever the map yielded first).
func TestBestWeightIgnoresMapOrder(t *testing.T) {
	ix := &Index{weight: make([]float32, 40)}
	vedges := map[int32][]qedge{}
	for v := int32(0); v < 40; v++ {
		ix.weight[v] = float32(v + 1)
		vedges[v] = []qedge{{qmask: 1, sim: 0.9}}
	}
	vedges[3] = []qedge{{qmask: 2, sim: 1}} // another query token: not a candidate
	for range 100 {
		if w := ix.bestWeight(vedges, 1); w != 1 {
			t.Fatalf("bestWeight = %v, want 1 (the weight of vocabulary token 0)", w)
		}
	}
	if w := ix.bestWeight(vedges, 4); w != 0 {
		t.Errorf("no candidate: bestWeight = %v, want 0", w)
	}
}
