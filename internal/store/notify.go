package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Notification is something a staff member is told about: an object (by
// type and id) and what happened to it, by whom.
type Notification struct {
	ID         string
	UserID     string
	Kind       string
	ObjectType string
	ObjectID   string
	ActorID    string
	CreatedAt  int64
	// ReadAt is when the user read it (unix µs); 0 while unread.
	ReadAt int64
	// Dedupe names the event when the same event may be noticed more than
	// once (a deadline the sweep sees on every run): a user is told of a
	// kind and dedupe once. Empty: every notification is new.
	Dedupe string
	// MailedAt is when it went out by e-mail (unix µs); 0 until then.
	MailedAt int64
}

const notificationCols = `id, user_id, kind, object_type, object_id, actor_id, created_at, read_at, dedupe, mailed_at`

func scanNotification(row interface{ Scan(...any) error }) (*Notification, error) {
	var n Notification
	if err := row.Scan(&n.ID, &n.UserID, &n.Kind, &n.ObjectType, &n.ObjectID, &n.ActorID, &n.CreatedAt, &n.ReadAt, &n.Dedupe, &n.MailedAt); err != nil {
		return nil, err
	}
	return &n, nil
}

// PutNotification stores a notification and reports whether it is new:
// false when the user was already told of the same kind and dedupe.
func (q Q) PutNotification(ctx context.Context, n *Notification) (bool, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO notifications (`+notificationCols+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING`, n.ID, n.UserID, n.Kind, n.ObjectType, n.ObjectID, n.ActorID, n.CreatedAt, n.ReadAt, n.Dedupe, n.MailedAt)
	if err != nil {
		return false, fmt.Errorf("store: put notification: %w", err)
	}
	c, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: put notification: %w", err)
	}
	return c == 1, nil
}

// GetNotification returns the notification with id.
func (q Q) GetNotification(ctx context.Context, id string) (*Notification, error) {
	n, err := scanNotification(q.q.QueryRowContext(ctx, `SELECT `+notificationCols+` FROM notifications WHERE id = $1`, id))
	return found(n, err, "notification", id)
}

// UnmailedNotifications returns a user's notifications created before
// before that are neither read nor mailed yet, oldest first, at most limit.
func (q Q) UnmailedNotifications(ctx context.Context, userID string, before int64, limit int) ([]*Notification, error) {
	return q.notifications(ctx, `SELECT `+notificationCols+` FROM notifications
		WHERE user_id = $1 AND mailed_at = 0 AND read_at = 0 AND created_at < $2 ORDER BY id LIMIT $3`, userID, before, limit)
}

// MarkNotificationsMailed records that the notifications ids went out by
// e-mail at at.
func (q Q) MarkNotificationsMailed(ctx context.Context, ids []string, at int64) error {
	if len(ids) == 0 {
		return nil
	}
	ph, args := placeholders(ids, 2)
	if _, err := q.q.ExecContext(ctx, `UPDATE notifications SET mailed_at = $1 WHERE id IN (`+ph+`)`, append([]any{at}, args...)...); err != nil {
		return fmt.Errorf("store: mark mailed: %w", err)
	}
	return nil
}

// DigestUser is a user who chose a daily digest and has something to
// put in one, with what decides its local midnight.
type DigestUser struct {
	UserID string
	// DigestAt is when its last digest went out (0: never).
	DigestAt int64
	// UserZone, OrgZone and Country are the user's own time zone, its
	// organisation's and its organisation's country.
	UserZone, OrgZone, Country string
}

