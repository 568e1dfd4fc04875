// Package ingest imports reports from the files partners already keep:
// spreadsheets (CSV, XLSX) and KoboToolbox/ODK submissions (the JSON of
// Kobo's data export and REST Service), read with a mapping file (YAML)
// that says which column is which report field and how values become
// Vigil's codes. Every row is checked before anything is written; a file
// imports whole or not at all, each row once (a stable key per row), and
// each becomes a report through intake's one path (sealing, ledger,
// extraction, linking, screening, statistics).
package ingest

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Mapping says how to read a file's rows as reports.
type Mapping struct {
	// Source names the file in the rows' keys (default: the file's base
	// name, or the Kobo form's id): the same source and row key import once.
	Source string `yaml:"source,omitempty"`
	// Sheet is the XLSX sheet to read (default: the first).
	Sheet string `yaml:"sheet,omitempty"`
	// Delimiter is the CSV field separator (default: "," or ";", whichever
	// the header row uses more).
	Delimiter string `yaml:"delimiter,omitempty"`
	// Key are the columns that identify a row (a case number); without
	// them a row is identified by its content.
	Key Columns `yaml:"key,omitempty"`
	// Language and Country are the defaults when no column gives them.
	Language string `yaml:"language,omitempty"`
	Country  string `yaml:"country,omitempty"`
	// DateFormat is how dates are written: YYYY, MM and DD (e.g.
	// DD/MM/YYYY), or a Go layout. Default YYYY-MM-DD; ISO 8601 date-times
	// (Kobo) are always read.
	DateFormat string `yaml:"date_format,omitempty"`
	// Skip leaves out rows whose column holds one of the values (e.g. a
	// consent question answered "no").
	Skip map[string]Columns `yaml:"skip,omitempty"`
	// Fields maps report fields (see Fields) to columns.
	Fields map[string]*Field `yaml:"fields"`
}

// Columns is a list of names, written as one name or a list.
type Columns []string

// UnmarshalYAML reads one name or a list of them.
func (c *Columns) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*c = Columns{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*c = l
	return nil
}

// Field is where one report field is read from.
type Field struct {
	// Columns are read in order (several narrative columns are joined).
	Columns []string `yaml:"columns"`
	// Split separates the values of a list field (incident types, places,
	// recruiter contacts) in one cell: default ";", but " " for incident
	// types read from Kobo (a select_multiple).
	Split string `yaml:"split,omitempty"`
	// Values maps a cell's value (case and surrounding space ignored) to
	// Vigil's code; a value mapped to "" is ignored.
	Values map[string]string `yaml:"values,omitempty"`
	// Repeat is the Kobo repeat group the columns are in: one victim or
	// subject per repetition.
	Repeat string `yaml:"repeat,omitempty"`
}

// UnmarshalYAML reads a field as a column name, a list of them, or a
// mapping with columns (or column), split, values and repeat.
func (f *Field) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		f.Columns = []string{n.Value}
		return nil
	case yaml.SequenceNode:
		return n.Decode(&f.Columns)
	case yaml.MappingNode:
		var raw struct {
			Column  string            `yaml:"column"`
			Columns []string          `yaml:"columns"`
			Split   string            `yaml:"split"`
			Values  map[string]string `yaml:"values"`
			Repeat  string            `yaml:"repeat"`
		}
		if err := n.Decode(&raw); err != nil {
			return err
		}
		f.Columns, f.Split, f.Values, f.Repeat = raw.Columns, raw.Split, raw.Values, raw.Repeat
		if raw.Column != "" {
			f.Columns = append([]string{raw.Column}, f.Columns...)
		}
		return nil
	}
	return fmt.Errorf("line %d: a field is a column name, a list of columns or a mapping", n.Line)
}

// MarshalYAML writes a field with one column and nothing else as that
// column's name.
func (f *Field) MarshalYAML() (any, error) {
	if len(f.Columns) == 1 && f.Split == "" && len(f.Values) == 0 && f.Repeat == "" {
		return f.Columns[0], nil
	}
	type plain Field
	return (*plain)(f), nil
}

