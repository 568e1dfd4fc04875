package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Formats are the file formats vigil import reads.
var Formats = []string{"csv", "xlsx", "kobo"}

// Limits on what a file may hold; a larger one is refused, not cut.
const (
	MaxRows    = 1_000_000
	MaxColumns = 1000
	MaxCell    = 100_000
)

// Record is one row of a file: its line (as an editor shows it, or the
// sheet's row number) and its cells by column name. A Kobo submission's
// repeat groups are in Repeats, by group name, one map per repetition.
type Record struct {
	Line    int
	Cells   map[string]string
	Repeats map[string][]map[string]string
	// Attachments are the files a Kobo submission lists.
	Attachments []Attachment
	// raw is the row's cells in file order, for its content key.
	raw []string
}

// Get returns the cell of column col ("" when absent).
func (r *Record) Get(col string) string { return r.Cells[col] }

// Attachment is a file a Kobo submission lists in _attachments.
type Attachment struct {
	URL, Name, MediaType, Question string
}

// Table is a file's header and rows.
type Table struct {
	Headers []string
	Records []*Record
}

// Problem is one thing wrong with a row: its line, the column (if one)
// and what is wrong.
type Problem struct {
	Line   int
	Column string
	Msg    string
}

func (p Problem) String() string {
	switch {
	case p.Line == 0 && p.Column == "":
		return p.Msg
	case p.Column == "":
		return fmt.Sprintf("%d: %s", p.Line, p.Msg)
	}
	return fmt.Sprintf("%d: column %s: %s", p.Line, p.Column, p.Msg)
}

// Problems is every problem found in a file, in line order; as an error
// it prints one per line, each prefixed with the file's name.
type Problems struct {
	File string
	List []Problem
}

func (ps *Problems) Error() string {
	var b strings.Builder
	for i, p := range ps.List {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(ps.File)
		b.WriteByte(':')
		b.WriteString(p.String())
	}
	return b.String()
}

