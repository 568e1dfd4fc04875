package store

import (
	"context"
	"fmt"
)

// WebhookEndpoint is an organisation's HTTPS endpoint for events.
type WebhookEndpoint struct {
	ID    string
	OrgID string
	URL   string
	// Events are the event types it wants, comma-separated.
	Events string
	// Secret is the signing secret sealed with the endpoint's data key
	// (WebhookKeyID).
	Secret    []byte
	Enabled   bool
	CreatedBy string
	CreatedAt int64
	DeletedAt int64
}

// WebhookKeyID is the data_keys id of an endpoint's data key.
func WebhookKeyID(endpointID string) string { return "webhook:" + endpointID }

// WebhookDelivery is one event to send to one endpoint.
type WebhookDelivery struct {
	ID         string
	EndpointID string
	OrgID      string
	Event      string
	Payload    string
	Status     string
	Attempts   int
	CreatedAt  int64
	UpdatedAt  int64
	NextAt     int64
	LastCode   int
	LastError  string
}

// WebhookAttempt is one try at a delivery.
type WebhookAttempt struct {
	DeliveryID string
	Attempt    int
	At         int64
	StatusCode int
	DurationMS int64
	Error      string
}

const webhookEndpointCols = `id, org_id, url, events, secret, enabled, created_by, created_at, deleted_at`

func scanWebhookEndpoint(s interface{ Scan(...any) error }) (*WebhookEndpoint, error) {
	var e WebhookEndpoint
	var enabled int
	if err := s.Scan(&e.ID, &e.OrgID, &e.URL, &e.Events, &e.Secret, &enabled, &e.CreatedBy, &e.CreatedAt, &e.DeletedAt); err != nil {
		return nil, err
	}
	e.Enabled = enabled != 0
	return &e, nil
}

// PutWebhookEndpoint stores a new endpoint.
func (q Q) PutWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	enabled := 0
	if e.Enabled {
		enabled = 1
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO webhook_endpoints (`+webhookEndpointCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		e.ID, e.OrgID, e.URL, e.Events, e.Secret, enabled, e.CreatedBy, e.CreatedAt, e.DeletedAt)
	if err != nil {
		return fmt.Errorf("store: put webhook endpoint: %w", err)
	}
	return nil
}

// GetWebhookEndpoint returns an endpoint, deleted or not.
func (q Q) GetWebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error) {
	e, err := scanWebhookEndpoint(q.q.QueryRowContext(ctx, `SELECT `+webhookEndpointCols+` FROM webhook_endpoints WHERE id = $1`, id))
	return found(e, err, "webhook endpoint", id)
}

// WebhookEndpoints returns an organisation's endpoints not deleted, oldest
// first.
func (q Q) WebhookEndpoints(ctx context.Context, orgID string) ([]*WebhookEndpoint, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+webhookEndpointCols+` FROM webhook_endpoints WHERE org_id = $1 AND deleted_at = 0 ORDER BY created_at, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: webhook endpoints: %w", err)
	}
	defer rows.Close()
	var out []*WebhookEndpoint
	for rows.Next() {
		e, err := scanWebhookEndpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("store: webhook endpoints: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: webhook endpoints: %w", err)
	}
	return out, nil
}

// SetWebhookEndpointEnabled switches an endpoint on or off; ErrNotFound
// when it is not there (or deleted).
func (q Q) SetWebhookEndpointEnabled(ctx context.Context, id string, enabled bool) error {
	on := 0
	if enabled {
		on = 1
	}
	res, err := q.q.ExecContext(ctx, `UPDATE webhook_endpoints SET enabled = $1 WHERE id = $2 AND deleted_at = 0`, on, id)
	if err != nil {
		return fmt.Errorf("store: switch webhook endpoint: %w", err)
	}
	return oneRow(res, "webhook endpoint", id)
}

// DeleteWebhookEndpoint marks an endpoint deleted at at and gives up its
// pending deliveries; ErrNotFound when it is not there (or deleted).
func (q Q) DeleteWebhookEndpoint(ctx context.Context, id string, at int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE webhook_endpoints SET deleted_at = $1, enabled = 0 WHERE id = $2 AND deleted_at = 0`, at, id)
	if err != nil {
		return fmt.Errorf("store: delete webhook endpoint: %w", err)
	}
	if err := oneRow(res, "webhook endpoint", id); err != nil {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint deleted', updated_at = $1, next_at = 0
		WHERE endpoint_id = $2 AND status = 'pending'`, at, id); err != nil {
		return fmt.Errorf("store: delete webhook endpoint: %w", err)
	}
	return nil
}

