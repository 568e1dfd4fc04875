package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/listexport"
	"github.com/vigil-project/vigil/internal/locale"
	"github.com/vigil-project/vigil/internal/store"
)

// The tables of a CSV or XLSX export.
const (
	TableReports     = "reports"
	TableVictims     = "victims"
	TableCases       = "cases"
	TableReferrals   = "referrals"
	TableIdentifiers = "identifiers"
	// TableStatements and TableAttachments carry the testimony: only in an
	// export that reveals (Testimony), after the others.
	TableStatements  = "statements"
	TableAttachments = "attachments"
)

// Tables returns the tables of a CSV or XLSX export, in file order,
// without the testimony's (TestimonyTables).
func Tables() []string {
	return []string{TableReports, TableVictims, TableCases, TableReferrals, TableIdentifiers}
}

// TestimonyTables returns the tables only an export that reveals writes:
// statements (CSV and XLSX) and attachments (CSV, beside the files).
func TestimonyTables() []string { return []string{TableStatements, TableAttachments} }

// AttachmentsDir is the folder of a CSV export directory that holds the
// attachment files attachments.csv lists.
const AttachmentsDir = "attachments"

// Columns returns a table's columns as codes (the header row when no
// language is asked for), with the sealed ones when sealed is true. The
// package documentation describes each.
func Columns(table string, sealed bool) []string {
	var c []string
	switch table {
	case TableReports:
		c = []string{"id", "tracking_code", "received_at", "contacted_on", "channel", "language", "country", "status", "urgent",
			"incident_types", "places", "place_ids", "subjects", "victims", "case_ids"}
		if sealed {
			c = append(c, "reporter_name", "reporter_contact")
		}
	case TableVictims:
		c = []string{"report_id", "number", "nationality", "age_band", "gender", "still_held"}
		if sealed {
			c = append(c, "name", "passport", "contact")
		}
	case TableCases:
		c = []string{"id", "title", "status", "urgency", "assignee_id", "due_at", "created_at", "updated_at", "report_ids"}
	case TableReferrals:
		c = []string{"id", "case_id", "from_org", "to_org", "shared", "status", "note", "response", "created_at", "responded_at"}
	case TableIdentifiers:
		c = []string{"report_id", "identifier_id", "kind", "value", "role", "side"}
	case TableStatements:
		c = []string{"report_id", "statement_id", "version", "kind", "recants_id", "language", "created_at", "channel", "taken_by_user",
			"taken_by", "source", "circumstances", "text"}
	case TableAttachments:
		c = []string{"report_id", "attachment_id", "name", "type", "size", "sha256", "created_at", "path"}
	}
	return c
}

// table is one table's rows, written through emit a page at a time.
type table func(ctx context.Context, emit func([]string) error) error

// rowsOf returns the table's row source.
func (e *Export) rowsOf(name string) table {
	switch name {
	case TableReports:
		return e.reportRows
	case TableVictims:
		return e.victimRows
	case TableCases:
		return e.caseRows
	case TableReferrals:
		return e.referralRows
	case TableStatements:
		return e.statementRows
	}
	return e.identifierRows
}

// heading is a column's heading: its code without a language, else the
// pages' "export.col.<code>" label in that language when there is one.
func (e *Export) heading(code string) string {
	if e.r.Lang == "" {
		return code
	}
	lang := locale.Match(e.r.Lang)
	if m, ok := e.s.labels[lang]["export.col."+code]; ok {
		return m
	}
	if m, ok := e.s.labels[locale.Languages[0]]["export.col."+code]; ok {
		return m
	}
	return code
}

// WriteTable writes one table as CSV (UTF-8, comma-separated, a header
// row). A text cell that a spreadsheet would read as a formula gets a
// leading apostrophe (listexport.Defuse).
func (e *Export) WriteTable(ctx context.Context, name string, w io.Writer) error {
	switch {
	case name == TableAttachments:
		return fmt.Errorf("export: %s: only WriteDir writes it, beside the files", name)
	case name == TableStatements && !e.Testimony():
		return fmt.Errorf("export: %s: only an export that reveals carries the testimony", name)
	}
	return e.writeCSV(ctx, name, e.rowsOf(name), w)
}