func (ps *Problems) add(line int, col, format string, args ...any) {
	ps.List = append(ps.List, Problem{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

// Read reads a file of format (csv, xlsx or kobo) with m's reading
// options (sheet, delimiter; m may be nil). A file that cannot be read as
// that format is a *Problems naming the line.
func Read(format string, r io.Reader, m *Mapping) (*Table, error) {
	if m == nil {
		m = &Mapping{}
	}
	switch format {
	case "csv":
		return ReadCSV(r, m.Delimiter)
	case "xlsx":
		return ReadXLSX(r, m.Sheet)
	case "kobo":
		return ReadKobo(r)
	}
	return nil, fmt.Errorf("ingest: format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// ReadCSV reads a CSV file whose first row names the columns. delim is
// the separator ("" guesses "," or ";" from the header; `\t` is a tab).
func ReadCSV(r io.Reader, delim string) (*Table, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("ingest: read csv: %w", err)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		line := 1 + bytes.Count(b[:firstInvalid(b)], []byte("\n"))
		return nil, &Problems{List: []Problem{{Line: line, Msg: "is not UTF-8 text (save the sheet as CSV UTF-8)"}}}
	}
	comma := ','
	switch {
	case delim == `\t`:
		comma = '\t'
	case delim != "":
		comma, _ = utf8.DecodeRuneInString(delim)
	default:
		head, _, _ := bytes.Cut(b, []byte("\n"))
		if bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
			comma = ';'
		} else if bytes.Count(head, []byte("\t")) > bytes.Count(head, []byte(",")) {
			comma = '\t'
		}
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	t := &Table{}
	ps := &Problems{}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if pe.StartLine != 0 && pe.StartLine != pe.Line {
					ps.add(pe.StartLine, "", "%v (the row starting here runs to line %d)", pe.Err, pe.Line)
				} else {
					ps.add(pe.Line, "", "%v", pe.Err)
				}
				return nil, ps
			}
			return nil, fmt.Errorf("ingest: read csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if t.Headers == nil {
			if err := t.setHeaders(row, line, ps); err != nil {
				return nil, err
			}
			continue
		}
		if err := t.add(row, line, ps); err != nil {
			return nil, err
		}
	}
	if t.Headers == nil {
		ps.add(1, "", "the file is empty: want a header row naming the columns")
	}
	if len(ps.List) > 0 {
		return nil, ps
	}
	return t, nil
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// setHeaders names the columns from the header row: unique, non-empty
// (an unnamed column is called by its letter).
func (t *Table) setHeaders(row []string, line int, ps *Problems) error {
	if len(row) > MaxColumns {
		ps.add(line, "", "has %d columns; at most %d allowed", len(row), MaxColumns)
		return ps
	}
	seen := map[string]bool{}
	t.Headers = make([]string, len(row))
	for i, h := range row {
		h = strings.TrimSpace(h)
		if h == "" {
			h, _ = excelize.ColumnNumberToName(i + 1)
		}
		if seen[h] {
			ps.add(line, h, "is named twice in the header row")
		}
		seen[h] = true
		t.Headers[i] = h
	}
	if len(ps.List) > 0 {
		return ps
	}
	return nil
}

// add appends a row (unless every cell is empty).
func (t *Table) add(row []string, line int, ps *Problems) error {
	if len(t.Records) >= MaxRows {
		ps.add(line, "", "the file has more than %d rows; split it", MaxRows)
		return ps
	}
	empty := true
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			empty = false
			break
		}
	}
	if empty {
		return nil
	}
	rec := &Record{Line: line, Cells: make(map[string]string, len(row)), raw: row}
	for i, c := range row {
		if i >= len(t.Headers) {
			if strings.TrimSpace(c) != "" {
				col, _ := excelize.ColumnNumberToName(i + 1)
				ps.add(line, col, "has a value but no header")
			}
			continue
		}
		if len(c) > MaxCell {
			ps.add(line, t.Headers[i], "is longer than %d bytes", MaxCell)
			continue
		}
		rec.Cells[t.Headers[i]] = strings.TrimSpace(c)
	}
	t.Records = append(t.Records, rec)
	return nil
}

// ReadXLSX reads a sheet of a workbook (sheet "" is the first) whose first
// row names the columns; lines are the sheet's row numbers. Cells are read
// as the sheet shows them (a date as its number format writes it).
func ReadXLSX(r io.Reader, sheet string) (t *Table, err error) {
	defer func() {
		// excelize can panic on a malformed workbook: refuse it instead.
		if p := recover(); p != nil {
			t, err = nil, &Problems{List: []Problem{{Msg: fmt.Sprintf("is not a readable XLSX workbook (%v)", p)}}}
		}
	}()
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, &Problems{List: []Problem{{Msg: fmt.Sprintf("is not an XLSX workbook: %v", err)}}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if sheet == "" {
		if len(sheets) == 0 {
			return nil, &Problems{List: []Problem{{Msg: "the workbook has no sheet"}}}
		}
		sheet = sheets[0]
	} else if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		return nil, &Problems{List: []Problem{{Msg: fmt.Sprintf("the workbook has no sheet %q (it has %s)", sheet, strings.Join(sheets, ", "))}}}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, &Problems{List: []Problem{{Msg: fmt.Sprintf("sheet %q cannot be read: %v", sheet, err)}}}
	}
	defer rows.Close()
	t = &Table{}
	ps := &Problems{}
	line := 0
	for rows.Next() {
		line++
		row, err := rows.Columns()
		if err != nil {
			ps.add(line, "", "cannot be read: %v", err)
			return nil, ps
		}
		if t.Headers == nil {
			if len(row) == 0 {
				continue
			}
			if err := t.setHeaders(row, line, ps); err != nil {
				return nil, err
			}
			continue
		}
		if err := t.add(row, line, ps); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		ps.add(line, "", "cannot be read: %v", err)
	}
	if t.Headers == nil {
		ps.add(1, "", "sheet %q is empty: want a header row naming the columns", sheet)
	}
	if len(ps.List) > 0 {
		return nil, ps
	}
	return t, nil
}

// ReadKobo reads KoboToolbox submissions as JSON: a page of the v2 data
// API ({"results": [...]}), an array of submissions, one submission, or
// one wrapped by a REST Service payload template ({"fields": {...}}).
// Each submission's line is where its object starts. Keys are the
// questions' paths (person/gender); a question is also found by its own
// name (gender) when no other has it.
func ReadKobo(r io.Reader) (*Table, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("ingest: read kobo: %w", err)
	}
	lineAt := func(off int64) int { return 1 + bytes.Count(b[:min(int(off), len(b))], []byte("\n")) }
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	bad := func(off int64, err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		return &Problems{List: []Problem{{Line: lineAt(off), Msg: fmt.Sprintf("is not Kobo JSON: %v", err)}}}
	}
	t := &Table{}
	ps := &Problems{}
	headers := map[string]bool{}
	one := func(line int, raw json.RawMessage) error {
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			ps.add(line, "", "a submission is a JSON object")
			return nil
		}
		if f, ok := obj["fields"].(map[string]any); ok && len(obj) == 1 {
			obj = f
		}
		if len(t.Records) >= MaxRows {
			ps.add(line, "", "the file has more than %d submissions; split it", MaxRows)
			return ps
		}
		rec := koboRecord(line, obj, ps)
		for k := range rec.Cells {
			if !headers[k] {
				headers[k] = true
				t.Headers = append(t.Headers, k)
			}
		}
		t.Records = append(t.Records, rec)
		return nil
	}
	// Peek at the top level: an array, or an object (a page, or one
	// submission).
	tok, err := dec.Token()
	if err != nil {
		return nil, bad(dec.InputOffset(), err)
	}
	switch tok {
	case json.Delim('['):
		if err := koboArrayBody(b, dec, lineAt, one, bad); err != nil {
			return nil, err
		}
	case json.Delim('{'):
		start := dec.InputOffset() - 1
		// Read the object key by key; "results" as an array is a page.
		isPage := false
		whole := map[string]json.RawMessage{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, bad(dec.InputOffset(), err)
			}
			k, _ := kt.(string)
			if k == "results" {
				if next, err := peekDelim(b, dec.InputOffset()); err == nil && next == '[' {
					if _, err := dec.Token(); err != nil {
						return nil, bad(dec.InputOffset(), err)
					}
					isPage = true
					if err := koboArrayBody(b, dec, lineAt, one, bad); err != nil {
						return nil, err
					}
					continue
				}
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, bad(dec.InputOffset(), err)
			}
			whole[k] = v
		}
		if _, err := dec.Token(); err != nil {
			return nil, bad(dec.InputOffset(), err)
		}
		if !isPage {
			raw, err := json.Marshal(whole)
			if err != nil {
				return nil, fmt.Errorf("ingest: read kobo: %w", err)
			}
			if err := one(lineAt(start), raw); err != nil {
				return nil, err
			}
		}
	default:
		return nil, &Problems{List: []Problem{{Line: 1, Msg: "is not Kobo JSON: want an object or an array of submissions"}}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Problems{List: []Problem{{Line: lineAt(dec.InputOffset()), Msg: "is not Kobo JSON: more after the end"}}}
	}
	if len(ps.List) > 0 {
		return nil, ps
	}
	return t, nil
}

