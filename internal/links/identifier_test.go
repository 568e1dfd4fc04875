package links_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestIdentifierPage asks for an identifier's page as each kind of viewer:
// the reports it may open listed, the others only counted, a victim's
// contact never shown, and an identifier only another organisation holds
// not found.
func TestIdentifierPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		a := w.file("", &intake.Submission{Narrative: "The recruiter called from +855 12 345 678 about a job in Sihanoukville."})
		b := w.file("", &intake.Submission{Narrative: "Recruiter phone +855 12 345 678 again, and my sister's number is +855 97 555 0101.",
			Victims: []intake.VictimIn{{Contact: "+855 97 555 0101"}}})
		c := w.file("coordinator@ngo", &intake.Submission{Narrative: "The agent's phone was +855 12 345 678. Also t.me/ngo_only_agent"})
		idOf := func(as, report, kind string, contact bool) string {
			t.Helper()
			ids, err := w.links.ReportIdentifiers(ctx, w.actors[as], report)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range ids {
				if i.Kind == kind && (i.Value == "") == contact {
					return i.ID
				}
			}
			t.Fatalf("report %s has no %s identifier (contact %v): %+v", report, kind, contact, ids)
			return ""
		}
		phone := idOf("coordinator@hotline", a, "phone", false)
		victim := idOf("coordinator@hotline", b, "phone", true)
		ngoOnly := idOf("coordinator@ngo", c, "telegram", false)

		p, err := w.links.Identifier(ctx, w.actors["investigator@hotline"], phone, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range p.Reports {
			got = append(got, r.ID)
		}
		if want := []string{b, a}; !slices.Equal(got, want) || p.Readable != 2 || p.Hidden != 1 || p.Value == "" || p.Contact {
			t.Errorf("hotline sees reports %v, readable %d, hidden %d, value %q; want %v, 2, 1 and the number", got, p.Readable, p.Hidden, p.Value, want)
		}
		if slices.Contains(got, c) {
			t.Error("the other organisation's report is listed")
		}
		p, err = w.links.Identifier(ctx, w.actors["coordinator@ngo"], phone, 1)
		if err != nil || len(p.Reports) != 1 || p.Reports[0].ID != c || p.Readable != 1 || p.Hidden != 2 {
			t.Errorf("ngo: %+v, %v; want its one report and two hidden", p, err)
		}
		v, err := w.links.Identifier(ctx, w.actors["coordinator@hotline"], victim, 0)
		if err != nil || !v.Contact || v.Value != "" || len(v.Reports) != 1 {
			t.Errorf("victim's contact: %+v, %v; want it withheld", v, err)
		}
		for _, tt := range []struct {
			name string
			as   auth.Actor
			id   string
			want error
		}{
			{"intake staff read no links", w.actors["intake@hotline"], phone, auth.ErrForbidden},
			{"a partner", auth.Actor{UserID: "p", OrgID: "police", Role: auth.Partner}, phone, store.ErrNotFound},
			{"held only by another organisation", w.actors["coordinator@hotline"], ngoOnly, store.ErrNotFound},
			{"no such identifier", w.actors["coordinator@hotline"], "nope", store.ErrNotFound},
		} {
			if _, err := w.links.Identifier(ctx, tt.as, tt.id, 0); !errors.Is(err, tt.want) {
				t.Errorf("%s: %v; want %v", tt.name, err, tt.want)
			}
		}

		// Another organisation names the same victim's phone: the hotline
		// learns nothing of it, neither on the identifier page nor in the
		// report's identifiers (a contact is counted in one's own
		// organisation only), and neither does the other organisation.
		w.file("coordinator@ngo", &intake.Submission{Narrative: "My sister is missing since March.", Victims: []intake.VictimIn{{Contact: "+855 97 555 0101"}}})
		for _, as := range []string{"coordinator@hotline", "coordinator@ngo"} {
			v, err := w.links.Identifier(ctx, w.actors[as], victim, 0)
			if err != nil || len(v.Reports) != 1 || v.Readable != 1 || v.Hidden != 0 || v.FirstSeen != v.Reports[0].ReceivedAt.Format("2006-01") {
				t.Errorf("%s: victim's contact named by two organisations: %+v, %v; want one report, none hidden, months of its own report", as, v, err)
			}
		}
		ids, err := w.links.ReportIdentifiers(ctx, w.actors["coordinator@hotline"], b)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range ids {
			if i.ID == victim && (i.OtherReports != 0 || i.OtherOrgs != 0 || i.FirstSeen != "") {
				t.Errorf("the report's victim contact counts another organisation's report: %+v", i)
			}
		}
		_ = links.MaxIdentifierReports

		// Screening hits come from the screening service, which decides
		// again who sees them: the listed report whose subject is on the
		// demo list carries its hits, the other none; intake staff, who
		// read no links, are refused before that.
		sc := screen.New(db, nil, screen.WithReports(w.in))
		if _, err := sc.LoadDemo(ctx); err != nil {
			t.Fatal(err)
		}
		w.links.Hits = sc
		named := w.file("", &intake.Submission{Narrative: "The boss at +855 12 345 678 is called Try Pheap.",
			Subjects: []intake.SubjectIn{{Name: "Try Pheap", Type: "person"}}})
		if hs, err := sc.ScreenReport(ctx, named, []store.Subject{{Name: "Try Pheap", Type: "person"}}); err != nil || len(hs) == 0 {
			t.Fatalf("screening the named report: %d hits, %v", len(hs), err)
		}
		p, err = w.links.Identifier(ctx, w.actors["investigator@hotline"], phone, 0)
		if err != nil {
			t.Fatal(err)
		}
		want, err := sc.ReportHits(ctx, w.actors["investigator@hotline"], named)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Reports {
			switch {
			case r.ID == named && (len(r.Hits) != len(want) || len(want) == 0 || r.Hits[0].ID != want[0].ID):
				t.Errorf("the named report's hits on the page: %+v; want %+v", r.Hits, want)
			case r.ID != named && len(r.Hits) != 0:
				t.Errorf("report %s shows hits %+v; it named no one listed", r.ID, r.Hits)
			}
		}
		if len(p.Reports) != 3 {
			t.Errorf("the page lists %d reports; want 3", len(p.Reports))
		}
	})
}
