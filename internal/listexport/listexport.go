// Package listexport writes the staff lists — the triage queue, the cases,
// the referrals and the statistics — as CSV or XLSX, with the same filters
// and the same access as the list pages, in the reader's language, and
// never a sealed field. The API and the pages both call [Service.Start];
// every export is audited ("export.list") before its first byte is written.
//
// Rows are streamed a page at a time from the services that own them (which
// authorise every page), so an export of 100,000 reports never holds them
// all in memory: CSV goes straight to the writer; XLSX goes through
// excelize's stream writer, which keeps rows in a temporary file once they
// outgrow its buffer.
package listexport

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/locale"
	"github.com/vigil-project/vigil/internal/search"
	"github.com/vigil-project/vigil/internal/stats"
	"github.com/vigil-project/vigil/internal/store"
)

// The lists that export.
const (
	Triage    = "triage"
	Cases     = "cases"
	Referrals = "referrals"
	Stats     = "stats"
	Search    = "search"
)

// Lists returns the lists that export, in the order the API documents them.
func Lists() []string { return []string{Triage, Cases, Referrals, Stats, Search} }

// Formats returns the formats an export is written in.
func Formats() []string { return []string{"csv", "xlsx"} }

// pageSize is how many rows each service call fetches.
const pageSize = 500

// TriageStatuses are the statuses the triage queue's status= filter takes:
// the queue itself, and the reports staff set aside.
var triageStatuses = []string{intake.StatusReceived, intake.StatusDismissed, intake.StatusMerged}

// Searcher finds reports and cases (*search.Service), checking each result
// against its reader.
type Searcher interface {
	Search(ctx context.Context, a auth.Actor, query string, limit int, cursor string) (*search.Page, error)
}

// Service exports lists.
type Service struct {
	db       *store.DB
	intake   *intake.Service
	casework *casework.Service
	stats    *stats.Service
	search   Searcher
	// labels are the pages' message catalogues, for column headings and
	// values (status, urgency, incident type) in the reader's language.
	labels map[string]locale.Catalogue
}

// New returns the export service. labels are the pages' catalogues.
func New(db *store.DB, in *intake.Service, cw *casework.Service, st *stats.Service, srch Searcher, labels map[string]locale.Catalogue) *Service {
	return &Service{db: db, intake: in, casework: cw, stats: st, search: srch, labels: labels}
}

// Request is one export: a list, a format, the reader's language and the
// list's filters as its page puts them in the URL (triage: status,
// language, incident_type, place, urgent, from, to; cases: status,
// urgency, mine, overdue; search: q).
type Request struct {
	List   string
	Format string
	Lang   string
	Filter url.Values
	// Sealed asks for the sealed fields (reporter and victim identities)
	// in the triage list, for a reader who may reveal them, with Reason
	// (recorded, sealed, in the audit trail).
	Sealed bool
	Reason string
}

// RequestOf reads an export's parameters as both doors take them: format,
// sealed (true or false) and reason; every other value is the list's
// filters. lang is the reader's language.
func RequestOf(list, lang string, v url.Values) (Request, error) {
	f := url.Values{}
	for k, vs := range v {
		f[k] = vs
	}
	r := Request{List: list, Lang: lang, Format: f.Get("format"), Reason: f.Get("reason")}
	switch f.Get("sealed") {
	case "", "false", "no":
	case "true", "yes":
		r.Sealed = true
	default:
		return r, invalid.Field("sealed", "invalid_value", "must be true or false")
	}
	for _, k := range []string{"format", "sealed", "reason", "lang"} {
		f.Del(k)
	}
	r.Filter = f
	return r, nil
}

// Export is an export authorised, audited and ready to be written.
type Export struct {
	s      *Service
	a      auth.Actor
	list   string
	format string
	lang   string
	// rows writes the list's rows to emit, a page at a time.
	rows func(ctx context.Context, emit func([]any) error) error
	cols []string
	// open opens the sealed fields of a page of reports; nil: the export
	// has none.
	open intake.Opener
}

