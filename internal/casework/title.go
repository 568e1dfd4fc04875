package casework

import (
	"context"

	"github.com/vigil-project/vigil/internal/auth"
)

// Title returns the title of a case as a may see it (a partner sees the
// neutral one), without loading its reports: for search results. A case a
// may not read is not found.
func (s *Service) Title(ctx context.Context, a auth.Actor, id string) (string, error) {
	c, _, refs, err := s.load(ctx, s.db.Read(), a, id, auth.ReadCase)
	if err != nil {
		return "", err
	}
	v := &CaseView{ID: c.ID, Title: c.Title}
	if a.Role == auth.Partner {
		forPartner(v, partnerTitle(refs, a.OrgID))
	}
	return v.Title, nil
}
