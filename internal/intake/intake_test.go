package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/stats"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// env is an intake service on a real database with three organisations
// (the hotline, which receives public reports; another NGO; a partner
// police unit) and an account of each role the tests need, named
// "role@org".
type env struct {
	db     *store.DB
	in     *intake.Service
	cw     *casework.Service
	orgs   map[string]string
	actors map[string]auth.Actor
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	keys, in := startIntake(t, db)
	e := &env{db: db, in: in, cw: casework.New(db, keys, in, log), orgs: map[string]string{}, actors: map[string]auth.Actor{}}
	st := staff.New(db, 0)
	for _, o := range []struct {
		name   string
		public bool
		roles  []auth.Role
	}{
		{"hotline", true, []auth.Role{auth.Coordinator, auth.Investigator, auth.Intake, auth.Admin}},
		{"ngo", false, []auth.Role{auth.Coordinator}},
		{"police", false, []auth.Role{auth.Partner}},
	} {
		org, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: o.name, Kind: "ngo", ReceivesPublic: o.public})
		if err != nil {
			t.Fatal(err)
		}
		e.orgs[o.name] = org.ID
		for _, role := range o.roles {
			u, err := st.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: string(role) + "@" + o.name + ".test", Name: string(role), Role: string(role), Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			e.actors[string(role)+"@"+o.name] = auth.Actor{UserID: u.ID, OrgID: org.ID, Role: role}
		}
	}
	return e
}

// startIntake starts an intake service on db, with no ledger, closed
// when the test ends.
func startIntake(t *testing.T, db *store.DB) (*seal.Keyring, *intake.Service) {
	t.Helper()
	keys, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	in := intake.New(db, keys, nil, nil, slog.New(slog.DiscardHandler))
	in.Start()
	t.Cleanup(in.Close)
	return keys, in
}

// submit files s as the actor named ("" for the public) and returns the
// acknowledgement.
func (e *env) submit(t *testing.T, as string, s *intake.Submission) *intake.Ack {
	t.Helper()
	ack, err := e.in.Submit(context.Background(), e.actors[as], s)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return ack
}

// fieldOf is the field an *invalid.Error names, or "" with ok false.
func fieldOf(err error) (string, bool) {
	var ie *invalid.Error
	if !errors.As(err, &ie) {
		return "", false
	}
	return ie.Field, true
}

func TestSubmitNamesTheBadField(t *testing.T) {
	long := strings.Repeat("x", intake.MaxNarrative+1)
	cases := []struct {
		name, field string
		sub         intake.Submission
	}{
		{"no narrative", "narrative", intake.Submission{Language: "en", Narrative: " \n"}},
		{"narrative too long", "narrative", intake.Submission{Language: "en", Narrative: long}},
		{"NUL in the narrative", "narrative", intake.Submission{Language: "en", Narrative: "a\x00b"}},
		{"language", "language", intake.Submission{Language: "not a tag!", Narrative: "n"}},
		{"channel", "channel", intake.Submission{Language: "en", Channel: "pigeon", Narrative: "n"}},
		{"country", "country", intake.Submission{Language: "en", Country: "XX", Narrative: "n"}},
		{"incident type", "incident_types[1]", intake.Submission{Language: "en", Narrative: "n", IncidentTypes: []string{"confinement", "piracy"}}},
		{"incident type twice", "incident_types[1]", intake.Submission{Language: "en", Narrative: "n", IncidentTypes: []string{"confinement", "confinement"}}},
		{"reporter contact", "reporter.contact", intake.Submission{Language: "en", Narrative: "n", Reporter: &intake.Reporter{Contact: "a\x00"}}},
		{"victim nationality", "victims[1].nationality", intake.Submission{Language: "en", Narrative: "n", Victims: []intake.VictimIn{{}, {Nationality: "Atlantis"}}}},
		{"victim age band", "victims[0].age_band", intake.Submission{Language: "en", Narrative: "n", Victims: []intake.VictimIn{{AgeBand: "old"}}}},
		{"blank place", "places[0].name", intake.Submission{Language: "en", Narrative: "n", Places: []intake.PlaceIn{{Name: "  "}}}},
		{"too many places", "places", intake.Submission{Language: "en", Narrative: "n", Places: make([]intake.PlaceIn, intake.MaxPlaces+1)}},
		{"contact date", "contacted_on", intake.Submission{Language: "en", Narrative: "n", ContactedOn: "3 March"}},
		{"contact date in the future", "contacted_on", intake.Submission{Language: "en", Narrative: "n", ContactedOn: time.Now().AddDate(0, 0, 3).Format(time.DateOnly)}},
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				// Validate normalises in place: each engine gets its own copy.
				var sub intake.Submission
				if b, err := json.Marshal(tt.sub); err != nil || json.Unmarshal(b, &sub) != nil {
					t.Fatal(err)
				}
				_, err := e.in.Submit(ctx, auth.Actor{}, &sub)
				if f, ok := fieldOf(err); !ok || f != tt.field {
					t.Fatalf("Submit = %v (field %q); want an invalid field %q", err, f, tt.field)
				}
			})
		}
		n, err := e.in.Count(ctx, e.actors["coordinator@hotline"], intake.ListFilter{}, 10)
		if err != nil || n != 0 {
			t.Errorf("after refused submissions the hotline has %d reports, %v; want 0", n, err)
		}
	})
}

