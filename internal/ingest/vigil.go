package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
)

// FormatVigil is Vigil's own CSV export (a directory written by
// `vigil export --format csv`), imported without a mapping.
const FormatVigil = "vigil"

// VigilExport is a Vigil CSV export read and checked: its reports as a
// Plan (each keyed by its report id in the exporting instance) and its
// cases.
//
// What the CSV export carries is what moves: a report's language,
// country, incident types, places (by name), subjects, contacted-on and
// received dates, its victims' nationality, age band, gender and whether
// still held, its cases (title, urgency, status and reports), and — only
// in an export that revealed them — the reporter's and victims' sealed
// fields and the testimony: every statement with every version
// (statements.csv; the first testimony becomes the report's narrative)
// and the attachments (attachments.csv and their files). Not carried: a
// report's status, verification and notes, a case's assignee, due date,
// notes, history and referrals. Without statements.csv an imported
// report's narrative says where it came from.
type VigilExport struct {
	Plan *Plan
	// SourceIDs are the rows' report ids in the exporting instance, in
	// Plan.Rows order.
	SourceIDs []string
	Cases     []VigilCase
	// Statements and Attachments count the statement versions of
	// statements.csv and the files of attachments.csv (an export that
	// revealed).
	Statements, Attachments int
	dir                     string
	// statements are statements.csv's by report id (exporting instance).
	statements  map[string][]*vigilStatement
	attachments []*vigilAttachment
}

// VigilCase is a case of the export: its title, urgency, status and the
// ids of its reports in the exporting instance.
type VigilCase struct {
	Line      int
	ID        string
	Title     string
	Urgency   string
	Status    string
	ReportIDs []string
}

// VigilKey is the import key of a report exported by Vigil: its id in
// the exporting instance (UUIDv7, unique across instances), whichever
// directory the export is read from.
func VigilKey(reportID string) string {
	h := sha256.Sum256([]byte("vigil\x00" + reportID))
	return hex.EncodeToString(h[:])
}

