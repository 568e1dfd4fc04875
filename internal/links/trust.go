package links

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// What the public check trusts. A report from the public costs nothing to
// file, so reports alone must not make a number "reported": a compound
// could smear a rescuer's hotline, an embassy's number or a rival's with
// three anonymous reports. The check counts verified reports (staff
// triaged them as credible), shows unverified ones apart and only when
// they come from independent sources, holds bursts back for staff, and
// answers "known legitimate contact" for protected identifiers.
const (
	// signalLimit bounds the reports read per check: the newest ones. The
	// bands stop at 5 and independence needs a handful, so more would
	// change no answer but first_seen of an identifier named by more than
	// signalLimit reports (it is then the first among the newest).
	signalLimit = 500
	// sameSitting is how close in time two reports through the same
	// channel, in the same language, entered by the same person (or both
	// by the public) must be to count as one source.
	sameSitting = time.Hour
	// minUnverified is how many unverified reports, from at least
	// minSources independent sources, it takes to show them at all.
	minUnverified = 3
	minSources    = 2
	// burstWindow and burstSize: this many anonymous unverified reports
	// within the window, with no verified report, are held from the public
	// answer until staff review them.
	burstWindow = 24 * time.Hour
	burstSize   = 3
)

// trustAnswer is what the check may say of an identifier.
type trustAnswer struct {
	protected   bool
	verified    int // verified reports, up to signalLimit
	first, last int64
	categories  []string
	sources     int  // independent sources among the unverified reports
	shown       bool // the unverified reports may be shown
	held        bool // a burst of anonymous reports is held for staff
}

// trust reads what the check may say of an identifier of kind and value:
// protected, wrongly reported (nothing), not public (nothing), or the
// assessment of the reports naming it.
func (s *Service) trust(ctx context.Context, kind, value string) (trustAnswer, error) {
	id := s.keys.BlindIndex(kind, value)
	switch t, kept, err := s.db.KeptCheck(ctx, id); {
	case err != nil:
		return trustAnswer{}, err
	case kept && t == nil: // neither indexed nor protected
		return trustAnswer{}, nil
	case kept:
		return keptAnswer(t), nil
	}
	i, protected, disputed, kept, err := s.db.Public().CheckState(ctx, id)
	switch {
	case err != nil:
		return trustAnswer{}, err
	case protected || disputed:
		return trustAnswer{protected: protected}, nil
	case i == nil || !i.Public():
		return trustAnswer{}, nil
	case kept != nil:
		return fromTrust(kept), nil
	}
	return s.weigh(ctx, s.db.Public(), id)
}

// weigh assesses the reports naming an identifier, read now: what the
// trust worker keeps (RunTrust), and what the check reads when the kept row
// is missing or marked for weighing again.
func (s *Service) weigh(ctx context.Context, q store.Q, identifierID string) (trustAnswer, error) {
	rs, err := q.IdentifierSignals(ctx, identifierID, signalLimit)
	if err != nil {
		return trustAnswer{}, err
	}
	return assess(rs), nil
}

// keptAnswer is what the check may say of an identifier by its kept row
// alone (the order of trust's own reads).
func keptAnswer(t *store.Trust) trustAnswer {
	switch {
	case t.Protected || t.Disputed:
		return trustAnswer{protected: t.Protected}
	case !t.Public:
		return trustAnswer{}
	}
	return fromTrust(t)
}

// fromTrust is a kept assessment as the check reads it.
func fromTrust(t *store.Trust) trustAnswer {
	cats := t.Categories
	if cats == nil {
		cats = []string{}
	}
	return trustAnswer{verified: t.Verified, first: t.First, last: t.Last, categories: cats, sources: t.Sources, shown: t.Shown, held: t.Held}
}

// toTrust is an assessment as it is kept.
func toTrust(identifierID string, t trustAnswer, public, protected, disputed bool, at int64) *store.Trust {
	return &store.Trust{IdentifierID: identifierID, Verified: t.verified, First: t.first, Last: t.last, Categories: t.categories,
		Sources: t.sources, Shown: t.shown, Held: t.held, Public: public, Protected: protected, Disputed: disputed, ChangedAt: at}
}

