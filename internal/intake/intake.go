// Package intake receives reports: it validates them, seals identifying
// fields, stores the report with its first statements and queues their
// ledger entries in one transaction, and answers with a tracking code, a
// secret and a ledger receipt. Concurrent submissions share transactions
// (group commit), so durability costs one fsync per batch, not per report.
package intake

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// Ledger is what intake needs of the testimony ledger.
type Ledger interface {
	// Notify wakes the sequencer after new entries were committed.
	Notify()
	// Receipt waits until entryID is integrated and covered by a published
	// checkpoint, and returns its receipt.
	Receipt(ctx context.Context, entryID string) (*ledger.Receipt, error)
	// ReceiptForRecord is Receipt for the entry of version of a record of
	// kind (ledger.KindStatement …).
	ReceiptForRecord(ctx context.Context, kind, recordID string, version int) (*ledger.Receipt, error)
}

var _ Ledger = (*ledger.Log)(nil)

// Stored is called after reports are durably stored, for follow-up work
// (identifier extraction, screening, lure scoring).
type Stored func(ctx context.Context, reportIDs []string)

// Service is the intake service. Start must be called before Submit; Close
// stops the batcher after the submissions already queued are written.
type Service struct {
	db     *store.DB
	keys   *seal.Keyring
	ledger Ledger
	stored Stored
	log    *slog.Logger
	// Files keeps attachment files, each sealed with its report's data
	// key and stored under the attachment's ID (a directory, or a bucket
	// several servers share); nil refuses attachments.
	Files blob.Store
	// FollowUps are the job kinds queued for every new or changed report
	// (set before Start).
	FollowUps []string
	// ReceiptWait bounds how long Submit waits for a ledger receipt; after
	// it the answer carries no receipt and the reporter fetches it later.
	ReceiptWait time.Duration
	// Uploads limits the attachments the public may send (set before
	// serving).
	Uploads UploadLimits
	// FreeSpace measures the free space of the file system holding a
	// directory (the attachments' watermark, when they are kept in a
	// directory); tests replace it.
	FreeSpace func(dir string) (int64, error)
	// Index computes the search index's rows of new statements and
	// reports, stored in the same transaction (set before Start; nil keeps
	// no index).
	Index Indexer

	// quota counts public uploads over the last hour.
	quota *quota
	// decoding holds a slot for each image being decoded, so that a few
	// large pictures at once cannot take all the memory.
	decoding chan struct{}

	// publicOrg remembers which organisation receives public reports.
	publicOrg publicOrg

	queue     chan *pending
	wg        sync.WaitGroup
	startOnce sync.Once
	// mu guards closed.
	mu     sync.RWMutex
	closed bool
}

// New returns an intake service. ledger and stored may be nil.
func New(db *store.DB, keys *seal.Keyring, l Ledger, stored Stored, logger *slog.Logger) *Service {
	return &Service{
		db: db, keys: keys, ledger: l, stored: stored, log: logger,
		ReceiptWait: 5 * time.Second,
		FreeSpace:   freeSpace,
		quota:       newQuota(),
		decoding:    make(chan struct{}, 2),
		queue:       make(chan *pending, 4096),
	}
}

// MaxBatch is the most submissions one transaction carries.
const MaxBatch = 256

// Start runs the group-commit batchers until Close. Calling it again does
// nothing. SQLite has one writer, so it gets one batcher; PostgreSQL
// commits concurrent transactions in parallel, so it gets several, which
// keeps batches (and so latency) small under load.
func (s *Service) Start() {
	s.startOnce.Do(func() {
		n := 1
		if s.db.Engine == store.Postgres {
			n = 2
		}
		for range n {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.batcher()
			}()
		}
	})
}

// Close stops accepting submissions, writes those already queued and waits
// for the batcher to end.
func (s *Service) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.queue)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// pending is one submission waiting for the batcher: the rows to write and
// where to send the outcome.
type pending struct {
	rows *store.Intake
	done chan error
}

func (s *Service) batcher() {
	ctx := context.Background()
	for first := range s.queue {
		batch := []*pending{first}
	fill:
		for len(batch) < MaxBatch {
			select {
			case p, ok := <-s.queue:
				if !ok {
					break fill
				}
				batch = append(batch, p)
			default:
				break fill
			}
		}
		s.commit(ctx, batch)
	}
}