// Fields are the report fields a mapping can fill, with what each is.
var Fields = map[string]string{
	"narrative":                "what happened, in the reporter's or victim's words (several columns are joined)",
	"job_ad":                   "the job advertisement or recruiter chat",
	"recruiter_contacts":       "the recruiters' phones, accounts or addresses (added to the narrative, where extraction finds them)",
	"incident_types":           "incident type codes (list)",
	"country":                  "where the reporter is (ISO 3166-1 alpha-2)",
	"language":                 "the narrative's language (BCP 47)",
	"date":                     "the record's own date (when the organisation first heard of it), kept beside the import date",
	"incident_date":            "the date of the incident (added to the narrative)",
	"places":                   "places named (list)",
	"geopoint":                 "a Kobo geopoint (lat lon alt accuracy), added to the narrative",
	"reporter.name":            "the reporter's name (sealed)",
	"reporter.contact":         "how to reach the reporter (sealed)",
	"reporter.relationship":    "the reporter's relationship to the victim",
	"reporter.safe_to_contact": "whether the reporter may be contacted (yes/no)",
	"victim.name":              "the victim's name (sealed)",
	"victim.age":               "the victim's age in years (made an age band)",
	"victim.age_band":          "the victim's age band code",
	"victim.gender":            "the victim's gender code",
	"victim.nationality":       "the victim's nationality (ISO 3166-1 alpha-2)",
	"victim.still_held":        "whether the victim is still held (yes/no)",
	"victim.passport":          "the victim's passport number (sealed)",
	"victim.contact":           "how to reach the victim (sealed)",
	"subject.name":             "a perpetrator's name (person or company)",
	"subject.type":             "the subject type code",
	"subject.role":             "the subject's role (recruiter, boss …)",
	"subject.contact":          "the subject's phone or account (added to the narrative)",
}

// ParseMapping reads a mapping file and checks it: known fields, at least
// one column each, a repeat only on victim and subject fields.
func ParseMapping(b []byte) (*Mapping, error) {
	m := &Mapping{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(m); err != nil {
		return nil, fmt.Errorf("ingest: mapping: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("ingest: mapping: %w", err)
	}
	return m, nil
}

func (m *Mapping) check() error {
	if len(m.Fields) == 0 {
		return fmt.Errorf("fields: map at least one report field to a column")
	}
	for _, name := range m.fieldNames() {
		f := m.Fields[name]
		if _, ok := Fields[name]; !ok {
			return fmt.Errorf("fields: %q is not a report field (want one of %s)", name, strings.Join(sortedKeys(Fields), ", "))
		}
		if f == nil || len(f.Columns) == 0 || slices.Contains(f.Columns, "") {
			return fmt.Errorf("fields.%s: name a column", name)
		}
		if f.Repeat != "" && !strings.HasPrefix(name, "victim.") && !strings.HasPrefix(name, "subject.") {
			return fmt.Errorf("fields.%s: only victim and subject fields can be read from a repeat group", name)
		}
	}
	for _, g := range []string{"victim.", "subject."} {
		repeat := ""
		for _, name := range m.fieldNames() {
			if strings.HasPrefix(name, g) {
				if repeat != "" && m.Fields[name].Repeat != repeat {
					return fmt.Errorf("fields.%s: every %s field reads the same repeat group (%q)", name, strings.TrimSuffix(g, "."), repeat)
				}
				repeat = m.Fields[name].Repeat
			}
		}
	}
	if _, err := dateLayout(m.DateFormat); err != nil {
		return err
	}
	if len(m.Delimiter) > 1 && m.Delimiter != `\t` {
		return fmt.Errorf("delimiter: want one character")
	}
	return nil
}

// fieldNames are m's fields in a stable order.
func (m *Mapping) fieldNames() []string { return sortedKeys(m.Fields) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// dateLayout turns a date format (YYYY, MM, DD or a Go layout) into a Go
// layout.
func dateLayout(f string) (string, error) {
	if f == "" {
		return "2006-01-02", nil
	}
	r := strings.NewReplacer("YYYY", "2006", "YY", "06", "MM", "01", "DD", "02")
	l := r.Replace(f)
	if !strings.Contains(l, "06") || !strings.Contains(l, "01") && !strings.Contains(l, "Jan") || !strings.Contains(l, "02") && !strings.Contains(l, "_2") {
		return "", fmt.Errorf("date_format: %q names no year, month and day (write it as YYYY, MM and DD, e.g. DD/MM/YYYY)", f)
	}
	return l, nil
}

// Marshal writes m as YAML.
func (m *Mapping) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("ingest: mapping: %w", err)
	}
	return buf.Bytes(), nil
}