// writeCSV writes a table's heading and rows as CSV.
func (e *Export) writeCSV(ctx context.Context, name string, rows table, w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	cols := Columns(name, e.open != nil)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = e.heading(c)
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("export: %s: %w", name, err)
	}
	err := rows(ctx, func(rec []string) error {
		for i := range rec {
			rec[i] = listexport.Defuse(rec[i])
		}
		return cw.Write(rec)
	})
	if err != nil {
		return fmt.Errorf("export: %s: %w", name, err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %s: %w", name, err)
	}
	return nil
}

// writeXLSX writes every table as a sheet of one workbook, each through
// excelize's stream writer (rows beyond its buffer go to a temporary
// file, not memory). A table longer than a sheet can hold (Excel's
// 1,048,576 rows: the identifiers of a million reports are more) goes on
// in sheets named "identifiers (2)", "identifiers (3)", …, each with the
// heading row again.
func (e *Export) writeXLSX(ctx context.Context, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	sheets := Tables()
	if e.Testimony() {
		// The attachments' files have no place in a workbook.
		sheets = append(sheets, TableStatements)
	}
	limit := e.s.SheetRows
	if limit <= 0 {
		limit = excelize.TotalRows
	}
	first := true
	for _, name := range sheets {
		cols := Columns(name, e.open != nil)
		head := make([]any, len(cols))
		for i, c := range cols {
			head[i] = e.heading(c)
		}
		var sw *excelize.StreamWriter
		row, part := 0, 0
		// next ends the sheet being written, if any, and starts the
		// table's next one with its heading.
		next := func() error {
			if sw != nil {
				if err := sw.Flush(); err != nil {
					return err
				}
			}
			part++
			sheet := name
			if part > 1 {
				sheet = fmt.Sprintf("%s (%d)", name, part)
			}
			if first {
				first = false
				if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
					return err
				}
			} else if _, err := f.NewSheet(sheet); err != nil {
				return err
			}
			var err error
			if sw, err = f.NewStreamWriter(sheet); err != nil {
				return err
			}
			row = 1
			return sw.SetRow("A1", head)
		}
		if err := next(); err != nil {
			return fmt.Errorf("export: xlsx: %w", err)
		}
		emit := func(rec []string) error {
			if row == limit {
				if err := next(); err != nil {
					return err
				}
			}
			row++
			cell, err := excelize.CoordinatesToCellName(1, row)
			if err != nil {
				return err
			}
			vs := make([]any, len(rec))
			for i, v := range rec {
				vs[i] = v
			}
			return sw.SetRow(cell, vs)
		}
		if err := e.rowsOf(name)(ctx, emit); err != nil {
			return fmt.Errorf("export: xlsx: %s: %w", name, err)
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("export: xlsx: %w", err)
		}
	}
	if err := listexport.WriteWorkbook(f, w); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	return nil
}

// timeText is a time as the tables write it: RFC 3339 in UTC, "" for none.
func timeText(us int64) string {
	if us == 0 {
		return ""
	}
	return time.UnixMicro(us).UTC().Format(time.RFC3339)
}

// list joins values with "; ".
func list(vs []string) string { return strings.Join(vs, "; ") }

// sealedOf opens a page's sealed parts when the export reveals them.
func (e *Export) sealedOf(ctx context.Context, page []*store.Report) (map[string]*intake.Sealed, error) {
	if e.open == nil {
		return nil, nil
	}
	ids := make([]string, len(page))
	for i, r := range page {
		ids[i] = r.ID
	}
	return e.open(ctx, ids)
}

