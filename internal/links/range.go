package links

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/extract"
)

// The published range of the public check (issue 19): every identifier the
// public check answers for with something other than "not known", as the
// SHA-256 of "kind:value" (the normalised form, lower-case hex) with the
// check's coarse answer, bucketed by the first PrefixLength hex digits of
// the hash. A client hashes what it wants to check, asks for its bucket
// only, and finds the rest of the hash in it: the server learns the prefix,
// never the identifier. The hashes hide nothing of an enumerable
// identifier (every phone number can be hashed), so only what the public
// check already tells anyone who asks is published (docs/security.md).

// Known reports whether the answer says anything beyond "not known":
// reported, legitimate, or unverified reports shown. Only known answers
// are published in the range.
func (a *CheckAnswer) Known() bool {
	return a.Reported || a.Legitimate || a.UnverifiedReports != BandNone
}

// Coarse is a check answer without the identifier (CheckAnswer says what
// the fields mean): what a range entry says of it.
type Coarse struct {
	Kind     string `json:"kind"`
	Reported bool   `json:"reported"`
	// Band is how many verified reports mention it: none, few (1–4) or
	// many (5+).
	Band string `json:"band"`
	// UnverifiedReports is how many independent sources of unreviewed
	// reports mention it, in the same bands; "none" when there are too few,
	// they are not independent, or a burst of them is held for review.
	UnverifiedReports string `json:"unverified_reports"`
	// Legitimate marks a known legitimate contact: an organisation using
	// Vigil registered it as its own or a partner's (a hotline, an
	// embassy). No report moves it; the bands are none.
	Legitimate bool `json:"legitimate"`
	// FirstSeen, LastSeen and Categories are of the verified reports.
	FirstSeen  string   `json:"first_seen,omitempty"`
	LastSeen   string   `json:"last_seen,omitempty"`
	Categories []string `json:"categories"`
}

// RangeEntry is one identifier of a bucket: the rest of its hash after
// the prefix, and the coarse answer.
type RangeEntry struct {
	Suffix string `json:"suffix"`
	Coarse
}

// ListEntry is one identifier of the full list: its whole hash and the
// coarse answer.
type ListEntry struct {
	Hash string `json:"hash"`
	Coarse
}

// RangeHash is the published hash of an identifier of kind and value in
// normalised form: lower-case hex SHA-256 of "kind:value".
func RangeHash(kind, value string) string {
	h := sha256.Sum256([]byte(kind + ":" + value))
	return hex.EncodeToString(h[:])
}

// bucketTarget is the mean number of entries a bucket should hold at
// least: PrefixFor picks the longest prefix that keeps the mean there.
const bucketTarget = 32

// maxPrefix is the longest prefix: 16^5 buckets, a mean of 32 at 33M.
const maxPrefix = 5

// PrefixFor is the prefix length (hex digits) for n published
// identifiers: the longest, at least 1, whose 16^N buckets hold at least
// bucketTarget entries on average (10k → 2, 39 a bucket; 1M → 3, 244;
// 10M → 4, 153).
func PrefixFor(n int) int {
	p := 1
	for p < maxPrefix && n/(1<<(4*(p+1))) >= bucketTarget {
		p++
	}
	return p
}

// Published is one published version of the range, built by Publish and
// read-only after: every response body is encoded once, so serving one is
// a map look-up.
type Published struct {
	// Version names the content: the first 16 hex digits of the SHA-256
	// of the full list. Two builds of the same answers have the same
	// version, on any server.
	Version      string
	PrefixLength int
	// Entries is how many identifiers are published.
	Entries int
	// Built is when it was built.
	Built time.Time

	index   []byte
	buckets map[string][]byte // by prefix; a prefix with no entry is absent
	empty   []byte
	list    []byte
}

// Index is the body of GET /api/v1/check/range.
func (p *Published) Index() []byte { return p.index }

// List is the body of GET /api/v1/check/list: every entry with its whole
// hash.
func (p *Published) List() []byte { return p.list }

// Bucket is the body for a prefix: its entries, an empty list when it has
// none, or a refusal (400) naming the field "prefix" when it is not PrefixLength
// hex digits.
func (p *Published) Bucket(prefix string) ([]byte, error) {
	if len(prefix) != p.PrefixLength || strings.Trim(strings.ToLower(prefix), "0123456789abcdef") != "" {
		return nil, answer.Refuse(http.StatusBadRequest, "invalid_prefix", "prefix", fmt.Sprintf("want %d hex digits (the start of the SHA-256 of kind:value); see GET /api/v1/check/range", p.PrefixLength))
	}
	if b, ok := p.buckets[strings.ToLower(prefix)]; ok {
		return b, nil
	}
	return p.empty, nil
}

// publisher keeps the current published version. mu serialises builds;
// cur is read without it.
type publisher struct {
	mu      sync.Mutex
	cur     atomic.Pointer[Published]
	changed chan struct{} // one pending change, at most
}

func newPublisher() *publisher { return &publisher{changed: make(chan struct{}, 1)} }

// Changed tells the publisher the answers may have changed (a report
// linked, a report verified, a side, protection or dispute set): RunRange
// rebuilds after its debounce. It never blocks.
func (s *Service) Changed() {
	select {
	case s.pub.changed <- struct{}{}:
	default:
	}
}

// Range returns the current published version, building the first one if
// none was.
func (s *Service) Range(ctx context.Context) (*Published, error) {
	if p := s.pub.cur.Load(); p != nil {
		return p, nil
	}
	s.pub.mu.Lock()
	defer s.pub.mu.Unlock()
	if p := s.pub.cur.Load(); p != nil {
		return p, nil
	}
	return s.publishLocked(ctx)
}