// ContentType is the export's media type.
func (e *Export) ContentType() string {
	if e.format == "xlsx" {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Filename is the name the export is saved under.
func (e *Export) Filename() string {
	return "vigil-" + e.list + "-" + time.Now().UTC().Format("20060102-1504") + "." + e.format
}

// Start checks r, checks that a may read the list (by asking the service
// that owns it for its first row), records the export in the audit trail
// and returns the export to write. Bad input is an *invalid.Error naming
// the parameter; a reader who may not list is auth.ErrForbidden.
func (s *Service) Start(ctx context.Context, a auth.Actor, r Request) (*Export, error) {
	if !slices.Contains(Lists(), r.List) {
		return nil, invalid.Field("list", "invalid_value", "must be one of %s", strings.Join(Lists(), ", "))
	}
	if r.Format == "" {
		r.Format = "csv"
	}
	if !slices.Contains(Formats(), r.Format) {
		return nil, invalid.Field("format", "invalid_value", "must be csv or xlsx")
	}
	if r.Sealed && r.List != Triage {
		return nil, invalid.Field("sealed", "invalid_value", "only the triage list (reports) has sealed fields")
	}
	e := &Export{s: s, a: a, list: r.List, format: r.Format, lang: locale.Match(r.Lang)}
	var err error
	switch r.List {
	case Triage:
		err = s.triage(e, r.Filter)
	case Cases:
		err = s.cases(e, r.Filter)
	case Referrals:
		err = s.referrals(e)
	case Stats:
		err = s.statistics(e)
	case Search:
		err = s.searchResults(e, r.Filter.Get("q"))
	}
	if err != nil {
		return nil, err
	}
	// The first row answers whether a may read the list at all, before
	// anything is recorded or written.
	if err := e.rows(ctx, func([]any) error { return errEnough }); err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	// The search words are not recorded: they may name a victim, and the
	// trail's details are stored open.
	f := url.Values{}
	for k, v := range r.Filter {
		if k != "q" && k != "lang" {
			f[k] = v
		}
	}
	filter := f.Encode()
	detail := map[string]string{"list": r.List, "format": r.Format, "filter": filter}
	if r.Sealed {
		// Audited with the reason before anything is opened.
		if e.open, err = s.intake.RevealForExport(ctx, a, r.Reason, detail); err != nil {
			return nil, err
		}
		e.cols = append(e.cols, sealedCols...)
		detail["sealed"] = "yes"
	}
	err = s.db.Tx(ctx, func(q store.Q) error {
		return audit.Record(ctx, q, a, "export.list", "organisation", a.OrgID, detail)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// errEnough stops a walk of the rows early.
var errEnough = errors.New("listexport: enough rows")

// Write writes the export to w: a heading row, then every row the
// filters keep.
func (e *Export) Write(ctx context.Context, w io.Writer) error {
	heads := make([]any, len(e.cols))
	for i, c := range e.cols {
		heads[i] = e.s.t(e.lang, "export.col."+c)
	}
	if e.format == "xlsx" {
		return e.writeXLSX(ctx, w, heads)
	}
	// A byte-order mark, so that spreadsheet programs read the file as
	// UTF-8 (Khmer, Thai and Chinese headings and places).
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("listexport: %w", err)
	}
	cw := csv.NewWriter(w)
	rec := make([]string, len(e.cols))
	emit := func(row []any) error {
		for i, v := range row {
			rec[i] = text(v)
			if _, ok := v.(string); ok {
				rec[i] = Defuse(rec[i])
			}
		}
		return cw.Write(rec)
	}
	if err := emit(heads); err != nil {
		return fmt.Errorf("listexport: %w", err)
	}
	if err := e.rows(ctx, emit); err != nil {
		return fmt.Errorf("listexport: %s: %w", e.list, err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("listexport: %w", err)
	}
	return nil
}

func (e *Export) writeXLSX(ctx context.Context, w io.Writer, heads []any) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("listexport: xlsx: %w", err)
	}
	n := 1
	emit := func(row []any) error {
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		n++
		return sw.SetRow(cell, row)
	}
	if err := emit(heads); err != nil {
		return fmt.Errorf("listexport: xlsx: %w", err)
	}
	if err := e.rows(ctx, func(row []any) error {
		for i, v := range row {
			if t, ok := v.(time.Time); ok {
				// Times as text in UTC: a spreadsheet's date cells carry
				// no zone.
				row[i] = text(t)
			}
		}
		return emit(row)
	}); err != nil {
		return fmt.Errorf("listexport: %s: %w", e.list, err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("listexport: xlsx: %w", err)
	}
	if err := WriteWorkbook(f, w); err != nil {
		return fmt.Errorf("listexport: xlsx: %w", err)
	}
	return nil
}

// WriteWorkbook writes f to w as it is zipped. excelize's own WriteTo
// assembles the whole file in memory first (WriteToBuffer), which for the
// export of a million reports was 1.37 GB of heap for a 317 MB workbook;
// the zip writer set with SetZipWriter, its documented hook, writes to w
// instead of that buffer, which stays empty. Not for workbooks over 4 GB:
// excelize marks their zip64 entries by rewriting that buffer.
func WriteWorkbook(f *excelize.File, w io.Writer) error {
	var zw *zip.Writer
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw = zip.NewWriter(w)
		return zw
	})
	if _, err := f.WriteToBuffer(); err != nil {
		return err
	}
	if zw == nil {
		return errors.New("the workbook was not written")
	}
	return nil
}

// Defuse keeps a spreadsheet program from reading a text cell of a CSV
// file as a formula: text the public typed (a place, a case title) that
// begins with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe. XLSX cells are typed as text, so they need none.
func Defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// text is a cell's value as CSV text.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04:05Z")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// t translates key in lang, falling back to English, then to the key.
func (s *Service) t(lang, key string) string {
	if m, ok := s.labels[lang][key]; ok {
		return m
	}
	if m, ok := s.labels[locale.Languages[0]][key]; ok {
		return m
	}
	return key
}

// value translates a coded value (prefix+code) when the catalogue has it,
// else gives the code.
func (s *Service) value(lang, prefix, code string) string {
	if code == "" {
		return ""
	}
	if m, ok := s.labels[lang][prefix+code]; ok {
		return m
	}
	if m, ok := s.labels[locale.Languages[0]][prefix+code]; ok {
		return m
	}
	return code
}

func (s *Service) values(lang, prefix string, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = s.value(lang, prefix, c)
	}
	return strings.Join(out, "; ")
}

func yesNo(s *Service, lang string, b bool) string {
	if b {
		return s.t(lang, "export.yes")
	}
	return s.t(lang, "export.no")
}
