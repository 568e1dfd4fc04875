package listexport

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/gazetteer"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/search"
	"github.com/vigil-project/vigil/internal/stats"
	"github.com/vigil-project/vigil/internal/store"
)

// enum reads a filter that must be one of values, or absent.
func enum(f url.Values, name string, values []string) (string, error) {
	v := f.Get(name)
	if v != "" && !slices.Contains(values, v) {
		return "", invalid.Field(name, "invalid_value", "must be one of %s", strings.Join(values, ", "))
	}
	return v, nil
}

// flag reads a checkbox filter: absent or "1".
func flag(f url.Values, name string) (bool, error) {
	switch f.Get(name) {
	case "", "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, invalid.Field(name, "invalid_value", "must be 1 or absent")
}

// date reads a date filter (YYYY-MM-DD, UTC) as the start of that day.
func date(f url.Values, name string) (time.Time, error) {
	v := f.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, invalid.Field(name, "invalid_value", "must be a date as YYYY-MM-DD")
	}
	return d, nil
}

// TriageFilter reads the triage queue's filters as its page writes them.
func TriageFilter(f url.Values) (intake.ListFilter, error) {
	lf := intake.ListFilter{Status: intake.StatusReceived, UrgentFirst: true}
	st, err := enum(f, "status", triageStatuses)
	if err != nil {
		return lf, err
	}
	if st != "" {
		lf.Status = st
	}
	if lang := f.Get("language"); lang != "" {
		if lf.Language, err = intake.NormaliseLanguage("language", lang); err != nil {
			return lf, err
		}
	}
	if lf.IncidentType, err = enum(f, "incident_type", intake.IncidentTypes); err != nil {
		return lf, err
	}
	lf.Place = strings.TrimSpace(f.Get("place"))
	if len(lf.Place) > 200 {
		return lf, invalid.Field("place", "too_long", "must be at most 200 bytes")
	}
	held, err := flag(f, "urgent")
	if err != nil {
		return lf, err
	}
	if held {
		lf.Urgent = &held
	}
	if lf.ReceivedFrom, err = date(f, "from"); err != nil {
		return lf, err
	}
	if lf.ReceivedTo, err = date(f, "to"); err != nil {
		return lf, err
	}
	return lf, nil
}

func (s *Service) triage(e *Export, f url.Values) error {
	lf, err := TriageFilter(f)
	if err != nil {
		return err
	}
	e.cols = []string{"id", "tracking_code", "received_at", "status", "language", "country", "incident_types",
		"places", "victims", "nationalities", "still_held", "cases"}
	l := e.lang
	e.rows = func(ctx context.Context, emit func([]any) error) error {
		var from *store.Key
		for {
			g := lf
			g.From, g.Limit = from, pageSize
			rs, err := s.intake.List(ctx, e.a, g)
			if err != nil {
				return err
			}
			var sealed map[string]*intake.Sealed
			if e.open != nil {
				ids := make([]string, len(rs))
				for i, r := range rs {
					ids[i] = r.ID
				}
				if sealed, err = e.open(ctx, ids); err != nil {
					return err
				}
			}
			for _, r := range rs {
				places := make([]string, len(r.Places))
				for i, p := range r.Places {
					places[i] = p.Name
				}
				var nats []string
				for _, v := range r.Victims {
					if v.Nationality != "" && !slices.Contains(nats, v.Nationality) {
						nats = append(nats, v.Nationality)
					}
				}
				row := []any{r.ID, r.TrackingCode, r.ReceivedAt, s.value(l, "status.", r.Status), s.value(l, "langname.", r.Language),
					r.Country, s.values(l, "incident.", r.IncidentTypes), strings.Join(places, "; "), len(r.Victims),
					strings.Join(nats, "; "), yesNo(s, l, r.Urgent), strings.Join(r.CaseIDs, "; ")}
				if e.open != nil {
					row = append(row, sealedRow(sealed[r.ID])...)
				}
				err := emit(row)
				if err != nil {
					return err
				}
			}
			if len(rs) < pageSize {
				return nil
			}
			last := rs[len(rs)-1]
			from = &store.Key{Urgent: last.Urgent, ID: last.ID}
		}
	}
	return nil
}

// sealedCols are the triage export's columns of sealed fields, when the
// reader asked for them (Request.Sealed).
var sealedCols = []string{"reporter_name", "reporter_contact", "victim_names", "victim_passports", "victim_contacts"}

// sealedRow is sd's cells under sealedCols (empty for a report with none,
// or one the reader may not reveal).
func sealedRow(sd *intake.Sealed) []any {
	row := []any{"", "", "", "", ""}
	if sd == nil {
		return row
	}
	if sd.Reporter != nil {
		row[0], row[1] = sd.Reporter.Name, sd.Reporter.Contact
	}
	var names, passports, contacts []string
	for _, v := range sd.Victims {
		names, passports, contacts = append(names, v.Name), append(passports, v.Passport), append(contacts, v.Contact)
	}
	row[2], row[3], row[4] = strings.Join(names, "; "), strings.Join(passports, "; "), strings.Join(contacts, "; ")
	return row
}

