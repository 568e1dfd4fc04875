package store

import "context"

// RefillStats empties the statistics roll-up and the incident-type index
// and fills them again the way migration 0007 does, for tests of that fill.
func (db *DB) RefillStats(ctx context.Context) error {
	return db.Tx(ctx, func(q Q) error {
		for _, table := range []string{"report_stats", "report_incident_types"} {
			if _, err := q.q.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				return err
			}
		}
		return fillStats(ctx, q)
	})
}
