package screen

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// ParseOFACCSV reads OFAC's SDN list in its CSV distribution: sdn.csv
// (ent_num, name, type, programs, title, call sign, vessel type, tonnage,
// GRT, vessel flag, vessel owner, remarks), alt.csv (ent_num, alt_num, type,
// name, remarks), add.csv (ent_num, add_num, address, city, country,
// remarks) and sdn_comments.csv (ent_num, remarks continued). The files
// have no header and write "-0-" for empty. alt, add and comments may be
// nil. Dates of birth, nationalities and weak aliases are read from the
// remarks.
func ParseOFACCSV(sdn, alt, add, comments io.Reader) ([]Entry, error) {
	if sdn == nil {
		return nil, fmt.Errorf("screen: sdn.csv missing: %w", ErrFormat)
	}
	var es []Entry
	byID := map[string]int{}
	r := newCSVReader("sdn.csv", sdn)
	err := r.each(4, func(rec []string, line int) error {
		if rec[0] == "" || rec[1] == "" {
			return r.errorf(line, "empty ent_num or name")
		}
		if _, dup := byID[rec[0]]; dup {
			return r.errorf(line, "ent_num %s repeated", rec[0])
		}
		if len(es) >= maxEntries {
			return r.errorf(line, "more than %d entries", maxEntries)
		}
		e := Entry{ID: rec[0], Name: rec[1], Type: ofacType(rec[2])}
		e.Programs = ofacPrograms(rec[3])
		if len(rec) > 4 && rec[4] != "" {
			e.Remarks = "Title: " + rec[4] + ". "
		}
		if len(rec) > 9 && rec[9] != "" {
			e.Countries = append(e.Countries, countryOrName(rec[9]))
		}
		if len(rec) > 11 {
			e.Remarks += rec[11]
		}
		byID[e.ID] = len(es)
		es = append(es, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The other files add to the entries by ent_num; the snapshot may hold
	// rows of entries it lacks, which are passed over.
	if alt != nil {
		err := newCSVReader("alt.csv", alt).each(4, func(rec []string, _ int) error {
			if i, ok := byID[rec[0]]; ok && rec[3] != "" {
				es[i].Aliases = append(es[i].Aliases, Alias{Name: rec[3], Kind: strings.ToLower(strings.Trim(rec[2], ". "))})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if add != nil {
		err := newCSVReader("add.csv", add).each(5, func(rec []string, _ int) error {
			if i, ok := byID[rec[0]]; ok && rec[4] != "" {
				if c := countryOrName(strings.TrimPrefix(rec[4], "Region: ")); c != "" {
					es[i].Countries = append(es[i].Countries, c)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if comments != nil {
		err := newCSVReader("sdn_comments.csv", comments).each(2, func(rec []string, _ int) error {
			if i, ok := byID[rec[0]]; ok {
				es[i].Remarks += rec[1]
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for i := range es {
		readRemarks(&es[i])
		es[i].clean()
	}
	return es, nil
}

func ofacType(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "individual":
		return TypePerson
	case "vessel":
		return TypeVessel
	case "aircraft":
		return TypeAircraft
	}
	return TypeEntity
}

func ofacPrograms(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "] [") {
		if p = strings.Trim(p, "[] "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var (
	reDOB         = regexp.MustCompile(`(?:^|; )(?:alt\. )?DOB ([^;]+)`)
	reNationality = regexp.MustCompile(`(?:^|; )(?:alt\. )?(?:[Nn]ationality|[Cc]itizen) ([^;]+)`)
	reAKA         = regexp.MustCompile(`a\.k\.a\. '([^']+)'`)
)

// readRemarks takes dates of birth, nationalities and weak aliases out of
// an OFAC remarks text.
func readRemarks(e *Entry) {
	rem := e.Remarks
	for _, m := range reDOB.FindAllStringSubmatch(rem, -1) {
		if d := ParseDate(m[1]); d != "" {
			e.BirthDates = append(e.BirthDates, d)
		}
	}
	for _, m := range reNationality.FindAllStringSubmatch(rem, -1) {
		if c := countryOrName(strings.TrimSuffix(m[1], ".")); c != "" {
			e.Countries = append(e.Countries, c)
		}
	}
	for _, m := range reAKA.FindAllStringSubmatch(rem, -1) {
		e.Aliases = append(e.Aliases, Alias{Name: m[1], Kind: "aka", Weak: true})
	}
}

// OFAC SDN XML (sdn.xml, namespace http://tempuri.org/sdnList.xsd; the
// decoder matches local names, so the namespace does not matter).
type ofacXMLEntry struct {
	UID       string   `xml:"uid"`
	LastName  string   `xml:"lastName"`
	FirstName string   `xml:"firstName"`
	Title     string   `xml:"title"`
	Type      string   `xml:"sdnType"`
	Remarks   string   `xml:"remarks"`
	Programs  []string `xml:"programList>program"`
	AKAs      []struct {
		Type      string `xml:"type"`
		Category  string `xml:"category"`
		LastName  string `xml:"lastName"`
		FirstName string `xml:"firstName"`
	} `xml:"akaList>aka"`
	Addresses []struct {
		Country string `xml:"country"`
	} `xml:"addressList>address"`
	Nationalities []struct {
		Country string `xml:"country"`
	} `xml:"nationalityList>nationality"`
	Citizenships []struct {
		Country string `xml:"country"`
	} `xml:"citizenshipList>citizenship"`
	DOBs []struct {
		Date string `xml:"dateOfBirth"`
	} `xml:"dateOfBirthList>dateOfBirthItem"`
	Vessel struct {
		Flag string `xml:"vesselFlag"`
	} `xml:"vesselInfo"`
}

// ofacName joins OFAC's last and first names the way its CSV does.
func ofacName(last, first string) string {
	last, first = strings.TrimSpace(last), strings.TrimSpace(first)
	if first == "" {
		return last
	}
	if last == "" {
		return first
	}
	return last + ", " + first
}

// ParseOFACXML reads OFAC's SDN list in its XML distribution (sdnList with
// one sdnEntry per entry).
func ParseOFACXML(r io.Reader) ([]Entry, error) {
	d := xml.NewDecoder(r)
	var es entryList
	err := eachElement(d, func(se *xml.StartElement, line int) error {
		if se.Name.Local != "sdnEntry" {
			return nil
		}
		var x ofacXMLEntry
		if err := d.DecodeElement(&x, se); err != nil {
			return xmlError(d, err)
		}
		name := ofacName(x.LastName, x.FirstName)
		if x.UID == "" || name == "" {
			return fmt.Errorf("screen: line %d: %w: sdnEntry without uid or name", line, ErrFormat)
		}
		if err := es.admit(line, "uid", x.UID); err != nil {
			return err
		}
		e := Entry{ID: x.UID, Name: name, Type: ofacType(x.Type), Programs: x.Programs, Remarks: x.Remarks}
		if x.Title != "" {
			e.Remarks = strings.TrimSpace("Title: " + x.Title + ". " + e.Remarks)
		}
		for _, a := range x.AKAs {
			n := ofacName(a.LastName, a.FirstName)
			if n == "" {
				continue
			}
			e.Aliases = append(e.Aliases, Alias{
				Name: n,
				Kind: strings.ToLower(strings.ReplaceAll(a.Type, ".", "")),
				Weak: strings.EqualFold(a.Category, "weak"),
			})
		}
		for _, c := range x.Nationalities {
			e.Countries = append(e.Countries, countryOrName(c.Country))
		}
		for _, c := range x.Citizenships {
			e.Countries = append(e.Countries, countryOrName(c.Country))
		}
		for _, c := range x.Addresses {
			e.Countries = append(e.Countries, countryOrName(c.Country))
		}
		if x.Vessel.Flag != "" {
			e.Countries = append(e.Countries, countryOrName(x.Vessel.Flag))
		}
		for _, b := range x.DOBs {
			if s := ParseDate(b.Date); s != "" {
				e.BirthDates = append(e.BirthDates, s)
			}
		}
		es.add(e)
		return nil
	})
	return es.done(err, "sdnEntry")
}

// eachElement calls fn with every start element of d and the line it
// ends on; fn decodes the elements it wants (see xml.Decoder.DecodeElement)
// and passes over the rest.
func eachElement(d *xml.Decoder, fn func(se *xml.StartElement, line int) error) error {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return xmlError(d, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			line, _ := d.InputPos()
			if err := fn(&se, line); err != nil {
				return err
			}
		}
	}
}

// entryList collects a list's entries, refusing a repeated id and more
// than maxEntries.
type entryList struct {
	entries []Entry
	seen    map[string]bool
}

// admit checks the id (named what in errors) of the entry at line before
// it is added.
func (l *entryList) admit(line int, what, id string) error {
	if l.seen[id] {
		return fmt.Errorf("screen: line %d: %w: %s %s repeated", line, ErrFormat, what, id)
	}
	if len(l.entries) >= maxEntries {
		return fmt.Errorf("screen: line %d: %w: more than %d entries", line, ErrFormat, maxEntries)
	}
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	l.seen[id] = true
	return nil
}

// add cleans e and adds it.
func (l *entryList) add(e Entry) {
	e.clean()
	l.entries = append(l.entries, e)
}

// done returns the entries, or err, or an error when the list had no
// element named what.
func (l *entryList) done(err error, what string) ([]Entry, error) {
	if err != nil {
		return nil, err
	}
	if len(l.entries) == 0 {
		return nil, fmt.Errorf("screen: %w: no %s found", ErrFormat, what)
	}
	return l.entries, nil
}

// xmlError names the line of an XML error.
func xmlError(d *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("screen: line %d: %w: %s", se.Line, ErrFormat, se.Msg)
	}
	line, _ := d.InputPos()
	return fmt.Errorf("screen: line %d: %w: %w", line, ErrFormat, err)
}
