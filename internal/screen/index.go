// The index: what a list's names become in memory, and its scoring
// parameters. Build makes one (build.go); a search prepares the query
// against it (query.go), finds candidate names through the vocabulary
// (lookup.go, search.go), aligns and scores each (align.go) and explains
// the result (explain.go).

package screen

import (
	"cmp"
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// Query is a name to screen, with what else is known of its bearer.
type Query struct {
	Name string `json:"name"`
	// Type is "person", "company" (or "entity"), "vessel", "aircraft" or
	// "" when not known.
	Type string `json:"type,omitempty"`
	// BirthDate is an ISO 8601 date, possibly partial ("1964").
	BirthDate string `json:"birth_date,omitempty"`
	// Country is an ISO 3166-1 code or an English country name.
	Country string `json:"country,omitempty"`
}

// Match is one list entry that matches a query.
type Match struct {
	List string `json:"list"`
	ID   string `json:"id"`
	// Name is the entry's primary name.
	Name string `json:"name"`
	// Matched is the entry's name (primary or alias) that matched best,
	// when it is not the primary name.
	Matched  string   `json:"matched,omitempty"`
	Type     string   `json:"type,omitempty"`
	Programs []string `json:"programs,omitempty"`
	// Score is in [0, 1]; at or above ReviewThreshold a match becomes a
	// screening hit.
	Score float64 `json:"score"`
	// Why explains the score.
	Why string `json:"why"`
	// EntryHash is the digest of the entry's content (see Entry.Hash).
	EntryHash string `json:"-"`
}

// Scoring constants.
const (
	// ReviewThreshold is the score from which a match becomes a screening
	// hit for an investigator to review. It was chosen on the negative set
	// (names that are on no list): 0.55 % of them reach it, against 0.91 %
	// at 0.82 and 0.30 % at 0.86; see docs/benchmarks-screen.md.
	ReviewThreshold = 0.84
	// DefaultMinScore is the lowest score Screen returns unless told
	// otherwise.
	DefaultMinScore = 0.60

	edgeMin    = 0.80 // token similarity below which tokens do not match
	acronymSim = 0.85 // an acronym matching the initials of a name
	// queryAcronymSim is a name's token matching the initials of the
	// query's (a name spelled out against its acronym, the rarer way
	// round): three or four initials spell many short tokens by chance.
	queryAcronymSim = 0.60
	// crossX is the factor on a token matched across the comma of two
	// persons' names, "LAST, First": a surname to a given name.
	crossX      = 0.8
	splitSim    = 0.98 // a token matching two joined tokens (xiaoming ~ xiao ming)
	initialSim  = 0.90 // an initial matching a token with that first letter
	initialGive = 0.50 // how much of the full token an initial covers
	weakWeight  = 0.10 // weight of particles (al, bin, van …)
	minWeight   = 0.15 // lowest weight of a common token
	weakAliasX  = 0.95 // factor on a match through a weak alias
	candidates  = 96   // names fully scored per query
	// postBudget bounds the postings read to find candidates; the tokens
	// beyond it only add to names already found (see gather).
	postBudget = 5000
)

// ientry is an entry as the index keeps it.
type ientry struct {
	id, name  string
	typ       string
	programs  []string
	dobs      []dateSpan
	countries []string
	hash      string
}

// keyTable maps hashed keys to lists of int32, sorted for binary search.
type keyTable struct {
	keys []uint64
	off  []int32
	vals []int32
}

type keyVal struct {
	k uint64
	v int32
}

func newKeyTable(kv []keyVal) keyTable {
	slices.SortFunc(kv, func(a, b keyVal) int {
		if c := cmp.Compare(a.k, b.k); c != 0 {
			return c
		}
		return cmp.Compare(a.v, b.v)
	})
	kv = slices.Compact(kv)
	var t keyTable
	t.vals = make([]int32, len(kv))
	for i, p := range kv {
		if i == 0 || p.k != kv[i-1].k {
			t.keys = append(t.keys, p.k)
			t.off = append(t.off, int32(i))
		}
		t.vals[i] = p.v
	}
	t.off = append(t.off, int32(len(kv)))
	return t
}

func (t *keyTable) get(k uint64) []int32 {
	i, ok := slices.BinarySearch(t.keys, k)
	if !ok {
		return nil
	}
	return t.vals[t.off[i]:t.off[i+1]]
}

// Index is an in-memory index of one list for screening, safe for
// concurrent use. It does not change once built, but for a memo of each
// vocabulary token's similar tokens, filled on first use with atomic stores.
type Index struct {
	list    string
	entries []ientry

	// Names: every primary name and alias, as token IDs.
	nameEntry []int32
	nameFlags []uint8
	nameSur   []uint8 // tokens of a person's name before its comma (normName.sur)
	nameText  []string
	nameOff   []int32 // into tokIDs; len(names)+1
	tokIDs    []int32
	nameW     []float32 // sum of the name's token weights
	nameBits  int       // bits of the highest name ID
	repeats   []uint64  // per name, a bit: a token occurs twice in it

	// Vocabulary, numbered in the order of the tokens' phonetic keys
	// (orderVocabulary).
	vocab   map[string]int32
	words   []string
	weight  []float32
	vmeta   []uint16  // length and weakness of each token (tokenMeta)
	met     []int32   // each token's number in the order the names were read (rank)
	postOff []int32   // into post; len(words)+1
	post    []int32   // name IDs per token, ascending
	postW   []float32 // nameW of each posting's name, read with it (gather)

	phon    keyTable // phonetic key → token IDs
	phonDel keyTable // phonetic key with one letter deleted → token IDs
	del     keyTable // token with one letter deleted → token IDs
	grams   keyTable // trigram of a token (6 letters or more) → token IDs
	acro    keyTable // acronym of a name → name IDs

	seed    maphash.Seed
	scratch sync.Pool
	tune    tuning
	sharp   []float32 // sharpen, tabulated
	// neigh memoises lookupFuzzy for the list's own tokens, filled on
	// first use: neigh[v] is nil until then.
	neigh []atomic.Pointer[neighbours]
}

// neighbours are the tokens similar to one token, as lookupFuzzy finds
// them.
type neighbours struct {
	v    []int32
	sim  []float32
	best float32
}

// tuning holds the scorer's parameters (fixed in production; varied by
// the evaluation tests).
type tuning struct {
	sharpen      float64 // a token similarity s counts as ((s-simLow)/(1-simLow))^sharpen
	simLow       float64 // similarity that counts as nothing
	leftMin      float32 // similarity from which leftover tokens match while scoring
	expQ         float64 // exponent of the query's coverage; the name's gets 1-expQ
	idfPow       float64 // token weight = idf^idfPow
	cands        int     // names fully scored per query
	edgeMin      float32 // token similarity below which tokens do not match
	levBlend     float64 // share of edit-distance similarity in token similarity
	guessPenalty float64 // lowers entries whose type the query's shape contradicts
}

var defaultTuning = tuning{sharpen: 1.3, simLow: 0.6, leftMin: 0.7, expQ: 0.6, idfPow: 1, cands: candidates, edgeMin: edgeMin, levBlend: 0.3, guessPenalty: 0.05}

// sharpen maps a fuzzy token similarity to what it counts for: near-misses
// count far less than exact matches.
func (ix *Index) sharpen(s float32) float32 {
	if s >= 1 {
		return 1
	}
	if s <= 0 {
		return 0
	}
	return ix.sharp[int(s*sharpSteps)]
}

const sharpSteps = 1000

// sharpTable tabulates sharpen for the tuning t.
func sharpTable(t tuning) []float32 {
	tab := make([]float32, sharpSteps+1)
	for i := range tab {
		s := float64(i) / sharpSteps
		if s > t.simLow {
			tab[i] = float32(math.Pow((s-t.simLow)/(1-t.simLow), t.sharpen))
		}
	}
	return tab
}

const (
	namePrimary = 1 << iota
	nameWeak
	// namePerson marks a name shaped like a person's ("LAST, First", no
	// organisation word): its tokens are not an acronym's letters.
	namePerson
	// nameLegalAcronym marks a name with an acronym of its own and its
	// legal form's initials (legalAcronym).
	nameLegalAcronym
)

func (ix *Index) hash(s string) uint64 { return maphash.String(ix.seed, s) }

func (ix *Index) hashBytes(b []byte) uint64 { return maphash.Bytes(ix.seed, b) }

// Len returns the number of entries in the index.
func (ix *Index) Len() int { return len(ix.entries) }

// Names returns the number of names (primary names and aliases) indexed.
func (ix *Index) Names() int { return len(ix.nameEntry) }

// rank is the place of vocabulary token v in the order the list's names
// were read: ties between tokens go to the one met first, whatever the
// order the index keeps them in.
func (ix *Index) rank(v int32) int32 {
	if ix.met == nil {
		return v
	}
	return ix.met[v]
}
