package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// LinkSource is what the link index is computed from for one report: the
// open fields it needs, the report's wrapped data key (nil after erasure)
// and the sealed text of each statement's latest version.
type LinkSource struct {
	ID, OrgID, Country string
	// OrgCountry is the country of the report's organisation.
	OrgCountry    string
	IncidentTypes []string
	Subjects      []Subject
	Places        []PlaceRef
	Sealed        []byte
	ErasedAt      int64
	ReceivedAt    int64
	Wrapped       []byte
	Texts         []SealedText
}

// SealedText is the latest version of one statement, still sealed.
type SealedText struct {
	StatementID string
	Kind        string
	Version     int
	Text        []byte
}

// ScanLinkSources calls fn for every report, in id order, with its wrapped
// key and its statements' latest texts. It streams: two ordered cursors
// (reports, statement versions) merged as they are read.
func (q Q) ScanLinkSources(ctx context.Context, fn func(*LinkSource) error) error {
	return q.scanLinkSources(ctx, nil, fn)
}

// GetLinkSource returns one report's link source (for linking a new
// report: the same reads as a rebuild's, for one report).
func (q Q) GetLinkSource(ctx context.Context, reportID string) (*LinkSource, error) {
	m, err := q.GetLinkSources(ctx, []string{reportID})
	if err != nil {
		return nil, err
	}
	out, ok := m[reportID]
	if !ok {
		return nil, fmt.Errorf("store: report %s: %w", reportID, ErrNotFound)
	}
	return out, nil
}

// GetLinkSources returns the link sources of reports (missing ones are
// left out), keyed by report id: two statements for every 1,000 reports
// (a linking batch's reads).
func (q Q) GetLinkSources(ctx context.Context, reportIDs []string) (map[string]*LinkSource, error) {
	const chunk = 1000
	out := make(map[string]*LinkSource, len(reportIDs))
	for start := 0; start < len(reportIDs); start += chunk {
		chunk := reportIDs[start:min(len(reportIDs), start+chunk)]
		if err := q.scanLinkSources(ctx, chunk, func(s *LinkSource) error { out[s.ID] = s; return nil }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanLinkSources streams every report's link source, or only those of
// reportIDs when it is not nil.
func (q Q) scanLinkSources(ctx context.Context, reportIDs []string, fn func(*LinkSource) error) error {
	textWhere, reportWhere, args := "", "", []any{}
	if reportIDs != nil {
		var in string
		in, args = q.inList("s.report_id", reportIDs, 1)
		textWhere = ` WHERE ` + in
		in, _ = q.inList("r.id", reportIDs, 1)
		reportWhere = ` WHERE ` + in
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type text struct {
		reportID string
		t        SealedText
	}
	texts := make(chan []text, 16)
	textErr := make(chan error, 1)
	go func() {
		defer close(texts)
		rows, err := q.q.QueryContext(ctx, `SELECT s.report_id, s.id, s.kind, v.version, v.text
			FROM statements s JOIN statement_versions v ON v.statement_id = s.id`+textWhere+` ORDER BY s.report_id, s.id, v.version`, args...)
		if err != nil {
			textErr <- fmt.Errorf("store: scan statements: %w", err)
			return
		}
		defer rows.Close()
		batch := make([]text, 0, 256)
		for rows.Next() {
			var t text
			if err := rows.Scan(&t.reportID, &t.t.StatementID, &t.t.Kind, &t.t.Version, &t.t.Text); err != nil {
				textErr <- fmt.Errorf("store: scan statements: %w", err)
				return
			}
			batch = append(batch, t)
			if len(batch) == cap(batch) {
				select {
				case texts <- batch:
				case <-ctx.Done():
					return
				}
				batch = make([]text, 0, 256)
			}
		}
		if err := rows.Err(); err != nil {
			textErr <- fmt.Errorf("store: scan statements: %w", err)
			return
		}
		if len(batch) > 0 {
			select {
			case texts <- batch:
			case <-ctx.Done():
			}
		}
		textErr <- nil
	}()

	rows, err := q.q.QueryContext(ctx, `SELECT r.id, r.org_id, o.country, r.country, r.incident_types, r.subjects, r.places, r.sealed, r.erased_at, r.received_at, k.wrapped
		FROM reports r JOIN organisations o ON o.id = r.org_id LEFT JOIN data_keys k ON k.report_id = r.id`+reportWhere+` ORDER BY r.id`, args...)
	if err != nil {
		return fmt.Errorf("store: scan reports: %w", err)
	}
	defer rows.Close()
	var pending []text // texts read but not yet handed out
	more := true
	next := func() (text, bool) {
		for len(pending) == 0 && more {
			pending, more = <-texts
		}
		if len(pending) == 0 {
			return text{}, false
		}
		return pending[0], true
	}
	for rows.Next() {
		var s LinkSource
		var types, subjects, places string
		if err := rows.Scan(&s.ID, &s.OrgID, &s.OrgCountry, &s.Country, &types, &subjects, &places, &s.Sealed, &s.ErasedAt, &s.ReceivedAt, &s.Wrapped); err != nil {
			return fmt.Errorf("store: scan reports: %w", err)
		}
		if err := json.Unmarshal([]byte(types), &s.IncidentTypes); err != nil {
			return fmt.Errorf("store: report %s incident_types: %w", s.ID, err)
		}
		if err := json.Unmarshal([]byte(subjects), &s.Subjects); err != nil {
			return fmt.Errorf("store: report %s subjects: %w", s.ID, err)
		}
		if err := json.Unmarshal([]byte(places), &s.Places); err != nil {
			return fmt.Errorf("store: report %s places: %w", s.ID, err)
		}
		for t, ok := next(); ok && t.reportID <= s.ID; t, ok = next() {
			pending = pending[1:]
			if t.reportID < s.ID {
				continue // a statement of no report: not linked
			}
			if n := len(s.Texts); n > 0 && s.Texts[n-1].StatementID == t.t.StatementID {
				s.Texts[n-1] = t.t // a later version
			} else {
				s.Texts = append(s.Texts, t.t)
			}
		}
		if err := fn(&s); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: scan reports: %w", err)
	}
	cancel()
	for range texts {
	}
	if more {
		return nil // stopped early by cancel: the text reader's error is moot
	}
	return <-textErr
}