func (e *Export) reportRows(ctx context.Context, emit func([]string) error) error {
	q := e.s.db.Read()
	return e.walk(ctx, func(page []*store.Report) error {
		ids := make([]string, len(page))
		for i, r := range page {
			ids[i] = r.ID
		}
		cases, err := q.CaseIDsOfReports(ctx, ids)
		if err != nil {
			return err
		}
		sealed, err := e.sealedOf(ctx, page)
		if err != nil {
			return err
		}
		for _, r := range page {
			var names, placeIDs, subjects []string
			for _, p := range r.Places {
				names = append(names, p.Name)
				placeIDs = append(placeIDs, p.PlaceID)
			}
			for _, s := range r.Subjects {
				subjects = append(subjects, s.Name+"|"+s.Type+"|"+s.Role)
			}
			contacted := ""
			if r.ContactedAt != 0 {
				contacted = time.UnixMicro(r.ContactedAt).UTC().Format(time.DateOnly)
			}
			rec := []string{r.ID, r.TrackingCode, timeText(r.ReceivedAt), contacted, r.Channel, r.Language, r.Country, r.Status,
				strconv.FormatBool(r.Urgent), list(r.IncidentTypes), list(names), list(placeIDs), list(subjects),
				strconv.Itoa(len(r.Victims)), list(cases[r.ID])}
			if e.open != nil {
				name, contact := "", ""
				if s := sealed[r.ID]; s != nil && s.Reporter != nil {
					name, contact = s.Reporter.Name, s.Reporter.Contact
				}
				rec = append(rec, name, contact)
			}
			if err := emit(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e *Export) victimRows(ctx context.Context, emit func([]string) error) error {
	return e.walk(ctx, func(page []*store.Report) error {
		sealed, err := e.sealedOf(ctx, page)
		if err != nil {
			return err
		}
		for _, r := range page {
			for n, v := range r.Victims {
				rec := []string{r.ID, strconv.Itoa(n + 1), v.Nationality, v.AgeBand, v.Gender, strconv.FormatBool(v.StillHeld)}
				if e.open != nil {
					name, passport, contact := "", "", ""
					if s := sealed[r.ID]; s != nil && n < len(s.Victims) {
						name, passport, contact = s.Victims[n].Name, s.Victims[n].Passport, s.Victims[n].Contact
					}
					rec = append(rec, name, passport, contact)
				}
				if err := emit(rec); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// walkCases calls fn with every page of the organisation's cases created
// since the export's bound, newest first.
func (e *Export) walkCases(ctx context.Context, fn func([]*store.Case) error) error {
	q := e.s.db.Read()
	f := store.CaseFilter{OrgID: e.a.OrgID, Limit: pageSize}
	for {
		page, err := q.ListCases(ctx, f)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		f.Before = page[len(page)-1].ID
		var kept []*store.Case
		for _, c := range page {
			if c.CreatedAt >= e.filter().ReceivedFrom {
				kept = append(kept, c)
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

func (e *Export) caseRows(ctx context.Context, emit func([]string) error) error {
	q := e.s.db.Read()
	return e.walkCases(ctx, func(page []*store.Case) error {
		for _, c := range page {
			reports, err := q.CaseReportIDs(ctx, c.ID)
			if err != nil {
				return err
			}
			if err := emit([]string{c.ID, c.Title, c.Status, c.Urgency, c.AssigneeID, timeText(c.DueAt), timeText(c.CreatedAt), timeText(c.UpdatedAt), list(reports)}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e *Export) referralRows(ctx context.Context, emit func([]string) error) error {
	q := e.s.db.Read()
	names := map[string]string{}
	orgName := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := id
		if o, err := q.GetOrganisation(ctx, id); err == nil {
			n = o.Name
		}
		names[id] = n
		return n
	}
	return e.walkCases(ctx, func(page []*store.Case) error {
		for _, c := range page {
			refs, err := q.ListReferrals(ctx, c.ID, "")
			if err != nil {
				return err
			}
			for _, r := range refs {
				if err := emit([]string{r.ID, r.CaseID, orgName(r.FromOrgID), orgName(r.ToOrgID), list(r.Shared), r.Status, r.Note, r.Response,
					timeText(r.CreatedAt), timeText(r.RespondedAt)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// identifierRows lists what the link index found in each report. A
// victim-side identifier (a victim's or reporter's contact) and a passport
// number have their value only in an export that reveals; otherwise the
// cell is empty.
func (e *Export) identifierRows(ctx context.Context, emit func([]string) error) error {
	q := e.s.db.Read()
	return e.walk(ctx, func(page []*store.Report) error {
		links, idents, err := pageLinks(ctx, q, page)
		if err != nil {
			return err
		}
		for _, r := range page {
			l := links[r.ID]
			if l == nil {
				continue
			}
			for _, ref := range l.Identifiers {
				i := idents[ref.IdentifierID]
				if i == nil {
					continue
				}
				side := i.Side
				if i.Staff != "" {
					side = i.Staff
				}
				if i.VictimSide() {
					side = store.SideVictim
				}
				value := ""
				// A passport number is a person's identity, whoever's.
				if !i.VictimSide() && i.Kind != "passport" || e.open != nil {
					if value, err = e.s.keys.OpenIdentifier(i.ID, i.Sealed); err != nil {
						return err
					}
				}
				if err := emit([]string{r.ID, i.ID, i.Kind, value, ref.Role, side}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// pageLinks reads a page of reports' link rows and every identifier they
// name (500 to a query).
func pageLinks(ctx context.Context, q store.Q, page []*store.Report) (map[string]*store.ReportLink, map[string]*store.Identifier, error) {
	ids := make([]string, len(page))
	for i, r := range page {
		ids[i] = r.ID
	}
	links, err := q.GetReportLinks(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	var want []string
	for _, l := range links {
		for _, ref := range l.Identifiers {
			want = append(want, ref.IdentifierID)
		}
	}
	idents := map[string]*store.Identifier{}
	for len(want) > 0 {
		n := min(len(want), 500)
		got, err := q.GetIdentifiers(ctx, want[:n])
		if err != nil {
			return nil, nil, err
		}
		for _, i := range got {
			idents[i.ID] = i
		}
		want = want[n:]
	}
	return links, idents, nil
}

// Testimony says whether the export carries the testimony (statements and
// attachments): only one that reveals does.
func (e *Export) Testimony() bool { return e.open != nil }

// statementRows lists every version of every statement of each report, a
// report's statements read (and opened) at a time.
func (e *Export) statementRows(ctx context.Context, emit func([]string) error) error {
	if !e.Testimony() {
		return nil
	}
	return e.walk(ctx, func(page []*store.Report) error {
		for _, r := range page {
			sts, err := e.s.intake.ExportStatements(ctx, e.a, r.ID)
			if err != nil {
				return err
			}
			for _, st := range sts {
				for _, v := range st.Versions {
					rec := []string{r.ID, st.ID, strconv.Itoa(v.Version), st.Kind, st.RecantsID, st.Language, v.CreatedAt.UTC().Format(time.RFC3339Nano),
						st.Channel, st.TakenByUser, st.TakenBy, st.Source, st.Circumstances, v.Text}
					if err := emit(rec); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// attachmentExt is the file extension of an attachment's media type
// (intake.AttachmentTypes).
func attachmentExt(mediaType string) string {
	switch mediaType {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "application/pdf":
		return ".pdf"
	}
	return ""
}

// WriteDir writes a CSV export as a directory: a file per table (Tables),
// and, when the export carries the testimony, statements.csv,
// attachments.csv and each attachment as received in the attachments
// folder (named by its id; attachments.csv gives its name, type, size,
// SHA-256 and path). Files are written as they are read.
func (e *Export) WriteDir(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	tables := Tables()
	if e.Testimony() {
		tables = append(tables, TableStatements)
	}
	for _, t := range tables {
		if err := WriteFile(filepath.Join(dir, t+".csv"), func(w io.Writer) error { return e.WriteTable(ctx, t, w) }); err != nil {
			return err
		}
	}
	if !e.Testimony() {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(dir, AttachmentsDir), 0o700); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	rows := func(ctx context.Context, emit func([]string) error) error {
		return e.walk(ctx, func(page []*store.Report) error {
			for _, r := range page {
				err := e.s.intake.ExportAttachments(ctx, e.a, r.ID, func(v intake.AttachmentView, data []byte) error {
					path := AttachmentsDir + "/" + v.ID + attachmentExt(v.MediaType)
					err := WriteFile(filepath.Join(dir, filepath.FromSlash(path)), func(w io.Writer) error {
						_, err := w.Write(data)
						return err
					})
					if err != nil {
						return err
					}
					return emit([]string{r.ID, v.ID, v.Name, v.MediaType, strconv.FormatInt(v.Size, 10), v.SHA256, timeText(v.CreatedAt.UnixMicro()), path})
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	return WriteFile(filepath.Join(dir, TableAttachments+".csv"), func(w io.Writer) error { return e.writeCSV(ctx, TableAttachments, rows, w) })
}

// WriteFile writes a file through fn, removing it when fn fails.
func WriteFile(path string, fn func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := fn(f); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export: %s: %w", path, err)
	}
	return nil
}
