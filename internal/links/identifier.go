package links

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/store"
)

// HitReader reads reports' screening hits as the screening service
// decides who may see them (*screen.Service satisfies it): those of the
// reports a may review screening on, keyed by report, the others left out.
type HitReader interface {
	EachReportHits(ctx context.Context, a auth.Actor, reportIDs []string) (map[string][]screen.Hit, error)
}

// IdentifierPage is an identifier with where it was seen, as one actor may
// see it: the reports it may open, each linked, and how many others there
// are (a count, never which).
type IdentifierPage struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Value is empty for a reporter's or victim's contact (Contact): the
	// index holds those blind, and they are read only through an audited
	// reveal of their report.
	Value   string `json:"value"`
	Contact bool   `json:"contact"`
	Side    string `json:"side"`
	Public  bool   `json:"public"`
	// FirstSeen and LastSeen are the months of the first and last report
	// naming it, anywhere (as the case page shows them); for a contact,
	// of the reports listed.
	FirstSeen string `json:"first_seen,omitempty"`
	LastSeen  string `json:"last_seen,omitempty"`
	// Roles are its roles in the reports listed.
	Roles []string `json:"roles"`
	// Reports are the reports naming it that the actor may open, newest
	// first, at most the limit asked for; Readable counts them all.
	Reports  []IdentifierReport `json:"reports"`
	Readable int                `json:"readable"`
	// Hidden counts the reports naming it that the actor may not open;
	// for a contact, only its own organisation's.
	Hidden int `json:"hidden"`
}

// IdentifierReport is one report an identifier was seen in.
type IdentifierReport struct {
	ID         string    `json:"id"`
	ReceivedAt time.Time `json:"received_at"`
	Language   string    `json:"language"`
	Status     string    `json:"status"`
	Role       string    `json:"role,omitempty"`
	CaseIDs    []string  `json:"case_ids"`
	// Hits are the report's screening hits, when the screening service
	// lets the actor see them (else none).
	Hits []screen.Hit `json:"hits"`
	// Lure is the lure check's probability for the report's job ad, when
	// it has one.
	Lure *float64 `json:"lure,omitempty"`
	// LureLevel is the lure check's level for that ad.
	LureLevel string `json:"lure_level,omitempty"`
}

// MaxIdentifierReports bounds the reports an identifier page lists.
const MaxIdentifierReports = 200

// Identifier returns an identifier's page for a, who must read links in
// its own organisation (auth.ReadLinks) and have at least one report of
// its organisation naming it; otherwise the identifier is not found (a
// partner, or an identifier only other organisations hold), or forbidden
// (staff whose role reads no links). It lists at most limit of the
// reports a may open and counts the rest; screening hits come from the
// screening service (Hits, when set) and lure scores from ReportLure, each
// deciding again what a may see.
func (s *Service) Identifier(ctx context.Context, a auth.Actor, id string, limit int) (*IdentifierPage, error) {
	notFound := fmt.Errorf("identifier %s: %w", id, store.ErrNotFound)
	if a.OrgID == "" || a.Role == auth.Partner {
		return nil, notFound
	}
	if !auth.Can(a, auth.ReadLinks, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	if limit <= 0 || limit > MaxIdentifierReports {
		limit = MaxIdentifierReports
	}
	q := s.db.Read()
	i, err := q.GetIdentifier(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	own, err := q.CountOwnOccurrences(ctx, id, a.OrgID)
	if err != nil {
		return nil, err
	}
	all := i.ReportCount
	if own == 0 {
		return nil, notFound
	}
	occ, err := q.OrgOccurrences(ctx, id, a.OrgID, "", limit)
	if err != nil {
		return nil, err
	}
	// Readable starts as the organisation's whole count: whoever reads
	// links (auth.ReadLinks) reads every report of its organisation, so
	// the reports beyond the list are readable; those listed are checked
	// below all the same.
	p := &IdentifierPage{ID: i.ID, Kind: i.Kind, Side: side(i), Public: i.Public(), FirstSeen: month(i.FirstSeen), LastSeen: month(i.LastSeen),
		Roles: []string{}, Reports: []IdentifierReport{}, Readable: own, Hidden: all - own, Contact: i.VictimSide()}
	reportIDs := make([]string, len(occ))
	for k, o := range occ {
		reportIDs[k] = o.ReportID
	}
	// A view's statements are read only for the lure check's job ad:
	// the page shows none.
	ads := map[string]bool{}
	if s.lure != nil {
		if ads, err = s.intake.WithJobAd(ctx, reportIDs); err != nil {
			return nil, err
		}
	}
	views, err := s.intake.GetEach(ctx, a, reportIDs, func(id string) bool { return ads[id] })
	if err != nil {
		return nil, err
	}
	for _, o := range occ {
		v, ok := views[o.ReportID]
		if !ok {
			// Counted with the reports a may not open.
			p.Readable--
			p.Hidden++
			continue
		}
		if o.Role == string(extract.RoleVictimContact) {
			p.Contact = true
		}
		if o.Role != "" && !slices.Contains(p.Roles, o.Role) {
			p.Roles = append(p.Roles, o.Role)
		}
		ir := IdentifierReport{ID: v.ID, ReceivedAt: v.ReceivedAt, Language: v.Language, Status: v.Status, Role: o.Role, CaseIDs: v.CaseIDs, Hits: []screen.Hit{}}
		if s.lure != nil {
			// Only the probability and level are kept: no reason texts.
			lr, err := s.viewLure(ctx, a, v, "en")
			if err != nil {
				return nil, err
			}
			if lr != nil {
				ir.Lure, ir.LureLevel = &lr.Probability, string(lr.Level)
			}
		}
		p.Reports = append(p.Reports, ir)
	}
	if s.Hits != nil && len(p.Reports) > 0 {
		// The listed reports' hits in one question: the screening
		// service leaves out the reports a may not review.
		ids := make([]string, len(p.Reports))
		for k, r := range p.Reports {
			ids[k] = r.ID
		}
		hits, err := s.Hits.EachReportHits(ctx, a, ids)
		if err != nil {
			return nil, err
		}
		for k := range p.Reports {
			if hs, ok := hits[p.Reports[k].ID]; ok {
				p.Reports[k].Hits = hs
			}
		}
	}
	slices.Sort(p.Roles)
	if p.Contact {
		// A victim's or reporter's contact is counted and dated in the
		// caller's organisation only (see ReportIdentifiers): the reports
		// of other organisations naming it are not counted as hidden, and
		// its months are those of the reports listed.
		p.Hidden -= all - own
		p.FirstSeen, p.LastSeen = "", ""
		for _, r := range p.Reports {
			m := month(r.ReceivedAt.UnixMicro())
			if p.FirstSeen == "" || m < p.FirstSeen {
				p.FirstSeen = m
			}
			if m > p.LastSeen {
				p.LastSeen = m
			}
		}
	}
	if !p.Contact {
		if p.Value, err = s.open(i); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// LureProbability is Lure, or 0 when the report has no job ad.
func (r IdentifierReport) LureProbability() float64 {
	if r.Lure == nil {
		return 0
	}
	return *r.Lure
}
