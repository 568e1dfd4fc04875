package intake

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/vigil-project/vigil/internal/invalid"
)

// Submission is a report as the public, a partner system or intake staff
// send it. Identifying fields (reporter, victims' names, passports and
// contacts) are sealed before anything is stored.
type Submission struct {
	// Language is the BCP 47 tag of the narrative (en, zh, km, th, vi, …).
	Language string `json:"language"`
	// Channel is how the report arrived: web, api, phone, chat, email,
	// walk_in, letter, other or import. Public submissions are web or api.
	Channel string `json:"channel,omitempty"`
	// Country is where the reporter is (ISO 3166-1 alpha-2); it is the
	// default region for phone numbers in the text (without it, the first
	// gazetteer place's country, else the organisation's: see Region).
	Country       string      `json:"country,omitempty"`
	Narrative     string      `json:"narrative"`
	IncidentTypes []string    `json:"incident_types,omitempty"`
	Reporter      *Reporter   `json:"reporter,omitempty"`
	Victims       []VictimIn  `json:"victims,omitempty"`
	Places        []PlaceIn   `json:"places,omitempty"`
	Subjects      []SubjectIn `json:"subjects,omitempty"`
	// JobAd is the text of a job advertisement or recruiter chat, if the
	// reporter has one.
	JobAd string `json:"job_ad,omitempty"`
	// ContactedOn is the date (YYYY-MM-DD) the reporter first reached the
	// organisation, for a report staff enter after a call, a visit or a
	// letter. Staff only: a public submission's is ignored. Not in the
	// future.
	ContactedOn string `json:"contacted_on,omitempty"`
	// Origin, for an import only (ImportInto), is how the first
	// statement was taken, as the exporting instance recorded it.
	Origin StatementOrigin `json:"-"`
}

// StatementOrigin is how a statement was taken: its source and who took it
// in what circumstances (third-party and staff statements), and the
// channel a statement staff took reached them by (StaffChannels).
type StatementOrigin struct {
	Source, TakenBy, Circumstances, Channel string
}

// Reporter is how to reach the person reporting. Sealed.
type Reporter struct {
	Name         string `json:"name,omitempty"`
	Contact      string `json:"contact,omitempty"`
	Relationship string `json:"relationship,omitempty"`
	// SafeToContact says whether the reporter may be contacted back.
	SafeToContact *bool `json:"safe_to_contact,omitempty"`
}

// VictimIn is one victim. Name, passport and contact are sealed.
type VictimIn struct {
	Name        string `json:"name,omitempty"`
	Passport    string `json:"passport,omitempty"`
	Contact     string `json:"contact,omitempty"`
	Nationality string `json:"nationality,omitempty"`
	AgeBand     string `json:"age_band,omitempty"`
	Gender      string `json:"gender,omitempty"`
	StillHeld   bool   `json:"still_held,omitempty"`
}

// PlaceIn is a place named by the reporter.
type PlaceIn struct {
	Name string `json:"name"`
}

// SubjectIn is a person or company on the perpetrators' side.
type SubjectIn struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	Role string `json:"role,omitempty"`
}

// IncidentTypes are the kinds of incident a report can describe.
var IncidentTypes = []string{
	"deceptive_recruitment", "confinement", "forced_criminality", "violence", "extortion_ransom",
	"trafficking_onward", "organ_blood_harvesting", "fraud_victim", "passport_confiscation", "other",
}

// Channels are the ways a report can arrive.
var Channels = []string{"web", "api", "phone", "chat", "email", "walk_in", "letter", "other", "import", "telegram", "line", "whatsapp"}

// StaffChannels are the ways a report or statement staff take down can
// reach them (the staff intake form's and a staff statement's channel).
var StaffChannels = []string{"phone", "walk_in", "chat", "letter", "email", "other"}

// AgeBands are the age bands a victim can be given in.
var AgeBands = []string{"under_18", "18_25", "26_35", "36_50", "over_50"}

// Genders are the genders a victim can be given as.
var Genders = []string{"female", "male", "other", "unknown"}

// SubjectTypes are the kinds of subject.
var SubjectTypes = []string{"person", "company", "vessel", "unknown"}

// Limits on a submission. Longer input is refused, not cut.
const (
	MaxNarrative = 20000
	MaxName      = 200
	MaxContact   = 500
	MaxVictims   = 50
	MaxPlaces    = 30
	MaxSubjects  = 50
)

// NormaliseLanguage checks a BCP 47 tag and returns its canonical form.
func NormaliseLanguage(field, tag string) (string, error) {
	if tag == "" {
		return "", invalid.Field(field, "required", "is required (a language tag such as en, zh, km, th or vi)")
	}
	if len(tag) > 35 {
		return "", invalid.Field(field, "too_long", "is not a language tag")
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", invalid.Field(field, "invalid_value", "%q is not a BCP 47 language tag", tag)
	}
	return t.String(), nil
}

