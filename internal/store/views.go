package store

import (
	"context"
	"fmt"
)

// SavedView is a staff member's named filters of a list page.
type SavedView struct {
	ID     string
	UserID string
	// List is the list page ("triage", "cases"); Query its filters as a
	// URL query.
	List      string
	Name      string
	Query     string
	CreatedAt int64
}

// PutSavedView stores v, or, when the user has a view of that name on that
// list already, gives it v's query (keeping its id, which it returns).
func (q Q) PutSavedView(ctx context.Context, v *SavedView) (string, error) {
	var id string
	err := q.q.QueryRowContext(ctx, `INSERT INTO saved_views (id, user_id, list, name, query, created_at) VALUES ($1,$2,$3,$4,$5,$6)
		ON CONFLICT (user_id, list, name) DO UPDATE SET query = excluded.query RETURNING id`,
		v.ID, v.UserID, v.List, v.Name, v.Query, v.CreatedAt).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("store: put saved view: %w", err)
	}
	return id, nil
}

// ListSavedViews returns a user's views of one list ("" for all), by name.
func (q Q) ListSavedViews(ctx context.Context, userID, list string) ([]*SavedView, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, user_id, list, name, query, created_at FROM saved_views
		WHERE user_id = $1 AND ($2 = '' OR list = $2) ORDER BY list, name, id`, userID, list)
	if err != nil {
		return nil, fmt.Errorf("store: list saved views: %w", err)
	}
	defer rows.Close()
	var out []*SavedView
	for rows.Next() {
		var v SavedView
		if err := rows.Scan(&v.ID, &v.UserID, &v.List, &v.Name, &v.Query, &v.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: list saved views: %w", err)
		}
		out = append(out, &v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list saved views: %w", err)
	}
	return out, nil
}

// DeleteSavedView deletes a user's view; ErrNotFound when the user has no
// view of that id.
func (q Q) DeleteSavedView(ctx context.Context, id, userID string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM saved_views WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("store: delete saved view: %w", err)
	}
	return oneRow(res, "saved view", id)
}
