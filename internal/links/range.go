package links

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/store"
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
// read-only after: every bucket's entries are encoded once, and a response
// is written from them without copying (Body), so serving one is a map
// look-up. A rebuild after a change re-encodes only the buckets whose
// entries changed; the others are shared with the version before.
type Published struct {
	// Version names the content: the first 16 hex digits of the SHA-256
	// of the buckets' digests (each the SHA-256 of the bucket's prefix and
	// its entries as its body encodes them), in prefix order. Two builds of the same
	// answers have the same version, on any server.
	Version      string
	PrefixLength int
	// Entries is how many identifiers are published.
	Entries int
	// Built is when it was built.
	Built time.Time

	index   []byte
	buckets map[string]*bucket // by prefix; a prefix with no entry is absent
	tail    []byte             // ends a bucket's body: `],"version":"…"}`
	head    []byte             // starts the full list's body
	// since is the time (store.Now) the rows this version was built from
	// were read: the next build reads the rows changed after it.
	since int64
	// protected are the protected identifiers' values at this version,
	// by identifier id.
	protected map[string]candidate
	// history is how the last versions before this one became the next,
	// oldest first (at most maxHistory): what ListSince answers from.
	history []step
	// deltas caches ListSince's bodies by the version they start from:
	// each is built once per version, however many clients ask.
	deltas sync.Map
	// marks is the database's count of marks (store.DB.Marks) when the
	// build began to read, and complete tells whether it weighed every
	// identifier then marked for weighing: the version answers exactly as
	// the check would for every identifier not marked since
	// (Service.published).
	marks    uint64
	complete bool
}

// maxHistory is how many versions back ListSince answers with a delta.
const maxHistory = 64

// step is what changed from version from to the next: by whole hash, the
// new entry's answer as JSON without its opening brace, or nil when the
// entry went.
type step struct {
	from    string
	changes map[string][]byte
}

// candidate is an identifier the range may publish: its kind and value in
// normalised form.
type candidate struct{ kind, value string }

// bucket is one prefix's entries, sorted by suffix, encoded once: part
// is the entries as a bucket's body lists them, `{"suffix":"…",…answer}`
// separated by commas, and ends[i] is where entry i ends in part. The
// entries are read back from part (suffix, coarse), so a bucket holds no
// pointer per entry, and a rebuild copies the runs of entries that did not
// change in one piece each (apply).
type bucket struct {
	prefix string
	part   []byte
	ends   []int32
	digest [32]byte
	// list is the entries as the full list lists them, encoded when a
	// list is first asked for (most builds are never listed).
	listOnce sync.Once
	list     []byte
	// zipped is the start of the bucket's body (bucketStart and part)
	// compressed with DEFLATE and flushed, not final, with the CRC-32 of
	// what it holds: compressed when first asked, and shared, like the
	// bucket, by every version that keeps it (BucketGzip).
	zipOnce sync.Once
	zipped  []byte
	zipCRC  uint32
}

// suffixStart is where an entry's suffix starts in its encoding.
const suffixStart = len(`{"suffix":"`)

// len is how many entries the bucket has.
func (b *bucket) len() int { return len(b.ends) }

// entry is entry i's encoding, `{"suffix":"…",…answer}`.
func (b *bucket) entry(i int) []byte {
	start := 0
	if i > 0 {
		start = int(b.ends[i-1]) + 1 // after the comma
	}
	return b.part[start:b.ends[i]]
}

// suffix is entry i's hash after the prefix; every suffix of a bucket has
// the same length.
func (b *bucket) suffix(i int) []byte {
	return b.entry(i)[suffixStart : suffixStart+hashHex-len(b.prefix)]
}

// coarse is entry i's answer as JSON without its opening brace.
func (b *bucket) coarse(i int) []byte {
	e := b.entry(i)
	return e[suffixStart+hashHex-len(b.prefix)+len(`",`):]
}

// hashHex is the length of a whole hash in hex.
const hashHex = 2 * sha256.Size

// listed is the bucket's entries as the full list lists them.
func (b *bucket) listed() []byte {
	b.listOnce.Do(func() {
		n := len(b.part) + b.len()*(len(`{"hash":"`)+len(b.prefix)-suffixStart)
		list := make([]byte, 0, n)
		for i := range b.len() {
			if i > 0 {
				list = append(list, ',')
			}
			list = append(list, `{"hash":"`...)
			list = append(list, b.prefix...)
			list = append(list, b.entry(i)[suffixStart:]...)
		}
		b.list = list
	})
	return b.list
}

