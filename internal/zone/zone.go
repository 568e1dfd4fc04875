// Package zone decides the time zone a person sees times in: their own
// choice, else their organisation's, else the one of the organisation's
// country. Zones are IANA names read with time.LoadLocation from the time
// zone database embedded in the binary (time/tzdata), so a machine without
// /usr/share/zoneinfo (a distroless container) reads them the same way.
package zone

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	// The zone database travels with the binary.
	_ "time/tzdata"
)

// byCountry is each country's zone by ISO 3166-1 alpha-2 code: the
// countries of the region Vigil serves and those its victims come from. A
// country with more than one zone gets its capital's; an admin sets
// another on the organisation.
var byCountry = map[string]string{
	"KH": "Asia/Phnom_Penh", "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh", "LA": "Asia/Vientiane",
	"MM": "Asia/Yangon", "MY": "Asia/Kuala_Lumpur", "SG": "Asia/Singapore", "ID": "Asia/Jakarta",
	"PH": "Asia/Manila", "BN": "Asia/Brunei", "TL": "Asia/Dili", "CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong",
	"MO": "Asia/Macau", "TW": "Asia/Taipei", "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "MN": "Asia/Ulaanbaatar",
	"IN": "Asia/Kolkata", "BD": "Asia/Dhaka", "LK": "Asia/Colombo", "NP": "Asia/Kathmandu", "PK": "Asia/Karachi",
	"AE": "Asia/Dubai", "UZ": "Asia/Tashkent", "KZ": "Asia/Almaty", "TR": "Europe/Istanbul", "RU": "Europe/Moscow",
	"KE": "Africa/Nairobi", "UG": "Africa/Kampala", "ET": "Africa/Addis_Ababa", "NG": "Africa/Lagos",
	"GH": "Africa/Accra", "ZA": "Africa/Johannesburg", "EG": "Africa/Cairo",
	"GB": "Europe/London", "FR": "Europe/Paris", "DE": "Europe/Berlin", "NL": "Europe/Amsterdam",
	"CZ": "Europe/Prague", "UA": "Europe/Kyiv", "BR": "America/Sao_Paulo", "US": "America/New_York",
	"CA": "America/Toronto", "AU": "Australia/Sydney", "NZ": "Pacific/Auckland",
}

// OfCountry is the zone name of a country (ISO 3166-1 alpha-2), "" when
// it is not known here.
func OfCountry(country string) string { return byCountry[strings.ToUpper(country)] }

// Check reports whether name is a zone the database knows ("" is not).
// UTC is one; "Local" is not (it would be the server's).
func Check(name string) error {
	if name == "" || name == "Local" || len(name) > 64 {
		return fmt.Errorf("zone: %q is not an IANA time zone name like Asia/Phnom_Penh", name)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("zone: %q is not an IANA time zone name like Asia/Phnom_Penh", name)
	}
	return nil
}

// Resolve is the zone of a person: the first of their own choice, their
// organisation's, and their organisation's country's that names a known
// zone; UTC when none does.
func Resolve(own, org, country string) *time.Location {
	for _, name := range []string{own, org, OfCountry(country)} {
		if name == "" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// Abbrev names t's zone offset for a person reading it: the zone's
// abbreviation where the database has a lettered one (GMT, CET), else the
// offset as UTC+7, UTC+5:30, UTC.
func Abbrev(t time.Time) string {
	name, off := t.Zone()
	if name != "" && name[0] != '+' && name[0] != '-' {
		return name
	}
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := "UTC" + sign + strconv.Itoa(off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// Midnight is the last local midnight at or before t in loc.
func Midnight(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// Common lists the zones of the countries known here, and UTC, sorted:
// suggestions for a form (any zone the database knows is accepted).
func Common() []string {
	seen := map[string]bool{"UTC": true}
	out := []string{"UTC"}
	for _, z := range byCountry {
		if !seen[z] {
			seen[z] = true
			out = append(out, z)
		}
	}
	slices.Sort(out)
	return out
}