// undefuse removes the apostrophe the export puts before a text cell a
// spreadsheet would read as a formula (listexport.Defuse).
func undefuse(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// vigilTable is one CSV file of the export, its cells by column code.
type vigilTable struct {
	file string
	cols map[string]int
	rows [][]string // rows[i] is line i+2
}

func (t *vigilTable) get(rec []string, code string) string {
	if i, ok := t.cols[code]; ok && i < len(rec) {
		return undefuse(strings.TrimSpace(rec[i]))
	}
	return ""
}

// readVigilTable reads dir/name.csv. The header row is the column codes
// (an export with --lang "") or, in the export's fixed column order, the
// headings of any language.
func readVigilTable(dir, name string, ps *Problems) (*vigilTable, error) {
	file := name + ".csv"
	f, err := os.Open(filepath.Join(dir, file))
	if err != nil {
		return nil, fmt.Errorf("ingest: vigil export: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	t := &vigilTable{file: file, cols: map[string]int{}}
	head, err := r.Read()
	if err != nil {
		ps.add(1, file, "is not a CSV file with a header row: %v", err)
		return t, nil
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	byName := map[string]int{}
	for i, h := range head {
		byName[strings.TrimSpace(h)] = i
	}
	plain, sealed := export.Columns(name, false), export.Columns(name, true)
	named := true
	for _, c := range plain {
		if _, ok := byName[c]; !ok {
			named = false
		}
	}
	switch {
	case named:
		for _, c := range sealed {
			if i, ok := byName[c]; ok {
				t.cols[c] = i
			}
		}
	case len(head) == len(plain) || len(head) == len(sealed):
		for i := range head {
			t.cols[sealed[i]] = i
		}
	default:
		ps.add(1, file, "has %d columns, not those of a Vigil export (%s)", len(head), strings.Join(plain, ", "))
		return t, nil
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			ps.add(line, file, "%v", err)
			return t, nil
		}
		t.rows = append(t.rows, rec)
	}
	return t, nil
}

// splitList splits a list cell ("; "-joined).
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// PrepareVigil reads a Vigil CSV export directory (reports.csv,
// victims.csv and cases.csv; referrals and identifiers are not read) and
// checks every row. A problem is a *Problems naming the file, line and
// column; nothing is written.
func PrepareVigil(dir string, now time.Time) (*VigilExport, error) {
	ps := &Problems{File: dir}
	reports, err := readVigilTable(dir, export.TableReports, ps)
	if err != nil {
		return nil, err
	}
	victims, err := readVigilTable(dir, export.TableVictims, ps)
	if err != nil {
		return nil, err
	}
	optional := map[string]*vigilTable{}
	for _, name := range []string{export.TableCases, export.TableStatements, export.TableAttachments} {
		if _, err := os.Stat(filepath.Join(dir, name+".csv")); err == nil {
			if optional[name], err = readVigilTable(dir, name, ps); err != nil {
				return nil, err
			}
		}
	}
	cases := optional[export.TableCases]
	if len(ps.List) > 0 {
		return nil, ps
	}
	bad := func(t *vigilTable, line int, col, format string, args ...any) {
		ps.add(line, t.file+" "+col, format, args...)
	}
	var statements map[string][]*vigilStatement
	if t := optional[export.TableStatements]; t != nil {
		statements = prepareStatements(t, now, bad)
	}
	// Victims by report, in their numbered order.
	type numbered struct {
		n int
		v intake.VictimIn
	}
	byReport := map[string][]numbered{}
	for i, rec := range victims.rows {
		line := i + 2
		get := func(c string) string { return victims.get(rec, c) }
		v := intake.VictimIn{Name: get("name"), Passport: get("passport"), Contact: get("contact"), AgeBand: get("age_band"), Gender: get("gender")}
		n, err := strconv.Atoi(get("number"))
		if err != nil || n < 1 {
			bad(victims, line, "number", "%q is not a victim's number (1, 2, …)", get("number"))
		}
		if s := get("nationality"); s != "" {
			if cc, err := intake.NormaliseCountry("nationality", s); err != nil {
				bad(victims, line, "nationality", "%s", message(err))
			} else {
				v.Nationality = cc
			}
		}
		if v.AgeBand != "" && !slices.Contains(intake.AgeBands, v.AgeBand) {
			bad(victims, line, "age_band", "%q is not an age band (%s)", v.AgeBand, strings.Join(intake.AgeBands, ", "))
		}
		if v.Gender != "" && !slices.Contains(intake.Genders, v.Gender) {
			bad(victims, line, "gender", "%q is not a gender (%s)", v.Gender, strings.Join(intake.Genders, ", "))
		}
		if s := get("still_held"); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				bad(victims, line, "still_held", "%q is not true or false", s)
			}
			v.StillHeld = b
		}
		rid := get("report_id")
		if rid == "" {
			bad(victims, line, "report_id", "is empty")
		}
		byReport[rid] = append(byReport[rid], numbered{n, v})
	}
	x := &VigilExport{Plan: &Plan{Source: filepath.Base(filepath.Clean(dir)), Format: FormatVigil}, dir: dir, statements: statements}
	seen := map[string]int{}
	for i, rec := range reports.rows {
		line := i + 2
		get := func(c string) string { return reports.get(rec, c) }
		id := get("id")
		if id == "" {
			bad(reports, line, "id", "is empty")
			continue
		}
		if first, dup := seen[id]; dup {
			bad(reports, line, "id", "repeats the report of line %d", first)
			continue
		}
		seen[id] = line
		sub := &intake.Submission{Channel: "import", Language: get("language"), Country: get("country")}
		if lang, err := intake.NormaliseLanguage("language", sub.Language); err != nil {
			bad(reports, line, "language", "%s", message(err))
		} else {
			sub.Language = lang
		}
		if sub.Country != "" {
			if cc, err := intake.NormaliseCountry("country", sub.Country); err != nil {
				bad(reports, line, "country", "%s", message(err))
			} else {
				sub.Country = cc
			}
		}
		for _, t := range splitList(get("incident_types")) {
			if !slices.Contains(intake.IncidentTypes, t) {
				bad(reports, line, "incident_types", "%q is not an incident type", t)
			} else if !slices.Contains(sub.IncidentTypes, t) {
				sub.IncidentTypes = append(sub.IncidentTypes, t)
			}
		}
		for _, p := range splitList(get("places")) {
			sub.Places = append(sub.Places, intake.PlaceIn{Name: undefuse(p)})
		}
		for _, s := range splitList(get("subjects")) {
			parts := strings.SplitN(undefuse(s), "|", 3)
			for len(parts) < 3 {
				parts = append(parts, "")
			}
			if parts[0] == "" {
				continue
			}
			if parts[1] != "" && !slices.Contains(intake.SubjectTypes, parts[1]) {
				bad(reports, line, "subjects", "%q is not a subject type", parts[1])
			}
			sub.Subjects = append(sub.Subjects, intake.SubjectIn{Name: parts[0], Type: parts[1], Role: parts[2]})
		}
		if name, contact := get("reporter_name"), get("reporter_contact"); name != "" || contact != "" {
			sub.Reporter = &intake.Reporter{Name: name, Contact: contact}
		}
		vs := byReport[id]
		slices.SortStableFunc(vs, func(a, b numbered) int { return a.n - b.n })
		for _, v := range vs {
			sub.Victims = append(sub.Victims, v.v)
		}
		delete(byReport, id)
		if n, err := strconv.Atoi(get("victims")); err == nil && n != len(sub.Victims) {
			bad(reports, line, "victims", "says %d victims but victims.csv has %d for report %s", n, len(sub.Victims), id)
		}
		row := &Row{Line: line, Key: VigilKey(id), Sub: sub}
		if s := get("received_at"); s != "" {
			d, err := time.Parse(time.RFC3339, s)
			switch {
			case err != nil:
				bad(reports, line, "received_at", "%q is not an RFC 3339 time", s)
			case d.After(now.Add(24 * time.Hour)):
				bad(reports, line, "received_at", "%s is in the future", s)
			default:
				row.Original = d.UTC()
			}
		}
		if s := get("contacted_on"); s != "" {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				bad(reports, line, "contacted_on", "%q is not a date (YYYY-MM-DD)", s)
			} else {
				sub.ContactedOn = s
			}
		}
		sub.Narrative = fmt.Sprintf("Imported from a Vigil export (%s, report %s), which carries no narrative.", x.Plan.Source, id)
		useNarrative(sub, statements[id])
		if err := sub.Validate(); err != nil {
			bad(reports, line, "", "%s", err)
			continue
		}
		x.Plan.Rows = append(x.Plan.Rows, row)
		x.SourceIDs = append(x.SourceIDs, id)
	}
	for rid, vs := range byReport {
		for range vs {
			ps.add(0, victims.file+" report_id", "%s is not a report of reports.csv", rid)
		}
	}
	for rid, sts := range statements {
		if _, ok := seen[rid]; !ok {
			bad(optional[export.TableStatements], sts[0].lines[0], "report_id", "%s is not a report of reports.csv", rid)
		}
		for _, st := range sts {
			x.Statements += len(st.in.Versions)
		}
	}
	if t := optional[export.TableAttachments]; t != nil {
		x.attachments = prepareAttachments(dir, t, seen, bad)
		x.Attachments = len(x.attachments)
	}
	if cases != nil {
		for i, rec := range cases.rows {
			line := i + 2
			get := func(c string) string { return cases.get(rec, c) }
			c := VigilCase{Line: line, ID: get("id"), Title: get("title"), Urgency: get("urgency"), Status: get("status"), ReportIDs: splitList(get("report_ids"))}
			if c.Urgency != "" && !slices.Contains(casework.Urgencies, c.Urgency) {
				bad(cases, line, "urgency", "%q is not an urgency (%s)", c.Urgency, strings.Join(casework.Urgencies, ", "))
			}
			if c.Status != "" && !slices.Contains(casework.Statuses, c.Status) {
				bad(cases, line, "status", "%q is not a case status (%s)", c.Status, strings.Join(casework.Statuses, ", "))
			}
			for _, rid := range c.ReportIDs {
				if _, ok := seen[rid]; !ok {
					bad(cases, line, "report_ids", "%s is not a report of reports.csv", rid)
				}
			}
			x.Cases = append(x.Cases, c)
		}
	}
	if len(ps.List) > 0 {
		return nil, ps
	}
	return x, nil
}

