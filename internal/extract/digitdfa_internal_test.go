package extract

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// TestDigitDFA checks the automaton against the regexp package on small
// patterns, over every digit string of up to five digits, and its refusals.
func TestDigitDFA(t *testing.T) {
	tests := []struct {
		pattern string
		ok      bool // an automaton is built
	}{
		{`\d{3}`, true},
		{`1[2-46-9]\d{6,7}`, true},
		{`(?:1|23|456)`, true},
		{`(?:12)?3[0-5]`, true},
		{`9(?:0\d|[1-9])?`, true},
		{`[0-9]*`, true},
		{`(?:)`, true},
		{`0+(?:1|11)*`, true},
		{`[a-c]\d`, true}, // letters never match a digit: the automaton is dead at once
		{`\b\d{3}`, false},
		{`^\d{3}$`, false}, // anchors are the matcher's business
		{`(`, false},
	}
	var inputs []string
	for n := 0; n <= 5; n++ {
		inputs = appendDigitStrings(inputs, "", n)
	}
	for _, tt := range tests {
		d, ok := compileDigitDFA(tt.pattern)
		if ok != tt.ok {
			t.Errorf("compileDigitDFA(%q): ok = %v, want %v", tt.pattern, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		re := regexp.MustCompile("^(?:" + tt.pattern + ")$")
		for _, in := range inputs {
			if got, want := d.match(in), re.MatchString(in); got != want {
				t.Errorf("%q on %q: automaton %v, regexp %v", tt.pattern, in, got, want)
			}
		}
	}
}

func appendDigitStrings(out []string, prefix string, n int) []string {
	if n == 0 {
		return append(out, prefix)
	}
	for d := '0'; d <= '9'; d++ {
		out = appendDigitStrings(out, prefix+string(d), n-1)
	}
	return out
}

// TestValidatorAutomata checks that every national number pattern of the
// validators got an automaton, and that each agrees with its regexp on
// random digit strings, on strings the automaton leads to (random walks
// through live states) and on those with one digit changed, added or cut.
func TestValidatorAutomata(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for region, v := range validators() {
		for _, d := range append([]*numberDesc{v.general, v.mobile}, v.types...) {
			if d == nil {
				continue
			}
			if d.dfa == nil {
				t.Errorf("%s: %s has no automaton", region, d.pattern)
				continue
			}
			matched := 0
			for range 3000 {
				var b []byte
				switch rng.IntN(3) {
				case 0: // random digits
					b = make([]byte, rng.IntN(16))
					for i := range b {
						b[i] = byte('0' + rng.IntN(10))
					}
				default: // a walk through live states, then perhaps a mutation
					st, n := uint16(1), rng.IntN(16)
					for len(b) < n {
						var live []byte
						for dg := range 10 {
							if d.dfa.next[int(st)*10+dg] != 0 {
								live = append(live, byte('0'+dg))
							}
						}
						if len(live) == 0 {
							break
						}
						c := live[rng.IntN(len(live))]
						b = append(b, c)
						st = d.dfa.next[int(st)*10+int(c-'0')]
					}
					if len(b) > 0 && rng.IntN(2) == 0 {
						k, c := rng.IntN(len(b)), byte('0'+rng.IntN(10))
						switch rng.IntN(3) {
						case 0:
							b[k] = c
						case 1:
							b = append(b[:k], append([]byte{c}, b[k:]...)...)
						default:
							b = append(b[:k], b[k+1:]...)
						}
					}
				}
				in := string(b)
				want := d.pattern.MatchString(in)
				if want {
					matched++
				}
				if got := d.dfa.match(in); got != want {
					t.Fatalf("%s: %s on %q: automaton %v, regexp %v", region, d.pattern, in, got, want)
				}
			}
			if matched < 100 && len(d.dfa.accept) > 2 { // "NA" (no such numbers) has nothing to match
				t.Errorf("%s: %s: only %d inputs matched: the test does not cover matches", region, d.pattern, matched)
			}
		}
	}
}