func TestSubmitThenGet(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		safe := true
		sub := &intake.Submission{
			Language: "zh", Channel: "phone", Narrative: "我弟弟被关在西港的园区里。", JobAd: "高薪客服，包机票",
			IncidentTypes: []string{"confinement", "deceptive_recruitment"},
			Reporter:      &intake.Reporter{Name: "Li Wei", Contact: "+86 138 0000 0000", Relationship: "sibling", SafeToContact: &safe},
			Victims:       []intake.VictimIn{{Name: "Li Ming", Passport: "E12345678", Nationality: "cn", AgeBand: "18_25", Gender: "male", StillHeld: true}},
			Places:        []intake.PlaceIn{{Name: "西港"}, {Name: "Compound by the river"}},
			Subjects:      []intake.SubjectIn{{Name: "Golden Fortune Co", Type: "company", Role: "employer"}},
		}
		ack := e.submit(t, "intake@hotline", sub)
		if ack.ID == "" || ack.TrackingCode == "" || ack.Secret == "" || ack.Status != intake.StatusReceived {
			t.Fatalf("ack = %+v", ack)
		}
		got, err := e.in.Get(ctx, e.actors["investigator@hotline"], ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantPlaces := []store.PlaceRef{{Name: "西港", PlaceID: "sihanoukville", Country: "KH"}, {Name: "Compound by the river"}}
		if !reflect.DeepEqual(got.Places, wantPlaces) {
			t.Errorf("places = %+v; want %+v (resolved against the gazetteer at intake)", got.Places, wantPlaces)
		}
		if got.OrgID != e.orgs["hotline"] || got.Channel != "phone" || got.Language != "zh" || !got.Urgent || got.Status != intake.StatusReceived ||
			!slices.Equal(got.IncidentTypes, sub.IncidentTypes) || !got.HasSealed || len(got.CaseIDs) != 0 {
			t.Errorf("view = %+v", got)
		}
		if len(got.Victims) != 1 || got.Victims[0].Nationality != "CN" || !got.Victims[0].StillHeld || !got.Victims[0].IdentitySealed {
			t.Errorf("victims = %+v; want one CN victim still held, identity sealed", got.Victims)
		}
		if len(got.Subjects) != 1 || got.Subjects[0].Name != "Golden Fortune Co" {
			t.Errorf("subjects = %+v", got.Subjects)
		}
		var texts []string
		for _, st := range got.Statements {
			texts = append(texts, st.Kind+": "+st.Versions[len(st.Versions)-1].Text)
		}
		if want := []string{"testimony: " + sub.Narrative, "job_ad: " + sub.JobAd}; !slices.Equal(texts, want) {
			t.Errorf("statements = %q; want %q", texts, want)
		}
		// The identifying part is sealed: the view carries none of it.
		for _, secret := range []string{"Li Wei", "Li Ming", "E12345678", "+86 138"} {
			if strings.Contains(viewText(got), secret) {
				t.Errorf("the view shows the sealed %q", secret)
			}
		}
		tr, err := e.in.Track(ctx, ack.TrackingCode, ack.Secret)
		if err != nil || tr.Status != intake.StatusReceived {
			t.Errorf("Track = %+v, %v", tr, err)
		}
		if _, err := e.in.Track(ctx, ack.TrackingCode, "wrong secret"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Track with a wrong secret = %v; want not found", err)
		}
	})
}

