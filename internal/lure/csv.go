package lure

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strings"
)

// Example is one labelled ad, a row of the CSV format
// `id,source,lang,label,text` (see ../shared/data/README.md).
type Example struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Lang   string `json:"lang"`
	// Label is 1 for a lure or fraudulent ad, 0 for a legitimate one.
	Label int    `json:"label"`
	Text  string `json:"text"`
	// Line is the line of the file the row starts on.
	Line int `json:"-"`
}

// csvColumns are the columns ReadCSV needs, in the documented order. Other
// columns are allowed and ignored; the order may differ.
var csvColumns = []string{"id", "source", "lang", "label", "text"}

// ReadCSV reads labelled ads in the CSV format with the header
// `id,source,lang,label,text`. An error names the line it is on.
func ReadCSV(r io.Reader) ([]Example, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("lure: csv: empty file, want the header id,source,lang,label,text")
		}
		return nil, fmt.Errorf("lure: csv: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("lure: csv line 1: column %q twice", h)
		}
		col[h] = i
	}
	for _, c := range csvColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("lure: csv line 1: no %q column, want the header id,source,lang,label,text", c)
		}
	}
	var out []Example
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("lure: csv line %d: %w", pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("lure: csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		lab := strings.TrimSpace(rec[col["label"]])
		var label int
		switch lab {
		case "0":
		case "1":
			label = 1
		default:
			return nil, fmt.Errorf("lure: csv line %d: label %q, want 0 or 1", line, lab)
		}
		out = append(out, Example{
			ID:     rec[col["id"]],
			Source: rec[col["source"]],
			Lang:   strings.TrimSpace(rec[col["lang"]]),
			Label:  label,
			Text:   rec[col["text"]],
			Line:   line,
		})
	}
}

// WriteCSV writes examples in the format ReadCSV reads.
func WriteCSV(w io.Writer, rows []Example) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(csvColumns)
	for _, r := range rows {
		_ = cw.Write([]string{r.ID, r.Source, r.Lang, fmt.Sprint(r.Label), r.Text})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("lure: write csv: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("lure: write csv: %w", err)
	}
	return nil
}

// Split names a part of a labelled file.
type Split string

// The parts of a labelled file under the fixed hold-out rule.
const (
	SplitAll   Split = "all"   // every row
	SplitTrain Split = "train" // rows not held out
	SplitTest  Split = "test"  // rows held out: Holdout(id)
)

// ParseSplit checks a split name.
func ParseSplit(s string) (Split, error) {
	switch sp := Split(s); sp {
	case SplitAll, SplitTrain, SplitTest:
		return sp, nil
	}
	return "", fmt.Errorf("lure: split %q, want all, train or test", s)
}

// Holdout reports whether the row with this id is held out for testing:
// the FNV-1a 32-bit hash of the id, modulo 5, is 0. About a fifth of any
// file is held out, the same rows every time.
func Holdout(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%5 == 0
}

// Select returns the rows of the split, in their order.
func Select(rows []Example, sp Split) []Example {
	if sp == SplitAll || sp == "" {
		return rows
	}
	var out []Example
	for _, r := range rows {
		if Holdout(r.ID) == (sp == SplitTest) {
			out = append(out, r)
		}
	}
	return out
}
