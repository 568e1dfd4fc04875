// Package bytetrie is the byte trie under Vigil's dictionary matchers (the
// extractor's keywords, the gazetteer's place names): every text position
// probes the root, so the root's children are a direct table, and each
// node carries the index of the entry that ends there.
package bytetrie

// Trie maps keys to entry indexes. Node 0 is the root; 0 as a child means
// none. The zero value is not usable; call New.
type Trie struct {
	root  [256]int32 // child of the root per byte, 0 if none
	nodes []node
}

// node is one trie node. Most nodes below the first levels have one child,
// which is kept in the node itself so that following it reads no other
// memory; further children are in next.
type node struct {
	entry int32 // the entry ending here, -1 if none
	b     byte  // the byte of the first child
	child int32 // the first child, 0 if none
	next  []edge
}

type edge struct {
	b    byte
	node int32
}

// New returns an empty trie.
func New() *Trie {
	return &Trie{nodes: []node{{entry: -1}}}
}

// Insert makes key end at entry and returns the entry that ended there
// before, or -1. Callers lower-case keys as they match them.
func (t *Trie) Insert(key string, entry int32) (old int32) {
	n := int32(0)
	for i := 0; i < len(key); i++ {
		c := t.Next(n, key[i])
		if c == 0 {
			c = int32(len(t.nodes))
			t.nodes = append(t.nodes, node{entry: -1})
			switch nd := &t.nodes[n]; {
			case n == 0:
				t.root[key[i]] = c
			case nd.child == 0:
				nd.b, nd.child = key[i], c
			default:
				nd.next = append(nd.next, edge{key[i], c})
			}
		}
		n = c
	}
	old, t.nodes[n].entry = t.nodes[n].entry, entry
	return old
}

// Next is n's child by b, or 0.
func (t *Trie) Next(n int32, b byte) int32 {
	if n == 0 {
		return t.root[b]
	}
	nd := &t.nodes[n]
	if nd.b == b && nd.child != 0 {
		return nd.child
	}
	for _, e := range nd.next {
		if e.b == b {
			return e.node
		}
	}
	return 0
}

// Entry is the entry ending at n, or -1.
func (t *Trie) Entry(n int32) int32 { return t.nodes[n].entry }

// Hash6 hashes the first six bytes of s (len(s) >= 6) to 16 bits, for a
// matcher's cheap test of whether a non-Latin key can start somewhere.
func Hash6(s string) uint16 {
	// Two loads, of four bytes and of two (the compiler joins each group;
	// it does not join six), after one bounds check.
	_ = s[5]
	lo := uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
	hi := uint16(s[4]) | uint16(s[5])<<8
	v := uint64(lo) | uint64(hi)<<32
	return uint16((v * 0x9E3779B97F4A7C15) >> 48)
}
