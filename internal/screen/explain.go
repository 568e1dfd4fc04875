// Adjusting a name's score by type, date of birth and country, and
// explaining it.

package screen

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// adjust raises or lowers a name score by what else is known: entity type,
// date of birth and country. It appends its reasons to why when why is not
// nil.
func (ix *Index) adjust(p *prepared, ei int32, s float64, why *[]string) float64 {
	e := &ix.entries[ei]
	note := func(f string, a ...any) {
		if why != nil {
			*why = append(*why, fmt.Sprintf(f, a...))
		}
	}
	if p.typ != "" && e.typ != "" {
		if p.typ == e.typ {
			s += 0.02
			note("type %s matches (+0.02)", e.typ)
		} else {
			s -= 0.15
			note("type %s, not %s (−0.15)", e.typ, p.typ)
		}
	}
	if p.guess != "" && e.typ != "" && p.guess != e.typ && ix.tune.guessPenalty > 0 {
		s -= ix.tune.guessPenalty
		note("the name looks like a %s's, the entry's type is %s (−%.2f)", p.guess, e.typ, ix.tune.guessPenalty)
	}
	if p.hasDOB && len(e.dobs) > 0 {
		adj, msg := dobAdjust(p.dob, e.dobs)
		s += adj
		note("%s", msg)
	}
	if p.country != "" && len(e.countries) > 0 {
		if slices.Contains(e.countries, p.country) {
			s += 0.03
			note("country %s matches (+0.03)", p.country)
		} else {
			s -= 0.04
			note("country %s not among %s (−0.04)", p.country, strings.Join(e.countries, ", "))
		}
	}
	return min(1, max(0, s))
}

// dobAdjust compares a date of birth with an entry's.
func dobAdjust(q dateSpan, dobs []dateSpan) (float64, string) {
	exact := q.from == q.to
	best, gap := -1, int32(math.MaxInt32)
	for _, d := range dobs {
		if q.from <= d.to && d.from <= q.to {
			if exact && d.from == d.to && d.from == q.from {
				return 0.08, fmt.Sprintf("date of birth %s matches (+0.08)", fmtSpan(d))
			}
			best = 1
			continue
		}
		// Years apart.
		g := min(absI32(q.from/10000-d.to/10000), absI32(d.from/10000-q.to/10000))
		gap = min(gap, g)
	}
	if best == 1 {
		return 0.04, "date of birth consistent (+0.04)"
	}
	if gap <= 1 {
		return 0, "date of birth within a year (±0)"
	}
	return -0.15, fmt.Sprintf("date of birth differs by %d years (−0.15)", gap)
}

func absI32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func fmtSpan(d dateSpan) string {
	return fmt.Sprintf("%04d-%02d-%02d", d.from/10000, d.from/100%100, d.from%100)
}

// match builds the Match for a result, with its explanation.
func (ix *Index) match(p *prepared, r result) Match {
	ei := ix.nameEntry[r.name]
	e := &ix.entries[ei]
	s, edges := ix.scoreName(p, r.name, true)
	var why []string
	why = append(why, ix.explain(p, r.name, s, edges))
	final := ix.adjust(p, ei, s, &why)
	m := Match{
		List:      ix.list,
		ID:        e.id,
		Name:      e.name,
		Type:      e.typ,
		Programs:  e.programs,
		Score:     math.Round(final*1000) / 1000,
		Why:       strings.Join(why, "; "),
		EntryHash: e.hash,
	}
	if ix.nameFlags[r.name]&namePrimary == 0 {
		m.Matched = ix.nameText[r.name]
	}
	return m
}

func (ix *Index) explain(p *prepared, n int32, s float64, edges []edge) string {
	toks := ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]]
	var b strings.Builder
	kind := "name"
	if ix.nameFlags[n]&namePrimary == 0 {
		kind = "alias"
	}
	fmt.Fprintf(&b, "%s %q: ", kind, ix.nameText[n])
	slices.SortFunc(edges, func(a, b edge) int { return cmp.Compare(bits.TrailingZeros32(a.q), bits.TrailingZeros32(b.q)) })
	for i, e := range edges {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(maskWords(p.norm.toks, e.q))
		b.WriteString("=")
		var cw []string
		for m := e.c; m != 0; m &= m - 1 {
			cw = append(cw, ix.words[toks[bits.TrailingZeros32(m)]])
		}
		b.WriteString(strings.Join(cw, "+"))
		fmt.Fprintf(&b, " %.2f", e.s)
	}
	var miss []string
	var used uint32
	for _, e := range edges {
		used |= e.q
	}
	for i, t := range p.norm.toks {
		if i < 32 && used&(1<<i) == 0 {
			miss = append(miss, t)
		}
	}
	if len(miss) > 0 {
		fmt.Fprintf(&b, "; unmatched %s", strings.Join(miss, " "))
	}
	fmt.Fprintf(&b, "; name score %.2f", s)
	if ix.nameFlags[n]&nameWeak != 0 {
		b.WriteString(" (weak alias ×0.95)")
	}
	if len(p.norm.scripts) > 0 {
		fmt.Fprintf(&b, "; query romanised from %s as %q", strings.Join(p.norm.scripts, ", "), strings.Join(p.norm.toks, " "))
	}
	return b.String()
}

func maskWords(toks []string, m uint32) string {
	var w []string
	for ; m != 0; m &= m - 1 {
		if i := bits.TrailingZeros32(m); i < len(toks) {
			w = append(w, toks[i])
		}
	}
	return strings.Join(w, "+")
}
