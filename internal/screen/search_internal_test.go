package screen

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naiveGather is gather as it was written first: an accumulator over
// every name, the deferred common tokens added by reading each found
// name's tokens. gather keeps the names found as a sorted list and reads
// the deferred tokens' postings instead; the two must agree to the bit.
func naiveGather(ix *Index, p *prepared) (map[int32]float32, bool) {
	acc := make([]float32, len(ix.nameEntry))
	var touched []int32
	type unit struct {
		v      int32
		w, sim float32
		size   int32
	}
	var units []unit
	for k, v := range p.vs {
		es := p.ves[k]
		var w, sim float32
		for _, e := range es {
			var qw float32
			for m := e.qmask; m != 0; m &= m - 1 {
				qw += p.wq[bits.TrailingZeros32(m)]
			}
			w = max(w, qw*e.sim)
			sim = max(sim, e.sim)
		}
		units = append(units, unit{v: v, w: w, sim: sim, size: ix.postOff[v+1] - ix.postOff[v]})
	}
	for _, s := range p.splits {
		w := p.wq[s.qi] / 2
		units = append(units, unit{v: s.left, w: w, sim: splitSim, size: ix.postOff[s.left+1] - ix.postOff[s.left]})
		units = append(units, unit{v: s.right, w: w, sim: splitSim, size: ix.postOff[s.right+1] - ix.postOff[s.right]})
	}
	step := func(s float32) int { return int(s * 20) }
	slices.SortFunc(units, func(a, b unit) int {
		if c := cmp.Compare(step(b.sim), step(a.sim)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.size, b.size); c != 0 {
			return c
		}
		return cmp.Compare(ix.rank(a.v), ix.rank(b.v))
	})
	read := 0
	vw := map[int32]float32{}
	for _, u := range units {
		if ix.weight[u.v] <= weakWeight && len(units) > 1 {
			continue
		}
		if read > 0 && read+int(u.size) > postBudget {
			vw[u.v] = max(vw[u.v], u.w)
			continue
		}
		read += int(u.size)
		for _, n := range ix.post[ix.postOff[u.v]:ix.postOff[u.v+1]] {
			if acc[n] == 0 {
				touched = append(touched, n)
			}
			acc[n] += u.w
		}
	}
	if len(vw) > 0 {
		for _, n := range touched {
			for _, v := range ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]] {
				acc[n] += vw[v]
			}
		}
	}
	for i, t := range p.norm.toks {
		if i >= 32 || len(t) < 2 || len(t) > 8 || p.norm.weak[i] || (len(t) < 3 && !p.acronym) {
			continue
		}
		for _, n := range ix.acro.get(ix.hash(t)) {
			if acc[n] == 0 {
				touched = append(touched, n)
			}
			acc[n] += p.wq[i] * acronymSim
		}
	}
	out := make(map[int32]float32, len(touched))
	for _, n := range touched {
		out[n] = acc[n]
	}
	return out, len(vw) > 0
}

