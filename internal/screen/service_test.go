package screen_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

func seedReport(t *testing.T, db *store.DB, subjects ...store.Subject) string {
	t.Helper()
	ctx := context.Background()
	id := store.NewID()
	err := db.Tx(ctx, func(q store.Q) error {
		orgs, err := q.ListOrganisations(ctx)
		if err != nil {
			return err
		}
		var orgID string
		if len(orgs) == 0 {
			o := &store.Organisation{ID: store.NewID(), Name: "Hotline", Kind: "ngo", CreatedAt: store.Now()}
			if err := q.PutOrganisation(ctx, o); err != nil {
				return err
			}
			orgID = o.ID
		} else {
			orgID = orgs[0].ID
		}
		return q.PutReport(ctx, &store.Report{ID: id, OrgID: orgID, TrackingCode: "VG-" + id, SecretHash: []byte{1}, Channel: "web",
			Language: "km", Subjects: subjects, Status: "received", ReceivedAt: store.Now(), UpdatedAt: store.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// everyReport lets every actor review screening on every report there is:
// these tests are about screening; who may see hits is TestServiceAccess's
// question (and the doors' test's, with the real rules).
type everyReport struct{ db *store.DB }

func (r everyReport) Authorize(ctx context.Context, _ auth.Actor, id string, _ auth.Action) (*store.Report, error) {
	return r.db.Read().GetReport(ctx, id)
}

// AuthorizeEach asks Authorize of each report.
func (r everyReport) AuthorizeEach(ctx context.Context, a auth.Actor, ids []string, act auth.Action) (map[string]*store.Report, error) {
	return authorizeEach(ctx, a, ids, act, r.Authorize)
}

// authorizeEach answers AuthorizeEach by asking authorize of each report,
// for the fakes of screen.Reports.
func authorizeEach(ctx context.Context, a auth.Actor, ids []string, act auth.Action,
	authorize func(context.Context, auth.Actor, string, auth.Action) (*store.Report, error)) (map[string]*store.Report, error) {
	out := map[string]*store.Report{}
	for _, id := range ids {
		if rep, err := authorize(ctx, a, id, act); err == nil {
			out[id] = rep
		}
	}
	return out, nil
}

// hitsOf returns the hits of reports as a sees them.
func hitsOf(t *testing.T, svc *screen.Service, a auth.Actor, reportIDs ...string) []screen.Hit {
	t.Helper()
	var out []screen.Hit
	for _, id := range reportIDs {
		hs, err := svc.ReportHits(context.Background(), a, id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, hs...)
	}
	return out
}

func hitFor(hs []screen.Hit, subject, entry string) (screen.Hit, bool) {
	for _, h := range hs {
		if h.Subject == subject && h.EntryID == entry {
			return h, true
		}
	}
	return screen.Hit{}, false
}

// TestServiceDemoScenario is the "done when": the demo list holds Try
// Pheap; reports naming him in Latin and Khmer script get the hit; an
// investigator dismisses it, it stays dismissed on re-screening until the
// entry changes, and it can be confirmed.
func TestServiceDemoScenario(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := screen.New(db, nil, screen.WithReports(everyReport{db}))
		inv := auth.Actor{UserID: store.NewID(), Role: auth.Investigator}
		latin := seedReport(t, db, store.Subject{Name: "Try Pheap", Type: "person", Role: "boss"})
		khmer := seedReport(t, db, store.Subject{Name: "ទ្រី ភាព", Role: "boss"}, store.Subject{Name: "Somchai Jaidee", Type: "person"})

		d, err := svc.LoadDemo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		es, _ := screen.DemoEntries()
		if d.Version != 1 || len(d.Added) != len(es) || d.Rescreened != 2 {
			t.Fatalf("first import: got version %d, %d added, %d rescreened; want 1, %d, 2", d.Version, len(d.Added), d.Rescreened, len(es))
		}
		// Importing the same list again changes nothing.
		d, err = svc.LoadDemo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Version != 1 || len(d.Added)+len(d.Changed)+len(d.Removed) != 0 || d.Unchanged != len(es) {
			t.Fatalf("re-import: got %+v, want version 1 and nothing changed", d)
		}

		// The import screened the reports already there.
		hs := hitsOf(t, svc, inv, latin, khmer)
		h, ok := hitFor(hs, "Try Pheap", "28042")
		if !ok || h.Status != screen.StatusPending || h.Score < screen.ReviewThreshold {
			t.Fatalf("hits %+v: want a pending hit on 28042 for Try Pheap", hs)
		}
		if _, ok := hitFor(hs, "ទ្រី ភាព", "28042"); !ok {
			t.Fatalf("hits %+v: want a hit on 28042 for the Khmer spelling", hs)
		}
		for _, h := range hs {
			if h.Subject == "Somchai Jaidee" {
				t.Errorf("unexpected hit for a control name: %+v", h)
			}
		}

		// Dismiss: needs a note, then stays dismissed on re-screening.
		if _, err := svc.ReviewHit(ctx, inv, h.ID, "dismissed", ""); err == nil {
			t.Fatal("dismissal without a note accepted")
		} else if _, ok := invalid.As(err); !ok {
			t.Fatalf("dismissal without a note: got %v, want an invalid.Error", err)
		}
		if _, err := svc.ReviewHit(ctx, inv, h.ID, "maybe", "x"); err == nil {
			t.Fatal("unknown decision accepted")
		}
		if _, err := svc.ReviewHit(ctx, inv, store.NewID(), "confirmed", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("review of a missing hit: got %v, want ErrNotFound", err)
		}
		if got, err := svc.ReviewHit(ctx, inv, h.ID, "dismiss", "different person: a namesake in Kampot"); err != nil {
			t.Fatal(err)
		} else if got.Status != screen.StatusDismissed || got.ReviewerID != inv.UserID {
			t.Fatalf("review answered %+v, want the hit as dismissed by the reviewer", got)
		}
		hs, err = svc.ScreenReport(ctx, latin, []store.Subject{{Name: "Try Pheap", Type: "person"}})
		if err != nil {
			t.Fatal(err)
		}
		h, _ = hitFor(hs, "Try Pheap", "28042")
		if h.Status != screen.StatusDismissed || h.ReviewerID != inv.UserID || h.Note == "" || h.ReviewedAt.IsZero() {
			t.Fatalf("after re-screening: got %+v, want still dismissed with the reviewer and note", h)
		}
		events, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{ResourceType: "screening_hit", ResourceID: h.ID})
		if err != nil || len(events) != 1 || events[0].Action != "screening_hit.dismissed" {
			t.Fatalf("audit: got %v, %v; want one screening_hit.dismissed event", events, err)
		}

		// The entry changes: the dismissed hit comes back for review.
		for i := range es {
			if es[i].ID == "28042" {
				es[i].BirthDates = []string{"1960"}
			}
		}
		d, err = svc.ImportEntries(ctx, screen.DemoList, screen.FormatCSV, "test", es)
		if err != nil {
			t.Fatal(err)
		}
		if d.Version != 2 || !slices.Equal(d.Changed, []string{"28042"}) || len(d.Added)+len(d.Removed) != 0 {
			t.Fatalf("changed import: got %+v, want version 2 with 28042 changed", d)
		}
		hs = hitsOf(t, svc, inv, latin)
		h, _ = hitFor(hs, "Try Pheap", "28042")
		if h.Status != screen.StatusPending || !h.EntryChanged || h.ListVersion != 2 {
			t.Fatalf("after the entry changed: got %+v, want pending again, entry_changed", h)
		}

		// Confirm it; then the entry leaves the list: the confirmed hit
		// stays, the Khmer report's pending hit goes.
		if _, err := svc.ReviewHit(ctx, inv, h.ID, "confirmed", "same person: DOB and address match"); err != nil {
			t.Fatal(err)
		}
		es = slices.DeleteFunc(es, func(e screen.Entry) bool { return e.ID == "28042" })
		d, err = svc.ImportEntries(ctx, screen.DemoList, screen.FormatCSV, "test", es)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Removed, []string{"28042"}) || d.Version != 3 {
			t.Fatalf("removing import: got %+v", d)
		}
		hs = hitsOf(t, svc, inv, latin, khmer)
		if h, ok := hitFor(hs, "Try Pheap", "28042"); !ok || h.Status != screen.StatusConfirmed {
			t.Fatalf("confirmed hit after removal: got %+v, %v", h, ok)
		}
		if h, ok := hitFor(hs, "ទ្រី ភាព", "28042"); ok {
			t.Fatalf("pending hit on a removed entry kept: %+v", h)
		}
		vs, err := svc.Versions(ctx, screen.DemoList)
		if err != nil || len(vs) != 3 || vs[0].Removed != 1 {
			t.Fatalf("versions: got %+v, %v", vs, err)
		}
	})
}

func TestServiceScreen(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := screen.LoadDemoList(ctx, db); err != nil {
			t.Fatal(err)
		}
		// A second service (another process) loads the list from the
		// database.
		svc := screen.New(db, nil)
		if err := svc.Load(ctx); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			q    screen.Query
			want string
		}{
			{screen.Query{Name: "Try Pheap"}, "28042"},
			{screen.Query{Name: "Pheap Try", Type: "person", Country: "Cambodia"}, "28042"},
			{screen.Query{Name: "ឧកញ៉ា ទ្រី ភាព"}, "28042"},
			{screen.Query{Name: "Try Pheap Travel and Tours Company Limited", Type: "company"}, "28051"},
			{screen.Query{Name: "赵伟", BirthDate: "1952-09-16"}, "23647"},
			{screen.Query{Name: "Zhao Wei", Type: "person"}, "23647"},
			{screen.Query{Name: "太子集团"}, "prince-group"},
			{screen.Query{Name: "陈志"}, "chen-zhi"},
			{screen.Query{Name: "金木棉"}, "23652"},
			{screen.Query{Name: "Kings Romans Casino"}, "23652"},
		} {
			ms, err := svc.Screen(ctx, tc.q, screen.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) == 0 || (ms[0].ID != tc.want && !(ms[0].Score == 1 && slices.ContainsFunc(ms, func(m screen.Match) bool { return m.ID == tc.want && m.Score == 1 }))) {
				t.Errorf("%+v: got %+v, want %s first (or tied first)", tc.q, ms, tc.want)
				continue
			}
			if ms[0].List != screen.DemoList || ms[0].Why == "" || ms[0].Score <= 0 || ms[0].Score > 1 {
				t.Errorf("%+v: got %+v, want list, score in (0,1] and an explanation", tc.q, ms[0])
			}
		}
		ms, err := svc.Screen(ctx, screen.Query{Name: "Try Pheap", BirthDate: "1990-01-01"}, screen.Options{})
		if err != nil || len(ms) == 0 {
			t.Fatal(err)
		}
		if !strings.Contains(ms[0].Why, "date of birth") && ms[0].ID == "28042" {
			// 28042 has no date of birth in the demo list: nothing to say.
			t.Logf("why: %s", ms[0].Why)
		}
		for _, q := range []screen.Query{{Name: ""}, {Name: "x", Type: "planet"}, {Name: "x", BirthDate: "soon"}, {Name: strings.Repeat("a", 400)}} {
			if _, err := svc.Screen(ctx, q, screen.Options{}); err == nil {
				t.Errorf("%+v accepted", q)
			} else if _, ok := invalid.As(err); !ok {
				t.Errorf("%+v: got %v, want an invalid.Error", q, err)
			}
		}
		if _, err := svc.Screen(ctx, screen.Query{Name: "x"}, screen.Options{Lists: []string{"nope"}}); err == nil {
			t.Error("unknown list accepted")
		}
		// Primary names only: an alias no longer matches as such.
		ms, err = svc.Screen(ctx, screen.Query{Name: "Golden Kapok"}, screen.Options{PrimaryOnly: true, MinScore: -1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Matched != "" {
				t.Errorf("primary-only match through an alias: %+v", m)
			}
		}
		ls, err := svc.Lists(ctx)
		if err != nil || len(ls) != 1 || ls[0].Name != screen.DemoList || ls[0].Version != 1 {
			t.Fatalf("lists: got %+v, %v", ls, err)
		}
	})
}

