package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"syscall"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
)

// Service imports files and Kobo submissions as reports.
type Service struct {
	db     *store.DB
	intake *intake.Service
	log    *slog.Logger
	// HTTP fetches Kobo attachments (nil: attachments are left pending).
	// Its timeout bounds each fetch.
	HTTP *http.Client
	// KoboToken, if set, is sent as "Authorization: Token …" with each
	// attachment fetch (Kobo's API token).
	KoboToken string
	// Now is the clock (tests set it).
	Now func() time.Time
}

// New returns an import service writing through in.
func New(db *store.DB, in *intake.Service, logger *slog.Logger) *Service {
	return &Service{db: db, intake: in, log: logger, Now: time.Now,
		HTTP: PublicClient(10 * time.Second)}
}

// Plan is a file read and checked: every row as a report, ready to import.
type Plan struct {
	Source string
	Format string
	Rows   []*Row
	// Skipped counts rows the mapping's skip rules left out; Duplicates,
	// rows identical to an earlier one of the file.
	Skipped, Duplicates int
}

// Prepare reads a file (name is its path, for the source and messages) and
// checks every row against the mapping. A file with problems is a
// *Problems listing each with its line and column; nothing is written.
func Prepare(format, name string, r io.Reader, m *Mapping, now time.Time) (*Plan, error) {
	return PrepareWith(format, name, r, m, now, nil)
}

// PrepareWith is Prepare telling progress, if set, how many rows it has
// checked (every thousand, and at the end).
func PrepareWith(format, name string, r io.Reader, m *Mapping, now time.Time, progress func(rows int)) (*Plan, error) {
	t, err := Read(format, r, m)
	if err != nil {
		var ps *Problems
		if errors.As(err, &ps) {
			ps.File = name
		}
		return nil, err
	}
	return prepareTable(format, name, t, m, now, progress)
}

func prepareTable(format, name string, t *Table, m *Mapping, now time.Time, progress func(int)) (*Plan, error) {
	source := m.Source
	if source == "" {
		source = filepath.Base(name)
	}
	c, err := newConverter(m, source, format == "kobo", now)
	if err != nil {
		return nil, err
	}
	ps := &Problems{File: name}
	for _, col := range append(append([]string{}, m.Key...), sortedKeys(m.Skip)...) {
		if !hasColumn(t, col) && format != "kobo" {
			ps.add(1, col, "is named in the mapping but the file has no such column")
		}
	}
	for _, fname := range m.fieldNames() {
		f := m.Fields[fname]
		if f.Repeat != "" || format == "kobo" {
			continue // Kobo omits empty answers: a missing key is not an error.
		}
		for _, col := range f.Columns {
			if !hasColumn(t, col) {
				ps.add(1, col, "is mapped to %s but the file has no such column", fname)
			}
		}
	}
	if len(ps.List) > 0 {
		return nil, ps
	}
	p := &Plan{Source: source, Format: format}
	seen := map[string]bool{}
	for i, rec := range t.Records {
		if progress != nil && (i%1000 == 0 || i == len(t.Records)-1) {
			progress(i + 1)
		}
		row, skip := c.convert(rec, ps)
		switch {
		case skip:
			p.Skipped++
		case row == nil:
		case seen[row.Key]:
			p.Duplicates++
		default:
			seen[row.Key] = true
			p.Rows = append(p.Rows, row)
		}
	}
	if len(ps.List) > 0 {
		return nil, ps
	}
	return p, nil
}

func hasColumn(t *Table, col string) bool {
	for _, h := range t.Headers {
		if h == col {
			return true
		}
	}
	return false
}

// Result is what an import did.
type Result struct {
	Source string `json:"source"`
	// Rows is how many rows the file has as reports; Created how many
	// became new reports, Already how many were imported before.
	Rows    int `json:"rows"`
	Created int `json:"created"`
	Already int `json:"already_imported"`
	// Skipped and Duplicates as in Plan.
	Skipped    int `json:"skipped"`
	Duplicates int `json:"duplicates"`
	// Attached and Pending count the submissions' files fetched and left
	// to fetch later.
	Attached int      `json:"attached"`
	Pending  int      `json:"pending"`
	Reports  []string `json:"reports,omitempty"`
}

