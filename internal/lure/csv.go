package lure

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
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
	// Group names the campaign, template or pattern the row belongs to,
	// from the optional `group` column: rows of one group are kept on one
	// side of a split (see Groups).
	Group string `json:"group,omitempty"`
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
		group := func(rec []string) string {
			if i, ok := col["group"]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
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
			Group:  group(rec),
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
	SplitTrain Split = "train" // rows whose group is not held out
	SplitTest  Split = "test"  // rows whose group is held out: Holdout(group)
)

// ParseSplit checks a split name.
func ParseSplit(s string) (Split, error) {
	switch sp := Split(s); sp {
	case SplitAll, SplitTrain, SplitTest:
		return sp, nil
	}
	return "", fmt.Errorf("lure: split %q, want all, train or test", s)
}

// Holdout reports whether the group with this name is held out for
// testing: the FNV-1a 32-bit hash of the name, modulo 5, is 0, so about a
// fifth of the groups are held out, the same ones every time. A group named
// in the `group` column ("group:" and the value; see Groups) is held out
// when the hash modulo 3 is 0: a hand-written corpus has few patterns, and
// a third of them leaves enough on each side.
func Holdout(group string) bool {
	if strings.HasPrefix(group, "group:") {
		return groupFold(group, 3) == 0
	}
	return groupFold(group, 5) == 0
}

// groupFold returns the fold, out of k, of a group: FNV-1a 32 of its name
// modulo k.
func groupFold(group string, k int) int {
	h := fnv.New32a()
	h.Write([]byte(group))
	return int(h.Sum32() % uint32(k))
}

// Select returns the rows of the split, in their order. The split is by
// group (see Groups), not by row: scam campaigns and companies post many
// near-identical ads, and a per-row split would put one campaign on both
// sides and measure memory of campaigns already seen.
func Select(rows []Example, sp Split) []Example {
	if sp == SplitAll || sp == "" {
		return rows
	}
	groups := Groups(rows)
	var out []Example
	for i, r := range rows {
		if Holdout(groups[i]) == (sp == SplitTest) {
			out = append(out, r)
		}
	}
	return out
}

// groupFields are the fields whose text ties ads to one campaign or
// company: the description and the company profile (EMSCAD's English field
// names, ORFD's Chinese ones).
var groupFields = []string{"description", "company profile", "职位描述", "公司介绍"}

// minGroupKey is the shortest field text, in bytes after folding, that ties
// two ads together; shorter texts ("N/A", "待定") are common to strangers.
const minGroupKey = 24

// Groups returns the group of each row: rows that share a description or a
// company profile (after folding case and dropping spaces and punctuation),
// or that name the same group in the optional `group` column, form one
// group, transitively. A group is named by the smallest id in it, or by its
// `group` value when it has one.
func Groups(rows []Example) []string {
	parent := make([]int, len(rows))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		a, b = find(a), find(b)
		if a != b {
			parent[max(a, b)] = min(a, b)
		}
	}
	owner := map[string]int{}
	for i, r := range rows {
		keys := groupKeys(r.Text)
		if r.Group != "" {
			keys = append(keys, "group\x00"+r.Group)
		}
		for _, k := range keys {
			if j, ok := owner[k]; ok {
				union(i, j)
			} else {
				owner[k] = i
			}
		}
	}
	name := map[int]string{}
	for i, r := range rows {
		root := find(i)
		n, ok := name[root]
		switch {
		case r.Group != "" && (!ok || !strings.HasPrefix(n, "group:") || "group:"+r.Group < n):
			n = "group:" + r.Group
		case !ok || !strings.HasPrefix(n, "group:") && r.ID < n:
			n = r.ID
		}
		name[root] = n
	}
	out := make([]string, len(rows))
	for i := range rows {
		out[i] = name[find(i)]
	}
	return out
}

// groupKeys returns the normalised texts of an ad's grouping fields.
func groupKeys(text string) []string {
	var keys []string
	var field string
	var val strings.Builder
	flush := func() {
		if field != "" && val.Len() >= minGroupKey {
			keys = append(keys, field+"\x00"+val.String())
		}
		field = ""
		val.Reset()
	}
	for line := range strings.Lines(text) {
		if k := strings.Index(line, ": "); k > 0 && k <= 24 {
			name := strings.ToLower(line[:k])
			if slices.Contains(groupFields, name) {
				flush()
				field = name
				line = line[k+2:]
			} else if isFieldName(name) {
				flush()
				continue
			}
		}
		if field != "" {
			for _, r := range fold(line).s {
				if runeClass(r) != classOther {
					val.WriteRune(r)
				}
			}
		}
	}
	flush()
	return keys
}

// isFieldName reports whether a line prefix looks like the name of a field
// ("Title", "Required experience", "薪资"): short, letters and spaces only.
func isFieldName(s string) bool {
	if len(s) > 24 {
		return false
	}
	for _, r := range s {
		if r != ' ' && runeClass(r) == classOther || '0' <= r && r <= '9' {
			return false
		}
	}
	return true
}