// assess weighs the reports naming an identifier.
//
// Verified reports (in a case, or marked verified) are counted as they
// are. Unverified ones are grouped into sources: reports do not store the
// sender's address or anything like it, so what tells one sender from
// another is only what a report keeps in the open — when it came
// (received_at), through which channel, in which language, and who entered
// it (created_by: empty for the public, else the staff member who took it
// by phone or in person). Two reports through the same channel, in the
// same language, entered by the same person (or both by the public) within
// an hour of each other are one source: one person or one network filing
// in one sitting. The unverified reports are shown (as a band of their
// sources) only when there are at least three, from at least two sources,
// and they came on at least two different days (UTC) or through at least
// two channels — a flood in one sitting is one source, and a campaign
// must keep going across days or channels before it shows at all.
//
// A burst — three or more anonymous (public) unverified reports within 24
// hours, with no verified report — is held: the unverified reports are not
// shown until staff review (verify a report, or mark the identifier wrongly
// reported), and staff see the identifier flagged (IdentifierView.Held).
func assess(rs []*store.ReportSignal) trustAnswer {
	var t trustAnswer
	var unverified []*store.ReportSignal
	for _, r := range rs {
		if !r.Verified {
			unverified = append(unverified, r)
			continue
		}
		t.verified++
		if t.first == 0 || r.ReceivedAt < t.first {
			t.first = r.ReceivedAt
		}
		t.last = max(t.last, r.ReceivedAt)
		for _, c := range r.IncidentTypes {
			if !slices.Contains(t.categories, c) {
				t.categories = append(t.categories, c)
			}
		}
	}
	slices.Sort(t.categories)
	if t.categories == nil {
		t.categories = []string{}
	}
	slices.SortFunc(unverified, func(a, b *store.ReportSignal) int { return cmp.Compare(a.ReceivedAt, b.ReceivedAt) })
	last := map[string]int64{} // source key → its latest report
	days, channels := map[int64]bool{}, map[string]bool{}
	var anonymous []int64
	for _, r := range unverified {
		key := r.Channel + "\x00" + r.Language + "\x00" + r.CreatedBy
		if at, ok := last[key]; !ok || r.ReceivedAt-at > sameSitting.Microseconds() {
			t.sources++
		}
		last[key] = r.ReceivedAt
		days[r.ReceivedAt/(24*time.Hour).Microseconds()] = true
		channels[r.Channel] = true
		if r.CreatedBy == "" {
			anonymous = append(anonymous, r.ReceivedAt)
		}
	}
	for k := burstSize - 1; k < len(anonymous) && t.verified == 0; k++ {
		if anonymous[k]-anonymous[k-burstSize+1] <= burstWindow.Microseconds() {
			t.held = true
		}
	}
	t.shown = !t.held && len(unverified) >= minUnverified && t.sources >= minSources && (len(days) >= 2 || len(channels) >= 2)
	return t
}

// VerifyIn is a staff member's word on a report for the public check.
type VerifyIn struct {
	// Verified is true when staff triaged the report as credible, false to
	// take that back.
	Verified bool `json:"verified"`
}

// VerifyView is a report's verified mark.
type VerifyView struct {
	ReportID string `json:"report_id"`
	Verified bool   `json:"verified"`
	// InCase says the report is in a case, which counts as verified
	// whatever the mark says.
	InCase bool `json:"in_case"`
}

