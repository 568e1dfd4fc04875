package audit

import (
	"context"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// Service reads the audit trail for the audit page, its CSV export and
// GET /api/v1/audit.
type Service struct {
	db      *store.DB
	reasons Sealer
}

// New returns the trail's reader; s opens the sealed reasons.
func New(db *store.DB, s Sealer) *Service { return &Service{db: db, reasons: s} }

// TrailFilter narrows the trail. Every field is optional.
type TrailFilter struct {
	// ActorID keeps the events by one account.
	ActorID string
	// Action keeps one action code (see [Actions]).
	Action string
	// ResourceType and ResourceID keep the events on one object, or on one
	// kind of object.
	ResourceType, ResourceID string
	// From and To keep events at or after From and before To.
	From, To time.Time
	// Before is the cursor of the next page: only events older than this
	// event id. After is that of the page before: the Limit events newer
	// than it nearest to it. The page is newest first either way.
	Before, After string
	// Limit is the page size (1 to 500; 0 means 100).
	Limit int
}

// Trail returns a page of the audit events a may read, newest first,
// reasons opened: for an organisation's admins and coordinators their own
// organisation's trail, for an operator the instance's. An unknown action
// or a limit out of range is an *invalid.Error naming the field.
func (s *Service) Trail(ctx context.Context, a auth.Actor, f TrailFilter) ([]*store.AuditEvent, error) {
	if !auth.Can(a, auth.ReadAudit, auth.Resource{OrgID: a.OrgID}) && !auth.Can(a, auth.ReadOrgAudit, auth.Resource{}) {
		return nil, auth.ErrForbidden
	}
	if f.Action != "" {
		if err := invalid.Enum("action", f.Action, Actions()); err != nil {
			return nil, err
		}
	}
	if f.Limit < 0 || f.Limit > 500 {
		return nil, invalid.Field("limit", "invalid_value", "must be a whole number from 1 to 500")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return nil, invalid.Field("to", "invalid_value", "must be after from")
	}
	sf := store.AuditFilter{ResourceType: f.ResourceType, ResourceID: f.ResourceID, Action: f.Action, ActorID: f.ActorID,
		Before: f.Before, After: f.After, Limit: f.Limit}
	if !f.From.IsZero() {
		sf.AtFrom = f.From.UnixMicro()
	}
	if !f.To.IsZero() {
		sf.AtTo = f.To.UnixMicro()
	}
	return List(ctx, s.db.Read(), s.reasons, a, sf)
}

// Actions returns every action code Vigil records in the trail. Each has a
// label "audit.<code>" in every locale of the pages (a test in
// internal/web checks both that list and the labels).
func Actions() []string {
	return []string{
		"attachment.add", "attachment.read", "attachment.read_original", "attachment.thumbnail",
		"case.add_report", "case.create", "case.move_report", "case.note", "case.note_edit", "case.refer", "case.remove_report", "case.reopen", "case.update",
		"export.audit", "export.data", "export.list", "export.reveal",
		"identifier.protect", "identifier.side", "identifier.unprotect", "identifier.wrongly_reported", "identifier.wrongly_reported_withdrawn",
		"import.file", "import.kobo_hook",
		"org.admin", "org.create", "org.totp", "org.update",
		"referral.respond",
		"report.dismiss", "report.erase", "report.merge", "report.message", "report.reopen", "report.reply", "report.reveal", "report.unverify", "report.verify",
		"screening_hit.confirmed", "screening_hit.dismissed", "screening_hit.pending",
		"session.login", "session.login_failed",
		"statement.add", "statement.version",
		"token.create", "token.revoke",
		"user.create", "user.disable", "user.password", "user.password_reset", "user.password_set", "user.role", "user.time_zone", "user.totp", "user.totp_reset", "user.unlock",
		"webhook.create", "webhook.delete", "webhook.disable", "webhook.enable",
	}
}

// RecordExport records that a exported the trail it reads (CSV), with the
// filter it used.
func (s *Service) RecordExport(ctx context.Context, a auth.Actor, filter string) error {
	return s.db.Tx(ctx, func(q store.Q) error {
		return Record(ctx, q, a, "export.audit", "organisation", a.OrgID, map[string]string{"filter": filter})
	})
}