// rangeItem is an entry to encode: its hash after the prefix, and its
// answer as JSON without the opening brace.
type rangeItem struct {
	suffix string
	coarse []byte
}

// Body is a response body in parts, written one after the other.
type Body [][]byte

// Len is the body's length in bytes.
func (b Body) Len() int {
	n := 0
	for _, p := range b {
		n += len(p)
	}
	return n
}

// Bytes is the body in one slice.
func (b Body) Bytes() []byte { return slices.Concat(b...) }

// Index is the body of GET /api/v1/check/range.
func (p *Published) Index() Body { return Body{p.index} }

// List is the body of GET /api/v1/check/list: every entry with its whole
// hash.
func (p *Published) List() Body {
	body := Body{p.head}
	for _, prefix := range slices.Sorted(maps.Keys(p.buckets)) {
		if len(body) > 1 {
			body = append(body, comma)
		}
		body = append(body, p.buckets[prefix].listed())
	}
	return append(body, listEnd)
}

var (
	comma       = []byte(",")
	listEnd     = []byte("]}")
	bucketStart = []byte(`{"entries":[`)
)

// Bucket is the body for a prefix: its entries, an empty list when it has
// none, or a refusal (400) naming the field "prefix" when it is not PrefixLength
// hex digits.
func (p *Published) Bucket(prefix string) (Body, error) {
	b, err := p.bucket(prefix)
	if err != nil {
		return nil, err
	}
	if b != nil {
		return Body{bucketStart, b.part, p.tail}, nil
	}
	return Body{bucketStart, p.tail}, nil
}

// bucket is the bucket of prefix (any case), nil when it has no entry, or
// a refusal (400) naming the field "prefix" when it is not PrefixLength
// hex digits.
func (p *Published) bucket(prefix string) (*bucket, error) {
	key := strings.ToLower(prefix)
	if len(key) != p.PrefixLength || strings.Trim(key, "0123456789abcdef") != "" {
		return nil, answer.Refuse(http.StatusBadRequest, "invalid_prefix", "prefix", fmt.Sprintf("want %d hex digits (the start of the SHA-256 of kind:value); see GET /api/v1/check/range", p.PrefixLength))
	}
	return p.buckets[key], nil
}

// BucketGzip is Bucket's body compressed with gzip, in parts: about a
// quarter of its size (the hashes are hex, the field names repeat), so a
// response costs the server and the network that much less. Only a
// bucket's start and entries are compressed, once a bucket (zipped), so a
// version that keeps a bucket keeps its compression too; the tail, which
// names the version, follows as a stored block (RFC 1951 §3.2.4), and the
// gzip trailer's CRC-32 continues the start's over it (RFC 1952).
func (p *Published) BucketGzip(prefix string) (Body, error) {
	b, err := p.bucket(prefix)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return gzipStored(Body{bucketStart, p.tail}.Bytes()), nil
	}
	b.zipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := flate.NewWriter(&buf, flate.BestCompression) // the level is valid
		zw.Write(bucketStart)                                 // a bytes.Buffer takes every write
		zw.Write(b.part)
		zw.Flush() // ends on a byte, not final: blocks may follow
		b.zipped = buf.Bytes()
		b.zipCRC = crc32.Update(crc32.ChecksumIEEE(bucketStart), crc32.IEEETable, b.part)
	})
	end := storedFinal(p.tail, crc32.Update(b.zipCRC, crc32.IEEETable, p.tail), len(bucketStart)+len(b.part)+len(p.tail))
	return Body{gzipHeader, b.zipped, end}, nil
}

// gzipHeader starts a gzip member: DEFLATE, no flags, no time, unknown
// system (RFC 1952 §2.3).
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

// gzipStored is data as a whole gzip member of one stored block.
func gzipStored(data []byte) Body {
	return Body{gzipHeader, storedFinal(data, crc32.ChecksumIEEE(data), len(data))}
}

