package store

import (
	"context"
	"fmt"
	"strings"
)

// RefillAuditOrgs empties every audit event's org_id and runs the UPDATE
// statements of the accounts migration again, for tests of that fill.
func (db *DB) RefillAuditOrgs(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !strings.HasSuffix(m.name, "_accounts.sql") {
			continue
		}
		return db.Tx(ctx, func(q Q) error {
			if _, err := q.q.ExecContext(ctx, `UPDATE audit_events SET org_id = ''`); err != nil {
				return err
			}
			for _, stmt := range splitSQL(db.dialect(m.sql)) {
				if strings.HasPrefix(strings.TrimSpace(stmt), "UPDATE") {
					if _, err := q.q.ExecContext(ctx, stmt); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	return fmt.Errorf("no accounts migration")
}