// viewText is the view's open fields, for a search for what must not be
// there.
func viewText(v *intake.ReportView) string {
	var b strings.Builder
	b.WriteString(v.Country)
	for _, vi := range v.Victims {
		b.WriteString(vi.Nationality + vi.AgeBand + vi.Gender)
	}
	for _, p := range v.Places {
		b.WriteString(p.Name)
	}
	for _, su := range v.Subjects {
		b.WriteString(su.Name)
	}
	for _, st := range v.Statements {
		for _, ve := range st.Versions {
			b.WriteString(ve.Text)
		}
	}
	return b.String()
}

func TestReportAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		ack := e.submit(t, "", &intake.Submission{Language: "en", Narrative: "Held at Bavet, call +855 12 345 678", IncidentTypes: []string{"confinement"},
			Victims: []intake.VictimIn{{Name: "Sok", Nationality: "KH"}}, Places: []intake.PlaceIn{{Name: "Bavet"}}, Subjects: []intake.SubjectIn{{Name: "Boss Chen"}}})
		// Who may read the hotline's report, before any referral.
		for _, tt := range []struct {
			as   string
			want error
		}{
			{"coordinator@hotline", nil},
			{"investigator@hotline", nil},
			{"intake@hotline", nil},
			{"admin@hotline", store.ErrNotFound}, // an admin manages accounts, not reports
			{"coordinator@ngo", store.ErrNotFound},
			{"partner@police", store.ErrNotFound},
		} {
			_, err := e.in.Get(ctx, e.actors[tt.as], ack.ID)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("%s: Get = %v; want %v", tt.as, err, tt.want)
			}
		}
		// Another organisation's list does not have it; a partner has no
		// list of reports at all.
		if n, err := e.in.Count(ctx, e.actors["coordinator@ngo"], intake.ListFilter{}, 10); err != nil || n != 0 {
			t.Errorf("the other organisation counts %d reports, %v; want 0", n, err)
		}
		if _, err := e.in.List(ctx, e.actors["partner@police"], intake.ListFilter{}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("partner List = %v; want forbidden", err)
		}
		// Referred with places and subjects only, the partner reads those
		// and nothing else.
		coord := e.actors["coordinator@hotline"]
		c, err := e.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{ack.ID}, Title: "Bavet"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.cw.Refer(ctx, coord, c.ID, &casework.ReferralIn{ToOrgID: e.orgs["police"], Shared: []string{intake.SharePlaces, intake.ShareSubjects}}); err != nil {
			t.Fatal(err)
		}
		got, err := e.in.Get(ctx, e.actors["partner@police"], ack.ID)
		if err != nil {
			t.Fatalf("partner Get after the referral: %v", err)
		}
		if len(got.Places) != 1 || got.Places[0].PlaceID != "bavet" || len(got.Subjects) != 1 {
			t.Errorf("partner sees places %+v, subjects %+v; want both shared", got.Places, got.Subjects)
		}
		if got.Victims != nil || got.IncidentTypes != nil || got.Statements != nil || got.HasSealed || got.OrgID != "" || got.TrackingCode != "" {
			t.Errorf("partner sees more than was shared: %+v", got)
		}
		if _, err := e.in.Reveal(ctx, e.actors["partner@police"], ack.ID, "curious"); err == nil {
			t.Error("partner revealed the sealed part without victim_identity shared")
		}
		if _, err := e.in.Get(ctx, e.actors["coordinator@ngo"], ack.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation after the referral: Get = %v; want not found", err)
		}
	})
}

