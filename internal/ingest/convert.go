package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
)

// Row is a record read as a report: the submission, its stable key, its
// own date, and the files to fetch.
type Row struct {
	Line int
	Key  string
	Sub  *intake.Submission
	// Original is the row's own date (zero: none).
	Original    time.Time
	Attachments []Attachment
}

// converter reads records with one mapping.
type converter struct {
	m        *Mapping
	source   string
	layout   string
	kobo     bool
	now      time.Time
	skip     map[string]map[string]bool
	values   map[string]map[string]string // field → folded value → code
	seenKeys map[string]int
}

func newConverter(m *Mapping, source string, kobo bool, now time.Time) (*converter, error) {
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("ingest: mapping: %w", err)
	}
	layout, _ := dateLayout(m.DateFormat)
	c := &converter{m: m, source: source, layout: layout, kobo: kobo, now: now,
		skip: map[string]map[string]bool{}, values: map[string]map[string]string{}, seenKeys: map[string]int{}}
	for col, vs := range m.Skip {
		c.skip[col] = map[string]bool{}
		for _, v := range vs {
			c.skip[col][fold(v)] = true
		}
	}
	for name, f := range m.Fields {
		c.values[name] = map[string]string{}
		for k, v := range f.Values {
			c.values[name][fold(k)] = v
		}
	}
	return c, nil
}

func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// cells returns the non-empty cells of field name's columns in rec (or
// in one repetition), each with its column.
func (c *converter) cells(name string, get func(string) string) (vals, cols []string) {
	f := c.m.Fields[name]
	if f == nil {
		return nil, nil
	}
	for _, col := range f.Columns {
		if v := get(col); v != "" {
			vals, cols = append(vals, v), append(cols, col)
		}
	}
	return vals, cols
}

// code maps a value through field name's values; ok is false when the
// mapping maps it to "" (ignore it).
func (c *converter) code(name, v string) (string, bool) {
	if to, mapped := c.values[name][fold(v)]; mapped {
		return to, to != ""
	}
	return strings.TrimSpace(v), true
}

// list splits the cells of a list field and maps each value.
func (c *converter) list(name string, get func(string) string) (vals, cols []string) {
	f := c.m.Fields[name]
	if f == nil {
		return nil, nil
	}
	raw, rcols := c.cells(name, get)
	sep := f.split(c.kobo && name == "incident_types")
	for i, cell := range raw {
		parts := []string{cell}
		if sep != "" {
			parts = strings.Split(cell, sep)
		}
		for _, p := range parts {
			if strings.TrimSpace(p) == "" {
				continue
			}
			if v, ok := c.code(name, p); ok {
				vals, cols = append(vals, v), append(cols, rcols[i])
			}
		}
	}
	return vals, cols
}

// split is the field's separator: its own, else " " for a Kobo
// select_multiple, else ";".
func (f *Field) split(selectMultiple bool) string {
	switch {
	case f.Split != "":
		return f.Split
	case selectMultiple:
		return " "
	}
	return ";"
}

