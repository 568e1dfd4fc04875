package store

import (
	"context"
	"fmt"
	"strings"
)

// SetInstanceValues sets instance settings in one transaction; an empty
// value removes the setting. For the master key's rotation.
func (db *DB) SetInstanceValues(ctx context.Context, values map[string]string) error {
	return db.Tx(ctx, func(q Q) error {
		for name, value := range values {
			var err error
			if value == "" {
				_, err = q.q.ExecContext(ctx, `DELETE FROM instance WHERE name = $1`, name)
			} else {
				_, err = q.q.ExecContext(ctx, `INSERT INTO instance (name, value, created_at) VALUES ($1, $2, $3)
					ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value, Now())
			}
			if err != nil {
				return fmt.Errorf("store: set instance %s: %w", name, err)
			}
		}
		return nil
	})
}

// DataKeys returns up to n wrapped data keys of reports with ids after
// after, in id order.
func (db *DB) DataKeys(ctx context.Context, after string, n int) (ids []string, wrapped [][]byte, err error) {
	rows, err := db.w.QueryContext(ctx, `SELECT report_id, wrapped FROM data_keys WHERE report_id > $1 ORDER BY report_id LIMIT $2`, after, n)
	if err != nil {
		return nil, nil, fmt.Errorf("store: data keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var w []byte
		if err := rows.Scan(&id, &w); err != nil {
			return nil, nil, fmt.Errorf("store: data keys: %w", err)
		}
		ids, wrapped = append(ids, id), append(wrapped, w)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: data keys: %w", err)
	}
	return ids, wrapped, nil
}

// RewrapDataKeys replaces, in one transaction, the wrapped data key of
// report ids[i] by new[i] where it is still old[i]: a key erased or
// replaced meanwhile is left as it is. It returns how many it replaced.
func (db *DB) RewrapDataKeys(ctx context.Context, ids []string, old, new [][]byte) (int, error) {
	n := 0
	err := db.Tx(ctx, func(q Q) error {
		n = 0
		for i, id := range ids {
			res, err := q.q.ExecContext(ctx, `UPDATE data_keys SET wrapped = $1 WHERE report_id = $2 AND wrapped = $3`, new[i], id, old[i])
			if err != nil {
				return fmt.Errorf("store: rewrap data key of %s: %w", id, err)
			}
			c, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("store: rewrap data key of %s: %w", id, err)
			}
			n += int(c)
		}
		return nil
	})
	return n, err
}

// DraftKeyID is the record ID a chat draft's data key is wrapped for
// (seal.Keyring.NewDataKey): "draft:CHANNEL:CHAT". The conversation engine
// seals a draft under it, and the master key's rotation rewraps the key
// under it.
func DraftKeyID(channel, chat string) string { return "draft:" + channel + ":" + chat }

// DraftKeys returns up to n wrapped data keys of chat drafts whose key IDs
// (DraftKeyID) come after after, in that order. Drafts are few (one per
// chat writing a report, deleted when sent or expired), so the order is
// not indexed.
func (db *DB) DraftKeys(ctx context.Context, after string, n int) (ids []string, wrapped [][]byte, err error) {
	rows, err := db.w.QueryContext(ctx, `SELECT k, wrapped FROM (SELECT 'draft:' || channel || ':' || chat AS k, wrapped FROM chat_drafts) d
		WHERE k > $1 ORDER BY k LIMIT $2`, after, n)
	if err != nil {
		return nil, nil, fmt.Errorf("store: draft keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var w []byte
		if err := rows.Scan(&id, &w); err != nil {
			return nil, nil, fmt.Errorf("store: draft keys: %w", err)
		}
		ids, wrapped = append(ids, id), append(wrapped, w)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: draft keys: %w", err)
	}
	return ids, wrapped, nil
}

// RewrapDraftKeys replaces, in one transaction, the wrapped data key of
// the draft with key ID ids[i] by new[i] where it is still old[i]: a draft
// saved again, sent or expired meanwhile is left as it is. It returns how
// many it replaced.
func (db *DB) RewrapDraftKeys(ctx context.Context, ids []string, old, new [][]byte) (int, error) {
	n := 0
	err := db.Tx(ctx, func(q Q) error {
		n = 0
		for i, id := range ids {
			channel, chat, ok := strings.Cut(strings.TrimPrefix(id, "draft:"), ":")
			if !ok || !strings.HasPrefix(id, "draft:") {
				return fmt.Errorf("store: rewrap draft key: %q is not a draft key ID", id)
			}
			res, err := q.q.ExecContext(ctx, `UPDATE chat_drafts SET wrapped = $1 WHERE channel = $2 AND chat = $3 AND wrapped = $4`, new[i], channel, chat, old[i])
			if err != nil {
				return fmt.Errorf("store: rewrap draft key of %s: %w", id, err)
			}
			c, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("store: rewrap draft key of %s: %w", id, err)
			}
			n += int(c)
		}
		return nil
	})
	return n, err
}
