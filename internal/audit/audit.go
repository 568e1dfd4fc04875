// Package audit records who changed what and who read sealed data, in the
// same transaction as the change itself, and lists each organisation its
// own trail.
package audit

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// Record appends an audit event inside q's transaction. detail, if not nil,
// is stored as JSON; it must never hold sealed values. The event goes into
// the trail of the organisation that owns the resource (found in q, so a
// resource created in the same transaction is found), or the actor's when
// the resource has none; the actor is recorded as it is.
func Record(ctx context.Context, q store.Q, a auth.Actor, action, resourceType, resourceID, reason string, detail any) error {
	d := ""
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		d = string(b)
	}
	org, err := q.AuditOrg(ctx, resourceType, resourceID)
	if errors.Is(err, store.ErrNotFound) {
		org = a.OrgID
	} else if err != nil {
		return err
	}
	return q.PutAuditEvent(ctx, &store.AuditEvent{
		ID:           store.NewID(),
		At:           store.Now(),
		ActorID:      a.UserID,
		ActorOrgID:   a.OrgID,
		OrgID:        org,
		Action:       action,
		ResourceType: resourceType,
		ResourceID:   resourceID,
		Reason:       reason,
		Detail:       d,
	})
}

// List returns the audit events a may read, newest first, narrowed by f:
// for an organisation's admins and coordinators its own trail (events on
// its resources and events by its members); for an operator the
// instance's events (on organisations themselves, or belonging to none).
// f's OrgID and Instance are set here, whatever the caller put there.
func List(ctx context.Context, q store.Q, a auth.Actor, f store.AuditFilter) ([]*store.AuditEvent, error) {
	switch {
	case auth.Can(a, auth.ReadAudit, auth.Resource{OrgID: a.OrgID}):
		f.OrgID, f.Instance = a.OrgID, false
	case auth.Can(a, auth.ReadOrgAudit, auth.Resource{}):
		f.OrgID, f.Instance = "", true
	default:
		return nil, invalid.ErrForbidden
	}
	return q.ListAuditEvents(ctx, f)
}
