package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Watchlist is a sanctions or watch list as imported.
type Watchlist struct {
	Name   string
	Format string
	// Source is where the current version was read from (a path).
	Source string
	// Version counts the imports that changed the list.
	Version   int
	Entries   int
	CreatedAt int64
	UpdatedAt int64
}

// WatchlistVersion records what one import changed.
type WatchlistVersion struct {
	List                    string
	Version                 int
	Format                  string
	Source                  string
	Entries                 int
	Added, Changed, Removed int
	ImportedAt              int64
}

// WatchlistAlias is another name of a watch-list entry.
type WatchlistAlias struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
	Weak bool   `json:"weak,omitempty"`
}

// WatchlistEntry is one entry of a list as stored.
type WatchlistEntry struct {
	List       string
	ID         string
	Name       string
	Type       string
	Aliases    []WatchlistAlias
	BirthDates []string
	Countries  []string
	Programs   []string
	Remarks    string
	// Hash is the digest of the entry's content.
	Hash string
	// Version is the list version that last changed the entry.
	Version int
}

// ScreeningHit is a report subject that matched a watch-list entry.
type ScreeningHit struct {
	ID          string
	ReportID    string
	Subject     string
	SubjectType string
	List        string
	EntryID     string
	EntryName   string
	EntryHash   string
	ListVersion int
	// Score is in ten-thousandths.
	Score int
	Why   string
	// Status is "pending", "confirmed" or "dismissed".
	Status     string
	ReviewerID string
	Note       string
	ReviewedAt int64
	// ReviewedHash is the entry's hash when the hit was last reviewed.
	ReviewedHash string
	CreatedAt    int64
	UpdatedAt    int64
}

// ReportSubjects is a report's ID with the subjects it names.
type ReportSubjects struct {
	ReportID string
	Subjects []Subject
}

const watchlistCols = `name, format, source, version, entries, created_at, updated_at`

func scanWatchlist(row interface{ Scan(...any) error }) (*Watchlist, error) {
	var w Watchlist
	err := row.Scan(&w.Name, &w.Format, &w.Source, &w.Version, &w.Entries, &w.CreatedAt, &w.UpdatedAt)
	return &w, err
}

// GetWatchlist returns the list called name.
func (q Q) GetWatchlist(ctx context.Context, name string) (*Watchlist, error) {
	v, err := scanWatchlist(q.q.QueryRowContext(ctx, `SELECT `+watchlistCols+` FROM watchlists WHERE name = $1`, name))
	return found(v, err, "watchlist", name)
}

// ListWatchlists returns every list, by name.
func (q Q) ListWatchlists(ctx context.Context) ([]*Watchlist, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+watchlistCols+` FROM watchlists ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list watchlists: %w", err)
	}
	defer rows.Close()
	var out []*Watchlist
	for rows.Next() {
		w, err := scanWatchlist(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list watchlists: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// PutWatchlist inserts a list, or updates it when it exists.
func (q Q) PutWatchlist(ctx context.Context, w *Watchlist) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO watchlists (`+watchlistCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7)
		ON CONFLICT (name) DO UPDATE SET format = $2, source = $3, version = $4, entries = $5, updated_at = $7`,
		w.Name, w.Format, w.Source, w.Version, w.Entries, w.CreatedAt, w.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: put watchlist %s: %w", w.Name, err)
	}
	return nil
}

// PutWatchlistVersion records an import.
func (q Q) PutWatchlistVersion(ctx context.Context, v *WatchlistVersion) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO watchlist_versions (list_name, version, format, source, entries, added, changed, removed, imported_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		v.List, v.Version, v.Format, v.Source, v.Entries, v.Added, v.Changed, v.Removed, v.ImportedAt)
	if isUnique(err) {
		return fmt.Errorf("store: watchlist %s version %d: %w", v.List, v.Version, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put watchlist version: %w", err)
	}
	return nil
}

// ListWatchlistVersions returns a list's versions, newest first.
func (q Q) ListWatchlistVersions(ctx context.Context, list string) ([]*WatchlistVersion, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT list_name, version, format, source, entries, added, changed, removed, imported_at
		FROM watchlist_versions WHERE list_name = $1 ORDER BY version DESC`, list)
	if err != nil {
		return nil, fmt.Errorf("store: list watchlist versions: %w", err)
	}
	defer rows.Close()
	var out []*WatchlistVersion
	for rows.Next() {
		var v WatchlistVersion
		if err := rows.Scan(&v.List, &v.Version, &v.Format, &v.Source, &v.Entries, &v.Added, &v.Changed, &v.Removed, &v.ImportedAt); err != nil {
			return nil, fmt.Errorf("store: list watchlist versions: %w", err)
		}
		out = append(out, &v)
	}
	return out, rows.Err()
}

