package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/locale"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// The formats.
const (
	STIX = "stix"
	FtM  = "ftm"
	CTDC = "ctdc"
	CSV  = "csv"
	XLSX = "xlsx"
)

// Formats returns the formats, in the order the API documents them.
func Formats() []string { return []string{STIX, FtM, CTDC, CSV, XLSX} }

// DefaultK is the k of a CTDC export when none is asked for: CTDC
// publishes its own data set k-anonymised with k = 11.
const DefaultK = 11

// pageSize is how many reports a walk reads at a time.
const pageSize = 500

// Service writes the data exports. It reads the store itself (the exports
// cross every service's tables), authorises with auth.Can (auth.ExportData
// on the actor's organisation) and records every export in the audit
// trail before its first byte.
type Service struct {
	db     *store.DB
	keys   *seal.Keyring
	intake *intake.Service
	// labels are the pages' catalogues, for the CSV and XLSX headings.
	labels map[string]locale.Catalogue
	// SheetRows is the most rows an XLSX sheet takes, its heading
	// included (0: excelize.TotalRows, Excel's limit); a table with more
	// goes on in another sheet. Tests set it small.
	SheetRows int
}

// New returns the export service. labels are the pages' catalogues (nil:
// English column names as the package documentation lists them).
func New(db *store.DB, keys *seal.Keyring, in *intake.Service, labels map[string]locale.Catalogue) *Service {
	return &Service{db: db, keys: keys, intake: in, labels: labels}
}

// Request is one export.
type Request struct {
	Format string
	// Since keeps reports received at or after it; zero: all.
	Since time.Time
	// TLP is the STIX marking: clear (white), green, amber (the default),
	// amber+strict or red.
	TLP string
	// K is the CTDC export's k (DefaultK when 0).
	K int
	// Lang is the language of CSV and XLSX headings.
	Lang string
	// Reveal asks for the victims' sealed fields in CSV and XLSX, and the
	// testimony (statements; in CSV also attachments), for an actor who
	// may reveal them, with Reason (recorded, sealed).
	Reveal bool
	Reason string
	// Table is the one table a CSV export over HTTP writes (reports,
	// victims, cases, referrals, identifiers; statements with Reveal);
	// the CLI writes them all (WriteDir).
	Table string
}