// storedFinal is data as DEFLATE's final stored block (data under 64 KiB,
// started on a byte), then the gzip trailer: crc, the CRC-32 of all the
// member holds, and size, its length.
func storedFinal(data []byte, crc uint32, size int) []byte {
	out := make([]byte, 0, 5+len(data)+8)
	out = append(out, 1) // BFINAL, BTYPE 00 (stored), the rest of the byte
	out = binary.LittleEndian.AppendUint16(out, uint16(len(data)))
	out = binary.LittleEndian.AppendUint16(out, ^uint16(len(data)))
	out = append(out, data...)
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(size))
}

// publisher keeps the current published version. mu serialises builds;
// cur is read without it.
type publisher struct {
	mu      sync.Mutex
	full    time.Time // the last full build (mu held)
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

// fullEvery is how often a build reads every published identifier; the
// builds between read only the assessments changed since the build before
// (and the protected identifiers, a short list).
const fullEvery = 15 * time.Minute

// overlap is how far before the last build's read a build reads changed
// assessments again: a trust worker writes a row's time just before it
// commits, and another server's clock may be a little behind (the full
// build every fullEvery catches anything later still). Reading a change
// twice is harmless but not free: under sustained intake each build reads
// overlap's worth of changes again.
const overlap = 2 * time.Second

// replicaOverlap is overlap when the range reads from a replica
// (VIGIL_DATABASE_REPLICA): a change weighed on the primary reaches the
// replica after the replication delay, and one that arrives later than
// this shows at the next full build (docs/operations.md, "Replicas").
const replicaOverlap = 30 * time.Second

func (s *Service) overlap() time.Duration {
	if s.db.Replicated() {
		return replicaOverlap
	}
	return overlap
}

// pendingInBuild is how many identifiers still marked for weighing a build
// from changes weighs itself.
const pendingInBuild = 2000

// publishLocked builds the published range (s.pub.mu held): from every
// public identifier when none was built or the last full build is
// fullEvery old, else from the version before and what changed since.
// Each candidate is answered as the public check answers it (rowAnswer,
// answer) and published when the answer is Known. Places are left out: the
// check never reads a query as one.
func (s *Service) publishLocked(ctx context.Context) (*Published, error) {
	prev := s.pub.cur.Load()
	marks := s.db.Marks()
	var p *Published
	var err error
	if prev == nil || prev.protected == nil || time.Since(s.pub.full) >= fullEvery {
		if p, err = s.publishAll(ctx); err == nil {
			s.pub.full = time.Now()
		}
	} else {
		p, err = s.publishChanges(ctx, prev)
	}
	if err != nil {
		return nil, fmt.Errorf("links: publish: %w", err)
	}
	p.marks = marks
	if prev != nil {
		p.history = prev.history
		if p.Version != prev.Version {
			p.history = append(slices.Clone(prev.history[max(0, len(prev.history)-maxHistory+1):]), step{prev.Version, diff(prev, p)})
		}
	}
	s.pub.cur.Store(p)
	// A check that still holds the version before sees it is no longer
	// current before it trusts what it read of the marks (published).
	s.db.ForgetMarks(marks)
	return p, nil
}

// diff is what changed from a to b: only the buckets whose digests differ
// are compared, when the prefix length is the same.
func diff(a, b *Published) map[string][]byte {
	out := map[string][]byte{}
	entries := func(p *Published, prefixes []string) map[string][]byte {
		m := map[string][]byte{}
		for _, prefix := range prefixes {
			if bk := p.buckets[prefix]; bk != nil {
				for i := range bk.len() {
					m[prefix+string(bk.suffix(i))] = bk.coarse(i)
				}
			}
		}
		return m
	}
	var pa, pb []string
	if a.PrefixLength != b.PrefixLength {
		pa, pb = slices.Collect(maps.Keys(a.buckets)), slices.Collect(maps.Keys(b.buckets))
	} else {
		for prefix, bk := range b.buckets {
			if old := a.buckets[prefix]; old == nil || old.digest != bk.digest {
				pa, pb = append(pa, prefix), append(pb, prefix)
			}
		}
		for prefix := range a.buckets {
			if b.buckets[prefix] == nil {
				pa = append(pa, prefix)
			}
		}
	}
	old, cur := entries(a, pa), entries(b, pb)
	for h, c := range cur {
		if o, ok := old[h]; !ok || !bytes.Equal(o, c) {
			out[h] = c
		}
	}
	for h := range old {
		if _, ok := cur[h]; !ok {
			out[h] = nil
		}
	}
	return out
}

// ListSince is the body of GET /api/v1/check/list?since=VERSION: what
// changed since that version — the entries added or changed, with their
// whole hash, and the hashes of those that went ("removed") — when it is
// one of the last maxHistory versions this server built, else the full
// list (List). A delta names the version it starts from ("since"); the
// full list does not.
func (p *Published) ListSince(version string) (Body, error) {
	if len(version) != 16 || strings.Trim(version, "0123456789abcdef") != "" {
		return nil, answer.Refuse(http.StatusBadRequest, "invalid_since", "since", "want a version from GET /api/v1/check/range (16 lower-case hex digits)")
	}
	if version == p.Version {
		return Body{[]byte(`{"version":"` + p.Version + `","prefix_length":` + strconv.Itoa(p.PrefixLength) + `,"since":"` + version + `","entries":[],"removed":[]}`)}, nil
	}
	at := slices.IndexFunc(p.history, func(s step) bool { return s.from == version })
	if at < 0 {
		return p.List(), nil
	}
	if b, ok := p.deltas.Load(version); ok {
		return b.(Body), nil
	}
	merged := map[string][]byte{}
	for _, s := range p.history[at:] {
		maps.Copy(merged, s.changes)
	}
	var b bytes.Buffer
	b.WriteString(`{"version":"` + p.Version + `","prefix_length":` + strconv.Itoa(p.PrefixLength) + `,"since":"` + version + `","entries":[`)
	var removed []string
	n := 0
	for _, h := range slices.Sorted(maps.Keys(merged)) {
		c := merged[h]
		if c == nil {
			removed = append(removed, h)
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.WriteString(`{"hash":"` + h + `",`)
		b.Write(c)
	}
	b.WriteString(`],"removed":[`)
	for i, h := range removed {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + h + `"`)
	}
	b.WriteString(`]}`)
	body, _ := p.deltas.LoadOrStore(version, Body{b.Bytes()})
	return body.(Body), nil
}

// publishAll builds the range from every public identifier and every
// protected one.
func (s *Service) publishAll(ctx context.Context) (*Published, error) {
	since := store.Now()
	q := s.db.Public()
	seen := map[string]bool{}
	var list []ListEntry
	err := q.RangeRows(ctx, 0, func(r *store.RangeRow) error {
		seen[r.ID] = true
		e, err := s.rowEntry(ctx, r)
		if e != nil {
			list = append(list, *e)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	protected, err := s.protectedCandidates(ctx)
	if err != nil {
		return nil, err
	}
	for id, c := range protected {
		if seen[id] {
			continue
		}
		ans, err := s.answer(ctx, c.kind, c.value)
		if err != nil {
			return nil, err
		}
		if ans.Known() {
			list = append(list, ListEntry{Hash: RangeHash(c.kind, c.value), Coarse: ans.Coarse})
		}
	}
	p, err := Build(list)
	if err != nil {
		return nil, err
	}
	// Every public identifier was answered as the check answers it, the
	// marked ones weighed (rowAnswer).
	p.since, p.protected, p.complete = since, protected, true
	return p, nil
}

// publishChanges builds the range from prev and the identifiers whose
// answer may have changed since prev was read: those whose kept
// assessment was written since (the trust worker writes one after every
// change that marks it: a report linked, verified, put in a case, a side
// or a mark set), and those protected or unprotected since.
func (s *Service) publishChanges(ctx context.Context, prev *Published) (*Published, error) {
	since := store.Now()
	changes := map[string]*Coarse{} // by hash; nil: no entry
	done := map[string]bool{}
	change := func(r *store.RangeRow) error {
		if done[r.ID] {
			return nil
		}
		v, err := s.open(&r.Identifier)
		if err != nil {
			return err
		}
		done[r.ID] = true
		ans, err := s.rowAnswer(ctx, r, v)
		if err != nil {
			return err
		}
		changes[RangeHash(r.Kind, v)] = known(ans)
		return nil
	}
	// Marked identifiers too, weighed now (a few, unless a rebuild or an
	// upgrade marked them all: the rest wait for the trust worker, which
	// calls Changed when it has weighed them).
	// Rows read are weighed together (weighRows), then each answered.
	changeAll := func(rows []*store.RangeRow) error {
		if err := s.weighRows(ctx, rows); err != nil {
			return err
		}
		for _, r := range rows {
			if err := change(r); err != nil {
				return err
			}
		}
		return nil
	}
	var marked []*store.RangeRow
	if err := s.db.Public().PendingRangeRows(ctx, pendingInBuild, func(r *store.RangeRow) error {
		marked = append(marked, r)
		return nil
	}); err != nil {
		return nil, err
	}
	pending := len(marked)
	if err := changeAll(marked); err != nil {
		return nil, err
	}
	// The rows changed since prev (those marked again meanwhile weighed
	// too).
	var changed []*store.RangeRow
	if err := s.db.Public().RangeRows(ctx, prev.since-s.overlap().Microseconds(), func(r *store.RangeRow) error {
		if !done[r.ID] {
			changed = append(changed, r)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := changeAll(changed); err != nil {
		return nil, err
	}
	protected, err := s.protectedCandidates(ctx)
	if err != nil {
		return nil, err
	}
	for id, c := range prev.protected {
		if _, still := protected[id]; !still && !done[id] {
			if changes[RangeHash(c.kind, c.value)], err = s.knownAnswer(ctx, c); err != nil {
				return nil, err
			}
		}
	}
	for id, c := range protected {
		if _, was := prev.protected[id]; !was && !done[id] {
			if changes[RangeHash(c.kind, c.value)], err = s.knownAnswer(ctx, c); err != nil {
				return nil, err
			}
		}
	}
	p, err := prev.apply(changes)
	if err != nil {
		return nil, err
	}
	p.since, p.protected, p.complete = since, protected, pending < pendingInBuild
	return p, nil
}

// known is a's coarse answer if it is Known, else nil.
func known(a *CheckAnswer) *Coarse {
	if !a.Known() {
		return nil
	}
	return &a.Coarse
}

// knownAnswer is the check's coarse answer for c if it is Known, else nil.
func (s *Service) knownAnswer(ctx context.Context, c candidate) (*Coarse, error) {
	a, err := s.answer(ctx, c.kind, c.value)
	if err != nil {
		return nil, err
	}
	return known(a), nil
}

// rowEntry is a public identifier's entry, or nil when its answer is not
// Known.
func (s *Service) rowEntry(ctx context.Context, r *store.RangeRow) (*ListEntry, error) {
	v, err := s.open(&r.Identifier)
	if err != nil {
		return nil, err
	}
	ans, err := s.rowAnswer(ctx, r, v)
	if err != nil || !ans.Known() {
		return nil, err
	}
	return &ListEntry{Hash: RangeHash(r.Kind, v), Coarse: ans.Coarse}, nil
}

// rowAnswer is the check's answer for an identifier read with what the
// check reads of it (trust reads the same by its blind index).
func (s *Service) rowAnswer(ctx context.Context, r *store.RangeRow, value string) (*CheckAnswer, error) {
	var t trustAnswer
	switch {
	case r.Protected || r.Disputed:
		t.protected = r.Protected
	case !r.Public():
	case r.Trust != nil:
		t = fromTrust(r.Trust)
	default:
		var err error
		if t, err = s.weigh(ctx, s.db.Public(), r.ID); err != nil {
			return nil, err
		}
	}
	return answerFrom(r.Kind, value, t), nil
}

// weighRows weighs, together, the rows rowAnswer would weigh one by one
// (public, neither protected nor disputed, no kept assessment), and gives
// each the assessment it would have kept: their reports are read in a few
// statements (store.Q.IdentifiersSignals), in one batch of reads, where
// each alone was a read transaction of its own (a build from changes
// under intake weighs up to pendingInBuild of them).
func (s *Service) weighRows(ctx context.Context, rows []*store.RangeRow) error {
	var ids []string
	byID := map[string]*store.RangeRow{}
	for _, r := range rows {
		if _, twice := byID[r.ID]; !twice && !r.Protected && !r.Disputed && r.Public() && r.Trust == nil {
			ids = append(ids, r.ID)
			byID[r.ID] = r
		}
	}
	if len(ids) == 0 {
		return nil
	}
	now := store.Now()
	return s.db.PublicBatch(ctx, func(q store.Q) error {
		signals, err := signalsOf(ctx, q, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			byID[id].Trust = toTrust(id, assess(signals[id]), true, false, false, now)
		}
		return nil
	})
}

// protectedCandidates are the protected identifiers, by identifier id.
func (s *Service) protectedCandidates(ctx context.Context) (map[string]candidate, error) {
	prot, err := s.db.Public().AllProtectedIdentifiers(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]candidate, len(prot))
	for _, p := range prot {
		v, err := s.keys.OpenIdentifier(p.IdentifierID, p.Sealed)
		if err != nil {
			return nil, fmt.Errorf("protected identifier %s: %w", p.ID, err)
		}
		out[p.IdentifierID] = candidate{p.Kind, v}
	}
	return out, nil
}

// published is the published version's answer for an identifier of kind
// and value in normalised form, when that answer is exactly what the
// check's reads would give (ok): the version weighed every identifier
// marked when its build began, and no transaction of this process has
// marked this one since (store.DB.MarkedSince) — every change to what the
// check reads of an identifier marks it, in the change's transaction
// (store.Q.MarkTrust). So under intake the identifiers just linked are read
// from the database until the next build, and all others from memory.
// Otherwise, or with none built, the check reads the database.
func (s *Service) published(kind, value string) (*CheckAnswer, bool) {
	p := s.pub.cur.Load()
	if p == nil || !p.complete || s.db.MarkedSince(s.keys.BlindIndex(kind, value), p.marks) {
		return nil, false
	}
	ans := answerFrom(kind, value, trustAnswer{})
	hash := RangeHash(kind, value)
	if b := p.buckets[hash[:p.PrefixLength]]; b != nil {
		if i, ok := b.search(0, hash[p.PrefixLength:]); ok {
			ans = &CheckAnswer{Value: value}
			if err := json.Unmarshal(append([]byte{'{'}, b.coarse(i)...), &ans.Coarse); err != nil {
				return nil, false
			}
		}
	}
	// A newer version may have been installed meanwhile, and the marks
	// older than its build forgotten (publishLocked): read again then.
	if s.pub.cur.Load() != p {
		return nil, false
	}
	return ans, true
}

// Install makes p the current published version until the next build (for
// benchmarks, which serve a range of a size no test database holds).
func (s *Service) Install(p *Published) { s.pub.cur.Store(p) }

// hashedItem is an entry with its whole hash.
type hashedItem struct {
	hash   string
	coarse []byte
}

// Build encodes a published version of list. Each entry's answer is
// encoded once and spliced into its bucket's body and the full list.
func Build(list []ListEntry) (*Published, error) {
	items := make([]hashedItem, len(list))
	for i := range list {
		b, err := json.Marshal(&list[i].Coarse)
		if err != nil {
			return nil, fmt.Errorf("links: publish: %w", err)
		}
		items[i] = hashedItem{list[i].Hash, b[1:]}
	}
	return assemble(items), nil
}

// assemble buckets items (in any order) by the prefix their number calls
// for.
func assemble(items []hashedItem) *Published {
	slices.SortFunc(items, func(a, b hashedItem) int { return strings.Compare(a.hash, b.hash) })
	items = slices.CompactFunc(items, func(a, b hashedItem) bool { return a.hash == b.hash })
	n := PrefixFor(len(items))
	buckets := map[string]*bucket{}
	for i := 0; i < len(items); {
		prefix := items[i].hash[:n]
		var entries []rangeItem
		for ; i < len(items) && items[i].hash[:n] == prefix; i++ {
			entries = append(entries, rangeItem{items[i].hash[n:], items[i].coarse})
		}
		buckets[prefix] = encodeBucket(prefix, entries)
	}
	return finish(buckets, n, len(items))
}

// encodeBucket encodes a prefix's entries (sorted by suffix).
func encodeBucket(prefix string, entries []rangeItem) *bucket {
	n := 0
	for _, e := range entries {
		n += suffixStart + len(e.suffix) + len(`",`) + len(e.coarse) + 1
	}
	b := &bucket{prefix: prefix, part: make([]byte, 0, n), ends: make([]int32, 0, len(entries))}
	for _, e := range entries {
		b.add(e.suffix, e.coarse)
	}
	b.seal()
	return b
}

// add appends an entry to the bucket's part.
func (b *bucket) add(suffix string, coarse []byte) {
	if len(b.ends) > 0 {
		b.part = append(b.part, ',')
	}
	b.part = append(b.part, `{"suffix":"`...)
	b.part = append(b.part, suffix...)
	b.part = append(b.part, `",`...)
	b.part = append(b.part, coarse...)
	b.ends = append(b.ends, int32(len(b.part)))
}

// copyRun appends old's entries from..to-1 as they are: one copy of their
// encodings, and their ends moved by where they now start.
func (b *bucket) copyRun(old *bucket, from, to int) {
	if from >= to {
		return
	}
	if len(b.ends) > 0 {
		b.part = append(b.part, ',')
	}
	start := 0
	if from > 0 {
		start = int(old.ends[from-1]) + 1
	}
	shift := int32(len(b.part) - start)
	b.part = append(b.part, old.part[start:old.ends[to-1]]...)
	for _, e := range old.ends[from:to] {
		b.ends = append(b.ends, e+shift)
	}
}

// seal computes the digest, of the bucket's body part, which with the
// prefix says all the list would.
func (b *bucket) seal() {
	h := sha256.New()
	h.Write([]byte(b.prefix))
	h.Write(b.part)
	h.Sum(b.digest[:0])
}

// finish names a version of buckets (n entries, prefixes of length l) and
// encodes what is encoded once a version.
func finish(buckets map[string]*bucket, l, n int) *Published {
	h := sha256.New()
	for _, prefix := range slices.Sorted(maps.Keys(buckets)) {
		d := buckets[prefix].digest
		h.Write(d[:])
	}
	sum := h.Sum(nil)
	p := &Published{Version: hex.EncodeToString(sum[:8]), PrefixLength: l, Entries: n, Built: time.Now(), buckets: buckets}
	p.index, _ = json.Marshal(map[string]any{"version": p.Version, "prefix_length": p.PrefixLength, "entries": p.Entries})
	p.tail = []byte(`],"version":"` + p.Version + `"}`)
	p.head = []byte(`{"version":"` + p.Version + `","prefix_length":` + strconv.Itoa(p.PrefixLength) + `,"entries":[`)
	return p
}

// apply is p with changes (by whole hash: the new answer, or nil for no
// entry): only the buckets they touch are encoded again, the others are
// shared with p. When the number of entries calls for another prefix
// length, every entry is bucketed again.
func (p *Published) apply(changes map[string]*Coarse) (*Published, error) {
	l := p.PrefixLength
	byPrefix := map[string][]string{}
	for h := range changes {
		byPrefix[h[:l]] = append(byPrefix[h[:l]], h)
	}
	buckets := maps.Clone(p.buckets)
	n := p.Entries
	for prefix, hashes := range byPrefix {
		slices.Sort(hashes)
		old := buckets[prefix]
		if old == nil {
			old = &bucket{prefix: prefix}
		}
		n -= old.len()
		grow := 0
		for _, h := range hashes {
			if c := changes[h]; c != nil {
				grow += suffixStart + hashHex + 200
			}
		}
		nb := &bucket{prefix: prefix, part: make([]byte, 0, len(old.part)+grow), ends: make([]int32, 0, old.len()+len(hashes))}
		// Walk the old entries and the changes, both sorted by suffix:
		// runs of unchanged entries are copied whole.
		i := 0
		for _, h := range hashes {
			suffix := h[l:]
			at, found := old.search(i, suffix)
			nb.copyRun(old, i, at)
			i = at
			if found {
				i++ // the old entry is replaced or removed
			}
			if c := changes[h]; c != nil {
				enc, err := json.Marshal(c)
				if err != nil {
					return nil, fmt.Errorf("links: publish: %w", err)
				}
				nb.add(suffix, enc[1:])
			}
		}
		nb.copyRun(old, i, old.len())
		n += nb.len()
		if nb.len() == 0 {
			delete(buckets, prefix)
		} else {
			nb.seal()
			buckets[prefix] = nb
		}
	}
	if PrefixFor(n) != l {
		var items []hashedItem
		for prefix, b := range buckets {
			for i := range b.len() {
				items = append(items, hashedItem{prefix + string(b.suffix(i)), b.coarse(i)})
			}
		}
		return assemble(items), nil
	}
	return finish(buckets, l, n), nil
}

// search finds suffix among the entries from i on: where it is or would
// go, and whether it is there.
func (b *bucket) search(i int, suffix string) (int, bool) {
	at := i + sort.Search(b.len()-i, func(k int) bool { return string(b.suffix(i+k)) >= suffix })
	return at, at < b.len() && string(b.suffix(at)) == suffix
}
