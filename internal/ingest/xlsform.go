package ingest

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-project/vigil/internal/intake"
)

// SuggestXLSForm writes a starting mapping for a KoboToolbox/ODK form from
// its XLSForm (the survey and choices sheets): each question whose name or
// label suggests a field is mapped by its path as Kobo sends it (groups
// joined with "/"), a question in a repeat group with repeat set, and a
// select question mapped to an enumerated field lists every choice to map
// (guessed where it can, else "" until someone fills it in).
func SuggestXLSForm(r io.Reader) (m *Mapping, notes []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, notes, err = nil, nil, &Problems{List: []Problem{{Msg: fmt.Sprintf("is not a readable XLSX workbook (%v)", p)}}}
		}
	}()
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, nil, &Problems{List: []Problem{{Msg: fmt.Sprintf("is not an XLSX workbook: %v", err)}}}
	}
	defer f.Close()
	survey, err := sheetRows(f, "survey")
	if err != nil {
		return nil, nil, err
	}
	choices, err := sheetRows(f, "choices")
	if err != nil {
		return nil, nil, err
	}
	lists := map[string][]string{}
	for _, c := range choices {
		if l, n := strings.TrimSpace(c["list_name"]), strings.TrimSpace(c["name"]); l != "" && n != "" {
			lists[l] = append(lists[l], n)
		}
	}
	m = &Mapping{Fields: map[string]*Field{}, Language: "en"}
	var groups []string // open groups, "repeat:" prefixed for repeats
	codes := map[string][]string{"incident_types": intake.IncidentTypes, "victim.gender": intake.Genders, "victim.age_band": intake.AgeBands, "subject.type": intake.SubjectTypes}
	for _, q := range survey {
		typ, name := strings.TrimSpace(q["type"]), strings.TrimSpace(q["name"])
		kind, list, _ := strings.Cut(typ, " ")
		switch kind {
		case "begin_group", "begin", "begin_repeat":
			if kind == "begin" && list == "repeat" || kind == "begin_repeat" {
				groups = append(groups, "repeat:"+name)
			} else {
				groups = append(groups, name)
			}
			continue
		case "end_group", "end_repeat", "end":
			// "end group" / "end repeat" close one; "end" alone is the
			// metadata question.
			if kind != "end" || list != "" {
				if len(groups) > 0 {
					groups = groups[:len(groups)-1]
				}
			}
			continue
		case "", "note", "calculate", "start", "today", "deviceid", "username", "phonenumber", "audit":
			continue
		}
		if name == "" {
			continue
		}
		// The path as Kobo sends it; inside a repeat, the path from the
		// repeat (a repetition's own keys).
		var path []string
		repeat := ""
		for _, g := range groups {
			if r, ok := strings.CutPrefix(g, "repeat:"); ok {
				// The repeat's own path names it; its questions' paths
				// start from it.
				repeat = strings.Join(append(path, r), "/")
				path = nil
				continue
			}
			path = append(path, g)
		}
		col := strings.Join(append(path, name), "/")
		label := firstLabel(q)
		text := strings.ToLower(strings.ReplaceAll(name+" "+label, "_", " "))
		if kind == "geopoint" {
			setField(m, "geopoint", col, repeat)
			continue
		}
		field := ""
		for _, g := range guesses {
			for _, w := range strings.Split(g.words, "|") {
				if strings.Contains(text, strings.ReplaceAll(w, "_", " ")) {
					field = g.field
					break
				}
			}
			if field != "" {
				break
			}
		}
		if field == "-" {
			notes = append(notes, fmt.Sprintf("question %q (%s) is personal data no report field keeps: not mapped", col, strings.TrimSpace(label)))
			continue
		}
		if strings.Contains(text, "consent") && (kind == "select_one" || kind == "select_multiple") {
			notes = append(notes, fmt.Sprintf("question %q asks for consent: add its refusal under skip", col))
			continue
		}
		if field == "" || (repeat != "" && !strings.HasPrefix(field, "victim.") && !strings.HasPrefix(field, "subject.")) {
			notes = append(notes, fmt.Sprintf("question %q (%s) is not mapped", col, strings.TrimSpace(label)))
			continue
		}
		if !setField(m, field, col, repeat) {
			notes = append(notes, fmt.Sprintf("question %q (%s) is not mapped: %s is taken", col, strings.TrimSpace(label), field))
			continue
		}
		if known, ok := codes[field]; ok && list != "" {
			fl := m.Fields[field]
			for _, v := range lists[strings.Fields(list)[0]] {
				if slices.Contains(known, v) {
					continue
				}
				if fl.Values == nil {
					fl.Values = map[string]string{}
				}
				fl.Values[v] = guessCode(field, v)
			}
		}
	}
	sort.Strings(notes)
	return m, notes, nil
}

// setField maps field to col (list fields take more columns); false when
// the field is taken.
func setField(m *Mapping, field, col, repeat string) bool {
	if f, ok := m.Fields[field]; ok {
		if (field == "narrative" || field == "places" || field == "incident_types" || field == "recruiter_contacts") && f.Repeat == repeat {
			f.Columns = append(f.Columns, col)
			return true
		}
		return false
	}
	for name, f := range m.Fields {
		// Every victim (subject) field reads the same repeat group.
		if strings.SplitN(name, ".", 2)[0] == strings.SplitN(field, ".", 2)[0] && strings.Contains(field, ".") && f.Repeat != repeat {
			return false
		}
	}
	m.Fields[field] = &Field{Columns: []string{col}, Repeat: repeat}
	return true
}

func firstLabel(q map[string]string) string {
	if l := q["label"]; l != "" {
		return l
	}
	for k, v := range q {
		if strings.HasPrefix(k, "label") && v != "" {
			return v
		}
	}
	return ""
}

// sheetRows reads a sheet as rows keyed by its header row.
func sheetRows(f *excelize.File, sheet string) ([]map[string]string, error) {
	rows, err := f.GetRows(sheet)
	if err != nil || len(rows) == 0 {
		return nil, &Problems{List: []Problem{{Msg: fmt.Sprintf("is not an XLSForm: no %s sheet", sheet)}}}
	}
	head := rows[0]
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, c := range r {
			if i < len(head) {
				m[strings.ToLower(strings.TrimSpace(head[i]))] = c
			}
		}
		out = append(out, m)
	}
	return out, nil
}