// TestPlaceFilterAndStats files reports naming places in several scripts
// and as typed, and asks the triage queue's place filter and the
// statistics about them: the answers are those the store gave when it
// resolved names itself.
func TestPlaceFilterAndStats(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		places := [][]string{
			{"Poipet"},
			{"ปอยเปต"},              // Poipet in Thai
			{"西港", "Sihanoukville"}, // one place twice
			{" Nowhere Camp "},      // not in the gazetteer
			{"Camp 9", "KK Park"},
			{},
		}
		ids := map[string]int{}
		for i, ps := range places {
			sub := &intake.Submission{Language: "en", Narrative: "n"}
			for _, p := range ps {
				sub.Places = append(sub.Places, intake.PlaceIn{Name: p})
			}
			ids[e.submit(t, "intake@hotline", sub).ID] = i
		}
		e.submit(t, "coordinator@ngo", &intake.Submission{Language: "en", Narrative: "n", Places: []intake.PlaceIn{{Name: "Poipet"}}})

		coord := e.actors["coordinator@hotline"]
		for _, tt := range []struct {
			place string
			want  []int
		}{
			{"poipet", []int{0, 1}},
			{"ប៉ោយប៉ែត", []int{0, 1}}, // Poipet in Khmer: any name of a gazetteer place
			{"西港", []int{2}},
			{"camp", []int{3, 4}}, // part of a name as typed
			{"NOWHERE", []int{3}},
			{"kk park", []int{4}},
			{"Atlantis", nil},
		} {
			got, err := e.in.List(ctx, coord, intake.ListFilter{Place: tt.place, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var which []int
			for _, r := range got {
				which = append(which, ids[r.ID])
			}
			slices.Sort(which)
			if !slices.Equal(which, tt.want) {
				t.Errorf("place %q keeps reports %v; want %v", tt.place, which, tt.want)
			}
			n, err := e.in.Count(ctx, coord, intake.ListFilter{Place: tt.place}, 100)
			if err != nil || n != len(tt.want) {
				t.Errorf("place %q counts %d, %v; want %d", tt.place, n, err, len(tt.want))
			}
		}

		st, err := stats.New(db).Org(ctx, coord)
		if err != nil {
			t.Fatal(err)
		}
		want := []stats.Bar{{Key: "poipet", Count: 2}, {Key: "Camp 9", Count: 1}, {Key: "Nowhere Camp", Count: 1}, {Key: "kk-park", Count: 1}, {Key: "sihanoukville", Count: 1}}
		if got := st.Charts[stats.Place]; !reflect.DeepEqual(got, want) {
			t.Errorf("place chart = %v; want %v", got, want)
		}
		rolled, err := db.Read().Stats(ctx, e.orgs["hotline"])
		if err != nil {
			t.Fatal(err)
		}
		recounted, err := db.Read().RecountStats(ctx, e.orgs["hotline"])
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rolled, recounted) {
			t.Errorf("roll-up %v; recount %v", rolled, recounted)
		}
	})
}

// TestResolveStoredPlaces stores reports as versions before this one wrote
// them (places by name only) and resolves them as the server does before it
// serves: the place filter then finds them under any name of their place,
// and the statistics count them under its ID.
func TestResolveStoredPlaces(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		org := e.orgs["hotline"]
		var ids []string
		for _, names := range [][]string{{"Bavet"}, {"巴域", "Camp 9"}, {"Camp 9"}} {
			id := store.NewID()
			r := &store.Report{ID: id, OrgID: org, TrackingCode: "VG-" + id, SecretHash: []byte{1}, Channel: "web", Language: "en",
				Status: intake.StatusReceived, ReceivedAt: store.Now(), UpdatedAt: store.Now()}
			for _, n := range names {
				r.Places = append(r.Places, store.PlaceRef{Name: n})
			}
			if err := db.Tx(ctx, func(q store.Q) error { return q.PutReport(ctx, r) }); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		coord := e.actors["coordinator@hotline"]
		count := func(place string) int {
			t.Helper()
			n, err := e.in.Count(ctx, coord, intake.ListFilter{Place: place}, 100)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count("បាវិត"); n != 0 {
			t.Fatalf("before resolving, Bavet in Khmer keeps %d reports; want 0 (the rows hold names only)", n)
		}
		for range 2 { // the second run finds the database resolved
			if err := intake.ResolveStoredPlaces(ctx, db, slog.New(slog.DiscardHandler)); err != nil {
				t.Fatal(err)
			}
		}
		if n := count("បាវិត"); n != 2 {
			t.Errorf("Bavet in Khmer keeps %d reports; want 2", n)
		}
		if n := count("camp 9"); n != 2 {
			t.Errorf("camp 9 keeps %d reports; want 2", n)
		}
		got, err := e.in.Get(ctx, coord, ids[1])
		if err != nil {
			t.Fatal(err)
		}
		if want := []store.PlaceRef{{Name: "巴域", PlaceID: "bavet", Country: "KH"}, {Name: "Camp 9"}}; !reflect.DeepEqual(got.Places, want) {
			t.Errorf("places = %+v; want %+v", got.Places, want)
		}
		st, err := stats.New(db).Org(ctx, coord)
		if err != nil {
			t.Fatal(err)
		}
		if want := []stats.Bar{{Key: "Camp 9", Count: 2}, {Key: "bavet", Count: 2}}; !reflect.DeepEqual(st.Charts[stats.Place], want) {
			t.Errorf("place chart = %v; want %v", st.Charts[stats.Place], want)
		}
		rolled, _ := db.Read().Stats(ctx, org)
		recounted, err := db.Read().RecountStats(ctx, org)
		if err != nil || !reflect.DeepEqual(rolled, recounted) {
			t.Errorf("roll-up %v; recount %v, %v", rolled, recounted, err)
		}
	})
}

