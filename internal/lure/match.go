package lure

// matcher finds many keywords in one pass over the text: an Aho–Corasick
// automaton compiled to a table-driven DFA over byte classes. It is built
// once per Scorer and is safe for concurrent use.
type matcher struct {
	class  [256]uint8 // byte -> class; class 0 is every byte no keyword uses
	nclass int
	delta  []int32   // delta[state*nclass+class] is the next state
	out    [][]int32 // keywords that end at each state, longest first
	words  []string  // keyword texts, folded
	bound  []uint8   // bit 0: needs a boundary on the left; bit 1: on the right
}

// newMatcher compiles the keywords, which must already be folded.
func newMatcher(words []string) *matcher {
	m := &matcher{words: words, bound: make([]uint8, len(words))}
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			if m.class[w[i]] == 0 {
				m.nclass++
				m.class[w[i]] = uint8(m.nclass)
			}
		}
	}
	m.nclass++
	// Build the trie: edges keyed by state and class while inserting, then
	// listed per state.
	type edge struct {
		class uint8
		to    int32
	}
	trie := map[uint64]int32{}
	edges := [][]edge{nil}
	m.out = [][]int32{nil}
	for id, w := range words {
		if w == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := m.class[w[i]]
			key := uint64(s)<<8 | uint64(c)
			t, ok := trie[key]
			if !ok {
				t = int32(len(edges))
				trie[key] = t
				edges = append(edges, nil)
				m.out = append(m.out, nil)
				edges[s] = append(edges[s], edge{c, t})
			}
			s = t
		}
		m.out[s] = append(m.out[s], int32(id))
		if isWordAt(w, 0) {
			m.bound[id] |= 1
		}
		if isWordAt(w, lastRuneStart(w, len(w))) {
			m.bound[id] |= 2
		}
	}
	// Breadth-first: each state's row starts as a copy of its failure
	// state's row, then its own edges override it.
	nc := m.nclass
	m.delta = make([]int32, len(edges)*nc)
	fail := make([]int32, len(edges))
	queue := make([]int32, 0, len(edges))
	for _, e := range edges[0] {
		m.delta[e.class] = e.to
		queue = append(queue, e.to)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.out[s] = append(m.out[s], m.out[fail[s]]...)
		row := m.delta[int(s)*nc : int(s+1)*nc]
		copy(row, m.delta[int(fail[s])*nc:int(fail[s]+1)*nc])
		for _, e := range edges[s] {
			fail[e.to] = m.delta[int(fail[s])*nc+int(e.class)]
			row[e.class] = e.to
			queue = append(queue, e.to)
		}
	}
	return m
}

// find calls fn for every keyword occurrence in s that respects word
// boundaries, with the keyword's index and its byte range in s. A Latin
// keyword also matches its plural in -s or -es.
func (m *matcher) find(s string, fn func(id, start, end int)) {
	state := int32(0)
	nc := m.nclass
	for i := 0; i < len(s); i++ {
		state = m.delta[int(state)*nc+int(m.class[s[i]])]
		for _, id := range m.out[state] {
			end := i + 1
			start := end - len(m.words[id])
			b := m.bound[id]
			if b&1 != 0 && start > 0 && isWordAt(s, start-1) {
				continue
			}
			if b&2 != 0 && isWordAt(s, end) {
				// a plural is the same word: "translators", "passes"
				switch {
				case s[end] == 's' && !isWordAt(s, end+1):
					end++
				case s[end] == 'e' && end+1 < len(s) && s[end+1] == 's' && !isWordAt(s, end+2):
					end += 2
				default:
					continue
				}
			}
			fn(int(id), start, end)
		}
	}
}
