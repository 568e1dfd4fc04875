package search

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
)

// partnerSearch searches what was referred to a partner's organisation:
// the referred cases and their reports by ID, and a report by its subjects'
// names or its statements' words only where a referral shares them with
// the partner (subjects, statements). A partner sees no tracking code and
// reads no link index, so those stages find nothing for it. The referred
// set is small, so every match is computed and then paged.
func (s *Service) partnerSearch(ctx context.Context, a auth.Actor, q *Query, limit int, c cursor) (*Page, error) {
	rd := s.db.Read()
	referred, err := rd.ReferredCases(ctx, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var found [nStages][]hit
	have := map[string]bool{}
	addHit := func(stage int, h hit) {
		if !have[h.id] {
			have[h.id] = true
			found[stage] = append(found[stage], h)
		}
	}
	inRange := func(id string) bool { return q.IDLo != "" && id >= q.IDLo && id < q.IDHi }
	// Readable reports, by owning organisation, with what is shared.
	type rep struct {
		id     string
		shared []string
	}
	byOrg := map[string][]rep{}
	seenReport := map[string]bool{}
	var caseIDs []string
	for cid, rids := range referred {
		caseIDs = append(caseIDs, cid)
		for _, rid := range rids {
			if seenReport[rid] {
				continue
			}
			seenReport[rid] = true
			r, err := rd.GetReport(ctx, rid)
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			res, _, err := intake.Access(ctx, rd, a, r)
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			if !auth.Can(a, auth.ReadReport, res) {
				continue
			}
			byOrg[r.OrgID] = append(byOrg[r.OrgID], rep{id: r.ID, shared: res.Shared})
		}
	}
	for _, cid := range caseIDs {
		if inRange(cid) {
			addHit(stageID, hit{KindCase, cid})
		}
	}
	for _, reps := range byOrg {
		for _, r := range reps {
			if inRange(r.id) {
				addHit(stageID, hit{KindReport, r.id})
			}
		}
	}
	if len(q.Terms) > 0 {
		orgs := make([]string, 0, len(byOrg))
		for o := range byOrg {
			orgs = append(orgs, o)
		}
		slices.Sort(orgs)
		for _, f := range []struct {
			stage int
			field string
			share string
		}{{stageSubject, FieldSubject, intake.ShareSubjects}, {stageText, FieldText, intake.ShareStatements}} {
			for _, org := range orgs {
				var ids []string
				for _, r := range byOrg[org] {
					if slices.Contains(r.shared, f.share) {
						ids = append(ids, r.id)
					}
				}
				m, err := rd.ReportsWithTerms(ctx, s.hashes(org, f.field, q.Terms), ids)
				if err != nil {
					return nil, fmt.Errorf("search: %w", err)
				}
				for _, id := range ids {
					if m[id] {
						addHit(f.stage, hit{KindReport, id})
					}
				}
			}
		}
	}
	p := &pager{limit: limit}
	for stage := c.stage; stage < nStages && !p.more; stage++ {
		hs := found[stage]
		slices.SortFunc(hs, func(x, y hit) int { return strings.Compare(y.id, x.id) })
		err := s.page(ctx, a, p, q, stage, hs, func(h hit) bool { return stage == c.stage && c.id != "" && h.id >= c.id })
		if err != nil {
			return nil, err
		}
	}
	return p.done(), nil
}

// interface check: the search service is intake's indexer.
var _ intake.Indexer = (*Service)(nil)