// peekDelim returns the first non-space byte of b at or after off.
func peekDelim(b []byte, off int64) (byte, error) {
	for i := int(off); i < len(b); i++ {
		switch b[i] {
		case ' ', '\t', '\r', '\n', ':':
			continue
		}
		return b[i], nil
	}
	return 0, io.ErrUnexpectedEOF
}

// koboArrayBody reads the elements of an array whose '[' was read, and its
// closing ']'.
func koboArrayBody(b []byte, dec *json.Decoder, lineAt func(int64) int, one func(int, json.RawMessage) error, bad func(int64, error) error) error {
	for dec.More() {
		off := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return bad(dec.InputOffset(), err)
		}
		if err := one(lineAt(valueStart(b, off)), raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return bad(dec.InputOffset(), err)
	}
	return nil
}

// valueStart is where the value after off starts, past separators and
// space.
func valueStart(b []byte, off int64) int64 {
	i := int(off)
	for i < len(b) && strings.IndexByte(" \t\r\n,:", b[i]) >= 0 {
		i++
	}
	return int64(i)
}

// koboRecord turns one submission into a record: answers as cells, repeat
// groups (arrays of objects) as Repeats, _attachments as Attachments;
// other metadata (_id, _uuid …) as cells too.
func koboRecord(line int, obj map[string]any, ps *Problems) *Record {
	rec := &Record{Line: line, Cells: map[string]string{}, Repeats: map[string][]map[string]string{}}
	keys := sortedKeys(obj)
	for _, k := range keys {
		v := obj[k]
		switch x := v.(type) {
		case []any:
			if k == "_attachments" {
				for _, a := range x {
					am, ok := a.(map[string]any)
					if !ok {
						ps.add(line, k, "an attachment is a JSON object")
						continue
					}
					if del, _ := am["is_deleted"].(bool); del {
						continue
					}
					at := Attachment{URL: str(am["download_url"]), Name: str(am["media_file_basename"]), MediaType: str(am["mimetype"]), Question: str(am["question_xpath"])}
					if at.Name == "" {
						at.Name = lastSegment(str(am["filename"]))
					}
					if at.URL != "" {
						rec.Attachments = append(rec.Attachments, at)
					}
				}
				continue
			}
			var items []map[string]string
			for _, it := range x {
				im, ok := it.(map[string]any)
				if !ok {
					// A list of scalars (_geolocation, _tags): one cell.
					items = nil
					rec.Cells[k] = scalarList(x)
					break
				}
				cells := map[string]string{}
				for ik, iv := range im {
					if s, ok := scalar(iv); ok {
						cells[ik] = s
						// Also by the path inside the group (perp_name).
						if rest, ok := strings.CutPrefix(ik, k+"/"); ok {
							cells[rest] = s
						}
					}
				}
				items = append(items, cells)
			}
			if items != nil {
				rec.Repeats[k] = items
				if name := lastSegment(k); name != k {
					if _, dup := rec.Repeats[name]; !dup {
						rec.Repeats[name] = items
					}
				}
			}
		case map[string]any:
			// _validation_status and the like: not answers.
		default:
			if s, ok := scalar(v); ok {
				if len(s) > MaxCell {
					ps.add(line, k, "is longer than %d bytes", MaxCell)
					continue
				}
				rec.Cells[k] = strings.TrimSpace(s)
				rec.raw = append(rec.raw, k+"="+s)
			}
		}
	}
	// A question is also found by its own name when that is unambiguous.
	count := map[string]int{}
	for k := range rec.Cells {
		if n := lastSegment(k); n != k {
			count[n]++
		}
	}
	for k, v := range rec.Cells {
		if n := lastSegment(k); n != k && count[n] == 1 {
			if _, taken := rec.Cells[n]; !taken {
				rec.Cells[n] = v
			}
		}
	}
	return rec
}

func lastSegment(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func str(v any) string {
	s, _ := scalar(v)
	return s
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

func scalarList(xs []any) string {
	parts := make([]string, 0, len(xs))
	for _, x := range xs {
		if s, ok := scalar(x); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}