func TestRegion(t *testing.T) {
	for _, tt := range []struct {
		name, country string
		places        []store.PlaceRef
		org, want     string
	}{
		{"the report's country first", "TH", []store.PlaceRef{intake.Place("西港")}, "MM", "TH"},
		{"else its first gazetteer place's", "", []store.PlaceRef{intake.Place("西港")}, "MM", "KH"},
		{"a place the gazetteer does not know is skipped", "", []store.PlaceRef{intake.Place("Camp 9"), intake.Place("แม่สอด")}, "", "TH"},
		{"a place stored by name only is resolved", "", []store.PlaceRef{{Name: "KK Park"}}, "KH", "MM"},
		{"else the organisation's", "", []store.PlaceRef{intake.Place("Camp 9")}, "VN", "VN"},
		{"else none", "", nil, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := intake.Region(tt.country, tt.places, tt.org); got != tt.want {
				t.Errorf("Region = %q; want %q", got, tt.want)
			}
		})
	}
}

// TestStaffIntake files reports as staff took them down (by phone, from a
// letter) through the same Submit as the public form, and adds a statement
// staff took to a report.
func TestStaffIntake(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		desk := e.actors["intake@hotline"]
		day := time.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly)
		ack := e.submit(t, "intake@hotline", &intake.Submission{Language: "km", Channel: "phone", ContactedOn: day, Narrative: "My son is held in Bavet."})
		if ack.Secret == "" || !strings.HasPrefix(ack.TrackingCode, "VG-") {
			t.Errorf("staff intake ack = %+v; want a tracking code and a secret to pass on", ack)
		}
		rv, err := e.in.Get(ctx, desk, ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rv.Channel != "phone" || rv.ContactedOn != day || rv.CreatedBy != desk.UserID || rv.Status != intake.StatusReceived {
			t.Errorf("staff-entered report = channel %q, contacted %q, by %q, status %q; want phone, %s, the desk, received", rv.Channel, rv.ContactedOn, rv.CreatedBy, rv.Status, day)
		}
		if st := rv.Statements[0]; st.Channel != "phone" || st.TakenByUser != desk.UserID {
			t.Errorf("first statement = channel %q taken by %q; want phone, the desk", st.Channel, st.TakenByUser)
		}
		// The public says nothing of a contact date, and its testimony was
		// taken by no one.
		pub := e.submit(t, "", &intake.Submission{Language: "en", Channel: "phone", ContactedOn: day, Narrative: "n"})
		pv, err := e.in.Get(ctx, desk, pub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if pv.Channel != "api" || pv.ContactedOn != "" || pv.CreatedBy != "" || pv.Statements[0].Channel != "" || pv.Statements[0].TakenByUser != "" {
			t.Errorf("public report = %+v; want channel api, no contact date, no one who took it", pv)
		}

		// A statement staff took by phone, then a recantation beside it.
		if _, err := e.in.AddStatement(ctx, desk, ack.ID, &intake.StatementIn{Kind: "testimony", Language: "km", Text: "t", Channel: "pigeon"}); err == nil {
			t.Error("a statement by pigeon was taken")
		} else if f, _ := fieldOf(err); f != "channel" {
			t.Errorf("bad channel: %v; want field channel", err)
		}
		sv, err := e.in.AddStatement(ctx, desk, ack.ID, &intake.StatementIn{Kind: "testimony", Language: "km", Text: "He called again from a new number.", Channel: "phone", Circumstances: "evening call"})
		if err != nil {
			t.Fatal(err)
		}
		inv := e.actors["investigator@hotline"]
		rc, err := e.in.AddStatement(ctx, inv, ack.ID, &intake.StatementIn{Kind: "recantation", RecantsID: sv.ID, Language: "km", Text: "It was not him.", Channel: "walk_in"})
		if err != nil {
			t.Fatal(err)
		}
		rv, err = e.in.Get(ctx, desk, ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rv.Statements) != 3 {
			t.Fatalf("%d statements; want 3 (the first, the call, the recantation beside it)", len(rv.Statements))
		}
		got := rv.Statements[1]
		if got.ID != sv.ID || got.Channel != "phone" || got.TakenByUser != desk.UserID || got.Circumstances != "evening call" || got.Versions[0].Text != "He called again from a new number." {
			t.Errorf("staff statement = %+v", got)
		}
		if r := rv.Statements[2]; r.ID != rc.ID || r.RecantsID != sv.ID || r.Channel != "walk_in" || r.TakenByUser != inv.UserID {
			t.Errorf("recantation = %+v", r)
		}
		// Every statement is committed to the ledger, and the recantation's
		// link to what it recants too.
		entries := map[string]int{}
		for _, kind := range []string{"statement", "recantation"} {
			err := db.Read().EachLedgerAuditRecord(ctx, kind, func(r *store.LedgerAuditRecord) error {
				if r.ReportID == ack.ID && r.EntryID != "" {
					entries[kind+":"+r.RecordID]++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range []string{"statement:" + rv.Statements[0].ID, "statement:" + sv.ID, "statement:" + rc.ID, "recantation:" + rc.ID} {
			if entries[k] != 1 {
				t.Errorf("ledger entries of %s: %d; want 1 (all: %v)", k, entries[k], entries)
			}
		}
	})
}

// TestPublicOrganisationKept: intake keeps which organisation receives
// public reports for at most PublicOrgTTL: a new installation takes public
// reports as soon as one is set up (a refusal is not kept), and a change of
// the receiving organisation is followed once PublicOrgTTL has passed.
func TestPublicOrganisationKept(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, in := startIntake(t, db)
		st := staff.New(db, 0)
		sub := func() *intake.Submission {
			return &intake.Submission{Language: "en", Narrative: "They took my passport at the compound."}
		}
		if _, err := in.Submit(ctx, auth.Actor{}, sub()); !errors.Is(err, intake.ErrNotAccepting) {
			t.Fatalf("public report with no organisation receiving them: %v, want ErrNotAccepting", err)
		}
		first, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "first", Kind: "ngo", ReceivesPublic: true})
		if err != nil {
			t.Fatal(err)
		}
		orgOf := func() string {
			t.Helper()
			ack, err := in.Submit(ctx, auth.Actor{}, sub())
			if err != nil {
				t.Fatal(err)
			}
			r, err := db.Read().GetReport(ctx, ack.ID)
			if err != nil {
				t.Fatal(err)
			}
			return r.OrgID
		}
		if got := orgOf(); got != first.ID {
			t.Fatalf("right after set-up a public report went to %q, want %q", got, first.ID)
		}
		second, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "second", Kind: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		yes, no := true, false
		if _, err := st.UpdateOrg(ctx, staff.System, first.ID, &staff.OrgChange{ReceivesPublic: &no}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateOrg(ctx, staff.System, second.ID, &staff.OrgChange{ReceivesPublic: &yes}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(intake.PublicOrgTTL + 50*time.Millisecond)
		if got := orgOf(); got != second.ID {
			t.Errorf("%v after the change a public report went to %q, want %q", intake.PublicOrgTTL, got, second.ID)
		}
	})
}