// SetVerified marks a report verified (credible, so the public check
// counts it in its band) or takes the mark back. The caller needs
// auth.VerifyReport on the report (not found for another organisation's);
// the change is audited. A report in a case counts as verified anyway.
func (s *Service) SetVerified(ctx context.Context, a auth.Actor, reportID string, in *VerifyIn) (*VerifyView, error) {
	defer s.Changed() // the published range may change
	r, err := s.intake.Authorize(ctx, a, reportID, auth.VerifyReport)
	if err != nil {
		return nil, err
	}
	out := &VerifyView{ReportID: r.ID, Verified: in.Verified}
	err = s.db.Tx(ctx, func(q store.Q) error {
		action := "report.verify"
		if in.Verified {
			if err := q.PutReportVerification(ctx, &store.ReportVerification{ReportID: r.ID, OrgID: r.OrgID, VerifiedBy: a.UserID, VerifiedAt: store.Now()}); err != nil {
				return err
			}
		} else {
			action = "report.unverify"
			if err := q.DeleteReportVerification(ctx, r.ID); err != nil {
				return err
			}
		}
		cases, err := q.ReportCaseIDs(ctx, r.ID)
		if err != nil {
			return err
		}
		out.InCase = len(cases) > 0
		return audit.Record(ctx, q, a, action, "report", r.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Verified tells whether staff marked a report verified (the report page's
// button). The caller must be allowed to read the report.
func (s *Service) Verified(ctx context.Context, a auth.Actor, reportID string) (bool, error) {
	if _, err := s.intake.Authorize(ctx, a, reportID, auth.ReadReport); err != nil {
		return false, err
	}
	_, err := s.db.Read().GetReportVerification(ctx, reportID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ProtectIn registers a protected identifier.
type ProtectIn struct {
	// Value is a phone number, handle, URL, domain, e-mail or wallet,
	// normalised as the check normalises a query.
	Value string `json:"value"`
	// Country (ISO 3166-1 alpha-2) reads a phone number written without
	// its country code.
	Country string `json:"country,omitempty"`
	// Note says whose it is (e.g. "our hotline", "Embassy of … in Phnom
	// Penh"). Staff see it; the public does not.
	Note string `json:"note,omitempty"`
}

// ProtectedView is a protected identifier as its organisation's staff see
// it.
type ProtectedView struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Value     string    `json:"value"`
	Country   string    `json:"country,omitempty"`
	Note      string    `json:"note"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Service) protectedView(p *store.ProtectedIdentifier) (ProtectedView, error) {
	v, err := s.keys.OpenIdentifier(p.IdentifierID, p.Sealed)
	if err != nil {
		return ProtectedView{}, fmt.Errorf("links: protected identifier %s: %w", p.ID, err)
	}
	return ProtectedView{ID: p.ID, Kind: p.Kind, Value: v, Country: p.Country, Note: p.Note, CreatedBy: p.CreatedBy, CreatedAt: store.Time(p.CreatedAt)}, nil
}

// Protect registers one of a's organisation's own or its partners'
// contacts as legitimate: the public check then answers legitimate for it,
// whatever reports say. It needs auth.ManageProtected (coordinators and
// admins) and is audited. The value is normalised as a check query is, so
// any way of writing it finds it; it is stored sealed, by its blind index.
func (s *Service) Protect(ctx context.Context, a auth.Actor, in *ProtectIn) (*ProtectedView, error) {
	defer s.Changed() // the published range may change
	if !auth.Can(a, auth.ManageProtected, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	value := strings.TrimSpace(in.Value)
	if value == "" {
		return nil, invalid.Field("value", "required", "give a phone number, handle, URL, domain, e-mail or wallet address")
	}
	if err := invalid.Text("value", value, 500, true); err != nil {
		return nil, err
	}
	country, err := intake.NormaliseCountry("country", in.Country)
	if err != nil {
		return nil, err
	}
	note := strings.TrimSpace(in.Note)
	if err := invalid.Text("note", note, 500, false); err != nil {
		return nil, err
	}
	h, ok := extract.Query(value, country)
	if !ok {
		return nil, invalid.Field("value", "not_an_identifier", "%q is not a phone number, handle, URL, e-mail or wallet address Vigil can read", value)
	}
	id := s.keys.BlindIndex(string(h.Kind), h.Value)
	p := &store.ProtectedIdentifier{ID: store.NewID(), OrgID: a.OrgID, IdentifierID: id, Kind: string(h.Kind), Sealed: s.keys.SealIdentifier(id, h.Value),
		Country: country, Note: note, CreatedBy: a.UserID, CreatedAt: store.Now()}
	err = s.db.Tx(ctx, func(q store.Q) error {
		if err := q.PutProtectedIdentifier(ctx, p); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return invalid.Field("value", "duplicate", "%s is already registered by your organisation", h.Value)
			}
			return err
		}
		return audit.Record(ctx, q, a, "identifier.protect", "protected_identifier", p.ID, map[string]string{"kind": p.Kind})
	})
	if err != nil {
		return nil, err
	}
	v, err := s.protectedView(p)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// ListProtected lists a's organisation's protected identifiers, oldest
// first.
func (s *Service) ListProtected(ctx context.Context, a auth.Actor) ([]ProtectedView, error) {
	if !auth.Can(a, auth.ManageProtected, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	ps, err := s.db.Read().ListProtectedIdentifiers(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	out := []ProtectedView{}
	for _, p := range ps {
		v, err := s.protectedView(p)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Unprotect removes one of a's organisation's protected identifiers;
// audited. Another organisation's, or any for an actor who may not manage
// them, is not found: an entry's id shows only to those who may.
func (s *Service) Unprotect(ctx context.Context, a auth.Actor, id string) error {
	defer s.Changed() // the published range may change
	return s.db.Tx(ctx, func(q store.Q) error {
		p, err := q.GetProtectedIdentifier(ctx, id)
		if err != nil {
			return err
		}
		if !auth.Can(a, auth.ManageProtected, auth.Resource{OrgID: p.OrgID}) {
			return fmt.Errorf("protected identifier %s: %w", id, store.ErrNotFound)
		}
		if err := q.DeleteProtectedIdentifier(ctx, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "identifier.unprotect", "protected_identifier", id, map[string]string{"kind": p.Kind})
	})
}

// WronglyReportedIn is a staff member's word that an identifier was
// wrongly reported (a smeared hotline, a rival's number).
type WronglyReportedIn struct {
	// WronglyReported is true to mark it, false to take the mark back.
	WronglyReported bool   `json:"wrongly_reported"`
	Reason          string `json:"reason"`
}

// WronglyReportedView is an identifier's state after the word.
type WronglyReportedView struct {
	ID              string `json:"id"`
	WronglyReported bool   `json:"wrongly_reported"`
}

// SetWronglyReported records a's organisation's word that an identifier
// was wrongly reported, or takes it back. While any organisation holds it,
// the public check answers as for an identifier never reported. Access is
// as for SetSide (auth.MarkIdentifier on a report of a's organisation that
// names it; not found otherwise); audited with the reason, sealed.
func (s *Service) SetWronglyReported(ctx context.Context, a auth.Actor, identifierID string, in *WronglyReportedIn) (*WronglyReportedView, error) {
	defer s.Changed() // the published range may change
	reason := strings.TrimSpace(in.Reason)
	if n := utf8.RuneCountInString(reason); n < 5 || n > 1000 || !utf8.ValidString(reason) {
		return nil, invalid.Field("reason", "required", "say why, in 5 to 1000 characters")
	}
	if err := s.ownIdentifier(ctx, a, identifierID); err != nil {
		return nil, err
	}
	err := s.db.Tx(ctx, func(q store.Q) error {
		action := "identifier.wrongly_reported"
		if in.WronglyReported {
			if err := q.PutIdentifierDispute(ctx, identifierID, a.OrgID, a.UserID, store.Now()); err != nil {
				return err
			}
		} else {
			action = "identifier.wrongly_reported_withdrawn"
			if err := q.DeleteIdentifierDispute(ctx, identifierID, a.OrgID); err != nil {
				return err
			}
		}
		return audit.RecordReason(ctx, q, s.keys, a, action, "identifier", identifierID, reason, nil)
	})
	if err != nil {
		return nil, err
	}
	return &WronglyReportedView{ID: identifierID, WronglyReported: in.WronglyReported}, nil
}

// ownIdentifier checks a may mark an identifier: auth.MarkIdentifier on a
// report of a's organisation that names it (access to one is access to the
// identifier); not found otherwise.
func (s *Service) ownIdentifier(ctx context.Context, a auth.Actor, identifierID string) error {
	if len(identifierID) != 32 || strings.Trim(identifierID, "0123456789abcdef") != "" || a.OrgID == "" {
		return fmt.Errorf("identifier %q: %w", identifierID, store.ErrNotFound)
	}
	own, err := s.db.Read().OrgOccurrences(ctx, identifierID, a.OrgID, "", 1)
	if err != nil {
		return err
	}
	if len(own) == 0 {
		return fmt.Errorf("identifier %s: %w", identifierID, store.ErrNotFound)
	}
	_, err = s.intake.Authorize(ctx, a, own[0].ReportID, auth.MarkIdentifier)
	return err
}

// held tells whether a burst of anonymous reports naming an identifier is
// held from the public check (for staff views).
func (s *Service) held(ctx context.Context, q store.Q, identifierID string) (bool, error) {
	_, _, _, kept, err := q.CheckState(ctx, identifierID)
	if err != nil {
		return false, err
	}
	// A row kept without weighing (protected, disputed or not public)
	// does not say; staff still see a burst held on those.
	if kept != nil && kept.Public && !kept.Protected && !kept.Disputed {
		return kept.Held, nil
	}
	t, err := s.weigh(ctx, q, identifierID)
	return t.held, err
}

// trustBatch is how many marked identifiers the trust worker weighs in one
// transaction.
const trustBatch = 500

// signalsChunk is how many identifiers' reports the trust worker reads in
// one statement (store.Q.IdentifiersSignals): at most signalsChunk ×
// signalLimit rows.
const signalsChunk = 50

// WeighPending weighs up to trustBatch identifiers marked since their
// assessment was kept (a report linked, verified, put in a case …), keeps
// the new assessments and clears the marks no change renewed meanwhile. It
// returns how many marks it read: less than trustBatch when it caught up.
func (s *Service) WeighPending(ctx context.Context) (int, error) {
	var marks []store.TrustMark
	var keep []*store.Trust
	// The reads are one batch (one read transaction on SQLite, whose pages
	// then stay cached from one identifier to the next).
	err := s.db.ReadBatch(ctx, func(q store.Q) error {
		var err error
		marks, err = q.PendingTrust(ctx, trustBatch)
		if err != nil || len(marks) == 0 {
			return err
		}
		keep, err = s.weighMarked(ctx, q, marks)
		return err
	})
	if err != nil || len(marks) == 0 {
		return 0, err
	}
	err = s.db.DerivedTx(ctx, func(q store.Q) error { return q.SaveTrust(ctx, keep, marks) })
	if err != nil {
		return 0, fmt.Errorf("links: weigh trust: %w", err)
	}
	s.Changed() // the published range may change
	return len(marks), nil
}

// signalsOf reads the newest signalLimit reports of each identifier,
// signalsChunk identifiers to a statement.
func signalsOf(ctx context.Context, q store.Q, ids []string) (map[string][]*store.ReportSignal, error) {
	signals := make(map[string][]*store.ReportSignal, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), signalsChunk)]
		ids = ids[len(chunk):]
		got, err := q.IdentifiersSignals(ctx, chunk, signalLimit)
		if err != nil {
			return nil, err
		}
		maps.Copy(signals, got)
	}
	return signals, nil
}

// weighMarked weighs the marked identifiers through q: the assessments
// to keep, one for each mark, in order.
func (s *Service) weighMarked(ctx context.Context, q store.Q, marks []store.TrustMark) ([]*store.Trust, error) {
	ids := make([]string, len(marks))
	for i, m := range marks {
		ids[i] = m.IdentifierID
	}
	found, err := q.GetIdentifiers(ctx, ids)
	if err != nil {
		return nil, err
	}
	public := make(map[string]bool, len(found))
	for _, i := range found {
		public[i.ID] = i.Public()
	}
	protected, disputed, err := q.TrustMarks(ctx, ids)
	if err != nil {
		return nil, err
	}
	// The check weighs reports only for a public identifier no one
	// protected or disputed: for the others the row keeps why it answers
	// as it does.
	var weighed []string
	for _, id := range ids {
		if public[id] && !protected[id] && !disputed[id] {
			weighed = append(weighed, id)
		}
	}
	signals, err := signalsOf(ctx, q, weighed)
	if err != nil {
		return nil, err
	}
	now := store.Now()
	keep := make([]*store.Trust, len(ids))
	for k, id := range ids {
		var t trustAnswer
		if public[id] && !protected[id] && !disputed[id] {
			t = assess(signals[id])
		}
		keep[k] = toTrust(id, t, public[id], protected[id], disputed[id], now)
	}
	return keep, nil
}

// RunTrust keeps the public check's kept assessments current until ctx
// ends: it weighs marked identifiers batch after batch, and waits every
// when it has caught up. A failed batch is logged and tried again.
func (s *Service) RunTrust(ctx context.Context, every time.Duration) {
	for {
		n, err := s.WeighPending(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "links: weigh trust", "err", err)
		}
		if n == trustBatch && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
