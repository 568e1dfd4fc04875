package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// vigilStatement is a statement of statements.csv with its versions in
// order (Versions[i] is version i+1).
type vigilStatement struct {
	in    intake.ImportedStatement
	lines []int       // each version's line
	dates []time.Time // each version's date in the exporting instance
	// narrative: its first version is the report's narrative (the first
	// testimony) or job advertisement (the first job_ad), which ImportInto
	// files with the report.
	narrative bool
}

// vigilAttachment is a line of attachments.csv, its file checked.
type vigilAttachment struct {
	line                        int
	reportID, id, name, sha256s string
	path                        string // the file, in the export directory
	created                     time.Time
}

// StatementKey and AttachmentKey are the import keys of a statement
// version and an attachment of a Vigil export (their ids there are UUIDv7,
// unique across instances).
func StatementKey(statementID string, version int) string {
	return VigilKey("statement:" + statementID + ":v" + strconv.Itoa(version))
}

// AttachmentKey: see StatementKey.
func AttachmentKey(attachmentID string) string { return VigilKey("attachment:" + attachmentID) }

// prepareStatements checks statements.csv and groups it by report, each
// report's statements in the file's order (the exporting instance's),
// versions in order.
func prepareStatements(t *vigilTable, now time.Time, bad func(t *vigilTable, line int, col, format string, args ...any)) map[string][]*vigilStatement {
	out := map[string][]*vigilStatement{}
	byID := map[string]*vigilStatement{}
	reportOf := map[string]string{}
	type version struct {
		n, line int
		text    string
		at      time.Time
	}
	versions := map[string][]version{}
	for i, rec := range t.rows {
		line := i + 2
		get := func(c string) string { return t.get(rec, c) }
		rid, sid := get("report_id"), get("statement_id")
		if rid == "" {
			bad(t, line, "report_id", "is empty")
		}
		if sid == "" {
			bad(t, line, "statement_id", "is empty")
			continue
		}
		n, err := strconv.Atoi(get("version"))
		if err != nil || n < 1 {
			bad(t, line, "version", "%q is not a version number (1, 2, …)", get("version"))
		}
		// The text keeps its spaces: only the formula guard comes off.
		text := ""
		if i, ok := t.cols["text"]; ok && i < len(rec) {
			text = undefuse(rec[i])
		}
		if strings.TrimSpace(text) == "" {
			bad(t, line, "text", "is empty")
		} else if err := invalid.Text("text", text, intake.MaxNarrative, false); err != nil {
			bad(t, line, "text", "%s", message(err))
		}
		var at time.Time
		if s := get("created_at"); s != "" {
			if at, err = time.Parse(time.RFC3339Nano, s); err != nil {
				bad(t, line, "created_at", "%q is not an RFC 3339 time", s)
			} else if at.After(now.Add(24 * time.Hour)) {
				bad(t, line, "created_at", "%s is in the future", s)
			}
		}
		versions[sid] = append(versions[sid], version{n, line, text, at.UTC()})
		if st := byID[sid]; st != nil {
			if reportOf[sid] != rid {
				bad(t, line, "report_id", "statement %s is of report %s on line %d", sid, reportOf[sid], st.lines[0])
			}
			continue
		}
		st := &vigilStatement{in: intake.ImportedStatement{Key: sid, Kind: get("kind"), Recants: get("recants_id"),
			Origin: intake.StatementOrigin{Source: get("source"), TakenBy: get("taken_by"), Circumstances: get("circumstances"), Channel: get("channel")}}, lines: []int{line}}
		if !slices.Contains(intake.StatementKinds, st.in.Kind) {
			bad(t, line, "kind", "%q is not a statement kind (%s)", st.in.Kind, strings.Join(intake.StatementKinds, ", "))
		}
		if lang, err := intake.NormaliseLanguage("language", get("language")); err != nil {
			bad(t, line, "language", "%s", message(err))
		} else {
			st.in.Language = lang
		}
		if c := st.in.Origin.Channel; c != "" && !slices.Contains(intake.StaffChannels, c) {
			bad(t, line, "channel", "%q is not a channel staff take statements by (%s)", c, strings.Join(intake.StaffChannels, ", "))
		}
		for col, v := range map[string]string{"source": st.in.Origin.Source, "taken_by": st.in.Origin.TakenBy, "circumstances": st.in.Origin.Circumstances} {
			if err := invalid.Text(col, v, 2000, false); err != nil {
				bad(t, line, col, "%s", message(err))
			}
		}
		if (st.in.Kind == intake.KindRecantation) != (st.in.Recants != "") {
			bad(t, line, "recants_id", "a recantation, and only a recantation, names the statement it recants")
		} else if st.in.Recants != "" && !slices.ContainsFunc(out[rid], func(o *vigilStatement) bool { return o.in.Key == st.in.Recants }) {
			bad(t, line, "recants_id", "%s is not a statement of report %s listed before it", st.in.Recants, rid)
		}
		byID[sid], reportOf[sid] = st, rid
		out[rid] = append(out[rid], st)
	}
	for sid, st := range byID {
		vs := versions[sid]
		slices.SortStableFunc(vs, func(a, b version) int { return a.n - b.n })
		st.lines = nil
		for i, v := range vs {
			if v.n != i+1 {
				bad(t, v.line, "version", "statement %s has version %d where version %d is due (versions run 1, 2, … once each)", sid, v.n, i+1)
				break
			}
			st.in.Versions = append(st.in.Versions, v.text)
			st.lines = append(st.lines, v.line)
			st.dates = append(st.dates, v.at)
		}
	}
	return out
}

