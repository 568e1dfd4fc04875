package screen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// ftmSchemas maps the FollowTheMoney schemata that name a party to entity
// types; other schemata (Address, Sanction, Ownership …) are skipped.
var ftmSchemas = map[string]string{
	"Person": TypePerson, "Company": TypeEntity, "Organization": TypeEntity,
	"LegalEntity": TypeEntity, "PublicBody": TypeEntity, "Vessel": TypeVessel,
	"Airplane": TypeAircraft,
}

// maxFTMLine bounds one JSON line.
const maxFTMLine = 8 << 20

// ParseFTM reads FollowTheMoney entities, one JSON object a line, as
// OpenSanctions publishes them: {"id", "schema", "properties": {"name",
// "alias", "weakAlias", "previousName", "birthDate", "nationality",
// "citizenship", "country", "jurisdiction", "program", "notes", …}}.
func ParseFTM(r io.Reader) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxFTMLine)
	var es []Entry
	seen := map[string]bool{}
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var x struct {
			ID         string              `json:"id"`
			Schema     string              `json:"schema"`
			Caption    string              `json:"caption"`
			Properties map[string][]string `json:"properties"`
		}
		if err := json.Unmarshal(b, &x); err != nil {
			return nil, fmt.Errorf("screen: line %d: %w: %w", line, ErrFormat, err)
		}
		typ, ok := ftmSchemas[x.Schema]
		if !ok {
			continue
		}
		p := x.Properties
		names := p["name"]
		name := ""
		if len(names) > 0 {
			name = names[0]
		} else {
			name = x.Caption
		}
		if strings.TrimSpace(x.ID) == "" || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("screen: line %d: %w: entity without id or name", line, ErrFormat)
		}
		if seen[x.ID] {
			return nil, fmt.Errorf("screen: line %d: %w: id %s repeated", line, ErrFormat, x.ID)
		}
		seen[x.ID] = true
		if len(es) >= maxEntries {
			return nil, fmt.Errorf("screen: line %d: %w: more than %d entries", line, ErrFormat, maxEntries)
		}
		e := Entry{ID: x.ID, Name: name, Type: typ}
		for _, n := range names[min(1, len(names)):] {
			e.Aliases = append(e.Aliases, Alias{Name: n, Kind: "aka"})
		}
		for _, n := range p["alias"] {
			e.Aliases = append(e.Aliases, Alias{Name: n, Kind: "aka"})
		}
		for _, n := range p["previousName"] {
			e.Aliases = append(e.Aliases, Alias{Name: n, Kind: "fka"})
		}
		for _, n := range p["weakAlias"] {
			e.Aliases = append(e.Aliases, Alias{Name: n, Kind: "aka", Weak: true})
		}
		for _, d := range p["birthDate"] {
			if s := ParseDate(d); s != "" {
				e.BirthDates = append(e.BirthDates, s)
			}
		}
		for _, k := range []string{"nationality", "citizenship", "country", "jurisdiction", "flag"} {
			for _, c := range p[k] {
				if c = countryOrName(c); c != "" {
					e.Countries = append(e.Countries, c)
				}
			}
		}
		e.Programs = append(e.Programs, p["program"]...)
		e.Programs = append(e.Programs, p["programId"]...)
		e.Remarks = strings.Join(p["notes"], " ")
		e.clean()
		es = append(es, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("screen: line %d: %w: %w", line+1, ErrFormat, err)
	}
	return es, nil
}
