package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/vigil-project/vigil/internal/gazetteer"
	"github.com/vigil-project/vigil/internal/store"
)

// Place resolves a place name against the gazetteer: the reference a report
// stores, with the gazetteer's ID and country when it knows the name (in any
// of its scripts), else the name alone. Intake resolves every place once,
// when the report is written, so that the store counts and filters by the
// ID without knowing the gazetteer.
func Place(name string) store.PlaceRef {
	ref := store.PlaceRef{Name: name}
	if p, ok := gazetteer.Default().Lookup(name); ok {
		ref.PlaceID, ref.Country = p.ID, p.Country
	}
	return ref
}

// resolved is p as Place resolves its name; a reference already resolved is
// kept as it is.
func resolved(p store.PlaceRef) store.PlaceRef {
	if p.PlaceID != "" {
		return p
	}
	return Place(p.Name)
}

// Region is the region a report's national phone numbers (written without a
// country code) are read in: the report's country, else the country of the
// first of its places the gazetteer knows, else its organisation's country
// (which may be empty: then only international numbers are read).
func Region(country string, places []store.PlaceRef, orgCountry string) string {
	if country != "" {
		return country
	}
	for _, p := range places {
		if p = resolved(p); p.Country != "" {
			return p.Country
		}
	}
	return orgCountry
}

// placeMatch returns the store's filter for reports naming the place name:
// its gazetteer ID when the gazetteer knows it (so that any of its names
// matches) and the folded text (so that a part of a name as typed matches).
func placeMatch(name string) (key, text string) {
	return Place(name).PlaceID, store.FoldPlace(name)
}

// ResolveStoredPlaces resolves the places of stored reports again by name
// whenever the gazetteer changed since the database was last resolved —
// and so once for reports written before intake resolved places (they hold
// names only) —, and has the store recount what it derives from places.
// The server runs it before it serves, as it seals audit reasons stored in
// plaintext: a backfill rather than a fallback at read time, because the
// store's own recounts (the migrations' fills, store.Q.RecountStats) read
// places as stored, and the store must not know the gazetteer.
func ResolveStoredPlaces(ctx context.Context, db *store.DB, log *slog.Logger) error {
	version, err := gazetteerVersion()
	if err != nil {
		return fmt.Errorf("intake: resolve stored places: %w", err)
	}
	n, err := db.ResolvePlaces(ctx, version, func(p store.PlaceRef) store.PlaceRef { return Place(p.Name) })
	if err != nil {
		return fmt.Errorf("intake: resolve stored places: %w", err)
	}
	if n > 0 {
		log.InfoContext(ctx, "intake: resolved the places of reports stored before places were resolved at intake", "reports", n)
	}
	return nil
}

// gazetteerVersion names the gazetteer's content: a hash of its places.
func gazetteerVersion() (string, error) {
	b, err := json.Marshal(gazetteer.Default().All())
	if err != nil {
		return "", fmt.Errorf("gazetteer version: %w", err)
	}
	sum := sha256.Sum256(b)
	return "gazetteer:" + hex.EncodeToString(sum[:8]), nil
}