// convert reads one record; problems go to ps. skip reports a row the
// mapping leaves out.
func (c *converter) convert(rec *Record, ps *Problems) (row *Row, skip bool) {
	for col, vs := range c.skip {
		if vs[fold(rec.Get(col))] {
			return nil, true
		}
	}
	before := len(ps.List)
	bad := func(col, format string, args ...any) { ps.add(rec.Line, col, format, args...) }
	get := rec.Get
	one := func(name string) (string, string) { return c.first(name, get) }
	sub := &intake.Submission{Channel: "import", Language: c.m.Language, Country: c.m.Country}
	fieldCol := map[string]string{} // submission field → column, for Validate's errors
	if v, col := one("language"); v != "" {
		sub.Language, fieldCol["language"] = v, col
	}
	if sub.Language == "" {
		sub.Language = "en"
	}
	if lang, err := intake.NormaliseLanguage("language", sub.Language); err != nil {
		bad(orDefault(fieldCol["language"], "language"), "%s", message(err))
	} else {
		sub.Language = lang
	}
	if v, col := one("country"); v != "" {
		sub.Country, fieldCol["country"] = v, col
	}
	if cc, err := intake.NormaliseCountry("country", sub.Country); err != nil {
		bad(orDefault(fieldCol["country"], "country"), "%s", message(err))
	} else {
		sub.Country = cc
	}
	types, tcols := c.list("incident_types", get)
	for i, t := range types {
		if !slices.Contains(intake.IncidentTypes, t) {
			bad(tcols[i], "%q is not an incident type; map it under fields.incident_types.values to one of %s", t, strings.Join(intake.IncidentTypes, ", "))
			continue
		}
		if !slices.Contains(sub.IncidentTypes, t) {
			sub.IncidentTypes = append(sub.IncidentTypes, t)
		}
	}
	places, _ := c.list("places", get)
	for _, p := range places {
		sub.Places = append(sub.Places, intake.PlaceIn{Name: p})
	}
	// The narrative, then what the mapping adds to it.
	var text []string
	narr, _ := c.cells("narrative", get)
	text = append(text, narr...)
	var extra []string
	row = &Row{Line: rec.Line, Attachments: rec.Attachments}
	if v, col := one("date"); v != "" {
		d, err := c.date(v)
		if err != nil {
			bad(col, "%s", err)
		} else if d.After(c.now.Add(24 * time.Hour)) {
			bad(col, "%s is in the future", v)
		} else if d.Year() < 2000 {
			bad(col, "%s is too long ago (before 2000)", v)
		} else {
			row.Original = d
			sub.ContactedOn = d.Format(time.DateOnly)
		}
	}
	if v, col := one("incident_date"); v != "" {
		if d, err := c.date(v); err != nil {
			bad(col, "%s", err)
		} else {
			extra = append(extra, "Date of incident: "+d.Format(time.DateOnly))
		}
	}
	if v, col := one("geopoint"); v != "" {
		if g, err := geopoint(v); err != nil {
			bad(col, "%s", err)
		} else {
			extra = append(extra, "Location: "+g)
		}
	}
	contacts, _ := c.list("recruiter_contacts", get)
	for _, ct := range contacts {
		extra = append(extra, "Recruiter contact: "+ct)
	}
	if v, _ := one("job_ad"); v != "" {
		sub.JobAd = v
	}
	// Reporter.
	rep := &intake.Reporter{}
	rep.Name, _ = one("reporter.name")
	rep.Contact, _ = one("reporter.contact")
	rep.Relationship, _ = one("reporter.relationship")
	if v, col := one("reporter.safe_to_contact"); v != "" {
		if b, err := yesNo(v); err != nil {
			bad(col, "%s", err)
		} else {
			rep.SafeToContact = &b
		}
	}
	if *rep != (intake.Reporter{}) {
		sub.Reporter = rep
	}
	// Victims and subjects: one per row, or one per repetition.
	for _, g := range c.groups("victim.", rec) {
		v, ok := c.victim(g, bad, fieldCol, len(sub.Victims))
		if ok {
			sub.Victims = append(sub.Victims, v)
		}
	}
	for _, g := range c.groups("subject.", rec) {
		s, contact, ok := c.subject(g, bad)
		if ok {
			sub.Subjects = append(sub.Subjects, s)
		}
		if contact != "" {
			who := s.Name
			if who == "" {
				who = "a perpetrator"
			}
			extra = append(extra, "Contact of "+who+": "+contact)
		}
	}
	narrative := strings.TrimSpace(strings.Join(text, "\n\n"))
	if narrative == "" && len(extra) == 0 && len(sub.IncidentTypes) == 0 && len(sub.Victims) == 0 && len(sub.Subjects) == 0 && len(sub.Places) == 0 {
		bad(strings.Join(c.m.Fields["narrative"].columnsOrNone(), ", "), "is empty and the row says nothing else: a report needs what happened")
	}
	if narrative == "" {
		narrative = fmt.Sprintf("Imported from %s, line %d, without a narrative.", c.source, rec.Line)
	}
	if len(extra) > 0 {
		narrative += "\n\n" + strings.Join(extra, "\n")
	}
	sub.Narrative = narrative
	// The key.
	row.Key = c.key(rec, bad)
	if len(ps.List) > before {
		return nil, false
	}
	// Intake's own checks, named by column.
	if err := sub.Validate(); err != nil {
		var ie *invalid.Error
		col := ""
		if errors.As(err, &ie) {
			col = fieldCol[ie.Field]
			if col == "" {
				col = ie.Field
			}
		}
		bad(col, "%s", message(err))
		return nil, false
	}
	row.Sub = sub
	return row, false
}