// DigestUsers returns the users who chose a daily digest, whose last one
// went out before since, and who have a notification created before
// before that is neither read nor mailed; the caller decides whose day
// has begun.
func (q Q) DigestUsers(ctx context.Context, since, before int64) ([]DigestUser, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT s.user_id, s.digest_at, u.time_zone, o.time_zone, o.country
		FROM notify_settings s JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.org_id
		WHERE s.mail = 'digest' AND s.digest_at < $1
		AND EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = s.user_id AND n.mailed_at = 0 AND n.read_at = 0 AND n.created_at < $2)
		ORDER BY s.user_id`, since, before)
	if err != nil {
		return nil, fmt.Errorf("store: digest users: %w", err)
	}
	defer rows.Close()
	var out []DigestUser
	for rows.Next() {
		var d DigestUser
		if err := rows.Scan(&d.UserID, &d.DigestAt, &d.UserZone, &d.OrgZone, &d.Country); err != nil {
			return nil, fmt.Errorf("store: digest users: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (q Q) notifications(ctx context.Context, query string, args ...any) ([]*Notification, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: notifications: %w", err)
	}
	defer rows.Close()
	var out []*Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, fmt.Errorf("store: notifications: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NotifySettings is how a staff member wants to be told by e-mail.
type NotifySettings struct {
	UserID string
	// Mail is "each", "digest" or "none".
	Mail string
	// Lang is the language of the messages.
	Lang string
	// DigestAt is when the last digest went out (unix µs).
	DigestAt int64
}

// GetNotifySettings returns a user's settings: the defaults (each, in
// English) when the user never chose.
func (q Q) GetNotifySettings(ctx context.Context, userID string) (*NotifySettings, error) {
	s := NotifySettings{UserID: userID}
	err := q.q.QueryRowContext(ctx, `SELECT mail, lang, digest_at FROM notify_settings WHERE user_id = $1`, userID).Scan(&s.Mail, &s.Lang, &s.DigestAt)
	if errors.Is(err, sql.ErrNoRows) {
		return &NotifySettings{UserID: userID, Mail: "each", Lang: "en"}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: notify settings: %w", err)
	}
	return &s, nil
}

// PutNotifySettings stores a user's settings.
func (q Q) PutNotifySettings(ctx context.Context, s *NotifySettings) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO notify_settings (user_id, mail, lang, digest_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (user_id) DO UPDATE SET mail = excluded.mail, lang = excluded.lang, digest_at = excluded.digest_at`, s.UserID, s.Mail, s.Lang, s.DigestAt)
	if err != nil {
		return fmt.Errorf("store: put notify settings: %w", err)
	}
	return nil
}

// Deadline is an open, assigned case's deadline, for the sweep.
type Deadline struct {
	CaseID, AssigneeID string
	DueAt              int64
}