// NormaliseCountry checks an ISO 3166-1 alpha-2 code and returns it in
// upper case.
func NormaliseCountry(field, code string) (string, error) {
	if code == "" {
		return "", nil
	}
	if len(code) != 2 {
		return "", invalid.Field(field, "invalid_value", "%q is not an ISO 3166-1 alpha-2 country code", code)
	}
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return "", invalid.Field(field, "invalid_value", "%q is not an ISO 3166-1 alpha-2 country code", code)
	}
	return r.String(), nil
}

// ContactDate reads a date of first contact (YYYY-MM-DD) as the start of
// that day, UTC; the zero time for "". A date after now's day (the
// reporter's day may be a day ahead of UTC) is refused.
func ContactDate(field, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, invalid.Field(field, "invalid_date", "%q is not a date (YYYY-MM-DD)", s)
	}
	if d.After(now.UTC().Add(24 * time.Hour)) {
		return time.Time{}, invalid.Field(field, "future", "%s is in the future", s)
	}
	if d.Year() < 2000 {
		return time.Time{}, invalid.Field(field, "invalid_date", "%s is too long ago", s)
	}
	return d, nil
}

// Validate checks s and normalises it in place. The first problem found is
// returned as an *invalid.Error naming the field.
func (s *Submission) Validate() error {
	var err error
	if s.Language, err = NormaliseLanguage("language", s.Language); err != nil {
		return err
	}
	if s.Channel == "" {
		s.Channel = "api"
	}
	if err := invalid.Enum("channel", s.Channel, Channels); err != nil {
		return err
	}
	if s.Country, err = NormaliseCountry("country", s.Country); err != nil {
		return err
	}
	if _, err := ContactDate("contacted_on", s.ContactedOn, time.Now()); err != nil {
		return err
	}
	if strings.TrimSpace(s.Narrative) == "" {
		return invalid.Field("narrative", "required", "is required: tell us what happened")
	}
	if err := invalid.Text("narrative", s.Narrative, MaxNarrative, false); err != nil {
		return err
	}
	if err := invalid.Text("job_ad", s.JobAd, MaxNarrative, false); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, t := range s.IncidentTypes {
		if err := invalid.Enum(fmt.Sprintf("incident_types[%d]", i), t, IncidentTypes); err != nil {
			return err
		}
		if seen[t] {
			return invalid.Field(fmt.Sprintf("incident_types[%d]", i), "duplicate", "%q is listed twice", t)
		}
		seen[t] = true
	}
	if r := s.Reporter; r != nil {
		if err := invalid.Text("reporter.name", r.Name, MaxName, false); err != nil {
			return err
		}
		if err := invalid.Text("reporter.contact", r.Contact, MaxContact, false); err != nil {
			return err
		}
		if err := invalid.Text("reporter.relationship", r.Relationship, MaxName, false); err != nil {
			return err
		}
	}
	if len(s.Victims) > MaxVictims {
		return invalid.Field("victims", "too_many", "has %d entries; at most %d allowed", len(s.Victims), MaxVictims)
	}
	for i := range s.Victims {
		v := &s.Victims[i]
		f := fmt.Sprintf("victims[%d]", i)
		if err := invalid.Text(f+".name", v.Name, MaxName, false); err != nil {
			return err
		}
		if err := invalid.Text(f+".passport", v.Passport, MaxName, false); err != nil {
			return err
		}
		if err := invalid.Text(f+".contact", v.Contact, MaxContact, false); err != nil {
			return err
		}
		if v.Nationality, err = NormaliseCountry(f+".nationality", v.Nationality); err != nil {
			return err
		}
		if v.AgeBand != "" {
			if err := invalid.Enum(f+".age_band", v.AgeBand, AgeBands); err != nil {
				return err
			}
		}
		if v.Gender != "" {
			if err := invalid.Enum(f+".gender", v.Gender, Genders); err != nil {
				return err
			}
		}
	}
	if len(s.Places) > MaxPlaces {
		return invalid.Field("places", "too_many", "has %d entries; at most %d allowed", len(s.Places), MaxPlaces)
	}
	for i, p := range s.Places {
		f := fmt.Sprintf("places[%d].name", i)
		if strings.TrimSpace(p.Name) == "" {
			return invalid.Field(f, "required", "is required")
		}
		if err := invalid.Text(f, p.Name, MaxName, false); err != nil {
			return err
		}
	}
	if len(s.Subjects) > MaxSubjects {
		return invalid.Field("subjects", "too_many", "has %d entries; at most %d allowed", len(s.Subjects), MaxSubjects)
	}
	for i := range s.Subjects {
		sub := &s.Subjects[i]
		f := fmt.Sprintf("subjects[%d]", i)
		if strings.TrimSpace(sub.Name) == "" {
			return invalid.Field(f+".name", "required", "is required")
		}
		if err := invalid.Text(f+".name", sub.Name, MaxName, false); err != nil {
			return err
		}
		if sub.Type != "" {
			if err := invalid.Enum(f+".type", sub.Type, SubjectTypes); err != nil {
				return err
			}
		}
		if err := invalid.Text(f+".role", sub.Role, MaxName, false); err != nil {
			return err
		}
	}
	return nil
}