// commit writes a batch in one transaction, one multi-row INSERT per table.
// If that fails, each submission is retried alone so one bad submission
// cannot sink the others.
func (s *Service) commit(ctx context.Context, batch []*pending) {
	rows := make([]*store.Intake, len(batch))
	for i, p := range batch {
		rows[i] = p.rows
	}
	err := s.db.Tx(ctx, func(q store.Q) error { return q.PutIntake(ctx, rows) })
	if err == nil || len(batch) == 1 {
		if s.ledger != nil && err == nil {
			s.ledger.Notify()
		}
		for _, p := range batch {
			p.done <- err
		}
		return
	}
	s.log.Warn("intake: batch failed, retrying one by one", "size", len(batch), "err", err)
	for _, p := range batch {
		err := s.db.Tx(ctx, func(q store.Q) error { return q.PutIntake(ctx, []*store.Intake{p.rows}) })
		if err == nil && s.ledger != nil {
			s.ledger.Notify()
		}
		p.done <- err
	}
}

// enqueue hands rows to the batcher and waits until they are durable.
func (s *Service) enqueue(ctx context.Context, rows *store.Intake) error {
	p := &pending{rows: rows, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errors.New("intake: shutting down")
	}
	select {
	case s.queue <- p:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	// The write happens whatever ctx does now; wait for its outcome so an
	// acknowledged report is always a stored one.
	return <-p.done
}

// Ack is the answer to a submission. Secret is shown to the reporter once
// and never stored in clear.
type Ack struct {
	ID           string `json:"id"`
	TrackingCode string `json:"tracking_code"`
	Secret       string `json:"secret"`
	Status       string `json:"status"`
	ReceivedAt   string `json:"received_at"`
	// Receipt is the ledger receipt for the first statement; absent if the
	// ledger did not answer in time (fetch it later with the tracking code).
	Receipt any `json:"receipt,omitempty"`
}

// sealedPart is the identifying part of a report, stored encrypted.
type sealedPart struct {
	Reporter *Reporter      `json:"reporter,omitempty"`
	Victims  []sealedVictim `json:"victims,omitempty"`
}

type sealedVictim struct {
	Name     string `json:"name,omitempty"`
	Passport string `json:"passport,omitempty"`
	Contact  string `json:"contact,omitempty"`
}

// Statement kinds.
const (
	KindTestimony   = "testimony"
	KindRecantation = "recantation"
	KindThirdParty  = "third_party"
	KindJobAd       = "job_ad"
	KindNote        = "note"
)

// StatementKinds lists the kinds a statement can have.
var StatementKinds = []string{KindTestimony, KindRecantation, KindThirdParty, KindJobAd, KindNote}

// Report statuses, as the reporter sees them when tracking.
const (
	StatusReceived = "received"
	StatusInReview = "in_review"
	StatusReferred = "referred"
	StatusClosed   = "closed"
)

// Report statuses staff set outside a case (package casework): a duplicate
// merged into another report, a report dismissed. A reporter never sees
// them: Track answers with PublicStatus.
const (
	StatusMerged    = store.ReportMerged
	StatusDismissed = store.ReportDismissed
)

// ReportStatuses lists every report status, for the lists' status filter.
var ReportStatuses = []string{StatusReceived, StatusInReview, StatusReferred, StatusClosed, StatusDismissed, StatusMerged}

// ErrNotAccepting refuses a public report while no organisation on this
// instance receives public reports (a new server before its setup): 503,
// nothing stored, and the form keeps what was typed.
var ErrNotAccepting = answer.Refuse(http.StatusServiceUnavailable, "not_accepting_reports", "",
	"this service does not take reports from the public yet, so nothing was saved; please reach the organisation that gave you this address another way")

// Submit files a report. actor is the public (zero Actor) for public intake
// or a staff member registering a report that came by phone or chat.
func (s *Service) Submit(ctx context.Context, a auth.Actor, sub *Submission) (*Ack, error) {
	return s.submit(ctx, a, sub, "")
}

// ChatChannels are the chat apps the public can report through (a
// channel adapter, such as internal/telegram, files with SubmitFrom).
var ChatChannels = []string{"telegram", "line", "whatsapp"}

// SubmitFrom files a public report that came through a chat app's
// conversation (one of ChatChannels), which the report then names as its
// channel. It is Submit for the public otherwise.
func (s *Service) SubmitFrom(ctx context.Context, channel string, sub *Submission) (*Ack, error) {
	if !slices.Contains(ChatChannels, channel) {
		return nil, fmt.Errorf("intake: submit from %q: not a chat channel", channel)
	}
	return s.submit(ctx, auth.Actor{}, sub, channel)
}

func (s *Service) submit(ctx context.Context, a auth.Actor, sub *Submission, chat string) (*Ack, error) {
	if err := sub.Validate(); err != nil {
		return nil, err
	}
	if !a.Public() && !auth.Can(a, auth.CreateReport, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	if a.Public() {
		switch {
		case chat != "":
			sub.Channel = chat
		case sub.Channel != "web":
			sub.Channel = "api"
		}
		// Only staff, who took the report down, say when contact was made.
		sub.ContactedOn = ""
	}
	orgID := a.OrgID
	if a.Public() {
		var err error
		orgID, err = s.publicOrgID(ctx)
		if errors.Is(err, store.ErrNotFound) {
			s.log.WarnContext(ctx, "intake: a public report was refused: no organisation receives public reports (vigil org add --receives-public)")
			return nil, ErrNotAccepting
		}
		if err != nil {
			return nil, fmt.Errorf("intake: %w", err)
		}
	}
	now := time.Now().UTC()
	b, err := s.build(a, orgID, sub, now)
	if err != nil {
		return nil, err
	}
	r := b.rows.Report
	b.rows.Jobs = s.jobs(r.ID)
	if err := s.enqueue(ctx, b.rows); err != nil {
		return nil, fmt.Errorf("intake: store report: %w", err)
	}
	if s.stored != nil {
		s.stored(context.WithoutCancel(ctx), []string{r.ID})
	}
	ack := &Ack{ID: r.ID, TrackingCode: r.TrackingCode, Secret: b.secret, Status: r.Status, ReceivedAt: now.Format(time.RFC3339)}
	if s.ledger != nil {
		wctx, cancel := context.WithTimeout(ctx, s.ReceiptWait)
		rc, err := s.ledger.Receipt(wctx, b.first.entry.ID)
		cancel()
		switch {
		case err != nil && ctx.Err() != nil:
			// The one who asked went away (or the server is stopping):
			// the report is stored, its receipt can be asked for by its
			// tracking code, and no one waits for this answer. A client
			// that hangs up is no fault of the ledger's to warn of.
			s.log.Debug("intake: no ledger receipt: the request ended first", "report", r.ID, "err", err)
		case err != nil:
			s.log.Warn("intake: no ledger receipt in time", "report", r.ID, "err", err)
		default:
			ack.Receipt = rc
		}
	}
	return ack, nil
}

// built is a submission turned into the rows to store: sealed, with its
// ledger entries, and the secret to show the reporter once.
type built struct {
	rows   *store.Intake
	secret string
	first  *statementWrite
}

// build seals a validated submission into rows for organisation orgID,
// received at now. It queues no follow-up jobs.
func (s *Service) build(a auth.Actor, orgID string, sub *Submission, now time.Time) (*built, error) {
	id := store.NewID()
	secret, secretHash, err := auth.NewSecret("")
	if err != nil {
		return nil, err
	}
	code, err := newTrackingCode()
	if err != nil {
		return nil, err
	}
	dk, wrapped, err := s.keys.NewDataKey(id)
	if err != nil {
		return nil, err
	}
	sp := sealedPart{Reporter: sub.Reporter}
	hasSealed := sub.Reporter != nil
	r := &store.Report{
		ID: id, OrgID: orgID, TrackingCode: code, SecretHash: secretHash,
		Channel: sub.Channel, Language: sub.Language, Country: sub.Country,
		IncidentTypes: sub.IncidentTypes, Status: StatusReceived, CreatedBy: a.UserID,
		ReceivedAt: now.UnixMicro(), UpdatedAt: now.UnixMicro(),
	}
	if d, err := ContactDate("contacted_on", sub.ContactedOn, now); err != nil {
		return nil, err
	} else if !d.IsZero() {
		r.ContactedAt = d.UnixMicro()
	}
	for _, v := range sub.Victims {
		r.Victims = append(r.Victims, store.Victim{Nationality: v.Nationality, AgeBand: v.AgeBand, Gender: v.Gender, StillHeld: v.StillHeld})
		sp.Victims = append(sp.Victims, sealedVictim{Name: v.Name, Passport: v.Passport, Contact: v.Contact})
		if v.Name != "" || v.Passport != "" || v.Contact != "" {
			hasSealed = true
		}
		if v.StillHeld {
			r.Urgent = true
		}
	}
	for _, p := range sub.Places {
		r.Places = append(r.Places, Place(p.Name))
	}
	for _, su := range sub.Subjects {
		r.Subjects = append(r.Subjects, store.Subject{Name: su.Name, Type: su.Type, Role: su.Role})
	}
	if hasSealed {
		b, err := json.Marshal(sp)
		if err != nil {
			return nil, fmt.Errorf("intake: seal: %w", err)
		}
		r.Sealed = dk.Seal(b, sealedContext(id))
	}
	first := newStatement(dk, id, KindTestimony, "", sub.Language, sub.Narrative, a.UserID, now)
	if !a.Public() && slices.Contains(StaffChannels, sub.Channel) {
		// Staff took the testimony down (by phone, in person, from a
		// letter): the first statement says how, and created_by who.
		first.stmt.Channel = sub.Channel
	}
	if o := sub.Origin; sub.Channel == "import" && o != (StatementOrigin{}) {
		first.stmt.Source, first.stmt.TakenBy, first.stmt.Circumstances, first.stmt.Channel = o.Source, o.TakenBy, o.Circumstances, o.Channel
	}
	stmts := []*statementWrite{first}
	if sub.JobAd != "" {
		stmts = append(stmts, newStatement(dk, id, KindJobAd, "", sub.Language, sub.JobAd, a.UserID, now))
	}
	rows := &store.Intake{Report: r, DataKey: wrapped}
	for _, st := range stmts {
		st.addTo(rows)
	}
	texts := []string{sub.Narrative, sub.JobAd}
	subjects := make([]string, len(sub.Subjects))
	for i, su := range sub.Subjects {
		subjects[i] = su.Name
	}
	rows.Search = s.searchTerms(orgID, id, texts, subjects)
	if !a.Public() {
		rows.Audit = append(rows.Audit, &store.AuditEvent{ID: store.NewID(), At: r.ReceivedAt, ActorID: a.UserID, ActorOrgID: a.OrgID, OrgID: r.OrgID,
			Action: "report.create", ResourceType: "report", ResourceID: id, Detail: `{"channel":"` + r.Channel + `"}`})
	}
	return &built{rows: rows, secret: secret, first: first}, nil
}

func sealedContext(reportID string) string { return "report:" + reportID + ":sealed" }

func versionContext(statementID string, version int, part string) string {
	return "statement:" + statementID + ":v" + strconv.Itoa(version) + ":" + part
}

// statementWrite is a statement (or a new version of one) ready to store,
// with its ledger entry.
type statementWrite struct {
	stmt    *store.Statement // nil when only a version is added
	version *store.StatementVersion
	entries []*store.LedgerEntry
	entry   *store.LedgerEntry // the version's own entry
	salt    []byte             // the version's salt, in clear until sealed
}

func newStatement(dk *seal.DataKey, reportID, kind, recantsID, lang, text, by string, now time.Time) *statementWrite {
	st := &store.Statement{ID: store.NewID(), ReportID: reportID, Kind: kind, RecantsID: recantsID, Language: lang, CreatedBy: by, CreatedAt: now.UnixMicro()}
	w := newVersion(dk, st.ID, 1, text, by, now)
	w.stmt = st
	if recantsID != "" {
		// The recantation link is committed too, so the log shows which
		// statement was recanted, not only that a new one exists.
		salt := w.salt
		e := ledger.NewEntry(ledger.KindRecantation, st.ID, 1, salt, []byte("recants:"+recantsID), now)
		w.entries = append(w.entries, &store.LedgerEntry{ID: store.NewID(), Kind: e.Kind, RecordID: st.ID, Version: 1, Entry: e.Marshal(), ReceivedAt: now.UnixMicro()})
	}
	return w
}

func newVersion(dk *seal.DataKey, statementID string, version int, text, by string, now time.Time) *statementWrite {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(fmt.Sprintf("intake: random salt: %v", err))
	}
	e := ledger.NewEntry(ledger.KindStatement, statementID, version, salt, []byte(text), now)
	le := &store.LedgerEntry{ID: store.NewID(), Kind: e.Kind, RecordID: statementID, Version: version, Entry: e.Marshal(), ReceivedAt: now.UnixMicro()}
	return &statementWrite{
		version: &store.StatementVersion{
			StatementID: statementID, Version: version,
			Text:      dk.Seal([]byte(text), versionContext(statementID, version, "text")),
			Salt:      dk.Seal(salt, versionContext(statementID, version, "salt")),
			CreatedBy: by, CreatedAt: now.UnixMicro(),
		},
		entries: []*store.LedgerEntry{le},
		entry:   le,
		salt:    salt,
	}
}

// addTo adds w's rows to a batched intake.
func (w *statementWrite) addTo(in *store.Intake) {
	if w.stmt != nil {
		in.Statements = append(in.Statements, w.stmt)
	}
	in.Versions = append(in.Versions, w.version)
	in.Entries = append(in.Entries, w.entries...)
}

func (w *statementWrite) put(ctx context.Context, q store.Q) error {
	if w.stmt != nil {
		if err := q.PutStatement(ctx, w.stmt); err != nil {
			return err
		}
	}
	if err := q.PutStatementVersion(ctx, w.version); err != nil {
		return err
	}
	for _, e := range w.entries {
		if err := q.PutLedgerEntry(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// PublicOrgTTL is how long intake keeps the organisation that receives
// public reports before reading it again: a change of that organisation
// (made on another server, or with the vigil command) is followed within
// it. Until one exists nothing is kept, so a new installation takes public
// reports as soon as one is set up.
const PublicOrgTTL = time.Second

// publicOrg is the organisation receiving public reports, as last read.
type publicOrg struct {
	mu sync.Mutex
	id string
	at time.Time
}

// publicOrgID returns the ID of the organisation that receives public
// reports, read at most once every PublicOrgTTL: under intake the read was
// a read transaction a public report, and on SQLite each began by emptying
// its connection's page cache (4 % of the server's CPU).
func (s *Service) publicOrgID(ctx context.Context) (string, error) {
	p := &s.publicOrg
	p.mu.Lock()
	id, at := p.id, p.at
	p.mu.Unlock()
	if id != "" && time.Since(at) < PublicOrgTTL {
		return id, nil
	}
	org, err := s.db.Read().PublicIntakeOrganisation(ctx)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.id, p.at = org.ID, time.Now()
	p.mu.Unlock()
	return org.ID, nil
}

// jobs returns the follow-up jobs for a report.
func (s *Service) jobs(reportID string) []*store.Job {
	out := make([]*store.Job, 0, len(s.FollowUps))
	for _, k := range s.FollowUps {
		out = append(out, &store.Job{ID: store.NewID(), Kind: k, ReportID: reportID})
	}
	return out
}

// trackingAlphabet is Crockford's base 32: no I, L, O or U to misread.
const trackingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newTrackingCode returns a code like VG-7K3M-9QXP-2HRD (60 random bits).
func newTrackingCode() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("intake: tracking code: %w", err)
	}
	out := []byte("VG-")
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, trackingAlphabet[c&31])
	}
	return string(out), nil
}