// Publish builds a new version from the link index and makes it current.
func (s *Service) Publish(ctx context.Context) (*Published, error) {
	s.pub.mu.Lock()
	defer s.pub.mu.Unlock()
	return s.publishLocked(ctx)
}

// RunRange keeps the published range current until ctx ends: it rebuilds
// debounce after a change (Changed), and every refresh whatever happened,
// which catches changes made outside this service (a report put in a case
// is verified) and by other servers. A failed build is logged and the
// previous version kept.
func (s *Service) RunRange(ctx context.Context, debounce, refresh time.Duration) {
	tick := time.NewTicker(refresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.pub.changed:
			select {
			case <-ctx.Done():
				return
			case <-time.After(debounce):
			}
			// Changes during the wait are in this build.
			select {
			case <-s.pub.changed:
			default:
			}
		case <-tick.C:
		}
		start := time.Now()
		p, err := s.Publish(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "links: publish range", "err", err)
			}
			continue
		}
		s.log.DebugContext(ctx, "links: published range", "version", p.Version, "entries", p.Entries, "took", time.Since(start))
	}
}

// publishLocked builds the published range (s.pub.mu held). The candidates
// are the public identifiers and the protected ones; each is answered by
// answer, as the public check answers it, and published when the answer
// is Known. Places are left out: the check never reads a query as one.
func (s *Service) publishLocked(ctx context.Context) (*Published, error) {
	q := s.db.Read()
	ids, err := q.PublicIdentifiers(ctx)
	if err != nil {
		return nil, fmt.Errorf("links: publish: %w", err)
	}
	prot, err := q.AllProtectedIdentifiers(ctx)
	if err != nil {
		return nil, fmt.Errorf("links: publish: %w", err)
	}
	type candidate struct{ kind, value string }
	seen := map[string]bool{}
	var cands []candidate
	for _, i := range ids {
		if i.Kind == string(extract.KindPlace) || seen[i.ID] {
			continue
		}
		v, err := s.open(i)
		if err != nil {
			return nil, err
		}
		seen[i.ID] = true
		cands = append(cands, candidate{i.Kind, v})
	}
	for _, p := range prot {
		if seen[p.IdentifierID] {
			continue
		}
		v, err := s.keys.OpenIdentifier(p.IdentifierID, p.Sealed)
		if err != nil {
			return nil, fmt.Errorf("links: publish: protected identifier %s: %w", p.ID, err)
		}
		seen[p.IdentifierID] = true
		cands = append(cands, candidate{p.Kind, v})
	}
	var list []ListEntry
	for _, c := range cands {
		ans, err := s.answer(ctx, c.kind, c.value)
		if err != nil {
			return nil, fmt.Errorf("links: publish: %w", err)
		}
		if ans.Known() {
			list = append(list, ListEntry{Hash: RangeHash(c.kind, c.value), Coarse: ans.Coarse})
		}
	}
	p, err := Build(list)
	if err != nil {
		return nil, err
	}
	s.pub.cur.Store(p)
	return p, nil
}

// Install makes p the current published version until the next build (for
// benchmarks, which serve a range of a size no test database holds).
func (s *Service) Install(p *Published) { s.pub.cur.Store(p) }

// Build encodes a published version of list (which it sorts by hash).
// Each entry's answer is encoded once and spliced into the list and its
// bucket.
func Build(list []ListEntry) (*Published, error) {
	slices.SortFunc(list, func(a, b ListEntry) int { return strings.Compare(a.Hash, b.Hash) })
	// coarse[i] is list[i]'s answer as JSON without its opening brace.
	coarse := make([][]byte, len(list))
	size := 0
	for i := range list {
		b, err := json.Marshal(&list[i].Coarse)
		if err != nil {
			return nil, fmt.Errorf("links: publish: %w", err)
		}
		coarse[i] = b[1:]
		size += len(b) + len(list[i].Hash) + 12
	}
	var all bytes.Buffer
	all.Grow(size + 2)
	all.WriteByte('[')
	for i := range list {
		if i > 0 {
			all.WriteByte(',')
		}
		all.WriteString(`{"hash":"` + list[i].Hash + `",`)
		all.Write(coarse[i])
	}
	all.WriteByte(']')
	sum := sha256.Sum256(all.Bytes())
	p := &Published{Version: hex.EncodeToString(sum[:8]), PrefixLength: PrefixFor(len(list)), Entries: len(list), Built: time.Now(), buckets: map[string][]byte{}}
	var err error
	if p.index, err = json.Marshal(map[string]any{"version": p.Version, "prefix_length": p.PrefixLength, "entries": p.Entries}); err != nil {
		return nil, fmt.Errorf("links: publish: %w", err)
	}
	tail := `],"version":"` + p.Version + `"}`
	p.empty = []byte(`{"entries":[` + tail)
	p.list = slices.Concat([]byte(`{"version":"`+p.Version+`","prefix_length":`+strconv.Itoa(p.PrefixLength)+`,"entries":`), all.Bytes(), []byte("}"))
	for i := 0; i < len(list); {
		prefix := list[i].Hash[:p.PrefixLength]
		var b bytes.Buffer
		b.WriteString(`{"entries":[`)
		for j := i; i < len(list) && list[i].Hash[:p.PrefixLength] == prefix; i++ {
			if i > j {
				b.WriteByte(',')
			}
			b.WriteString(`{"suffix":"` + list[i].Hash[p.PrefixLength:] + `",`)
			b.Write(coarse[i])
		}
		b.WriteString(tail)
		p.buckets[prefix] = b.Bytes()
	}
	return p, nil
}
