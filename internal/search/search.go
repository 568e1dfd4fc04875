// Package search finds reports and cases for staff: by tracking code, by
// report or case ID (or a prefix of one), by an identifier written in any
// form the extractor reads (through the link index), by the name of a
// person or company a report names (its subjects), and by words of its
// statements in English, Chinese, Khmer, Thai, Vietnamese, Indonesian and
// other languages.
//
// Statement text stays sealed: the index (table search_postings) holds only
// keyed hashes of normalised terms (see Terms), under a key per
// organisation derived from the master key (seal.SearchHasher). Intake
// writes a report's rows in the transaction that stores its statements;
// `vigil search rebuild` recomputes them all. Reporters' and victims'
// identities (sealed, reveal-only) are not indexed: nobody finds a report
// by a victim's name or passport number.
//
// Every result is checked with auth.Can (ReadReport or ReadCase) before it
// is returned: staff find their organisation's reports and cases, a partner
// only what was referred to its organisation, and only by the fields the
// referral shares. A search answers with results and a cursor, never a
// count.
package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// Result kinds.
const (
	KindReport = "report"
	KindCase   = "case"
)

// Result is one thing found.
type Result struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// Title is the report's tracking code (for a partner a neutral "Report
	// …" from its ID) or the case's title (for a partner its neutral one).
	Title string `json:"title"`
	// Matched says what the query matched: tracking_code, id, identifier,
	// subject or text, in rank order.
	Matched string `json:"matched"`
}

// Page is one page of results; NextCursor, when not empty, asks for the
// next. Partial says the page may be short although more may match: the
// search examined store.SearchWindow reports having its rarest word and
// stopped; the next page goes on from there.
type Page struct {
	Results    []Result `json:"results"`
	NextCursor string   `json:"next_cursor,omitempty"`
	Partial    bool     `json:"partial,omitempty"`
}

// Limits on a page.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Service searches. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	keys     *seal.Keyring
	intake   *intake.Service
	casework *casework.Service
	log      *slog.Logger
	// Window is how many reports having a query's rarest word a page's
	// walk examines at most when that word is common (0:
	// store.SearchWindow); tests set it small.
	Window int
	// SpillDir is where a rebuild keeps its temporary files (package
	// spill): the data directory, not a temporary file system that may
	// be memory. "": the system's temporary directory. Set once before
	// use.
	SpillDir string
}

// New returns a search service.
func New(db *store.DB, keys *seal.Keyring, in *intake.Service, cw *casework.Service, logger *slog.Logger) *Service {
	return &Service{db: db, keys: keys, intake: in, casework: cw, log: logger}
}

// SearchTerms returns a report's rows of the index: the hashed terms of
// its texts and of its subjects' names (intake.Indexer).
func (s *Service) SearchTerms(orgID, reportID string, texts, subjects []string) []store.SearchTerm {
	h := s.keys.SearchHasher(orgID)
	var out []store.SearchTerm
	for _, f := range []struct {
		field string
		in    []string
	}{{FieldText, texts}, {FieldSubject, subjects}} {
		seen := map[string]bool{}
		for _, t := range f.in {
			for _, term := range Terms(t) {
				if !seen[term] {
					seen[term] = true
					out = append(out, store.SearchTerm{Term: h.Term(f.field, term), ReportID: reportID})
				}
			}
		}
	}
	return out
}

// hashes returns the hashes of terms in field for organisation orgID.
func (s *Service) hashes(orgID, field string, terms []string) [][]byte {
	h := s.keys.SearchHasher(orgID)
	out := make([][]byte, len(terms))
	for i, t := range terms {
		out[i] = h.Term(field, t)
	}
	return out
}

// handleKinds are the kinds a bare name may be a handle of.
var handleKinds = []extract.Kind{extract.KindTelegram, extract.KindLine, extract.KindInstagram, extract.KindTikTok, extract.KindFacebook, extract.KindWeChat}