// Options are an import's choices.
type Options struct {
	// DryRun checks everything and writes nothing.
	DryRun bool
	// Progress, if set, is told how many rows of total are written.
	Progress func(done, total int)
	// inTx, if set, writes more in the import's transaction once its
	// reports are: created maps the keys of the rows created to their
	// reports.
	inTx func(ctx context.Context, q store.Q, created map[string]string, now time.Time) error
}

// importChunk is how many reports are built and written at a time (all in
// the file's one transaction).
const importChunk = 500

// Import writes p's rows not imported before as reports of a's
// organisation, all in one transaction (a failure writes nothing), with
// one audit event for the file. Attachments are fetched afterwards.
func (s *Service) Import(ctx context.Context, a auth.Actor, p *Plan, o Options) (*Result, error) {
	if a.Public() || !auth.Can(a, auth.CreateReport, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	res := &Result{Source: p.Source, Rows: len(p.Rows), Skipped: p.Skipped, Duplicates: p.Duplicates}
	keys := make([]string, len(p.Rows))
	for i, r := range p.Rows {
		keys[i] = r.Key
	}
	if o.DryRun {
		have, err := s.db.Read().ImportedKeys(ctx, a.OrgID, keys)
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		res.Already = len(have)
		res.Created = len(p.Rows) - len(have)
		return res, nil
	}
	now := s.Now().UTC()
	var created []*Row
	write := func(q store.Q) error {
		created, res.Reports, res.Already = nil, nil, 0
		have, err := q.ImportedKeys(ctx, a.OrgID, keys)
		if err != nil {
			return err
		}
		var todo []*Row
		for _, r := range p.Rows {
			if _, ok := have[r.Key]; ok {
				res.Already++
			} else {
				todo = append(todo, r)
			}
		}
		for start := 0; start < len(todo); start += importChunk {
			part := todo[start:min(start+importChunk, len(todo))]
			subs := make([]*intake.Submission, len(part))
			for i, r := range part {
				subs[i] = r.Sub
			}
			ids, err := s.intake.ImportInto(ctx, q, a, subs, now)
			if err != nil {
				return err
			}
			rows := make([]*store.ImportRow, len(part))
			for i, r := range part {
				rows[i] = &store.ImportRow{OrgID: a.OrgID, Key: r.Key, ReportID: ids[i], Source: p.Source, Line: r.Line, ImportedAt: now.UnixMicro()}
				if !r.Original.IsZero() {
					rows[i].OriginalAt = r.Original.UnixMicro()
				}
			}
			if err := q.PutImportRows(ctx, rows); err != nil {
				return err
			}
			res.Reports = append(res.Reports, ids...)
			created = append(created, part...)
			if o.Progress != nil {
				o.Progress(start+len(part), len(todo))
			}
		}
		if o.inTx != nil {
			made := make(map[string]string, len(created))
			for i, r := range created {
				made[r.Key] = res.Reports[i]
			}
			if err := o.inTx(ctx, q, made, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, a, "import.file", "organisation", a.OrgID, map[string]any{
			"source": p.Source, "format": p.Format, "rows": len(p.Rows), "created": len(created), "already_imported": res.Already, "skipped": p.Skipped})
	}
	err := s.db.Tx(ctx, write)
	for try := 0; try < 3 && errors.Is(err, store.ErrConflict); try++ {
		// A concurrent import (a Kobo retry racing its first delivery)
		// committed some of these rows first: once more, they are skipped.
		err = s.db.Tx(ctx, write)
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: import %s: %w", p.Source, err)
	}
	res.Created = len(created)
	if res.Created >= analyzeAfter {
		// A large import changes the tables' statistics at once; the
		// linking jobs it queues read them (see store.DB.AnalyzeReports).
		if err := s.db.AnalyzeReports(ctx); err != nil {
			s.log.WarnContext(ctx, "ingest: refreshing the planner's statistics after a large import failed", "err", err)
		}
	}
	s.intake.Imported(ctx, res.Reports)
	for i, r := range created {
		for _, at := range r.Attachments {
			if s.attach(ctx, a, res.Reports[i], at) {
				res.Attached++
			} else {
				res.Pending++
			}
		}
	}
	return res, nil
}

// analyzeAfter is how many reports an import creates before it refreshes
// the planner's statistics (PostgreSQL).
const analyzeAfter = 10_000

// MaxFetch bounds an attachment fetched from Kobo (intake checks it
// against its own, smaller limit).
const MaxFetch = 64 << 20

// attach fetches one attachment and adds it to the report through
// intake's checks; one that cannot be fetched or is refused is recorded
// as pending, with why. It reports whether the file was attached.
func (s *Service) attach(ctx context.Context, a auth.Actor, reportID string, at Attachment) bool {
	reason := ""
	if s.HTTP == nil {
		reason = "not fetched: no HTTP client"
	} else if data, err := s.fetch(ctx, at.URL); err != nil {
		reason = err.Error()
	} else if _, err := s.intake.AddAttachment(ctx, a, reportID, "attachment", at.Name, bytes.NewReader(data)); err != nil {
		reason = "refused: " + message(err)
	} else {
		return true
	}
	s.log.WarnContext(ctx, "ingest: attachment left pending", "report", reportID, "url", at.URL, "reason", reason)
	err := s.db.Tx(ctx, func(q store.Q) error {
		return q.PutPendingAttachment(ctx, &store.PendingAttachment{ReportID: reportID, URL: at.URL, Name: at.Name, MediaType: at.MediaType,
			Reason: reason, CreatedAt: s.Now().UnixMicro()})
	})
	if err != nil {
		s.log.ErrorContext(ctx, "ingest: record pending attachment", "report", reportID, "err", err)
	}
	return false
}

func (s *Service) fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	if s.KoboToken != "" {
		req.Header.Set("Authorization", "Token "+s.KoboToken)
	}
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("unreachable: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("refused: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxFetch+1))
	if err != nil {
		return nil, fmt.Errorf("unreachable: %w", err)
	}
	if len(data) > MaxFetch {
		return nil, fmt.Errorf("too large: more than %d bytes", MaxFetch)
	}
	return data, nil
}

