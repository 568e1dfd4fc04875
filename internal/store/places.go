package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
)

// placesResolved is the instance setting that records the version of the
// resolver (intake's: of the gazetteer) ResolvePlaces last resolved every
// stored report's places with.
const placesResolved = "places_resolved"

// recountPending is the value of places_resolved between the first report
// ResolvePlaces changed and the recount of what is derived from places: a
// run cut short between them leaves it, and the next run recounts even if
// it has no report left to change.
const recountPending = "recount pending"

// resolvePage is how many reports ResolvePlaces reads and updates in one
// transaction.
const resolvePage = 1000

// ResolvePlaces gives the places of every stored report what resolve says
// (intake resolves a name against the gazetteer; the store does not know
// it), and makes the place-derived rows (report_places, the place dimension
// of report_stats) agree with the result: for reports written before intake
// resolved places (they hold names only), and after the resolver changed.
// It runs once per resolver version: the instance setting places_resolved
// records the version it finished with, and a run cut short is finished by
// the next one (resolving is idempotent; see recountPending). It returns
// how many reports changed.
func (db *DB) ResolvePlaces(ctx context.Context, version string, resolve func(PlaceRef) PlaceRef) (int, error) {
	done, ok, err := db.InstanceValue(ctx, placesResolved)
	if err != nil || (ok && done == version) {
		return 0, err
	}
	recount := done == recountPending
	n, after := 0, ""
	for {
		read := 0
		err := db.Tx(ctx, func(q Q) error {
			type row struct{ id, places string }
			var rows []row
			err := q.each(ctx, `SELECT id, places FROM reports WHERE id > $1 ORDER BY id LIMIT $2`, []any{after, resolvePage}, func(scan func(...any) error) error {
				var r row
				if err := scan(&r.id, &r.places); err != nil {
					return err
				}
				rows = append(rows, r)
				return nil
			})
			if err != nil {
				return fmt.Errorf("store: resolve places: %w", err)
			}
			read = len(rows)
			for _, r := range rows {
				after = r.id
				var places []PlaceRef
				if err := json.Unmarshal([]byte(r.places), &places); err != nil {
					return fmt.Errorf("store: resolve places: report %s: %w", r.id, err)
				}
				resolved := make([]PlaceRef, len(places))
				for i, p := range places {
					resolved[i] = resolve(p)
				}
				if slices.Equal(places, resolved) {
					continue
				}
				b, err := json.Marshal(resolved)
				if err != nil {
					return fmt.Errorf("store: resolve places: report %s: %w", r.id, err)
				}
				if !recount {
					if err := q.setInstance(ctx, placesResolved, recountPending); err != nil {
						return fmt.Errorf("store: resolve places: %w", err)
					}
					recount = true
				}
				if _, err := q.q.ExecContext(ctx, `UPDATE reports SET places = $1 WHERE id = $2`, string(b), r.id); err != nil {
					return fmt.Errorf("store: resolve places: report %s: %w", r.id, err)
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		if read < resolvePage {
			break
		}
	}
	err = db.Tx(ctx, func(q Q) error {
		if recount {
			if err := q.recountPlaces(ctx); err != nil {
				return err
			}
		}
		if err := q.setInstance(ctx, placesResolved, version); err != nil {
			return fmt.Errorf("store: resolve places: %w", err)
		}
		return nil
	})
	return n, err
}

// setInstance records value for the instance setting name, replacing any.
func (q Q) setInstance(ctx context.Context, name, value string) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO instance (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value, Now()); err != nil {
		return fmt.Errorf("instance %s: %w", name, err)
	}
	return nil
}

// recountPlaces makes report_places and the place dimension of report_stats
// again from the reports' places as stored. Their rows were derived from the
// places when each report was written (or by a migration's fill), perhaps
// under other keys. On PostgreSQL it first locks both tables against writes
// until its commit, so a report written meanwhile is either read here or
// counts itself in after the commit, never both; SQLite has one writer.
func (q Q) recountPlaces(ctx context.Context) error {
	if q.engine == Postgres {
		if _, err := q.q.ExecContext(ctx, `LOCK TABLE report_stats, report_places IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("store: recount places: lock: %w", err)
		}
	}
	for _, stmt := range []string{`DELETE FROM report_places`, `DELETE FROM report_stats WHERE dim = '` + DimPlace + `'`} {
		if _, err := q.q.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("store: recount places: %w", err)
		}
	}
	all, err := q.recount(ctx, "", func(reports []*Report) error {
		return q.insertSmall(ctx, "report_places", placeCols, placeRows(reports))
	})
	if err != nil {
		return err
	}
	places := statCounts{}
	for k, v := range all {
		if k.dim == DimPlace {
			places[k] = v
		}
	}
	return q.addStats(ctx, places)
}