// CasesFilter reads the case list's filters as its page writes them;
// mine= keeps the cases assigned to userID.
func CasesFilter(f url.Values, userID string) (casework.ListFilter, error) {
	var lf casework.ListFilter
	var err error
	if lf.Status, err = enum(f, "status", casework.Statuses); err != nil {
		return lf, err
	}
	if lf.Urgency, err = enum(f, "urgency", casework.Urgencies); err != nil {
		return lf, err
	}
	mine, err := flag(f, "mine")
	if err != nil {
		return lf, err
	}
	if mine {
		lf.AssigneeID = userID
	}
	if lf.Overdue, err = flag(f, "overdue"); err != nil {
		return lf, err
	}
	return lf, nil
}

func (s *Service) cases(e *Export, f url.Values) error {
	lf, err := CasesFilter(f, e.a.UserID)
	if err != nil {
		return err
	}
	e.cols = []string{"id", "title", "status", "urgency", "assignee", "due_at", "overdue", "created_at", "updated_at", "reports"}
	l := e.lang
	e.rows = func(ctx context.Context, emit func([]any) error) error {
		from := ""
		for {
			g := lf
			g.From, g.Limit = from, pageSize
			cs, err := s.casework.List(ctx, e.a, g)
			if err != nil {
				return err
			}
			for _, c := range cs {
				var due any
				if c.DueAt != nil {
					due = *c.DueAt
				}
				err := emit([]any{c.ID, c.Title, s.value(l, "cstatus.", c.Status), s.value(l, "urgency.", c.Urgency), c.AssigneeID,
					due, yesNo(s, l, c.Overdue), c.CreatedAt, c.UpdatedAt, len(c.ReportIDs)})
				if err != nil {
					return err
				}
			}
			if len(cs) < pageSize {
				return nil
			}
			from = cs[len(cs)-1].ID
		}
	}
	return nil
}

func (s *Service) referrals(e *Export) error {
	e.cols = []string{"id", "case", "from_org", "to_org", "status", "shared", "created_at", "responded_at"}
	l := e.lang
	e.rows = func(ctx context.Context, emit func([]any) error) error {
		refs, err := s.casework.Referrals(ctx, e.a)
		if err != nil {
			return err
		}
		for _, r := range refs {
			var responded any
			if r.RespondedAt != nil {
				responded = *r.RespondedAt
			}
			err := emit([]any{r.ID, r.CaseID, r.FromOrgID, r.ToOrgID, s.value(l, "rstatus.", r.Status),
				s.values(l, "share.", r.Shared), r.CreatedAt, responded})
			if err != nil {
				return err
			}
		}
		return nil
	}
	return nil
}

func (s *Service) statistics(e *Export) error {
	e.cols = []string{"chart", "key", "label", "count"}
	l := e.lang
	e.rows = func(ctx context.Context, emit func([]any) error) error {
		st, err := s.stats.Org(ctx, e.a)
		if err != nil {
			return err
		}
		for _, c := range stats.Charts() {
			for _, b := range st.Charts[c] {
				if err := emit([]any{s.t(l, "stats."+c), b.Key, s.barLabel(l, c, b.Key), b.Count}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return nil
}

// barLabel names a statistic's key in lang, as the statistics page does.
func (s *Service) barLabel(lang, chart, key string) string {
	switch chart {
	case stats.ReportsByMonth, stats.CasesByMonth:
		if t, err := time.Parse("2006-01", key); err == nil {
			return s.t(lang, "month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
		}
	case stats.Nationality:
		return s.value(lang, "country.", key)
	case stats.IncidentType:
		return s.value(lang, "incident.", key)
	case stats.Place:
		if p, ok := gazetteer.Default().Lookup(key); ok {
			return p.Name
		}
	}
	return key
}

func (s *Service) searchResults(e *Export, query string) error {
	if s.search == nil {
		return invalid.Field("list", "invalid_value", "search is not available")
	}
	if strings.TrimSpace(query) == "" {
		return invalid.Field("q", "required", "is required")
	}
	e.cols = []string{"kind", "id", "title", "matched"}
	l := e.lang
	e.rows = func(ctx context.Context, emit func([]any) error) error {
		cur := ""
		for {
			p, err := s.search.Search(ctx, e.a, query, search.MaxLimit, cur)
			if err != nil {
				return err
			}
			for _, r := range p.Results {
				if err := emit([]any{s.value(l, "search.kind.", r.Kind), r.ID, r.Title, s.value(l, "search.matched.", r.Matched)}); err != nil {
					return err
				}
			}
			if p.NextCursor == "" {
				return nil
			}
			cur = p.NextCursor
		}
	}
	return nil
}