// PutWebhookDelivery stores a delivery; false when one of its id is there
// already (an event is delivered once per endpoint).
func (q Q) PutWebhookDelivery(ctx context.Context, d *WebhookDelivery) (bool, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, endpoint_id, org_id, event, payload, status, attempts, created_at, updated_at, next_at, last_code, last_error)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT DO NOTHING`,
		d.ID, d.EndpointID, d.OrgID, d.Event, d.Payload, d.Status, d.Attempts, d.CreatedAt, d.UpdatedAt, d.NextAt, d.LastCode, d.LastError)
	if err != nil {
		return false, fmt.Errorf("store: put webhook delivery: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: put webhook delivery: %w", err)
	}
	return n == 1, nil
}

const webhookDeliveryCols = `id, endpoint_id, org_id, event, payload, status, attempts, created_at, updated_at, next_at, last_code, last_error`

func scanWebhookDelivery(s interface{ Scan(...any) error }) (*WebhookDelivery, error) {
	var d WebhookDelivery
	if err := s.Scan(&d.ID, &d.EndpointID, &d.OrgID, &d.Event, &d.Payload, &d.Status, &d.Attempts, &d.CreatedAt, &d.UpdatedAt, &d.NextAt, &d.LastCode, &d.LastError); err != nil {
		return nil, err
	}
	return &d, nil
}

// GetWebhookDelivery returns a delivery.
func (q Q) GetWebhookDelivery(ctx context.Context, id string) (*WebhookDelivery, error) {
	d, err := scanWebhookDelivery(q.q.QueryRowContext(ctx, `SELECT `+webhookDeliveryCols+` FROM webhook_deliveries WHERE id = $1`, id))
	return found(d, err, "webhook delivery", id)
}

// WebhookDeliveries returns an endpoint's latest deliveries, newest first,
// at most limit.
func (q Q) WebhookDeliveries(ctx context.Context, endpointID string, limit int) ([]*WebhookDelivery, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+webhookDeliveryCols+` FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, endpointID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: webhook deliveries: %w", err)
	}
	defer rows.Close()
	var out []*WebhookDelivery
	for rows.Next() {
		d, err := scanWebhookDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store: webhook deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: webhook deliveries: %w", err)
	}
	return out, nil
}

// FinishWebhookAttempt records an attempt and the delivery's state after
// it.
func (q Q) FinishWebhookAttempt(ctx context.Context, d *WebhookDelivery, a *WebhookAttempt) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, duration_ms, error) VALUES ($1,$2,$3,$4,$5,$6)
		ON CONFLICT DO NOTHING`, a.DeliveryID, a.Attempt, a.At, a.StatusCode, a.DurationMS, a.Error); err != nil {
		return fmt.Errorf("store: webhook attempt: %w", err)
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $1, attempts = $2, updated_at = $3, next_at = $4, last_code = $5, last_error = $6 WHERE id = $7`,
		d.Status, d.Attempts, d.UpdatedAt, d.NextAt, d.LastCode, d.LastError, d.ID); err != nil {
		return fmt.Errorf("store: webhook attempt: %w", err)
	}
	return nil
}

// WebhookAttempts returns a delivery's attempts in order.
func (q Q) WebhookAttempts(ctx context.Context, deliveryID string) ([]*WebhookAttempt, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT delivery_id, attempt, at, status_code, duration_ms, error FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt`, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("store: webhook attempts: %w", err)
	}
	defer rows.Close()
	var out []*WebhookAttempt
	for rows.Next() {
		var a WebhookAttempt
		if err := rows.Scan(&a.DeliveryID, &a.Attempt, &a.At, &a.StatusCode, &a.DurationMS, &a.Error); err != nil {
			return nil, fmt.Errorf("store: webhook attempts: %w", err)
		}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: webhook attempts: %w", err)
	}
	return out, nil
}
