package staff

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// ErrSetUp means the first-run setup was refused because the installation
// has an account already.
var ErrSetUp = errors.New("staff: this installation is set up already")

// SetupIn is the first run's setup: the first organisation and its first
// admin. Admin.OrgID and Admin.Role are set by Setup.
type SetupIn struct {
	Org   OrgIn
	Admin UserIn
}

// NeedsSetup reports whether the installation has no account yet, so the
// first-run setup is open.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	has, err := s.db.Read().AnyUser(ctx)
	return !has, err
}

// Setup creates the first organisation and its admin in one transaction,
// audited as the system, once: when any account exists, or another setup
// won the race, it answers ErrSetUp and changes nothing. The admin signs in
// with the password and, as an admin must, enrols a second factor first.
func (s *Service) Setup(ctx context.Context, in *SetupIn) (*OrgView, *UserView, error) {
	o, err := newOrg(&in.Org)
	if err != nil {
		return nil, nil, fieldOf("org.", err)
	}
	in.Admin.OrgID, in.Admin.Role = o.ID, string(auth.Admin)
	u, err := newUser(&in.Admin)
	if err != nil {
		return nil, nil, fieldOf("admin.", err)
	}
	err = s.db.Tx(ctx, func(q store.Q) error {
		if has, err := q.AnyUser(ctx); err != nil {
			return err
		} else if has {
			return ErrSetUp
		}
		if won, err := q.ClaimSetup(ctx); err != nil {
			return err
		} else if !won {
			return ErrSetUp
		}
		if err := putOrg(ctx, q, System, o); err != nil {
			return fieldOf("org.", err)
		}
		return fieldOf("admin.", putUser(ctx, q, System, u))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("staff: setup: %w", err)
	}
	return orgView(o), userView(u), nil
}

// fieldOf names a refused field of err as part of the setup input (org.name,
// admin.email); other errors pass unchanged.
func fieldOf(prefix string, err error) error {
	if fe, ok := invalid.As(err); ok {
		return &invalid.Error{Field: prefix + fe.Field, Code: fe.Code, Message: fe.Message}
	}
	return err
}
