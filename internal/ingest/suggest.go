package ingest

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vigil-project/vigil/internal/intake"
)

// guesses are words in a header that suggest a field, most specific first.
// A field of "-" marks personal data no report field keeps (an address,
// a birth date): never mapped, so it cannot end up unsealed.
var guesses = []struct{ field, words string }{
	{"-", "birth|mailing|street|postal|zip|salutation|home address"},
	{"places", "location|place of"},
	{"incident_types", "exploitation|methods of control|means of control"},
	{"victim.still_held", "still held|still detained|still inside|held now"},
	{"victim.nationality", "nationality|citizenship|citizen"},
	{"victim.age_band", "age band|age group|age_band"},
	{"victim.age", "age"},
	{"victim.gender", "gender|sex"},
	{"victim.passport", "passport"},
	{"victim.name", "victim name|victim|first_name|full name|person name"},
	{"reporter.name", "reporter name|reporter|caller name|caller"},
	{"reporter.contact", "reporter contact|caller phone|reporter phone|callback"},
	{"recruiter_contacts", "recruiter contact|recruiter phone|recruiter telegram|recruiter"},
	{"subject.name", "perpetrator|perp_name|trafficker|broker|company|employer"},
	{"incident_types", "incident type|type of exploitation|exploitation|incident|category|type"},
	{"incident_date", "incident date|date of incident|date_of_incident"},
	{"date", "date|received|reported on|submission_time"},
	{"places", "place|location|compound|city|province|site"},
	{"geopoint", "geopoint|gps|coordinates"},
	{"country", "country"},
	{"language", "language|lang"},
	{"job_ad", "job ad|advert|job offer|job_ad"},
	{"narrative", "narrative|what happened|story|description|testimony|details|summary|notes|comment"},
}

// Suggest writes a starting mapping for a file's columns: each column whose
// name suggests a field is mapped to it, a likely id column is the key,
// and each enumerated field lists the column's values (up to 30) to map
// to Vigil's codes (a value already a code maps to itself; the others to
// "" until someone fills them in). Columns it could not place are listed
// in the returned notes.
func Suggest(format string, t *Table) (*Mapping, []string) {
	m := &Mapping{Fields: map[string]*Field{}, Language: "en"}
	var notes []string
	for _, h := range t.Headers {
		lh := strings.ToLower(strings.ReplaceAll(h, "_", " "))
		if format == "kobo" && (strings.HasPrefix(h, "_") || strings.HasPrefix(h, "meta/") || strings.HasPrefix(h, "formhub/") || h == "__version__" || h == "start" || h == "end") {
			continue
		}
		if format == "kobo" && !strings.Contains(h, "/") && hasPathFor(t.Headers, h) {
			continue // the alias of a question's path: the path is mapped
		}
		if len(m.Key) == 0 && format != "kobo" && (lh == "id" || strings.HasSuffix(lh, " id") || strings.Contains(lh, "case no") || strings.Contains(lh, "case number") || strings.Contains(lh, "reference")) {
			m.Key = []string{h}
			continue
		}
		placed := false
		for _, g := range guesses {
			for _, w := range strings.Split(g.words, "|") {
				if strings.Contains(lh, strings.ReplaceAll(w, "_", " ")) && g.field == "-" {
					notes = append(notes, fmt.Sprintf("column %q is personal data no report field keeps: not mapped", h))
					placed = true
					break
				}
				if strings.Contains(lh, strings.ReplaceAll(w, "_", " ")) {
					if f, ok := m.Fields[g.field]; ok {
						if g.field == "narrative" || g.field == "places" || g.field == "recruiter_contacts" {
							f.Columns = append(f.Columns, h)
							placed = true
						}
					} else {
						m.Fields[g.field] = &Field{Columns: []string{h}}
						placed = true
					}
					break
				}
			}
			if placed {
				break
			}
		}
		if !placed {
			notes = append(notes, fmt.Sprintf("column %q is not mapped", h))
		}
	}
	// Kobo: the question names without their group, where they repeat.
	if format == "kobo" {
		for _, r := range t.Records {
			for g, items := range r.Repeats {
				if strings.Contains(g, "/") {
					continue
				}
				for _, it := range items {
					for k := range it {
						if strings.Contains(k, "/") {
							continue
						}
						lk := strings.ToLower(strings.ReplaceAll(k, "_", " "))
						switch {
						case strings.Contains(lk, "name") && m.Fields["subject.name"] == nil:
							m.Fields["subject.name"] = &Field{Columns: []string{k}, Repeat: g}
						case strings.Contains(lk, "role") && m.Fields["subject.role"] == nil:
							m.Fields["subject.role"] = &Field{Columns: []string{k}, Repeat: g}
						case (strings.Contains(lk, "phone") || strings.Contains(lk, "contact")) && m.Fields["subject.contact"] == nil:
							m.Fields["subject.contact"] = &Field{Columns: []string{k}, Repeat: g}
						}
					}
				}
			}
		}
		// A subject field outside the repeat cannot mix with ones inside.
		for name, f := range m.Fields {
			if strings.HasPrefix(name, "subject.") && f.Repeat == "" && anyRepeat(m, "subject.") {
				delete(m.Fields, name)
				notes = append(notes, fmt.Sprintf("column %q is not mapped", f.Columns[0]))
			}
		}
	}
	codes := map[string][]string{"incident_types": intake.IncidentTypes, "victim.gender": intake.Genders, "victim.age_band": intake.AgeBands,
		"subject.type": intake.SubjectTypes, "victim.still_held": {"yes", "no"}}
	for name, known := range codes {
		f := m.Fields[name]
		if f == nil {
			continue
		}
		vals := distinct(t, f, format == "kobo" && name == "incident_types")
		if len(vals) > 30 {
			continue
		}
		f.Values = map[string]string{}
		for _, v := range vals {
			if slices.Contains(known, v) {
				continue
			}
			if _, err := yesNo(v); err == nil && name == "victim.still_held" {
				continue
			}
			f.Values[v] = guessCode(name, v)
		}
		if len(f.Values) == 0 {
			f.Values = nil
		}
	}
	if m.Fields["narrative"] == nil {
		notes = append(notes, "no column looks like the narrative: map fields.narrative by hand, or every report says only what the other columns say")
	}
	sort.Strings(notes)
	return m, notes
}

