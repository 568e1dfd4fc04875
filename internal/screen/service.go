package screen

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/store"
)

// Hit statuses.
const (
	StatusPending   = "pending"
	StatusConfirmed = "confirmed"
	StatusDismissed = "dismissed"
)

// Hit is a report subject that matched a watch-list entry, with the
// investigator's decision on it.
type Hit struct {
	ID          string  `json:"id"`
	ReportID    string  `json:"report_id"`
	Subject     string  `json:"subject"`
	SubjectType string  `json:"subject_type,omitempty"`
	List        string  `json:"list"`
	EntryID     string  `json:"entry_id"`
	EntryName   string  `json:"entry_name"`
	ListVersion int     `json:"list_version"`
	Score       float64 `json:"score"`
	Why         string  `json:"why"`
	// Status is StatusPending, StatusConfirmed or StatusDismissed.
	Status     string    `json:"status"`
	ReviewerID string    `json:"reviewer_id,omitempty"`
	Note       string    `json:"note,omitempty"`
	ReviewedAt time.Time `json:"reviewed_at,omitzero"`
	// EntryChanged is set when the list entry changed since the hit was
	// last reviewed (a dismissed hit that came back).
	EntryChanged bool      `json:"entry_changed,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Options tune Screen.
type Options struct {
	// Lists names the lists to screen against; empty means all.
	Lists []string
	// PrimaryOnly matches primary names only, ignoring the lists' aliases.
	PrimaryOnly bool
	// Limit caps the matches returned (default 10, at most 100).
	Limit int
	// MinScore is the lowest score returned: 0 means DefaultMinScore, a
	// negative value means no minimum.
	MinScore float64
}

// Diff is what an import changed.
type Diff struct {
	List string `json:"list"`
	// Version is the list's version after the import; it is unchanged
	// when the import changed nothing.
	Version   int      `json:"version"`
	Entries   int      `json:"entries"`
	Added     []string `json:"added"`
	Changed   []string `json:"changed"`
	Removed   []string `json:"removed"`
	Unchanged int      `json:"unchanged"`
	// Rescreened counts the reports screened again against the list, and
	// NewHits the hits that screening left pending review.
	Rescreened int `json:"rescreened"`
	NewHits    int `json:"new_hits"`
}

// ListInfo describes a loaded list.
type ListInfo struct {
	Name      string    `json:"name"`
	Format    string    `json:"format"`
	Source    string    `json:"source,omitempty"`
	Version   int       `json:"version"`
	Entries   int       `json:"entries"`
	Names     int       `json:"names"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Service owns the watch lists and screening hits. Lists live in the
// database; each process keeps an index of every list in memory, rebuilt
// when it sees a list's version change (checked at most every
// RefreshInterval), so several processes can share one database.
type Service struct {
	db  *store.DB
	log *slog.Logger
	// reports authorises an actor on a report, for the hits of it.
	reports Reports
	// observe, if set, is told how long each screening took.
	observe func(call string, d time.Duration, err error)

	// mu guards lists and checked.
	mu      sync.RWMutex
	lists   map[string]*loaded
	checked time.Time
	// loadMu serialises loading lists from the database.
	loadMu sync.Mutex
}

// RefreshInterval is how often a Service checks the database for lists
// another process imported.
const RefreshInterval = 10 * time.Second

// loaded is one list's indexes.
type loaded struct {
	info store.Watchlist
	all  *Index
	// primary is built on first use from the database.
	primaryOnce sync.Once
	primary     *Index
	primaryErr  error
}

// New returns a Service on db. Call Load before screening, or let the first
// screening load the lists. Without [WithReports] the service screens names
// and reports but answers no actor about a report's hits.
func New(db *store.DB, logger *slog.Logger, opts ...Option) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: db, log: logger, lists: map[string]*loaded{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Load reads every list from the database and indexes it.
func (s *Service) Load(ctx context.Context) error {
	return s.refresh(ctx, true)
}

// refresh reloads the lists whose version changed, at most every
// RefreshInterval unless forced.
func (s *Service) refresh(ctx context.Context, force bool) error {
	s.mu.RLock()
	fresh := time.Since(s.checked) < RefreshInterval
	s.mu.RUnlock()
	if fresh && !force {
		return nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	wls, err := s.db.Read().ListWatchlists(ctx)
	if err != nil {
		return fmt.Errorf("screen: %w", err)
	}
	s.mu.RLock()
	have := maps.Clone(s.lists)
	s.mu.RUnlock()
	next := make(map[string]*loaded, len(wls))
	for _, w := range wls {
		if l, ok := have[w.Name]; ok && l.info.Version == w.Version {
			next[w.Name] = l
			continue
		}
		start := time.Now()
		es, err := s.readEntries(ctx, w.Name)
		if err != nil {
			return err
		}
		next[w.Name] = &loaded{info: *w, all: Build(w.Name, es, BuildOptions{})}
		s.log.Info("watch list loaded", "list", w.Name, "version", w.Version, "entries", len(es), "took", time.Since(start))
	}
	s.mu.Lock()
	s.lists = next
	s.checked = time.Now()
	s.mu.Unlock()
	return nil
}

func (s *Service) readEntries(ctx context.Context, list string) ([]Entry, error) {
	var es []Entry
	err := s.db.Read().EachWatchlistEntry(ctx, list, func(w *store.WatchlistEntry) error {
		es = append(es, fromStore(w))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("screen: load %s: %w", list, err)
	}
	return es, nil
}

func fromStore(w *store.WatchlistEntry) Entry {
	e := Entry{ID: w.ID, Type: w.Type, Name: w.Name, BirthDates: w.BirthDates, Countries: w.Countries, Programs: w.Programs, Remarks: w.Remarks}
	for _, a := range w.Aliases {
		e.Aliases = append(e.Aliases, Alias(a))
	}
	return e
}

func toStore(list string, version int, e *Entry, hash string) *store.WatchlistEntry {
	w := &store.WatchlistEntry{List: list, ID: e.ID, Name: e.Name, Type: e.Type, BirthDates: e.BirthDates,
		Countries: e.Countries, Programs: e.Programs, Remarks: e.Remarks, Hash: hash, Version: version}
	for _, a := range e.Aliases {
		w.Aliases = append(w.Aliases, store.WatchlistAlias(a))
	}
	return w
}

// Lists describes the loaded lists.
func (s *Service) Lists(ctx context.Context) ([]ListInfo, error) {
	if err := s.refresh(ctx, false); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]ListInfo, 0, len(s.lists))
	for _, l := range s.lists {
		out = append(out, ListInfo{Name: l.info.Name, Format: l.info.Format, Source: l.info.Source, Version: l.info.Version,
			Entries: l.info.Entries, Names: l.all.Names(), UpdatedAt: store.Time(l.info.UpdatedAt)})
	}
	slices.SortFunc(out, func(a, b ListInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Versions returns a list's import history, newest first.
func (s *Service) Versions(ctx context.Context, list string) ([]store.WatchlistVersion, error) {
	vs, err := s.db.Read().ListWatchlistVersions(ctx, list)
	if err != nil {
		return nil, fmt.Errorf("screen: %w", err)
	}
	out := make([]store.WatchlistVersion, len(vs))
	for i, v := range vs {
		out[i] = *v
	}
	return out, nil
}

var listName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Import reads the list at path in format and stores it as list: a new
// version when anything was added, changed or removed. Reports are then
// screened again against the list.
func (s *Service) Import(ctx context.Context, list, format, path string) (Diff, error) {
	if !listName.MatchString(list) {
		return Diff{}, invalid.Field("list", "invalid", "must be 1–64 lower-case letters, digits, dots, dashes or underscores")
	}
	es, err := Parse(format, path)
	if err != nil {
		return Diff{}, err
	}
	return s.ImportEntries(ctx, list, format, path, es)
}

// ImportEntries stores entries as list (see Import); source records where
// they came from. It cleans the entries in place.
func (s *Service) ImportEntries(ctx context.Context, list, format, source string, es []Entry) (Diff, error) {
	if !listName.MatchString(list) {
		return Diff{}, invalid.Field("list", "invalid", "must be 1–64 lower-case letters, digits, dots, dashes or underscores")
	}
	d := Diff{List: list, Entries: len(es), Added: []string{}, Changed: []string{}, Removed: []string{}}
	hashes := make(map[string]string, len(es))
	for i := range es {
		e := &es[i]
		e.clean()
		if e.ID == "" || e.Name == "" {
			return Diff{}, fmt.Errorf("screen: entry %d: %w: empty id or name", i+1, ErrFormat)
		}
		if _, dup := hashes[e.ID]; dup {
			return Diff{}, fmt.Errorf("screen: entry %d: %w: id %s repeated", i+1, ErrFormat, e.ID)
		}
		hashes[e.ID] = e.Hash()
	}
	changed := false
	err := s.db.Tx(ctx, func(q store.Q) error {
		now := store.Now()
		w, err := q.GetWatchlist(ctx, list)
		switch {
		case errors.Is(err, store.ErrNotFound):
			w = &store.Watchlist{Name: list, CreatedAt: now}
		case err != nil:
			return err
		}
		old, err := q.WatchlistEntryHashes(ctx, list)
		if err != nil {
			return err
		}
		var put []*store.WatchlistEntry
		version := w.Version + 1
		for i := range es {
			e := &es[i]
			h := hashes[e.ID]
			switch oh, ok := old[e.ID]; {
			case !ok:
				d.Added = append(d.Added, e.ID)
			case oh != h:
				d.Changed = append(d.Changed, e.ID)
			default:
				d.Unchanged++
				continue
			}
			put = append(put, toStore(list, version, e, h))
		}
		for id := range old {
			if _, ok := hashes[id]; !ok {
				d.Removed = append(d.Removed, id)
			}
		}
		slices.Sort(d.Removed)
		if len(put) == 0 && len(d.Removed) == 0 && w.Version > 0 {
			d.Version = w.Version
			return nil
		}
		changed = true
		w.Version, w.Format, w.Source, w.Entries, w.UpdatedAt = version, format, source, len(es), now
		if err := q.PutWatchlist(ctx, w); err != nil {
			return err
		}
		if err := q.PutWatchlistEntries(ctx, put); err != nil {
			return err
		}
		if err := q.DeleteWatchlistEntries(ctx, list, d.Removed); err != nil {
			return err
		}
		d.Version = version
		return q.PutWatchlistVersion(ctx, &store.WatchlistVersion{List: list, Version: version, Format: format, Source: source,
			Entries: len(es), Added: len(d.Added), Changed: len(d.Changed), Removed: len(d.Removed), ImportedAt: now})
	})
	if err != nil {
		return Diff{}, fmt.Errorf("screen: import %s: %w", list, err)
	}
	if !changed {
		return d, nil
	}
	// Index the new version now rather than on the next refresh.
	ix := Build(list, es, BuildOptions{})
	s.mu.Lock()
	s.lists[list] = &loaded{info: store.Watchlist{Name: list, Format: format, Source: source, Version: d.Version,
		Entries: len(es), UpdatedAt: store.Now()}, all: ix}
	s.mu.Unlock()
	d.Rescreened, d.NewHits, err = s.rescreen(ctx, list)
	if err != nil {
		return d, fmt.Errorf("screen: rescreen after import of %s: %w", list, err)
	}
	s.log.Info("watch list imported", "list", list, "version", d.Version, "added", len(d.Added),
		"changed", len(d.Changed), "removed", len(d.Removed), "rescreened", d.Rescreened)
	return d, nil
}

// rescreen screens every report's subjects again against list.
func (s *Service) rescreen(ctx context.Context, list string) (reports, pending int, err error) {
	after := ""
	for {
		page, err := s.db.Read().ListReportSubjects(ctx, after, 500)
		if err != nil {
			return reports, pending, err
		}
		if len(page) == 0 {
			return reports, pending, nil
		}
		for _, r := range page {
			n, err := s.screenReport(ctx, r.ReportID, r.Subjects, []string{list})
			if err != nil {
				return reports, pending, err
			}
			reports++
			pending += n
		}
		after = page[len(page)-1].ReportID
	}
}

// index returns the index to search for l: the primary-only one is built
// from the database on first use.
func (s *Service) index(ctx context.Context, l *loaded, primaryOnly bool) (*Index, error) {
	if !primaryOnly {
		return l.all, nil
	}
	l.primaryOnce.Do(func() {
		es, err := s.readEntries(ctx, l.info.Name)
		if err != nil {
			l.primaryErr = err
			return
		}
		l.primary = Build(l.info.Name, es, BuildOptions{PrimaryOnly: true})
	})
	return l.primary, l.primaryErr
}

// maxQueryName bounds the name a query may hold, in characters.
const maxQueryName = 300

// validQuery checks a query.
func validQuery(q Query) error {
	name := strings.TrimSpace(q.Name)
	switch {
	case name == "":
		return invalid.Field("name", "required", "is required")
	case !utf8.ValidString(q.Name):
		return invalid.Field("name", "invalid_utf8", "is not valid UTF-8")
	case utf8.RuneCountInString(q.Name) > maxQueryName:
		return invalid.Field("name", "too_long", "is longer than %d characters", maxQueryName)
	case q.Type != "" && NormalizeType(q.Type) == "":
		return invalid.Field("type", "invalid", "must be person, company, vessel or aircraft")
	case q.BirthDate != "" && ParseDate(q.BirthDate) == "":
		return invalid.Field("birth_date", "invalid", "must be a date such as 1964-12-19 or 1964")
	case len(q.Country) > 64:
		return invalid.Field("country", "too_long", "is too long")
	}
	return nil
}

// Screen returns the list entries that match q, best first.
func (s *Service) Screen(ctx context.Context, q Query, opt Options) (ms []Match, err error) {
	defer s.timed("name", time.Now(), &err)
	if err := validQuery(q); err != nil {
		return nil, err
	}
	if err := s.refresh(ctx, false); err != nil {
		return nil, err
	}
	limit := opt.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 100)
	minScore := opt.MinScore
	switch {
	case minScore == 0:
		minScore = DefaultMinScore
	case minScore < 0:
		minScore = 0
	}
	s.mu.RLock()
	var targets []*loaded
	if len(opt.Lists) == 0 {
		for _, l := range s.lists {
			targets = append(targets, l)
		}
	} else {
		for _, name := range opt.Lists {
			l, ok := s.lists[name]
			if !ok {
				s.mu.RUnlock()
				return nil, invalid.Field("lists", "unknown", "no list called %q", name)
			}
			targets = append(targets, l)
		}
	}
	s.mu.RUnlock()
	var out []Match
	for _, l := range targets {
		ix, err := s.index(ctx, l, opt.PrimaryOnly)
		if err != nil {
			return nil, err
		}
		out = append(out, ix.Search(q, limit, minScore)...)
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.List, b.List)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ScreenReport screens the subjects a report names against every list and
// stores the matches at or above ReviewThreshold as hits. A hit an
// investigator dismissed stays dismissed unless the entry changed since; a
// pending hit that no longer matches is removed. It returns the report's
// hits.
func (s *Service) ScreenReport(ctx context.Context, reportID string, subjects []store.Subject) (hits []Hit, err error) {
	defer s.timed("report", time.Now(), &err)
	if err := s.refresh(ctx, false); err != nil {
		return nil, err
	}
	if _, err := s.screenReport(ctx, reportID, subjects, nil); err != nil {
		return nil, err
	}
	return s.hits(ctx, []string{reportID})
}

// timed tells the observer, if any, how long a screening that began at
// start took and how it ended.
func (s *Service) timed(call string, start time.Time, err *error) {
	if s.observe != nil {
		s.observe(call, time.Since(start), *err)
	}
}

// maxSubjects bounds the subjects screened of one report.
const maxSubjects = 100

// screenReport screens subjects against lists (all when nil) and writes the
// report's hits for those lists. It returns how many hits are pending.
func (s *Service) screenReport(ctx context.Context, reportID string, subjects []store.Subject, lists []string) (int, error) {
	scope := s.scope(lists)
	return s.storeReport(ctx, reportID, wantedHits(scope, subjects), scope)
}

// storeReport stores a report's wanted hits (storeHits) in a transaction of
// its own.
func (s *Service) storeReport(ctx context.Context, reportID string, wanted map[hitKey]wantedHit, scope map[string]*loaded) (int, error) {
	pending := 0
	err := s.db.Tx(ctx, func(q store.Q) error {
		have, err := q.ScreeningHitsByReport(ctx, []string{reportID})
		if err != nil {
			return err
		}
		pending, err = storeHits(ctx, q, reportID, have, wanted, scope)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("screen: report %s: %w", reportID, err)
	}
	return pending, nil
}

// hitKey names a hit of a report: a subject's match with a list's entry.
type hitKey struct{ subject, list, entry string }

// wantedHit is a match a report's hit should record.
type wantedHit struct {
	m       Match
	subject store.Subject
	version int
}

// scope is the loaded lists named (all when nil).
func (s *Service) scope(lists []string) map[string]*loaded {
	s.mu.RLock()
	defer s.mu.RUnlock()
	scope := map[string]*loaded{}
	for name, l := range s.lists {
		if lists == nil || slices.Contains(lists, name) {
			scope[name] = l
		}
	}
	return scope
}

// wantedHits screens a report's subjects (the first maxSubjects, each name
// once) against the lists in scope.
func wantedHits(scope map[string]*loaded, subjects []store.Subject) map[hitKey]wantedHit {
	wanted := map[hitKey]wantedHit{}
	seen := map[string]bool{}
	for i, sub := range subjects {
		if i >= maxSubjects {
			break
		}
		name := strings.TrimSpace(sub.Name)
		if name == "" || seen[name] || !utf8.ValidString(name) {
			continue
		}
		seen[name] = true
		q := Query{Name: name, Type: sub.Type}
		for ln, l := range scope {
			for _, m := range l.all.Search(q, 5, ReviewThreshold) {
				wanted[hitKey{name, ln, m.ID}] = wantedHit{m, store.Subject{Name: name, Type: sub.Type}, l.info.Version}
			}
		}
	}
	return wanted
}

// storeHits makes a report's stored hits (have) for the lists in scope
// those wanted, in q: a dismissed hit stays dismissed unless its entry
// changed, a pending one no longer wanted is removed, new ones are added
// and the owners of the report's open cases told of them. It returns how
// many of the report's hits are pending.
func storeHits(ctx context.Context, q store.Q, reportID string, have []*store.ScreeningHit, wanted map[hitKey]wantedHit, scope map[string]*loaded) (int, error) {
	pending, news, err := updateHits(ctx, q, reportID, have, wanted, scope)
	if err != nil {
		return 0, err
	}
	for _, h := range news {
		if err := q.PutScreeningHit(ctx, h); err != nil {
			return 0, err
		}
	}
	if len(news) == 0 {
		return pending, nil
	}
	cases, err := q.OpenCasesOfReport(ctx, reportID)
	if err != nil {
		return 0, err
	}
	return pending, tellCases(ctx, q, cases)
}

// updateHits is storeHits without adding the new hits — it returns them,
// counted in pending, for the caller to add (a screening batch adds all
// its reports' in one statement) — or telling the cases of them.
func updateHits(ctx context.Context, q store.Q, reportID string, have []*store.ScreeningHit, wanted map[hitKey]wantedHit, scope map[string]*loaded) (pending int, news []*store.ScreeningHit, err error) {
	now := store.Now()
	done := map[hitKey]bool{}
	for _, h := range have {
		if _, ok := scope[h.List]; !ok {
			continue
		}
		k := hitKey{h.Subject, h.List, h.EntryID}
		w, ok := wanted[k]
		if !ok {
			if h.Status == StatusPending {
				if err := q.DeleteScreeningHit(ctx, h.ID); err != nil {
					return 0, nil, err
				}
			}
			continue
		}
		done[k] = true
		upd := *h
		upd.SubjectType, upd.EntryName, upd.EntryHash, upd.ListVersion = w.subject.Type, w.m.Name, w.m.EntryHash, w.version
		upd.Score, upd.Why = scoreInt(w.m.Score), w.m.Why
		if h.Status == StatusDismissed {
			if h.ReviewedHash == w.m.EntryHash {
				continue // dismissed, and the entry has not changed
			}
			upd.Status = StatusPending
		}
		if upd.Status == StatusPending {
			pending++
		}
		if upd == *h {
			continue
		}
		upd.UpdatedAt = now
		if err := q.UpdateScreeningHit(ctx, &upd); err != nil {
			return 0, nil, err
		}
	}
	keys := make([]hitKey, 0, len(wanted))
	for k := range wanted {
		if !done[k] {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b hitKey) int {
		return cmp.Or(strings.Compare(a.subject, b.subject), strings.Compare(a.list, b.list), strings.Compare(a.entry, b.entry))
	})
	for _, k := range keys {
		w := wanted[k]
		h := &store.ScreeningHit{ID: store.NewID(), ReportID: reportID, Subject: k.subject, SubjectType: w.subject.Type,
			List: k.list, EntryID: k.entry, EntryName: w.m.Name, EntryHash: w.m.EntryHash, ListVersion: w.version,
			Score: scoreInt(w.m.Score), Why: w.m.Why, Status: StatusPending, CreatedAt: now, UpdatedAt: now}
		news = append(news, h)
		pending++
	}
	return pending, news, nil
}

// tellCases tells the owners of a report's open cases of its new hits.
func tellCases(ctx context.Context, q store.Q, cases []store.CaseOwner) error {
	for _, c := range cases {
		if err := notify.Add(ctx, q, auth.Actor{}, c.UserID, notify.ScreeningHit, "case", c.CaseID); err != nil {
			return err
		}
	}
	return nil
}

func scoreInt(f float64) int { return int(math.Round(f * 10000)) }

func toHit(h *store.ScreeningHit) Hit {
	return Hit{
		ID: h.ID, ReportID: h.ReportID, Subject: h.Subject, SubjectType: h.SubjectType, List: h.List,
		EntryID: h.EntryID, EntryName: h.EntryName, ListVersion: h.ListVersion,
		Score: float64(h.Score) / 10000, Why: h.Why, Status: h.Status, ReviewerID: h.ReviewerID, Note: h.Note,
		ReviewedAt:   store.Time(h.ReviewedAt),
		EntryChanged: h.ReviewedHash != "" && h.ReviewedHash != h.EntryHash,
		CreatedAt:    store.Time(h.CreatedAt), UpdatedAt: store.Time(h.UpdatedAt),
	}
}

// hits returns the hits of the given reports, by report, best first,
// without asking who wants them: the doors call ReportHits.
func (s *Service) hits(ctx context.Context, reportIDs []string) ([]Hit, error) {
	hs, err := s.db.Read().ScreeningHitsByReport(ctx, reportIDs)
	if err != nil {
		return nil, fmt.Errorf("screen: %w", err)
	}
	out := make([]Hit, len(hs))
	for i, h := range hs {
		out[i] = toHit(h)
	}
	return out, nil
}

// hit returns one hit, without asking who wants it.
func (s *Service) hit(ctx context.Context, id string) (Hit, error) {
	h, err := s.db.Read().GetScreeningHit(ctx, id)
	if err != nil {
		return Hit{}, fmt.Errorf("screen: %w", err)
	}
	return toHit(h), nil
}

// maxNote bounds a review note, in characters.
const maxNote = 4000

// review records an investigator's decision on a hit — "confirmed" or
// "dismissed" ("pending" reopens it) — with a note, and audits it in the
// same transaction. The caller (ReviewHit) has checked the reviewer may
// review the hit's report.
func (s *Service) review(ctx context.Context, hitID, decision, note string, reviewer auth.Actor) error {
	switch strings.ToLower(strings.TrimSpace(decision)) {
	case "confirm", "confirmed":
		decision = StatusConfirmed
	case "dismiss", "dismissed":
		decision = StatusDismissed
	case "pending", "reopen":
		decision = StatusPending
	default:
		return invalid.Field("decision", "invalid", "must be confirmed, dismissed or pending")
	}
	switch {
	case !utf8.ValidString(note):
		return invalid.Field("note", "invalid_utf8", "is not valid UTF-8")
	case utf8.RuneCountInString(note) > maxNote:
		return invalid.Field("note", "too_long", "is longer than %d characters", maxNote)
	case decision == StatusDismissed && strings.TrimSpace(note) == "":
		return invalid.Field("note", "required", "is required to dismiss a hit")
	}
	err := s.db.Tx(ctx, func(q store.Q) error {
		h, err := q.GetScreeningHit(ctx, hitID)
		if err != nil {
			return err
		}
		now := store.Now()
		h.Status, h.Note, h.ReviewerID, h.ReviewedAt, h.ReviewedHash, h.UpdatedAt = decision, strings.TrimSpace(note), reviewer.UserID, now, h.EntryHash, now
		if err := q.UpdateScreeningHit(ctx, h); err != nil {
			return err
		}
		return audit.Record(ctx, q, reviewer, "screening_hit."+decision, "screening_hit", h.ID,
			map[string]string{"report_id": h.ReportID, "list": h.List, "entry_id": h.EntryID, "entry_hash": h.EntryHash})

	})
	if err != nil {
		return fmt.Errorf("screen: review %s: %w", hitID, err)
	}
	return nil
}

// EntryIDs returns the IDs of the entries of the given lists (all when
// empty).
func (s *Service) EntryIDs(ctx context.Context, lists []string) (map[string]bool, error) {
	if len(lists) == 0 {
		ls, err := s.Lists(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			lists = append(lists, l.Name)
		}
	}
	ids := map[string]bool{}
	for _, l := range lists {
		hs, err := s.db.Read().WatchlistEntryHashes(ctx, l)
		if err != nil {
			return nil, fmt.Errorf("screen: %w", err)
		}
		for id := range hs {
			ids[id] = true
		}
	}
	return ids, nil
}