// VigilResult is what importing a Vigil export did.
type VigilResult struct {
	*Result
	// Cases is how many cases were created; CasesAlready, how many were
	// left out because their reports are already in a case.
	Cases        int `json:"cases"`
	CasesAlready int `json:"cases_already"`
	// Statements and Attachments count the statement versions and files
	// imported (not those imported before).
	Statements  int `json:"statements"`
	Attachments int `json:"attachments"`
}

// ImportVigil imports x: first every attachment is put through the public
// form's content checks (a problem names its line; nothing is written);
// then its reports (Import: all or nothing, each once) with, in the same
// transaction, their statements not imported before (each version
// committed to the ledger, its date in the exporting instance kept in
// import_rows beside the import's); then, once committed, its attachments
// not imported before (intake.AddAttachment: checks, sealing, ledger),
// each recorded as imported; then each of its cases through cw (the actor
// must be allowed to create cases) with those of its reports not yet in a
// case, brought to its status through the allowed transitions; a case
// whose reports are all in a case already (imported before) is left out.
// A case's assignee, due date, notes and referrals are not carried over.
// cw nil imports no cases.
func (s *Service) ImportVigil(ctx context.Context, a auth.Actor, x *VigilExport, cw *casework.Service, o Options) (*VigilResult, error) {
	if !o.DryRun && s.intake != nil {
		if err := s.checkAttachments(ctx, x); err != nil {
			return nil, err
		}
	}
	out := &VigilResult{}
	o.inTx = func(ctx context.Context, q store.Q, created map[string]string, now time.Time) (err error) {
		out.Statements, err = s.importStatements(ctx, q, a, x, created, now)
		return err
	}
	res, err := s.Import(ctx, a, x.Plan, o)
	if err != nil {
		return nil, err
	}
	out.Result = res
	if o.DryRun {
		return out, nil
	}
	if out.Attachments, err = s.importAttachments(ctx, a, x); err != nil {
		return out, err
	}
	if cw == nil || len(x.Cases) == 0 {
		return out, nil
	}
	keys := make([]string, len(x.SourceIDs))
	for i, id := range x.SourceIDs {
		keys[i] = VigilKey(id)
	}
	have, err := s.db.Read().ImportedKeys(ctx, a.OrgID, keys)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	mapped := map[string]string{}
	var ids []string
	for i, id := range x.SourceIDs {
		if rid, ok := have[keys[i]]; ok {
			mapped[id] = rid
			ids = append(ids, rid)
		}
	}
	inCase, err := s.db.Read().CaseIDsOfReports(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	for _, c := range x.Cases {
		var rids []string
		for _, src := range c.ReportIDs {
			if rid, ok := mapped[src]; ok && len(inCase[rid]) == 0 && !slices.Contains(rids, rid) {
				rids = append(rids, rid)
			}
		}
		if len(rids) == 0 {
			out.CasesAlready++
			continue
		}
		title := c.Title
		if title == "" {
			title = "Imported case " + c.ID
		}
		cv, err := cw.Create(ctx, a, &casework.CaseIn{ReportIDs: rids, Title: title, Urgency: c.Urgency})
		if err != nil {
			return out, fmt.Errorf("ingest: %s: cases.csv line %d: %w", x.Plan.Source, c.Line, err)
		}
		// Its status, through the transitions a case may take.
		for _, st := range casework.StatusPath(cv.Status, c.Status) {
			if cv, err = cw.Update(ctx, a, cv.ID, cv.Version, &casework.Patch{Status: &st}); err != nil {
				return out, fmt.Errorf("ingest: %s: cases.csv line %d: status %s: %w", x.Plan.Source, c.Line, st, err)
			}
		}
		for _, rid := range rids {
			inCase[rid] = append(inCase[rid], c.ID)
		}
		out.Cases++
	}
	return out, nil
}