// WatchlistEntryHashes returns the hash of every entry of a list by entry
// ID.
func (q Q) WatchlistEntryHashes(ctx context.Context, list string) (map[string]string, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT entry_id, hash FROM watchlist_entries WHERE list_name = $1`, list)
	if err != nil {
		return nil, fmt.Errorf("store: watchlist hashes: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, h string
		if err := rows.Scan(&id, &h); err != nil {
			return nil, fmt.Errorf("store: watchlist hashes: %w", err)
		}
		out[id] = h
	}
	return out, rows.Err()
}

const entryCols = `list_name, entry_id, name, type, aliases, birth_dates, countries, programs, remarks, hash, version`

// entryBatch is how many entries one INSERT writes (11 parameters each,
// well under both engines' limits).
const entryBatch = 250

// PutWatchlistEntries inserts entries, replacing any with the same list
// and ID.
func (q Q) PutWatchlistEntries(ctx context.Context, es []*WatchlistEntry) error {
	for len(es) > 0 {
		n := min(len(es), entryBatch)
		var b strings.Builder
		b.WriteString(`INSERT INTO watchlist_entries (` + entryCols + `) VALUES `)
		args := make([]any, 0, n*11)
		for i, e := range es[:n] {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("(")
			for j := 0; j < 11; j++ {
				if j > 0 {
					b.WriteString(",")
				}
				b.WriteString("$" + strconv.Itoa(len(args)+j+1))
			}
			b.WriteString(")")
			args = append(args, e.List, e.ID, e.Name, e.Type, mustJSON(nonNil(e.Aliases)), mustJSON(nonNil(e.BirthDates)),
				mustJSON(nonNil(e.Countries)), mustJSON(nonNil(e.Programs)), e.Remarks, e.Hash, e.Version)
		}
		b.WriteString(` ON CONFLICT (list_name, entry_id) DO UPDATE SET name = excluded.name, type = excluded.type,
			aliases = excluded.aliases, birth_dates = excluded.birth_dates, countries = excluded.countries,
			programs = excluded.programs, remarks = excluded.remarks, hash = excluded.hash, version = excluded.version`)
		if _, err := q.q.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store: put watchlist entries: %w", err)
		}
		es = es[n:]
	}
	return nil
}

// DeleteWatchlistEntries removes entries of a list by ID.
func (q Q) DeleteWatchlistEntries(ctx context.Context, list string, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := []any{list}
		ph := make([]string, n)
		for i, id := range ids[:n] {
			args = append(args, id)
			ph[i] = "$" + strconv.Itoa(i+2)
		}
		if _, err := q.q.ExecContext(ctx, `DELETE FROM watchlist_entries WHERE list_name = $1 AND entry_id IN (`+strings.Join(ph, ",")+`)`, args...); err != nil {
			return fmt.Errorf("store: delete watchlist entries: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

// EachWatchlistEntry calls fn with every entry of a list, by ID.
func (q Q) EachWatchlistEntry(ctx context.Context, list string, fn func(*WatchlistEntry) error) error {
	rows, err := q.q.QueryContext(ctx, `SELECT `+entryCols+` FROM watchlist_entries WHERE list_name = $1 ORDER BY entry_id`, list)
	if err != nil {
		return fmt.Errorf("store: watchlist entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e WatchlistEntry
		var aliases, dobs, countries, programs string
		if err := rows.Scan(&e.List, &e.ID, &e.Name, &e.Type, &aliases, &dobs, &countries, &programs, &e.Remarks, &e.Hash, &e.Version); err != nil {
			return fmt.Errorf("store: watchlist entries: %w", err)
		}
		for _, f := range []struct {
			s string
			v any
		}{{aliases, &e.Aliases}, {dobs, &e.BirthDates}, {countries, &e.Countries}, {programs, &e.Programs}} {
			if err := json.Unmarshal([]byte(f.s), f.v); err != nil {
				return fmt.Errorf("store: watchlist %s entry %s: %w", list, e.ID, err)
			}
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}

const hitCols = `id, report_id, subject, subject_type, list_name, entry_id, entry_name, entry_hash, list_version, score, why, status, reviewer_id, note, reviewed_at, reviewed_hash, created_at, updated_at`

func scanHit(row interface{ Scan(...any) error }) (*ScreeningHit, error) {
	var h ScreeningHit
	err := row.Scan(&h.ID, &h.ReportID, &h.Subject, &h.SubjectType, &h.List, &h.EntryID, &h.EntryName, &h.EntryHash,
		&h.ListVersion, &h.Score, &h.Why, &h.Status, &h.ReviewerID, &h.Note, &h.ReviewedAt, &h.ReviewedHash, &h.CreatedAt, &h.UpdatedAt)
	return &h, err
}

// PutScreeningHits inserts new hits, one statement for many (a screening
// batch's).
func (q Q) PutScreeningHits(ctx context.Context, hs []*ScreeningHit) error {
	rows := make([][]any, len(hs))
	for k, h := range hs {
		rows[k] = []any{h.ID, h.ReportID, h.Subject, h.SubjectType, h.List, h.EntryID, h.EntryName, h.EntryHash, h.ListVersion, h.Score, h.Why,
			h.Status, h.ReviewerID, h.Note, h.ReviewedAt, h.ReviewedHash, h.CreatedAt, h.UpdatedAt}
	}
	return q.insertMany(ctx, "screening_hits", hitCols, rows)
}

// PutScreeningHit inserts a hit.
func (q Q) PutScreeningHit(ctx context.Context, h *ScreeningHit) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO screening_hits (`+hitCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
		h.ID, h.ReportID, h.Subject, h.SubjectType, h.List, h.EntryID, h.EntryName, h.EntryHash, h.ListVersion, h.Score, h.Why,
		h.Status, h.ReviewerID, h.Note, h.ReviewedAt, h.ReviewedHash, h.CreatedAt, h.UpdatedAt)
	if isUnique(err) {
		return fmt.Errorf("store: screening hit %s: %w", h.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put screening hit: %w", err)
	}
	return nil
}