func (f *Field) columnsOrNone() []string {
	if f == nil {
		return []string{"narrative"}
	}
	return f.Columns
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// message is an error's sentence without its field name (the problem
// names the column instead).
func message(err error) string {
	var ie *invalid.Error
	if errors.As(err, &ie) {
		return ie.Message
	}
	return err.Error()
}

// groups returns the cell getters of a victim or subject group: the row
// itself, or each repetition of the group's repeat.
func (c *converter) groups(prefix string, rec *Record) []func(string) string {
	repeat := ""
	any := false
	for name, f := range c.m.Fields {
		if strings.HasPrefix(name, prefix) {
			any, repeat = true, f.Repeat
		}
	}
	if !any {
		return nil
	}
	if repeat == "" {
		return []func(string) string{rec.Get}
	}
	var out []func(string) string
	for _, item := range rec.Repeats[repeat] {
		out = append(out, func(col string) string {
			if v, ok := item[col]; ok {
				return strings.TrimSpace(v)
			}
			return strings.TrimSpace(item[repeat+"/"+col])
		})
	}
	return out
}

// first is a field's first cell as its code (a value the mapping maps to
// "" reads as empty) and the column it came from.
func (c *converter) first(name string, get func(string) string) (string, string) {
	vals, cols := c.cells(name, get)
	if len(vals) == 0 {
		return "", ""
	}
	v, ok := c.code(name, vals[0])
	if !ok {
		return "", ""
	}
	return v, cols[0]
}

func (c *converter) victim(get func(string) string, bad func(string, string, ...any), fieldCol map[string]string, i int) (intake.VictimIn, bool) {
	var v intake.VictimIn
	val := func(name string) (string, string) { return c.first(name, get) }
	f := fmt.Sprintf("victims[%d]", i)
	v.Name, fieldCol[f+".name"] = val("victim.name")
	v.Passport, fieldCol[f+".passport"] = val("victim.passport")
	v.Contact, fieldCol[f+".contact"] = val("victim.contact")
	if s, col := val("victim.nationality"); s != "" {
		if cc, err := intake.NormaliseCountry("nationality", s); err != nil {
			bad(col, "%s; map it under fields.victim.nationality.values", message(err))
		} else {
			v.Nationality = cc
		}
	}
	if s, col := val("victim.gender"); s != "" {
		if !slices.Contains(intake.Genders, s) {
			bad(col, "%q is not a gender; map it under fields.victim.gender.values to one of %s", s, strings.Join(intake.Genders, ", "))
		} else {
			v.Gender = s
		}
	}
	if s, col := val("victim.age_band"); s != "" {
		if !slices.Contains(intake.AgeBands, s) {
			bad(col, "%q is not an age band; map it under fields.victim.age_band.values to one of %s", s, strings.Join(intake.AgeBands, ", "))
		} else {
			v.AgeBand = s
		}
	}
	if s, col := val("victim.age"); s != "" && v.AgeBand == "" {
		n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || n < 0 || n > 120 {
			bad(col, "%q is not an age in years", s)
		} else {
			v.AgeBand = ageBand(int(n))
		}
	}
	if s, col := val("victim.still_held"); s != "" {
		if b, err := yesNo(s); err != nil {
			bad(col, "%s", err)
		} else {
			v.StillHeld = b
		}
	}
	return v, v != intake.VictimIn{}
}

func (c *converter) subject(get func(string) string, bad func(string, string, ...any)) (intake.SubjectIn, string, bool) {
	var s intake.SubjectIn
	val := func(name string) (string, string) { return c.first(name, get) }
	s.Name, _ = val("subject.name")
	s.Role, _ = val("subject.role")
	if t, col := val("subject.type"); t != "" {
		if !slices.Contains(intake.SubjectTypes, t) {
			bad(col, "%q is not a subject type; map it under fields.subject.type.values to one of %s", t, strings.Join(intake.SubjectTypes, ", "))
		} else {
			s.Type = t
		}
	}
	contact, _ := val("subject.contact")
	if s.Name == "" {
		// A subject is named; a role or contact alone goes to the narrative.
		return s, contact, false
	}
	return s, contact, true
}

// ageBand is the band of an age in years.
func ageBand(n int) string {
	switch {
	case n < 18:
		return "under_18"
	case n <= 25:
		return "18_25"
	case n <= 35:
		return "26_35"
	case n <= 50:
		return "36_50"
	}
	return "over_50"
}

func yesNo(s string) (bool, error) {
	switch fold(s) {
	case "yes", "y", "true", "1", "x", "oui", "si", "ya":
		return true, nil
	case "no", "n", "false", "0", "non":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", s)
}

// date reads a date in the mapping's format, or an ISO 8601 date or
// date-time (Kobo).
func (c *converter) date(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.Parse(c.layout, s); err == nil {
		return d, nil
	}
	for _, l := range []string{time.DateOnly, time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.000-07:00", "2006-01-02 15:04:05"} {
		if d, err := time.Parse(l, s); err == nil {
			y, m, dd := d.Date()
			return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC), nil
		}
	}
	// A date cell of a workbook whose number format was lost (or read
	// raw) is Excel's serial day number.
	if n, err := strconv.ParseFloat(s, 64); err == nil && n >= 25569 && n < 73051 {
		if d, err := excelize.ExcelDateToTime(n, false); err == nil {
			y, m, dd := d.Date()
			return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC), nil
		}
	}
	f := c.m.DateFormat
	if f == "" {
		f = "YYYY-MM-DD"
	}
	return time.Time{}, fmt.Errorf("%q is not a date as %s (date_format in the mapping)", s, f)
}