// useNarrative makes a report's first testimony its narrative and its
// first job advertisement its job_ad, filed with the report by ImportInto.
func useNarrative(sub *intake.Submission, sts []*vigilStatement) {
	var testimony, jobAd bool
	for _, st := range sts {
		switch {
		case len(st.in.Versions) == 0:
		case st.in.Kind == intake.KindTestimony && !testimony:
			testimony, st.narrative = true, true
			sub.Narrative, sub.Origin = st.in.Versions[0], st.in.Origin
		case st.in.Kind == intake.KindJobAd && !jobAd && testimony:
			jobAd, st.narrative = true, true
			sub.JobAd = st.in.Versions[0]
		}
	}
}

// prepareAttachments checks attachments.csv and each file it lists: in the
// export's attachments folder, at most intake.MaxAttachment bytes, its
// size and SHA-256 those the line gives. The content checks come at import
// (intake.CheckAttachment).
func prepareAttachments(dir string, t *vigilTable, reports map[string]int, bad func(t *vigilTable, line int, col, format string, args ...any)) []*vigilAttachment {
	var out []*vigilAttachment
	seen := map[string]int{}
	for i, rec := range t.rows {
		line := i + 2
		get := func(c string) string { return t.get(rec, c) }
		at := &vigilAttachment{line: line, reportID: get("report_id"), id: get("attachment_id"), name: get("name"), sha256s: strings.ToLower(get("sha256"))}
		if _, ok := reports[at.reportID]; !ok {
			bad(t, line, "report_id", "%q is not a report of reports.csv", at.reportID)
		}
		if at.id == "" {
			bad(t, line, "attachment_id", "is empty")
			continue
		}
		if first, dup := seen[at.id]; dup {
			bad(t, line, "attachment_id", "repeats the attachment of line %d", first)
			continue
		}
		seen[at.id] = line
		if s := get("created_at"); s != "" {
			d, err := time.Parse(time.RFC3339, s)
			if err != nil {
				bad(t, line, "created_at", "%q is not an RFC 3339 time", s)
			}
			at.created = d.UTC()
		}
		rel := filepath.FromSlash(get("path"))
		if !filepath.IsLocal(rel) || !strings.HasPrefix(filepath.ToSlash(filepath.Clean(rel)), export.AttachmentsDir+"/") {
			bad(t, line, "path", "%q is not a file of the export's %s folder", get("path"), export.AttachmentsDir)
			continue
		}
		at.path = filepath.Join(dir, rel)
		size, sum, err := hashFile(at.path)
		switch {
		case err != nil:
			bad(t, line, "path", "%v", err)
			continue
		case size > intake.MaxAttachment:
			bad(t, line, "size", "%s is %d bytes; at most %d are taken", get("path"), size, intake.MaxAttachment)
		case get("size") != strconv.FormatInt(size, 10):
			bad(t, line, "size", "says %q but %s is %d bytes", get("size"), get("path"), size)
		case sum != at.sha256s:
			bad(t, line, "sha256", "says %q but %s has SHA-256 %s", at.sha256s, get("path"), sum)
		}
		out = append(out, at)
	}
	return out
}

