// Package audit records who changed what and who read sealed data, in the
// same transaction as the change itself, and lists each organisation its
// own trail. The reason an actor gives (why a report was revealed or
// erased, why a case was reopened) often names people: it is stored sealed
// under a key derived from the master key, never in plaintext, and opened
// only for the readers of the trail.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
)

// Sealer seals and opens audit reasons, bound to their event's id.
// *seal.Keyring implements it with a key derived from the master key — not
// a report's data key, so erasing a report leaves the reason for erasing
// it readable.
type Sealer interface {
	SealAudit(eventID, reason string) []byte
	OpenAudit(eventID string, sealed []byte) (string, error)
}

// Record appends an audit event that gives no reason inside q's
// transaction. detail, if not nil, is stored as JSON; it must never hold
// sealed values. The event goes into the trail of the organisation that
// owns the resource (found in q, so a resource created in the same
// transaction is found), or the actor's when the resource has none; the
// actor is recorded as it is.
func Record(ctx context.Context, q store.Q, a auth.Actor, action, resourceType, resourceID string, detail any) error {
	e, err := event(ctx, q, a, action, resourceType, resourceID, detail)
	if err != nil {
		return err
	}
	return q.PutAuditEvent(ctx, e)
}

// RecordReason is [Record] for an event with the reason the actor gave,
// which s seals before it is stored. An empty reason is stored as none.
func RecordReason(ctx context.Context, q store.Q, s Sealer, a auth.Actor, action, resourceType, resourceID, reason string, detail any) error {
	e, err := event(ctx, q, a, action, resourceType, resourceID, detail)
	if err != nil {
		return err
	}
	if reason != "" {
		e.SealedReason = s.SealAudit(e.ID, reason)
	}
	return q.PutAuditEvent(ctx, e)
}

func event(ctx context.Context, q store.Q, a auth.Actor, action, resourceType, resourceID string, detail any) (*store.AuditEvent, error) {
	d := ""
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return nil, fmt.Errorf("audit: %s detail: %w", action, err)
		}
		d = string(b)
	}
	org, err := q.AuditOrg(ctx, resourceType, resourceID)
	if errors.Is(err, store.ErrNotFound) {
		org = a.OrgID
	} else if err != nil {
		return nil, err
	}
	return &store.AuditEvent{
		ID:           store.NewID(),
		At:           store.Now(),
		ActorID:      a.UserID,
		ActorOrgID:   a.OrgID,
		OrgID:        org,
		Action:       action,
		ResourceType: resourceType,
		ResourceID:   resourceID,
		Detail:       d,
	}, nil
}

// List returns the audit events a may read, newest first, narrowed by f,
// with their reasons opened by s: for an organisation's admins and
// coordinators its own trail (events on its resources and events by its
// members); for an operator the instance's events (on organisations
// themselves, or belonging to none). f's OrgID and Instance are set here,
// whatever the caller put there.
func List(ctx context.Context, q store.Q, s Sealer, a auth.Actor, f store.AuditFilter) ([]*store.AuditEvent, error) {
	switch {
	case auth.Can(a, auth.ReadAudit, auth.Resource{OrgID: a.OrgID}):
		f.OrgID, f.Instance = a.OrgID, false
	case auth.Can(a, auth.ReadOrgAudit, auth.Resource{}):
		f.OrgID, f.Instance = "", true
	default:
		return nil, auth.ErrForbidden
	}
	evs, err := q.ListAuditEvents(ctx, f)
	if err != nil {
		return nil, err
	}
	return evs, OpenReasons(s, evs)
}

// OpenReasons opens the sealed reasons of events the caller has already
// authorised its reader for (the case page's history), setting each
// event's Reason. A reason that fails to open is an error: the trail was
// altered.
func OpenReasons(s Sealer, evs []*store.AuditEvent) error {
	for _, e := range evs {
		if e.SealedReason == nil {
			continue
		}
		r, err := s.OpenAudit(e.ID, e.SealedReason)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		e.Reason = r
	}
	return nil
}

// SealStoredReasons seals the reasons stored in plaintext before migration
// 0011. Every process holding the master key runs it when it starts; once
// none is left it costs one index look-up.
func SealStoredReasons(ctx context.Context, db *store.DB, s Sealer, log *slog.Logger) error {
	n, err := db.SealPlaintextReasons(ctx, s.SealAudit)
	if err != nil {
		return fmt.Errorf("audit: seal stored reasons: %w", err)
	}
	if n > 0 {
		log.InfoContext(ctx, "audit: sealed reasons stored in plaintext", "events", n)
	}
	return nil
}