// geopoint reads "lat lon [alt [accuracy]]".
func geopoint(s string) (string, error) {
	parts := strings.Fields(s)
	if len(parts) < 2 || len(parts) > 4 {
		return "", fmt.Errorf("%q is not a geopoint (latitude longitude altitude accuracy)", s)
	}
	var n [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return "", fmt.Errorf("%q is not a geopoint (latitude longitude altitude accuracy)", s)
		}
		n[i] = f
	}
	if n[0] < -90 || n[0] > 90 || n[1] < -180 || n[1] > 180 {
		return "", fmt.Errorf("%q is not a geopoint: latitude or longitude out of range", s)
	}
	out := strconv.FormatFloat(n[0], 'f', -1, 64) + ", " + strconv.FormatFloat(n[1], 'f', -1, 64)
	if len(parts) == 4 && n[3] > 0 {
		out += " (within " + strconv.FormatFloat(n[3], 'f', -1, 64) + " m)"
	}
	return out, nil
}

// key is the row's stable key: a hash of the source and the key columns,
// or (without key columns) of the source and the row's cells. A Kobo
// submission is keyed by its form and root UUID, stable across edits.
func (c *converter) key(rec *Record, bad func(string, string, ...any)) string {
	h := sha256.New()
	if c.kobo && len(c.m.Key) == 0 {
		// The same submission from a file or the webhook: one key.
		h.Write([]byte("kobo\x00" + firstOf(rec, "_xform_id_string", "formhub/uuid")))
	} else {
		h.Write([]byte(c.source))
	}
	h.Write([]byte{0})
	switch {
	case len(c.m.Key) > 0:
		for _, col := range c.m.Key {
			v := rec.Get(col)
			if v == "" {
				bad(col, "is the row's key (key in the mapping) but is empty")
			}
			h.Write([]byte(v))
			h.Write([]byte{0})
		}
	case c.kobo:
		id := firstOf(rec, "meta/rootUuid", "meta/instanceID", "_uuid", "_id")
		if id == "" {
			bad("meta/rootUuid", "the submission has no meta/rootUuid, meta/instanceID, _uuid or _id to key it by")
		}
		h.Write([]byte(strings.TrimPrefix(id, "uuid:")))
	default:
		for _, v := range rec.raw {
			h.Write([]byte(strings.TrimSpace(v)))
			h.Write([]byte{0})
		}
	}
	k := hex.EncodeToString(h.Sum(nil))
	if len(c.m.Key) > 0 || c.kobo {
		if first, dup := c.seenKeys[k]; dup {
			bad(strings.Join(c.m.Key, ", "), "repeats the key of line %d", first)
		} else {
			c.seenKeys[k] = rec.Line
		}
	}
	return k
}

func firstOf(rec *Record, cols ...string) string {
	for _, c := range cols {
		if v := rec.Get(c); v != "" {
			return v
		}
	}
	return ""
}