// PublicClient is an HTTP client for fetching attachments from the URLs a
// submission gives: it connects only to public addresses (no loopback,
// private, link-local or unspecified ones, checked on the address dialled,
// after DNS), so a submission cannot make Vigil fetch from its own
// network. timeout bounds each fetch.
func PublicClient(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return err
		}
		ip = ip.Unmap()
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
			return fmt.Errorf("ingest: %s is not a public address", ip)
		}
		return nil
	}}
	tr := &http.Transport{DialContext: d.DialContext, Proxy: nil, TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: timeout}
	return &http.Client{Timeout: timeout, Transport: tr}
}

// FetchPending tries again every attachment left pending (at most 10,000
// at a time): one fetched and accepted is attached to its report and
// forgotten; one refused or unreachable stays, with the new reason. It
// returns how many were attached and how many are still pending.
func (s *Service) FetchPending(ctx context.Context) (attached, pending int, err error) {
	ps, err := s.db.Read().AllPendingAttachments(ctx, 10_000)
	if err != nil {
		return 0, 0, fmt.Errorf("ingest: %w", err)
	}
	for _, p := range ps {
		r, err := s.db.Read().GetReport(ctx, p.ReportID)
		if errors.Is(err, store.ErrNotFound) || err == nil && r.ErasedAt != 0 {
			if err := s.db.Tx(ctx, func(q store.Q) error { return q.DeletePendingAttachment(ctx, p.ReportID, p.URL) }); err != nil {
				return attached, pending, fmt.Errorf("ingest: %w", err)
			}
			continue
		}
		if err != nil {
			return attached, pending, fmt.Errorf("ingest: %w", err)
		}
		a := auth.Actor{UserID: "system", OrgID: r.OrgID, Role: auth.Intake}
		reason := ""
		if s.HTTP == nil {
			reason = "not fetched: no HTTP client"
		} else if data, err := s.fetch(ctx, p.URL); err != nil {
			reason = err.Error()
		} else if _, err := s.intake.AddAttachment(ctx, a, p.ReportID, "attachment", p.Name, bytes.NewReader(data)); err != nil {
			reason = "refused: " + message(err)
		}
		err = s.db.Tx(ctx, func(q store.Q) error {
			if reason == "" {
				return q.DeletePendingAttachment(ctx, p.ReportID, p.URL)
			}
			return q.SetPendingReason(ctx, p.ReportID, p.URL, reason)
		})
		if err != nil {
			return attached, pending, fmt.Errorf("ingest: %w", err)
		}
		if reason == "" {
			attached++
		} else {
			pending++
		}
	}
	return attached, pending, nil
}
