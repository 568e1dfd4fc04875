package staff

import (
	"context"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/zone"
)

// SetTimeZone sets the signed-in user's own time zone (an IANA name; ""
// goes back to the organisation's), audited as user.time_zone.
func (s *Service) SetTimeZone(ctx context.Context, a auth.Actor, name string) (*UserView, error) {
	if name != "" && zone.Check(name) != nil {
		return nil, invalid.Field("time_zone", "invalid_value", "%q is not an IANA time zone name like Asia/Phnom_Penh", name)
	}
	u, err := s.self(ctx, a)
	if err != nil {
		return nil, err
	}
	if u.TimeZone == name {
		return userView(u), nil
	}
	err = s.db.Tx(ctx, func(q store.Q) error {
		if err := q.SetUserTimeZone(ctx, u.ID, name); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "user.time_zone", "user", u.ID, map[string]string{"from": u.TimeZone, "to": name})
	})
	if err != nil {
		return nil, err
	}
	u.TimeZone = name
	return userView(u), nil
}

// Location is the time zone a user sees times in: its own choice, else its
// organisation's, else its organisation's country's, else UTC.
func (s *Service) Location(ctx context.Context, userID string) (*time.Location, error) {
	q := s.db.Read()
	u, err := q.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.TimeZone != "" {
		return zone.Resolve(u.TimeZone, "", ""), nil
	}
	o, err := q.GetOrganisation(ctx, u.OrgID)
	if err != nil {
		return nil, err
	}
	return zone.Resolve("", o.TimeZone, o.Country), nil
}
