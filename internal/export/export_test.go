package export_test

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// standards is the shared reference formats (tests only).
const standards = "../../../shared/standards"

// fixture is an organisation with reports filed, linked, and dated by
// hand, so that its exports are the same on every run.
type fixture struct {
	db      *store.DB
	svc     *export.Service
	keys    *seal.Keyring
	in      *intake.Service
	coord   auth.Actor
	admin   auth.Actor
	intake  auth.Actor
	other   auth.Actor // a coordinator of another organisation
	reports []string
}

// day is the n-th day of 2026 at noon UTC, in Unix microseconds.
func day(n int) int64 {
	return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, n).UnixMicro()
}

func newFixture(t testing.TB, e store.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, e)
	log := slog.New(slog.DiscardHandler)
	keys, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	in := intake.New(db, keys, nil, nil, log)
	in.Start()
	t.Cleanup(in.Close)
	ls := links.New(db, keys, in, log)
	st := staff.New(db, 0)
	f := &fixture{db: db, svc: export.New(db, keys, in, nil), keys: keys, in: in}
	for i, name := range []string{"Mekong Hotline", "Other NGO"} {
		org, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: name, Kind: "ngo", ReceivesPublic: i == 0})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.Exec(ctx, `UPDATE organisations SET created_at = $1 WHERE id = $2`, day(0), org.ID)
		}); err != nil {
			t.Fatal(err)
		}
		for _, role := range []auth.Role{auth.Coordinator, auth.Admin, auth.Intake} {
			u, err := st.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: string(role) + "@" + org.ID + ".test", Name: "x", Role: string(role), Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			a := auth.Actor{UserID: u.ID, OrgID: org.ID, Role: role}
			switch {
			case i == 1 && role == auth.Coordinator:
				f.other = a
			case i == 0 && role == auth.Coordinator:
				f.coord = a
			case i == 0 && role == auth.Admin:
				f.admin = a
			case i == 0 && role == auth.Intake:
				f.intake = a
			}
		}
	}
	subs := []*intake.Submission{
		{Narrative: "The recruiter called from +855 12 345 678 about a job in Sihanoukville. The agent's Telegram is @golden_job_kh.",
			IncidentTypes: []string{"deceptive_recruitment", "confinement"}, Places: []intake.PlaceIn{{Name: "Sihanoukville"}},
			Victims:  []intake.VictimIn{{Name: "Sok Dara", Contact: "+855 97 555 0101", Nationality: "KH", AgeBand: "18_25", Gender: "male", StillHeld: true}},
			Subjects: []intake.SubjectIn{{Name: "Golden Fortune Co., Ltd.", Type: "company", Role: "employer"}, {Name: "Ah Long", Type: "person", Role: "recruiter"}}},
		{Narrative: "Recruiter phone +855 12 345 678 again; they paid the ransom to the recruiter's wallet 0x52908400098527886e0f7030069857d2e4169ee7. My sister's number is +855 97 555 0101.",
			IncidentTypes: []string{"extortion_ransom", "confinement"}, Places: []intake.PlaceIn{{Name: "Sihanoukville"}},
			Victims: []intake.VictimIn{{Name: "Sok Srey", Nationality: "KH", AgeBand: "18_25", Gender: "female"}}},
		{Narrative: "The agent's e-mail was hr@goldenjobs-kh.com and the recruiter's site https://goldenjobs-kh.com/apply",
			IncidentTypes: []string{"deceptive_recruitment"}, Places: []intake.PlaceIn{{Name: "KK Park"}},
			Victims: []intake.VictimIn{{Nationality: "VN", AgeBand: "26_35", Gender: "male"}, {Nationality: "VN", AgeBand: "26_35", Gender: "male"}}},
		{Narrative: "Please call my brother, his number is +855 97 555 0101.",
			Victims: []intake.VictimIn{{Nationality: "KH", AgeBand: "under_18", Gender: "male", Contact: "+855 97 555 0101"}}},
	}
	for n, s := range subs {
		s.Language, s.Country = "en", "KH"
		ack, err := in.Submit(ctx, auth.Actor{}, s)
		if err != nil {
			t.Fatal(err)
		}
		if err := ls.Process(ctx, ack.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.Exec(ctx, `UPDATE reports SET received_at = $1 WHERE id = $2`, day(10*n+1), ack.ID)
		}); err != nil {
			t.Fatal(err)
		}
		f.reports = append(f.reports, ack.ID)
	}
	// A case holds the first report and is referred to the other
	// organisation.
	c := &store.Case{ID: "01900000-0000-7000-8000-00000000ca5e", OrgID: f.coord.OrgID, Title: "=Golden Fortune recruitment", Status: "referred", Urgency: "critical",
		DueAt: day(3), CreatedBy: f.coord.UserID, CreatedAt: day(2), UpdatedAt: day(4), Version: 1}
	ref := &store.Referral{ID: "01900000-0000-7000-8000-0000000000ef", CaseID: c.ID, FromOrgID: f.coord.OrgID, ToOrgID: f.other.OrgID,
		Shared: []string{"incident_types", "places"}, Note: "Please trace the compound.", Status: "pending", CreatedBy: f.coord.UserID, CreatedAt: day(4), Version: 1}
	if err := db.Tx(ctx, func(q store.Q) error {
		if err := q.PutCase(ctx, c); err != nil {
			return err
		}
		if err := q.AddCaseReport(ctx, c.ID, f.reports[0], day(2)); err != nil {
			return err
		}
		return q.PutReferral(ctx, ref)
	}); err != nil {
		t.Fatal(err)
	}
	// Staff vouch for the second report.
	if err := db.Tx(ctx, func(q store.Q) error {
		return q.PutReportVerification(ctx, &store.ReportVerification{ReportID: f.reports[1], OrgID: f.coord.OrgID, VerifiedBy: f.coord.UserID, VerifiedAt: day(12)})
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s\nwant:\n%s", name, got, want)
	}
}

// run starts and writes an export.
func run(t *testing.T, f *fixture, a auth.Actor, r export.Request) (*export.Export, []byte) {
	t.Helper()
	ctx := context.Background()
	e, err := f.svc.Start(ctx, a, r)
	if err != nil {
		t.Fatalf("start %s: %v", r.Format, err)
	}
	var b bytes.Buffer
	if err := e.Write(ctx, &b); err != nil {
		t.Fatalf("write %s: %v", r.Format, err)
	}
	return e, b.Bytes()
}
