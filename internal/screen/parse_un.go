package screen

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// The UN Security Council consolidated list XML has CONSOLIDATED_LIST with
// INDIVIDUALS/INDIVIDUAL and ENTITIES/ENTITY elements.

// unAny collects the alias and address elements, whose names differ
// between individuals and entities.
type unAny struct {
	XMLName xml.Name
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
	Country string `xml:"COUNTRY"`
}

// ParseUNXML reads the UN Security Council consolidated sanctions list.
// Entries are identified by their reference number (e.g. "KPi.066"), or by
// DATAID when it is missing.
func ParseUNXML(r io.Reader) ([]Entry, error) {
	d := xml.NewDecoder(r)
	var es entryList
	err := eachElement(d, func(se *xml.StartElement, line int) error {
		if se.Name.Local != "INDIVIDUAL" && se.Name.Local != "ENTITY" {
			return nil
		}
		var x struct {
			DataID    string   `xml:"DATAID"`
			Reference string   `xml:"REFERENCE_NUMBER"`
			First     string   `xml:"FIRST_NAME"`
			Second    string   `xml:"SECOND_NAME"`
			Third     string   `xml:"THIRD_NAME"`
			Fourth    string   `xml:"FOURTH_NAME"`
			ListType  string   `xml:"UN_LIST_TYPE"`
			Original  string   `xml:"NAME_ORIGINAL_SCRIPT"`
			Comments  string   `xml:"COMMENTS1"`
			Nationals []string `xml:"NATIONALITY>VALUE"`
			DOBs      []struct {
				Date     string `xml:"DATE"`
				Year     string `xml:"YEAR"`
				FromYear string `xml:"FROM_YEAR"`
				ToYear   string `xml:"TO_YEAR"`
			} `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
			Other []unAny `xml:",any"`
		}
		if err := d.DecodeElement(&x, se); err != nil {
			return xmlError(d, err)
		}
		id := strings.TrimSpace(x.Reference)
		if id == "" {
			id = strings.TrimSpace(x.DataID)
		}
		var parts []string
		for _, p := range []string{x.First, x.Second, x.Third, x.Fourth} {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		name := strings.Join(parts, " ")
		if id == "" || name == "" {
			return fmt.Errorf("screen: line %d: %w: %s without reference number or name", line, ErrFormat, se.Name.Local)
		}
		if err := es.admit(line, "reference", id); err != nil {
			return err
		}
		e := Entry{ID: id, Name: name, Type: TypeEntity, Remarks: strings.TrimSpace(x.Comments)}
		if se.Name.Local == "INDIVIDUAL" {
			e.Type = TypePerson
		}
		if t := strings.TrimSpace(x.ListType); t != "" {
			e.Programs = []string{t}
		}
		if o := strings.TrimSpace(x.Original); o != "" {
			e.Aliases = append(e.Aliases, Alias{Name: o, Kind: "native"})
		}
		for _, o := range x.Other {
			switch o.XMLName.Local {
			case "INDIVIDUAL_ALIAS", "ENTITY_ALIAS":
				if n := strings.TrimSpace(o.Name); n != "" {
					e.Aliases = append(e.Aliases, Alias{Name: n, Kind: "aka", Weak: strings.EqualFold(strings.TrimSpace(o.Quality), "low")})
				}
			case "INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS":
				if c := countryOrName(o.Country); c != "" {
					e.Countries = append(e.Countries, c)
				}
			}
		}
		for _, n := range x.Nationals {
			if c := countryOrName(n); c != "" {
				e.Countries = append(e.Countries, c)
			}
		}
		for _, b := range x.DOBs {
			var s string
			switch {
			case strings.TrimSpace(b.Date) != "":
				s = ParseDate(b.Date)
			case strings.TrimSpace(b.Year) != "":
				s = ParseDate(b.Year)
			case strings.TrimSpace(b.FromYear) != "":
				s = ParseDate(strings.TrimSpace(b.FromYear) + " to " + strings.TrimSpace(b.ToYear))
			}
			if s != "" {
				e.BirthDates = append(e.BirthDates, s)
			}
		}
		es.add(e)
		return nil
	})
	return es.done(err, "INDIVIDUAL or ENTITY")
}
