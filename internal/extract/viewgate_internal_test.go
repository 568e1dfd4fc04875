package extract

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestViewGates holds viewWith's short cuts to what they stand for, over
// the corpora and random pieces of them: a step marked ascii writes no
// byte that is not ASCII and was not in its input (viewWith passes over
// foldConfusables on that), and leadStops.scan finds the stops and absent
// sets that the gated steps' own scans find.
func TestViewGates(t *testing.T) {
	var texts []string
	files, _ := filepath.Glob("testdata/*.jsonl")
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var e struct{ Text string }
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			texts = append(texts, e.Text)
		}
		f.Close()
	}
	joined := strings.Join(texts, "\n")
	rng := rand.New(rand.NewPCG(4, 16))
	for range 3000 {
		a := rng.IntN(len(joined))
		texts = append(texts, joined[a:a+rng.IntN(min(len(joined)-a, 400))+1])
	}
	for _, s := range texts {
		for _, vs := range viewSteps {
			if !vs.ascii {
				continue
			}
			out, _ := vs.step(s)
			var in [256]bool
			for i := 0; i < len(s); i++ {
				in[s[i]] = true
			}
			for i := 0; i < len(out); i++ {
				if c := out[i]; c >= 0x80 && !in[c] {
					t.Fatalf("%s(%q) wrote byte %#x, not in its input", funcName(vs.step), s, c)
				}
			}
		}
		var st leadStops
		absent := st.scan(s)
		var styled, accent stopList
		for i := nextLeadIn(styledLeads, s, 0); i < len(s); i = nextLeadIn(styledLeads, s, i+1) {
			if styledSecond(s, i) {
				styled = append(styled, int32(i))
			}
		}
		for i := nextLeadIn(accentLeads, s, 0); i < len(s); i = nextLeadIn(accentLeads, s, i+1) {
			if accentSecond(s, i) {
				accent = append(accent, int32(i))
			}
		}
		want := uint8(0)
		if nextInvisible(s, 0) == len(s) {
			want |= gateInvisible
		}
		if len(styled) == 0 {
			want |= gateStyled
		}
		if len(accent) == 0 {
			want |= gateAccent
		}
		if nextCyrGreek(s, 0) == len(s) {
			want |= gateCyrGreek
		}
		if absent != want || !slices.Equal(st.styled, styled) || !slices.Equal(st.accent, accent) {
			t.Fatalf("scan(%q) = %04b %v %v, want %04b %v %v", s, absent, st.styled, st.accent, want, styled, accent)
		}
	}
}

func funcName(f any) string { return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name() }