func TestServiceImportFormats(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := screen.New(db, nil)
		for _, tc := range []struct{ list, format, path, query, want string }{
			{"ofac-xml", screen.FormatOFACXML, "testdata/sdn.xml", "Pheap Try", "28042"},
			{"un", screen.FormatUNXML, "testdata/consolidated.xml", "Kim Jong Sik", "KPi.966"},
			{"ftm", screen.FormatFTM, "testdata/entities.ftm.json", "Chen Zhi", "NK-chen-zhi"},
			{"own", screen.FormatCSV, "testdata/own.csv", "Golden Dragon Recruitment", "own-3"},
			{"ofac-csv", screen.FormatOFACCSV, "testdata/ofac-csv", "Try Pheap", "28042"},
		} {
			d, err := svc.Import(ctx, tc.list, tc.format, tc.path)
			if err != nil {
				t.Fatalf("%s: %v", tc.path, err)
			}
			if d.Version != 1 || len(d.Added) == 0 {
				t.Fatalf("%s: got %+v", tc.path, d)
			}
			ms, err := svc.Screen(ctx, screen.Query{Name: tc.query}, screen.Options{Lists: []string{tc.list}})
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) == 0 || ms[0].ID != tc.want {
				t.Errorf("%s: %q got %+v, want %s", tc.path, tc.query, ms, tc.want)
			}
		}
		if _, err := svc.Import(ctx, "Bad Name", screen.FormatCSV, "testdata/own.csv"); err == nil {
			t.Error("bad list name accepted")
		}
		bad := filepath.Join(t.TempDir(), "bad.csv")
		os.WriteFile(bad, []byte("name,type\nA,person\n\"B,person\n"), 0o600)
		if _, err := svc.Import(ctx, "bad", screen.FormatCSV, bad); err == nil || !strings.Contains(err.Error(), "line 3") {
			t.Errorf("malformed CSV: got %v, want an error naming line 3", err)
		}
	})
}