// identifierIDs returns the link index ids of the identifiers the query
// may be: read as the extractor reads a typed identifier, with no region
// and with region (the organisation's country) for national phone
// numbers, and a bare name as a handle of every kind.
func (s *Service) identifierIDs(q *Query, region string) []string {
	var out []string
	add := func(kind extract.Kind, value string) {
		id := s.keys.BlindIndex(string(kind), value)
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, reg := range []string{"", region} {
		h, ok := extract.Query(q.Raw, reg)
		if !ok {
			continue
		}
		add(h.Kind, h.Value)
		if h.Kind == extract.KindTelegram && h.Confidence < 1 {
			for _, k := range handleKinds {
				if v, ok := extract.Normalize(k, strings.TrimPrefix(q.Raw, "@"), reg); ok {
					add(k, v.Value)
				}
			}
		}
		if region == "" {
			break
		}
	}
	return out
}

// hit is a candidate result before it is checked and titled.
type hit struct {
	kind, id string
}

// Search returns a page of what a may read that matches query, ranked by
// what matched (tracking code, ID, identifier, subject, text) and newest
// first within each. limit 0 is DefaultLimit; cursor "" is the first page,
// else a NextCursor of the same query. A result a may not read is left
// out as if it did not exist.
func (s *Service) Search(ctx context.Context, a auth.Actor, query string, limit int, cur string) (*Page, error) {
	if !auth.Can(a, auth.Search, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 1 || limit > MaxLimit {
		return nil, invalid.Field("limit", "invalid_value", "must be a whole number from 1 to %d", MaxLimit)
	}
	q, err := Parse(query)
	if err != nil {
		return nil, err
	}
	c, err := parseCursor(cur)
	if err != nil {
		return nil, err
	}
	if a.Role == auth.Partner {
		return s.partnerSearch(ctx, a, q, limit, c)
	}
	return s.staffSearch(ctx, a, q, limit, c)
}

// pager collects a page: up to limit results, and one more to know there is
// a next page.
type pager struct {
	limit int
	page  Page
	last  cursor
	more  bool
}

func (p *pager) add(stage int, r Result) bool {
	if len(p.page.Results) == p.limit {
		p.more = true
		return false
	}
	r.Matched = matched[stage]
	p.page.Results = append(p.page.Results, r)
	p.last = cursor{stage: stage, id: r.ID}
	return true
}

// partial ends a page that a bounded walk left short: the next page goes
// on at stage with the reports before id.
func (p *pager) partial(stage int, id string) {
	p.more = true
	p.last = cursor{stage: stage, id: id}
	p.page.Partial = true
}

func (p *pager) done() *Page {
	if p.page.Results == nil {
		p.page.Results = []Result{}
	}
	if p.more {
		p.page.NextCursor = p.last.encode()
	}
	return &p.page
}

// staffSearch searches a's organisation through the indexes.
func (s *Service) staffSearch(ctx context.Context, a auth.Actor, q *Query, limit int, c cursor) (*Page, error) {
	rd := s.db.Read()
	region := ""
	if org, err := rd.GetOrganisation(ctx, a.OrgID); err == nil {
		region = org.Country
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	idents := s.identifierIDs(q, region)
	subjects := s.hashes(a.OrgID, FieldSubject, q.Terms)
	texts := s.hashes(a.OrgID, FieldText, q.Terms)

	// fetch lists a stage's candidates before after, newest first. A
	// subject or text stage whose walk stopped at store.SearchWindow sets
	// stopped to where it stopped.
	var stopped string
	fetch := func(stage int, after string, n int) ([]hit, error) {
		var ids []string
		var err error
		stopped = ""
		switch stage {
		case stageTrackingCode:
			if q.TrackingCode == "" {
				return nil, nil
			}
			r, err := rd.GetReportByTrackingCode(ctx, q.TrackingCode)
			if errors.Is(err, store.ErrNotFound) || err == nil && (r.OrgID != a.OrgID || after != "" && r.ID >= after) {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			return []hit{{KindReport, r.ID}}, nil
		case stageID:
			if q.IDLo == "" {
				return nil, nil
			}
			rs, err := rd.IDsInRange(ctx, "reports", a.OrgID, q.IDLo, q.IDHi, after, n)
			if err != nil {
				return nil, err
			}
			cs, err := rd.IDsInRange(ctx, "cases", a.OrgID, q.IDLo, q.IDHi, after, n)
			if err != nil {
				return nil, err
			}
			return mergeDesc(rs, cs, n), nil
		case stageIdentifier:
			ids, err = rd.ReportsByIdentifiers(ctx, a.OrgID, idents, after, n)
		case stageSubject:
			ids, stopped, err = rd.SearchReports(ctx, subjects, after, n, s.Window)
		case stageText:
			ids, stopped, err = rd.SearchReports(ctx, texts, after, n, s.Window)
		}
		if err != nil {
			return nil, err
		}
		out := make([]hit, len(ids))
		for i, id := range ids {
			out[i] = hit{KindReport, id}
		}
		return out, nil
	}

	// earlier reports which of a stage's report candidates an earlier stage
	// finds, so each result is listed once, at its best rank.
	earlier := func(stage int, hs []hit) (map[string]bool, error) {
		seen := map[string]bool{}
		var ids []string
		for _, h := range hs {
			if h.kind != KindReport {
				continue
			}
			ids = append(ids, h.id)
			if stage > stageID && q.IDLo != "" && h.id >= q.IDLo && h.id < q.IDHi {
				seen[h.id] = true
			}
		}
		if stage > stageIdentifier {
			m, err := rd.ReportsWithIdentifiers(ctx, idents, ids)
			if err != nil {
				return nil, err
			}
			for id := range m {
				seen[id] = true
			}
		}
		if stage > stageSubject {
			m, err := rd.ReportsWithTerms(ctx, subjects, ids)
			if err != nil {
				return nil, err
			}
			for id := range m {
				seen[id] = true
			}
		}
		return seen, nil
	}

	p := &pager{limit: limit}
	batch := limit + 1
	for stage := c.stage; stage < nStages && !p.more; stage++ {
		after := ""
		if stage == c.stage {
			after = c.id
		}
		for !p.more {
			hs, err := fetch(stage, after, batch)
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			seen, err := earlier(stage, hs)
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			if err := s.page(ctx, a, p, q, stage, hs, func(h hit) bool { return seen[h.id] }); err != nil {
				return nil, err
			}
			if stopped != "" && !p.more {
				// The walk stopped before the page was full: this page
				// ends here, and the next goes on from where it stopped.
				p.partial(stage, stopped)
				break
			}
			if len(hs) < batch {
				break
			}
			after = hs[len(hs)-1].id
		}
	}
	return p.done(), nil
}

// page adds the results of a stage's hits hs to p in order, passing over
// those skip names and those a may not see, until p is full.
func (s *Service) page(ctx context.Context, a auth.Actor, p *pager, q *Query, stage int, hs []hit, skip func(hit) bool) error {
	for _, h := range hs {
		if skip(h) {
			continue
		}
		r, ok, err := s.result(ctx, a, h, stage, q)
		if err != nil {
			return err
		}
		if ok && !p.add(stage, r) {
			return nil
		}
	}
	return nil
}

// result checks that a may read a candidate and titles it. ok is false for
// what a may not read, and for a report found at a later stage whose
// tracking code the query is (found at the first).
func (s *Service) result(ctx context.Context, a auth.Actor, h hit, stage int, q *Query) (Result, bool, error) {
	if h.kind == KindCase {
		title, err := s.casework.Title(ctx, a, h.id)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, auth.ErrForbidden) {
			return Result{}, false, nil
		}
		if err != nil {
			return Result{}, false, fmt.Errorf("search: case %s: %w", h.id, err)
		}
		return Result{Kind: KindCase, ID: h.id, Title: title}, true, nil
	}
	r, err := s.intake.Authorize(ctx, a, h.id, auth.ReadReport)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, auth.ErrForbidden) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, fmt.Errorf("search: report %s: %w", h.id, err)
	}
	if stage > stageTrackingCode && q.TrackingCode != "" && r.TrackingCode == q.TrackingCode {
		return Result{}, false, nil
	}
	title := r.TrackingCode
	if a.Role == auth.Partner {
		title = partnerReportTitle(r.ID)
	}
	return Result{Kind: KindReport, ID: r.ID, Title: title}, true, nil
}

// partnerReportTitle is a report's title for a partner, which sees no
// tracking code: like a case's neutral title, from the ID's random tail.
func partnerReportTitle(id string) string {
	return "Report " + id[max(0, len(id)-8):]
}

// mergeDesc merges two lists of ids sorted newest first (report and case
// ids never collide: both are UUIDv7) and keeps the first n.
func mergeDesc(reports, cases []string, n int) []hit {
	out := make([]hit, 0, min(n, len(reports)+len(cases)))
	i, j := 0, 0
	for len(out) < n && (i < len(reports) || j < len(cases)) {
		if j >= len(cases) || i < len(reports) && reports[i] > cases[j] {
			out = append(out, hit{KindReport, reports[i]})
			i++
		} else {
			out = append(out, hit{KindCase, cases[j]})
			j++
		}
	}
	return out
}
