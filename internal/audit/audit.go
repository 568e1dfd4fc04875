// Package audit records who changed what and who read sealed data, in the
// same transaction as the change itself.
package audit

import (
	"context"
	"encoding/json"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
)

// Record appends an audit event inside q's transaction. detail, if not nil,
// is stored as JSON; it must never hold sealed values.
func Record(ctx context.Context, q store.Q, a auth.Actor, action, resourceType, resourceID, reason string, detail any) error {
	d := ""
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		d = string(b)
	}
	return q.PutAuditEvent(ctx, &store.AuditEvent{
		ID:           store.NewID(),
		At:           store.Now(),
		ActorID:      a.UserID,
		ActorOrgID:   a.OrgID,
		Action:       action,
		ResourceType: resourceType,
		ResourceID:   resourceID,
		Reason:       reason,
		Detail:       d,
	})
}