// RequestOf reads a request as the API takes it: format from the path,
// since (YYYY-MM-DD or RFC 3339), tlp, k, lang, reveal, reason and table
// from the query. Bad input is an *invalid.Error naming the parameter.
func RequestOf(format string, v url.Values) (Request, error) {
	r := Request{Format: format, TLP: v.Get("tlp"), Lang: v.Get("lang"), Reason: v.Get("reason"), Table: v.Get("table")}
	if s := v.Get("since"); s != "" {
		t, err := ParseSince(s)
		if err != nil {
			return r, invalid.Field("since", "invalid_value", "must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
		r.Since = t
	}
	if s := v.Get("k"); s != "" {
		k, err := strconv.Atoi(s)
		if err != nil {
			return r, invalid.Field("k", "invalid_value", "must be a whole number from 2 to 1000")
		}
		r.K = k
	}
	switch v.Get("reveal") {
	case "", "false", "no":
	case "true", "yes":
		r.Reveal = true
	default:
		return r, invalid.Field("reveal", "invalid_value", "must be true or false")
	}
	return r, nil
}

// ParseSince reads a since filter: a date (UTC midnight) or an RFC 3339
// time.
func ParseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// Export is an export authorised, audited and ready to be written.
type Export struct {
	s   *Service
	a   auth.Actor
	r   Request
	org *store.Organisation
	// now is the export's time (the bundle's and the CTDC file's).
	now time.Time
	// stix is the planned bundle of a STIX export.
	stix *stixPlan
	// ctdc is the k-anonymised table of a CTDC export.
	ctdc *ctdcTable
	// open opens reports' sealed parts when the export reveals them.
	open intake.Opener
	// Rows is how many rows the export holds, as recorded in the audit
	// trail: a STIX bundle's objects, a CTDC file's victims (those kept),
	// otherwise the reports it is made from.
	Rows int
}

// Format is the export's format.
func (e *Export) Format() string { return e.r.Format }

// ContentType is the export's media type.
func (e *Export) ContentType() string {
	switch e.r.Format {
	case STIX:
		return "application/stix+json;version=2.1"
	case FtM:
		return "application/x-ndjson"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Filename is the name the export is saved under.
func (e *Export) Filename() string {
	ext := map[string]string{STIX: "json", FtM: "ftm.json", CTDC: "csv", CSV: "csv", XLSX: "xlsx"}[e.r.Format]
	name := "vigil-" + e.r.Format
	if e.r.Format == CSV && e.r.Table != "" {
		name = "vigil-" + e.r.Table
	}
	return name + "-" + e.now.Format("20060102-1504") + "." + ext
}

// Start checks r, checks that a may export its organisation's data (and
// reveal, when r asks to), plans the export where its format needs the
// whole of it first (STIX, CTDC), records it in the audit trail
// ("export.data": format, filters, rows) and returns it to write.
func (s *Service) Start(ctx context.Context, a auth.Actor, r Request) (*Export, error) {
	if !slices.Contains(Formats(), r.Format) {
		return nil, invalid.Field("format", "invalid_value", "must be one of %s", strings.Join(Formats(), ", "))
	}
	if !auth.Can(a, auth.ExportData, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	if r.TLP == "" {
		r.TLP = "amber"
	}
	if r.TLP != "amber" && r.Format != STIX {
		return nil, invalid.Field("tlp", "invalid_value", "only a STIX export has a TLP marking")
	}
	if _, ok := tlpMarkings[r.TLP]; !ok {
		return nil, invalid.Field("tlp", "invalid_value", "must be one of %s", strings.Join(TLPs(), ", "))
	}
	if r.K == 0 {
		r.K = DefaultK
	}
	if r.K < 2 || r.K > 1000 {
		return nil, invalid.Field("k", "invalid_value", "must be a whole number from 2 to 1000")
	}
	if r.K != DefaultK && r.Format != CTDC {
		return nil, invalid.Field("k", "invalid_value", "only a CTDC export is k-anonymised")
	}
	if r.Reveal && r.Format != CSV && r.Format != XLSX {
		return nil, invalid.Field("reveal", "invalid_value", "only the CSV and XLSX exports carry sealed fields")
	}
	if r.Table != "" && !slices.Contains(Tables(), r.Table) && r.Table != TableStatements {
		return nil, invalid.Field("table", "invalid_value", "must be one of %s, or %s with reveal", strings.Join(Tables(), ", "), TableStatements)
	}
	if r.Table == TableStatements && !r.Reveal {
		return nil, invalid.Field("table", "reveal_required", "the statements are the testimony: only an export that reveals (with a reason) carries them")
	}
	org, err := s.db.Read().GetOrganisation(ctx, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("export: organisation: %w", err)
	}
	e := &Export{s: s, a: a, r: r, org: org, now: time.Now().UTC().Truncate(time.Millisecond)}
	detail := map[string]string{"format": r.Format}
	if !r.Since.IsZero() {
		detail["since"] = r.Since.UTC().Format(time.RFC3339)
	}
	switch r.Format {
	case STIX:
		detail["tlp"] = r.TLP
		if e.stix, err = s.planSTIX(ctx, e); err != nil {
			return nil, err
		}
		e.Rows = e.stix.count
	case CTDC:
		detail["k"] = strconv.Itoa(r.K)
		if e.ctdc, err = s.planCTDC(ctx, e); err != nil {
			return nil, err
		}
		e.Rows = len(e.ctdc.rows)
		detail["suppressed_rows"] = strconv.Itoa(e.ctdc.SuppressedRows)
		detail["suppressed_cells"] = strconv.Itoa(e.ctdc.SuppressedCells)
		if len(e.ctdc.Generalised) > 0 {
			detail["generalised"] = strings.Join(e.ctdc.Generalised, ",")
		}
	case FtM, CSV, XLSX:
		n, err := s.db.Read().CountReportsUpTo(ctx, e.filter(), 100_000_000)
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		e.Rows = n
	}
	if r.Table != "" {
		detail["table"] = r.Table
	}
	detail["rows"] = strconv.Itoa(e.Rows)
	if r.Reveal {
		if s.intake == nil {
			return nil, errors.New("export: reveal: no intake service")
		}
		// Audited, with the reason, before anything is opened; refused
		// (403 naming "sealed") to an actor who may not reveal.
		if e.open, err = s.intake.RevealForExport(ctx, a, r.Reason, map[string]string{"export": r.Format}); err != nil {
			return nil, err
		}
		detail["sealed"] = "yes"
		detail["testimony"] = "yes"
	}
	err = s.db.Tx(ctx, func(q store.Q) error {
		return audit.Record(ctx, q, a, "export.data", "organisation", a.OrgID, detail)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Suppressed tells how many rows and cells a CTDC export suppressed to
// reach k (zero for the other formats).
func (e *Export) Suppressed() (rows, cells int) {
	if e.ctdc == nil {
		return 0, 0
	}
	return e.ctdc.SuppressedRows, e.ctdc.SuppressedCells
}

// Generalised names the generalisations a CTDC export applied to every
// row: "age" (age band to minor/adult), "year" (year removed).
func (e *Export) Generalised() []string {
	if e.ctdc == nil {
		return nil
	}
	return e.ctdc.Generalised
}

// Write writes the export to w. A CSV export writes its one table
// (Request.Table, default reports); WriteTable writes any of them.
func (e *Export) Write(ctx context.Context, w io.Writer) error {
	switch e.r.Format {
	case STIX:
		return e.writeSTIX(w)
	case FtM:
		return e.writeFtM(ctx, w)
	case CTDC:
		return e.writeCTDC(w)
	case XLSX:
		return e.writeXLSX(ctx, w)
	}
	t := e.r.Table
	if t == "" {
		t = TableReports
	}
	return e.WriteTable(ctx, t, w)
}

// filter is the report filter of the export: the actor's organisation and
// the since bound.
func (e *Export) filter() store.ReportFilter {
	f := store.ReportFilter{OrgID: e.a.OrgID}
	if !e.r.Since.IsZero() {
		f.ReceivedFrom = e.r.Since.UnixMicro()
	}
	return f
}

// walk calls fn with every page of the export's reports (newest first),
// erased reports left out.
func (e *Export) walk(ctx context.Context, fn func([]*store.Report) error) error {
	f := e.filter()
	f.Limit = pageSize
	q := e.s.db.Read()
	for {
		page, err := q.ListReports(ctx, f)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		f.Before = page[len(page)-1].ID
		kept := page[:0]
		for _, r := range page {
			if r.ErasedAt == 0 {
				kept = append(kept, r)
			}
		}
		if err := fn(kept); err != nil {
			return err
		}
		if len(page) < pageSize {
			return nil
		}
	}
}

// stamp is a STIX/RFC 3339 timestamp with milliseconds, in UTC.
func stamp(us int64) string {
	return time.UnixMicro(us).UTC().Format("2006-01-02T15:04:05.000Z")
}