// CaseDeadlines returns the open cases with an assignee due before before
// and after the case (afterDue, afterID) in deadline order, earliest first,
// at most limit.
func (q Q) CaseDeadlines(ctx context.Context, afterDue int64, afterID string, before int64, limit int) ([]Deadline, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, assignee_id, due_at FROM cases WHERE due_at >= $1 AND (due_at > $1 OR id > $2) AND due_at < $3
		AND assignee_id IS NOT NULL AND status NOT IN ('resolved', 'closed') ORDER BY due_at, id LIMIT $4`, afterDue, afterID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: case deadlines: %w", err)
	}
	defer rows.Close()
	var out []Deadline
	for rows.Next() {
		var d Deadline
		if err := rows.Scan(&d.CaseID, &d.AssigneeID, &d.DueAt); err != nil {
			return nil, fmt.Errorf("store: case deadlines: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PendingReferral is a referral still waiting for its partner's answer.
type PendingReferral struct {
	ID, CaseID, Owner string
}

// PendingReferrals returns the referrals still pending that were made
// from from to before (exclusive), with whom their case's answer goes to
// (the assignee, or the creator while no one is assigned).
func (q Q) PendingReferrals(ctx context.Context, from, before int64) ([]PendingReferral, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT r.id, r.case_id, COALESCE(c.assignee_id, c.created_by) FROM referrals r JOIN cases c ON c.id = r.case_id
		WHERE r.status = 'pending' AND r.created_at >= $1 AND r.created_at < $2 AND c.status NOT IN ('resolved', 'closed') ORDER BY r.created_at, r.id`, from, before)
	if err != nil {
		return nil, fmt.Errorf("store: pending referrals: %w", err)
	}
	defer rows.Close()
	var out []PendingReferral
	for rows.Next() {
		var p PendingReferral
		if err := rows.Scan(&p.ID, &p.CaseID, &p.Owner); err != nil {
			return nil, fmt.Errorf("store: pending referrals: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CaseOwner is an open case and who is told about it: its assignee, or its
// creator while no one is assigned.
type CaseOwner struct {
	CaseID, UserID string
}

// OpenCasesOfReport returns the open cases holding reportID, with their
// owners.
func (q Q) OpenCasesOfReport(ctx context.Context, reportID string) ([]CaseOwner, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT c.id, COALESCE(c.assignee_id, c.created_by) FROM case_reports cr JOIN cases c ON c.id = cr.case_id
		WHERE cr.report_id = $1 AND c.status NOT IN ('resolved', 'closed') ORDER BY c.id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("store: cases of reports: %w", err)
	}
	defer rows.Close()
	var out []CaseOwner
	for rows.Next() {
		var c CaseOwner
		if err := rows.Scan(&c.CaseID, &c.UserID); err != nil {
			return nil, fmt.Errorf("store: cases of reports: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenCasesOfReports is OpenCasesOfReport for many reports in one
// statement, keyed by report.
func (q Q) OpenCasesOfReports(ctx context.Context, reportIDs []string) (map[string][]CaseOwner, error) {
	out := map[string][]CaseOwner{}
	if len(reportIDs) == 0 {
		return out, nil
	}
	in, args := q.inList("cr.report_id", reportIDs, 1)
	err := q.scanRows(ctx, `SELECT DISTINCT cr.report_id, c.id, COALESCE(c.assignee_id, c.created_by) FROM case_reports cr JOIN cases c ON c.id = cr.case_id
		WHERE `+in+` AND c.status NOT IN ('resolved', 'closed') ORDER BY cr.report_id, c.id`, args, func(rows *sql.Rows) error {
		var r string
		var c CaseOwner
		if err := rows.Scan(&r, &c.CaseID, &c.UserID); err != nil {
			return err
		}
		out[r] = append(out[r], c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: cases of reports: %w", err)
	}
	return out, nil
}

// MailFailure is an e-mail job that failed at least once: still being
// retried (Done false) or given up.
type MailFailure struct {
	JobID, Kind, UserEmail, Error string
	Attempts                      int
	// NextAt is when it is tried again (unix µs); 0 once given up.
	NextAt int64
	Done   bool
}

// MailFailures returns the e-mail jobs of the given kinds, for users of
// organisation orgID, whose last attempt failed, newest first, at most
// limit. A job of kind perNotification names its notification, one of
// kind perUser its user.
func (q Q) MailFailures(ctx context.Context, orgID, perNotification, perUser string, limit int) ([]MailFailure, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT j.id, j.kind, u.email, j.last_error, j.attempts, j.run_after, j.done_at FROM jobs j
		LEFT JOIN notifications n ON j.kind = $1 AND n.id = j.report_id
		JOIN users u ON u.id = CASE WHEN j.kind = $1 THEN n.user_id ELSE j.report_id END
		WHERE j.kind IN ($1, $2) AND j.last_error <> '' AND u.org_id = $3 ORDER BY j.id DESC LIMIT $4`, perNotification, perUser, orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: mail failures: %w", err)
	}
	defer rows.Close()
	var out []MailFailure
	for rows.Next() {
		var f MailFailure
		var doneAt int64
		if err := rows.Scan(&f.JobID, &f.Kind, &f.UserEmail, &f.Error, &f.Attempts, &f.NextAt, &doneAt); err != nil {
			return nil, fmt.Errorf("store: mail failures: %w", err)
		}
		f.Done = doneAt != 0
		if f.Done {
			f.NextAt = 0
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ListNotifications returns a user's notifications, newest first, those
// with ids below before ("" for the newest), at most limit.
func (q Q) ListNotifications(ctx context.Context, userID, before string, limit int) ([]*Notification, error) {
	return q.notifications(ctx, `SELECT `+notificationCols+` FROM notifications
		WHERE user_id = $1 AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3`, userID, before, limit)
}

// CountUnread counts a user's unread notifications.
func (q Q) CountUnread(ctx context.Context, userID string) (int, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at = 0`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count unread: %w", err)
	}
	return n, nil
}

// MarkNotificationsRead marks a user's notification id read at at, or all
// of them when id is ""; ErrNotFound when id is not the user's.
func (q Q) MarkNotificationsRead(ctx context.Context, userID, id string, at int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at = 0 AND ($3 = '' OR id = $3)`, at, userID, id)
	if err != nil {
		return fmt.Errorf("store: mark read: %w", err)
	}
	if id == "" {
		return nil
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// Already read, or not this user's: tell which.
		var c int
		if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND id = $2`, userID, id).Scan(&c); err != nil {
			return fmt.Errorf("store: mark read: %w", err)
		}
		if c == 0 {
			return fmt.Errorf("store: notification %s: %w", id, ErrNotFound)
		}
	}
	return nil
}

// OpenCaseReport is a report of an open case, with the case's
// organisation and owner and the report's cluster ("" when it has no link
// row).
type OpenCaseReport struct{ CaseID, OrgID, UserID, ReportID, ClusterID string }

// OpenCaseReports returns the reports of the open cases of organisations
// orgIDs that are in one of clusters or are one of reportIDs: what
// OpenCasesLinkedTo reads, for a linking batch at its start (clusters are
// those its reports may join, reportIDs its reports). One statement.
func (q Q) OpenCaseReports(ctx context.Context, orgIDs, clusters, reportIDs []string) ([]OpenCaseReport, error) {
	og, args := q.probeTable("og(id)", [][]string{orgIDs}, 1)
	cl, a := q.probeTable("cl(id)", [][]string{clusters}, 1+len(args))
	args = append(args, a...)
	br, a := q.probeTable("br(id)", [][]string{reportIDs}, 1+len(args))
	args = append(args, a...)
	const cols = `c.id, c.org_id, COALESCE(c.assignee_id, c.created_by), cr.report_id, COALESCE(rl.cluster_id, '')`
	const open = `c.org_id IN (SELECT id FROM og) AND c.status NOT IN ('resolved', 'closed')`
	var out []OpenCaseReport
	// Driven from the organisations' open cases (see OpenCasesLinkedTo):
	// every report of an open case, with its cluster, kept when the
	// cluster or the report is the batch's.
	err := q.scanRows(ctx, `WITH `+og+`, `+cl+`, `+br+`
		SELECT `+cols+` FROM cases c JOIN case_reports cr ON cr.case_id = c.id LEFT JOIN report_links rl ON rl.report_id = cr.report_id
		WHERE `+open+` AND (COALESCE(rl.cluster_id, '') IN (SELECT id FROM cl) OR cr.report_id IN (SELECT id FROM br))`, args, func(rows *sql.Rows) error {
		var c OpenCaseReport
		if err := rows.Scan(&c.CaseID, &c.OrgID, &c.UserID, &c.ReportID, &c.ClusterID); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: open case reports: %w", err)
	}
	return out, nil
}

// OpenCasesLinkedTo returns the open cases of organisation orgID that hold
// a report of cluster clusterID other than reportID and do not hold
// reportID itself, with their owners: the cases a newly linked report is
// news to.
func (q Q) OpenCasesLinkedTo(ctx context.Context, orgID, clusterID, reportID string) ([]CaseOwner, error) {
	// Driven from the organisation's open cases, not from the cluster: a
	// cluster of the generated networks holds up to hundreds of thousands
	// of reports at 1M (350 ms a report linked), while open cases are as
	// many as staff work on.
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT c.id, COALESCE(c.assignee_id, c.created_by) FROM cases c
		JOIN case_reports cr ON cr.case_id = c.id
		WHERE c.org_id = $3 AND c.status NOT IN ('resolved', 'closed') AND cr.report_id <> $2
		AND EXISTS (SELECT 1 FROM report_links rl WHERE rl.report_id = cr.report_id AND rl.cluster_id = $1)
		AND NOT EXISTS (SELECT 1 FROM case_reports x WHERE x.case_id = c.id AND x.report_id = $2) ORDER BY c.id`, clusterID, reportID, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: cases linked: %w", err)
	}
	defer rows.Close()
	var out []CaseOwner
	for rows.Next() {
		var c CaseOwner
		if err := rows.Scan(&c.CaseID, &c.UserID); err != nil {
			return nil, fmt.Errorf("store: cases linked: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