func anyRepeat(m *Mapping, prefix string) bool {
	for name, f := range m.Fields {
		if strings.HasPrefix(name, prefix) && f.Repeat != "" {
			return true
		}
	}
	return false
}

func distinct(t *Table, f *Field, split bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range t.Records {
		for _, col := range f.Columns {
			v := r.Get(col)
			parts := []string{v}
			if split {
				parts = strings.Fields(v)
			} else if strings.Contains(v, ";") {
				parts = strings.Split(v, ";")
			}
			for _, p := range parts {
				p = strings.TrimSpace(p)
				if p != "" && !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
		}
		if len(out) > 30 {
			break
		}
	}
	sort.Strings(out)
	return out
}

// guessCode maps a few common spellings to codes; "" means: fill in.
func guessCode(field, v string) string {
	l := strings.ToLower(v)
	switch field {
	case "victim.gender":
		switch {
		case strings.HasPrefix(l, "f") || strings.HasPrefix(l, "w") || strings.Contains(l, "feminine"):
			return "female"
		case strings.HasPrefix(l, "m") || strings.Contains(l, "masculine"):
			return "male"
		case strings.Contains(l, "unknown") || strings.Contains(l, "specified"):
			return "unknown"
		}
		return "other"
	case "incident_types":
		for _, g := range []struct{ code, words string }{
			{"forced_criminality", "scam|fraud work|criminal|forced labour|forcedlabour"},
			{"deceptive_recruitment", "decept|false promise|falsepromise|fake job|recruit"},
			{"confinement", "confine|locked|detain|restrict"},
			{"violence", "violen|abuse|beat|torture|physical"},
			{"extortion_ransom", "ransom|extort|debt|bondage"},
			{"passport_confiscation", "passport|document|withholdsdocuments"},
			{"organ_blood_harvesting", "organ|blood"},
			{"trafficking_onward", "sold|onward|resold"},
			{"fraud_victim", "victim of fraud|scammed"},
		} {
			for _, w := range strings.Split(g.words, "|") {
				if strings.Contains(l, w) {
					return g.code
				}
			}
		}
	}
	return ""
}

func hasPathFor(headers []string, name string) bool {
	for _, h := range headers {
		if strings.HasSuffix(h, "/"+name) {
			return true
		}
	}
	return false
}