// UpdateScreeningHit writes every field of a hit but its ID, report,
// subject, list and entry.
func (q Q) UpdateScreeningHit(ctx context.Context, h *ScreeningHit) error {
	res, err := q.q.ExecContext(ctx, `UPDATE screening_hits SET subject_type = $1, entry_name = $2, entry_hash = $3, list_version = $4,
		score = $5, why = $6, status = $7, reviewer_id = $8, note = $9, reviewed_at = $10, reviewed_hash = $11, updated_at = $12 WHERE id = $13`,
		h.SubjectType, h.EntryName, h.EntryHash, h.ListVersion, h.Score, h.Why, h.Status, h.ReviewerID, h.Note, h.ReviewedAt,
		h.ReviewedHash, h.UpdatedAt, h.ID)
	if err != nil {
		return fmt.Errorf("store: update screening hit: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: screening hit %s: %w", h.ID, ErrNotFound)
	}
	return nil
}

// DeleteScreeningHit removes a hit.
func (q Q) DeleteScreeningHit(ctx context.Context, id string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM screening_hits WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: delete screening hit: %w", err)
	}
	return nil
}

// GetScreeningHit returns the hit with id.
func (q Q) GetScreeningHit(ctx context.Context, id string) (*ScreeningHit, error) {
	v, err := scanHit(q.q.QueryRowContext(ctx, `SELECT `+hitCols+` FROM screening_hits WHERE id = $1`, id))
	return found(v, err, "screening hit", id)
}

// ScreeningHitsByReport returns the hits of the given reports, by report,
// then best score first.
func (q Q) ScreeningHitsByReport(ctx context.Context, reportIDs []string) ([]*ScreeningHit, error) {
	var out []*ScreeningHit
	for len(reportIDs) > 0 {
		n := min(len(reportIDs), 500)
		in, args := q.inList("report_id", reportIDs[:n], 1)
		rows, err := q.q.QueryContext(ctx, `SELECT `+hitCols+` FROM screening_hits WHERE `+in+`
			ORDER BY report_id, score DESC, id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: screening hits: %w", err)
		}
		for rows.Next() {
			h, err := scanHit(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: screening hits: %w", err)
			}
			out = append(out, h)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: screening hits: %w", err)
		}
		reportIDs = reportIDs[n:]
	}
	return out, nil
}

// ListReportSubjects returns the subjects of reports that are not erased
// and name at least one, in ID order after the keyset cursor after, at
// most limit reports.
func (q Q) ListReportSubjects(ctx context.Context, after string, limit int) ([]ReportSubjects, error) {
	if limit <= 0 {
		limit = 500
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, subjects FROM reports WHERE erased_at = 0 AND subjects <> '[]' AND id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: report subjects: %w", err)
	}
	defer rows.Close()
	var out []ReportSubjects
	for rows.Next() {
		var r ReportSubjects
		var s string
		if err := rows.Scan(&r.ReportID, &s); err != nil {
			return nil, fmt.Errorf("store: report subjects: %w", err)
		}
		if err := json.Unmarshal([]byte(s), &r.Subjects); err != nil {
			return nil, fmt.Errorf("store: report %s subjects: %w", r.ReportID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