// hashFile returns a file's size and SHA-256 (hex), reading it through.
func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", fmt.Errorf("cannot open the file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, intake.MaxAttachment+1))
	if err != nil {
		return 0, "", fmt.Errorf("cannot read the file: %w", err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// checkAttachments puts every attachment of x through the public form's
// content checks before anything is written.
func (s *Service) checkAttachments(ctx context.Context, x *VigilExport) error {
	ps := &Problems{File: x.dir}
	for _, at := range x.attachments {
		data, err := os.ReadFile(at.path)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		if _, err := s.intake.CheckAttachment(ctx, "file", data); err != nil {
			ps.add(at.line, export.TableAttachments+".csv path", "%s: %s", filepath.Base(at.path), message(err))
		}
	}
	if len(ps.List) > 0 {
		return ps
	}
	return nil
}

// importStatements files, in the import's transaction q, the statements
// of x not imported before: for each report of the export (those created
// by this import have their narrative filed already), each statement and
// version committed to the ledger, and an import row per version keeping
// its date in the exporting instance beside the import's.
func (s *Service) importStatements(ctx context.Context, q store.Q, a auth.Actor, x *VigilExport, created map[string]string, now time.Time) (int, error) {
	var keys []string
	for _, sts := range x.statements {
		for _, st := range sts {
			keys = append(keys, StatementKey(st.in.Key, 1))
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	done, err := q.ImportedKeys(ctx, a.OrgID, keys)
	if err != nil {
		return 0, err
	}
	reportKeys := make([]string, len(x.SourceIDs))
	for i, id := range x.SourceIDs {
		reportKeys[i] = VigilKey(id)
	}
	mapped, err := q.ImportedKeys(ctx, a.OrgID, reportKeys)
	if err != nil {
		return 0, err
	}
	n := 0
	for i, src := range x.SourceIDs {
		rid := mapped[reportKeys[i]]
		_, isNew := created[reportKeys[i]]
		var todo []intake.ImportedStatement
		var rows []*store.ImportRow
		var filed []*store.Statement
		if isNew {
			if filed, err = q.ListStatements(ctx, rid); err != nil {
				return n, err
			}
		}
		for _, st := range x.statements[src] {
			if _, ok := done[StatementKey(st.in.Key, 1)]; ok || rid == "" {
				continue
			}
			in := st.in
			if isNew && st.narrative {
				// The statement ImportInto filed with this text.
				k := slices.IndexFunc(filed, func(f *store.Statement) bool { return f.Kind == in.Kind })
				if k < 0 {
					return n, fmt.Errorf("report %s: its %s statement was not filed", rid, in.Kind)
				}
				in.Into = filed[k].ID
				filed = slices.Delete(filed, k, k+1)
			}
			todo = append(todo, in)
			for v := range in.Versions {
				row := &store.ImportRow{OrgID: a.OrgID, Key: StatementKey(in.Key, v+1), ReportID: rid, Source: x.Plan.Source + "/" + export.TableStatements + ".csv",
					Line: st.lines[v], ImportedAt: now.UnixMicro()}
				if !st.dates[v].IsZero() {
					row.OriginalAt = st.dates[v].UnixMicro()
				}
				rows = append(rows, row)
			}
		}
		if len(todo) == 0 {
			continue
		}
		if err := s.intake.ImportStatementsInto(ctx, q, a, rid, todo, map[string]string{}, !isNew, now); err != nil {
			return n, fmt.Errorf("%s.csv line %d: %w", export.TableStatements, x.statements[src][0].lines[0], err)
		}
		if err := q.PutImportRows(ctx, rows); err != nil {
			return n, err
		}
		n += len(rows)
	}
	return n, nil
}

// importAttachments adds each attachment of x not imported before to its
// report through intake (the public form's checks, sealing, ledger entry),
// once the reports are committed, recording each as imported.
func (s *Service) importAttachments(ctx context.Context, a auth.Actor, x *VigilExport) (int, error) {
	if len(x.attachments) == 0 {
		return 0, nil
	}
	keys := make([]string, 0, len(x.attachments)+len(x.SourceIDs))
	for _, at := range x.attachments {
		keys = append(keys, AttachmentKey(at.id))
	}
	for _, id := range x.SourceIDs {
		keys = append(keys, VigilKey(id))
	}
	have, err := s.db.Read().ImportedKeys(ctx, a.OrgID, keys)
	if err != nil {
		return 0, fmt.Errorf("ingest: %w", err)
	}
	n := 0
	for _, at := range x.attachments {
		rid, ok := have[VigilKey(at.reportID)]
		if _, done := have[AttachmentKey(at.id)]; done || !ok {
			continue
		}
		f, err := os.Open(at.path)
		if err != nil {
			return n, fmt.Errorf("ingest: %w", err)
		}
		_, err = s.intake.AddAttachment(ctx, a, rid, "file", at.name, f)
		f.Close()
		if err != nil {
			return n, fmt.Errorf("ingest: %s: %s.csv line %d: %w", x.Plan.Source, export.TableAttachments, at.line, err)
		}
		row := &store.ImportRow{OrgID: a.OrgID, Key: AttachmentKey(at.id), ReportID: rid, Source: x.Plan.Source + "/" + export.TableAttachments + ".csv",
			Line: at.line, ImportedAt: s.Now().UnixMicro()}
		if !at.created.IsZero() {
			row.OriginalAt = at.created.UnixMicro()
		}
		if err := s.db.Tx(ctx, func(q store.Q) error { return q.PutImportRows(ctx, []*store.ImportRow{row}) }); err != nil {
			return n, fmt.Errorf("ingest: %w", err)
		}
		n++
	}
	return n, nil
}