// TrackStatus is all the public learns when tracking a report.
type TrackStatus struct {
	TrackingCode string `json:"tracking_code"`
	Status       string `json:"status"`
	// LastAction is the date (not the time) of the last change.
	LastAction string `json:"last_action"`
}

// ErrNoSuchReport is what tracking answers for a wrong code or secret alike.
var ErrNoSuchReport = fmt.Errorf("no report with that tracking code and secret: %w", store.ErrNotFound)

// reportBySecret reads the report with tracking code through q if secret
// matches; ErrNoSuchReport for a wrong code or secret alike.
func reportBySecret(ctx context.Context, q store.Q, code, secret string) (*store.Report, error) {
	r, err := q.GetReportByTrackingCode(ctx, code)
	want := auth.HashSecret(secret)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNoSuchReport
		}
		return nil, err
	}
	if subtle.ConstantTimeCompare(r.SecretHash, want) != 1 {
		return nil, ErrNoSuchReport
	}
	return r, nil
}

// Track returns the status of the report with code, if secret matches.
func (s *Service) Track(ctx context.Context, code, secret string) (*TrackStatus, error) {
	r, err := reportBySecret(ctx, s.db.Read(), code, secret)
	if err != nil {
		return nil, err
	}
	st, err := s.publicStatus(ctx, r)
	if err != nil {
		return nil, err
	}
	return &TrackStatus{TrackingCode: r.TrackingCode, Status: st, LastAction: store.Time(r.UpdatedAt).Format("2006-01-02")}, nil
}
