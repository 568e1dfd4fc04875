package store

import "context"

// SetPlacesJSON overwrites a report's stored places and nothing derived
// from them: the rows a version that did not resolve places left (it kept
// names only and derived the gazetteer's keys itself).
func (db *DB) SetPlacesJSON(ctx context.Context, reportID, places string) error {
	_, err := db.w.ExecContext(ctx, `UPDATE reports SET places = $1 WHERE id = $2`, places, reportID)
	return err
}

// SetPlacesRecountPending leaves the instance setting as a ResolvePlaces
// cut short after changing reports leaves it.
func (db *DB) SetPlacesRecountPending(ctx context.Context) error {
	return Q{q: db.w, engine: db.Engine}.setInstance(ctx, placesResolved, recountPending)
}