// TestGatherMatchesNaive: on a list where common tokens pass the postings
// budget (so their postings are deferred), with names that repeat a token
// and names found through acronyms, gather finds the same names with the
// same pre-scores, bit for bit, as naiveGather.
func TestGatherMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	surnames := strings.Fields("wang li zhang chen liu nguyen tran sok")
	given := strings.Fields("wei ming xiaoming jun hong dara lan minh fang jie")
	var es []Entry
	for i := range 30000 {
		name := strings.ToUpper(surnames[r.IntN(len(surnames))]) + ", " + given[r.IntN(len(given))]
		switch i % 10 {
		case 0:
			name += " " + given[r.IntN(len(given))] // sometimes the same token twice
		case 1:
			name = "LI, Li" // a token twice
		case 2:
			name = fmt.Sprintf("GOLDEN %s TRADING COMPANY", strings.ToUpper(given[r.IntN(len(given))]))
		}
		es = append(es, Entry{ID: fmt.Sprint(i), Name: name, Type: TypePerson})
	}
	ix := Build("t", es, BuildOptions{})
	if ix.Len() != len(es) {
		t.Fatalf("indexed %d entries, want %d", ix.Len(), len(es))
	}
	queries := []string{
		"Wang Wei", "Li Li", "Li Li Ming", "Wang Xiaoming", "Wang Xiao Ming", "Chen Lan Lan",
		"Nguyen Minh", "Ngyuen Mihn", "Sok Dara", "Golden Wei Trading", "GWTC", "Zhang", "Liu Fang Jie",
		"Tran Hong Minh", "Wang Li Zhang Chen", "Xiaoming",
	}
	deferred := 0
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			sc := ix.getScratch()
			defer ix.scratch.Put(sc)
			p := ix.prepare(sc, Query{Name: q})
			defer p.release(sc)
			want, d := naiveGather(ix, p)
			if d {
				deferred++
			}
			ix.gather(p, sc)
			if len(sc.found) != len(want) {
				t.Fatalf("found %d names, want %d", len(sc.found), len(want))
			}
			for i, f := range sc.found {
				if i > 0 && sc.found[i-1].n >= f.n {
					t.Fatalf("found not ascending at %d: %d then %d", i, sc.found[i-1].n, f.n)
				}
				w, ok := want[f.n]
				if !ok || math.Float32bits(w) != math.Float32bits(f.w) {
					t.Fatalf("name %d (%s): pre-score %v, want %v (found: %v)", f.n, ix.nameText[f.n], f.w, w, ok)
				}
				if f.nw != ix.nameW[f.n] {
					t.Fatalf("name %d: weight %v, want %v", f.n, f.nw, ix.nameW[f.n])
				}
			}
		})
	}
	if deferred < 3 {
		t.Errorf("%d queries deferred a common token, want several: the test does not reach addDeferred", deferred)
	}
}

// TestSortPostingsStable sorts by name and keeps each name's postings in
// the order given, for short lists and long ones (the radix sort).
func TestSortPostingsStable(t *testing.T) {
	ix := &Index{nameBits: 21}
	sc := &scratchBuf{}
	r := rand.New(rand.NewPCG(1, 1))
	for _, size := range []int{0, 1, 5, 32, 33, 1000, 20000} {
		ps := make([]posting, size)
		for i := range ps {
			ps[i] = posting{n: int32(r.IntN(1 << 21)), w: float32(i)}
			if i > 0 && r.IntN(4) == 0 {
				ps[i].n = ps[r.IntN(i)].n
			}
		}
		got := slices.Clone(ix.sortPostings(sc, slices.Clone(ps)))
		want := slices.Clone(ps)
		slices.SortStableFunc(want, func(a, b posting) int { return cmp.Compare(a.n, b.n) })
		if !slices.Equal(got, want) {
			t.Fatalf("size %d: sortPostings differs from a stable sort", size)
		}
	}
}

// TestFoundIn copies exactly the postings whose bit is set, in order, for
// lists shorter than, equal to and longer than its groups of eight, with
// no hit, every posting a hit, and hits scattered.
func TestFoundIn(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const names = 1 << 16
	for _, tt := range []struct {
		name    string
		size    int
		hitRate float64
	}{
		{"empty", 0, 0.5}, {"one hit", 1, 1}, {"one miss", 1, 0}, {"seven", 7, 0.5}, {"eight, none", 8, 0},
		{"eight, all", 8, 1}, {"nine", 9, 0.3}, {"sparse", 5000, 0.01}, {"dense", 5000, 0.6}, {"all", 333, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			found := make([]uint64, names/64)
			ps := make([]int32, 0, tt.size)
			var want []int32
			for len(ps) < tt.size {
				n := int32(r.IntN(names))
				if slices.Contains(ps, n) {
					continue
				}
				ps = append(ps, n)
			}
			slices.Sort(ps)
			for _, n := range ps {
				if r.Float64() < tt.hitRate {
					found[n>>6] |= 1 << (n & 63)
					want = append(want, n)
				}
			}
			out := make([]int32, len(ps))
			k := foundIn(ps, found, out)
			if !slices.Equal(out[:k], want) {
				t.Fatalf("foundIn = %v, want %v", out[:k], want)
			}
		})
	}
}
