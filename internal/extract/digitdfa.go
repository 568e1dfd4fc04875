package extract

import (
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// A digitDFA matches a whole string of ASCII digits against a regular
// expression as a deterministic automaton: one table look-up per digit
// where the regexp package backtracks. The phone validators use it for the
// national number patterns of the phone metadata, which are made only of
// digits, classes of digits, repetition and alternation.
type digitDFA struct {
	next   []uint16 // next[state*10+d]: the state after digit d; 0 is dead
	accept []bool   // accept[state]: the input read so far matches
}

// maxDFAStates bounds the automaton of one pattern; a pattern that needs
// more is left to the regexp package.
const maxDFAStates = 1 << 14

// compileDigitDFA builds the automaton of pattern, matched against a whole
// string (as "^(?:pattern)$" would be). It returns false when the pattern
// has something the automaton does not model (assertions such as \b) or
// needs too many states.
func compileDigitDFA(pattern string) (*digitDFA, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, false
	}
	// closure adds pc and what it reaches without reading a rune; it
	// reports false on an instruction it cannot model.
	var closure func(set []uint32, seen []bool, pc uint32) ([]uint32, bool)
	closure = func(set []uint32, seen []bool, pc uint32) ([]uint32, bool) {
		if seen[pc] {
			return set, true
		}
		seen[pc] = true
		in := &prog.Inst[pc]
		ok := true
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			if set, ok = closure(set, seen, in.Out); ok {
				set, ok = closure(set, seen, in.Arg)
			}
		case syntax.InstCapture, syntax.InstNop:
			set, ok = closure(set, seen, in.Out)
		case syntax.InstMatch, syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			set = append(set, pc)
		case syntax.InstFail:
		default: // InstEmptyWidth: ^, $, \b and the like
			return set, false
		}
		return set, ok
	}
	key := func(set []uint32) string {
		slices.Sort(set)
		var b strings.Builder
		for _, pc := range set {
			b.WriteString(strconv.FormatUint(uint64(pc), 36))
			b.WriteByte(',')
		}
		return b.String()
	}
	d := &digitDFA{next: make([]uint16, 10), accept: []bool{false}} // state 0: dead
	ids := map[string]uint16{}
	var sets [][]uint32
	add := func(set []uint32) (uint16, bool) {
		if len(set) == 0 {
			return 0, true
		}
		k := key(set)
		if id, ok := ids[k]; ok {
			return id, true
		}
		if len(d.accept) >= maxDFAStates {
			return 0, false
		}
		id := uint16(len(d.accept))
		ids[k] = id
		sets = append(sets, set)
		acc := false
		for _, pc := range set {
			acc = acc || prog.Inst[pc].Op == syntax.InstMatch
		}
		d.accept = append(d.accept, acc)
		d.next = append(d.next, make([]uint16, 10)...)
		return id, true
	}
	start, ok := closure(nil, make([]bool, len(prog.Inst)), uint32(prog.Start))
	if !ok {
		return nil, false
	}
	if _, ok := add(start); !ok {
		return nil, false
	}
	for i := 0; i < len(sets); i++ { // sets[i] is state i+1
		for dg := range 10 {
			var to []uint32
			seen := make([]bool, len(prog.Inst))
			for _, pc := range sets[i] {
				in := &prog.Inst[pc]
				if in.Op == syntax.InstMatch || !in.MatchRune('0'+rune(dg)) {
					continue
				}
				if to, ok = closure(to, seen, in.Out); !ok {
					return nil, false
				}
			}
			id, ok := add(to)
			if !ok {
				return nil, false
			}
			d.next[(i+1)*10+dg] = id
		}
	}
	return d, true
}

// match reports whether digits, which must be ASCII digits only, matches
// the whole pattern.
func (d *digitDFA) match(digits string) bool {
	st := uint16(1)
	for i := 0; i < len(digits); i++ {
		st = d.next[int(st)*10+int(digits[i]-'0')]
		if st == 0 {
			return false
		}
	}
	return d.accept[st]
}

// allDigits reports whether s is ASCII digits only.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
