package screen

import (
	"fmt"
	"io"
	"strings"
)

// csvColumns are the columns ParseCSV knows, with the names it accepts
// for each.
var csvColumns = map[string]string{
	"id": "id", "name": "name", "type": "type", "aliases": "aliases", "alias": "aliases",
	"birth_date": "birth_dates", "birth_dates": "birth_dates", "dob": "birth_dates",
	"country": "countries", "countries": "countries", "nationality": "countries",
	"program": "programs", "programs": "programs", "remarks": "remarks", "notes": "remarks",
}

// ParseCSV reads an organisation's own watch list: a CSV file with a header
// naming its columns, of which only name is required — id, name, type
// (person, company, vessel, aircraft), aliases, birth_dates, countries,
// programs, remarks. Fields holding several values separate them with
// "|". Without an id column an entry is identified by its type and
// normalised name.
func ParseCSV(r io.Reader) ([]Entry, error) {
	cr := newCSVReader("csv", r)
	head, line, err := cr.next()
	if err == io.EOF {
		return nil, fmt.Errorf("screen: %w: empty file", ErrFormat)
	}
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		c, ok := csvColumns[h]
		if !ok {
			return nil, cr.errorf(line, "unknown column %q", h)
		}
		if _, dup := col[c]; dup {
			return nil, cr.errorf(line, "column %q given twice", h)
		}
		col[c] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, cr.errorf(line, "no name column")
	}
	var es []Entry
	seen := map[string]int{}
	for {
		rec, line, err := cr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		multi := func(c string) []string {
			var out []string
			for _, v := range strings.Split(get(c), "|") {
				if v = strings.TrimSpace(v); v != "" {
					out = append(out, v)
				}
			}
			return out
		}
		name := get("name")
		if name == "" {
			return nil, cr.errorf(line, "empty name")
		}
		typ := ""
		if t := get("type"); t != "" {
			if typ = NormalizeType(t); typ == "" {
				return nil, cr.errorf(line, "unknown type %q", t)
			}
		}
		e := Entry{ID: get("id"), Name: name, Type: typ, Programs: multi("programs"), Remarks: get("remarks")}
		if e.ID == "" {
			e.ID = typ + ":" + strings.ReplaceAll(Normalize(name), " ", "-")
		}
		if prev, dup := seen[e.ID]; dup {
			return nil, cr.errorf(line, "id %s repeats line %d", e.ID, prev)
		}
		seen[e.ID] = line
		if len(es) >= maxEntries {
			return nil, cr.errorf(line, "more than %d entries", maxEntries)
		}
		for _, a := range multi("aliases") {
			e.Aliases = append(e.Aliases, Alias{Name: a, Kind: "aka"})
		}
		for _, d := range multi("birth_dates") {
			s := ParseDate(d)
			if s == "" {
				return nil, cr.errorf(line, "birth date %q has no year", d)
			}
			e.BirthDates = append(e.BirthDates, s)
		}
		for _, c := range multi("countries") {
			e.Countries = append(e.Countries, countryOrName(c))
		}
		e.clean()
		es = append(es, e)
	}
	return es, nil
}
