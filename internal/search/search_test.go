package search_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/search"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// world is a database with the services search needs and three
// organisations: home (coordinator, investigator, intake, admin), other
// (coordinator) and police (partner).
type world struct {
	t      testing.TB
	db     *store.DB
	dsn    string
	in     *intake.Service
	cw     *casework.Service
	links  *links.Service
	search *search.Service
	actors map[string]auth.Actor
	orgs   map[string]string
}

func newWorld(t testing.TB, e store.Engine) *world {
	t.Helper()
	ctx := context.Background()
	db, dsn := storetest.OpenDSN(t, e)
	log := slog.New(slog.DiscardHandler)
	keys, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	in := intake.New(db, keys, nil, nil, log)
	cw := casework.New(db, keys, in, log)
	s := search.New(db, keys, in, cw, log)
	in.Index = s
	in.Start()
	t.Cleanup(in.Close)
	w := &world{t: t, db: db, dsn: dsn, in: in, cw: cw, links: links.New(db, keys, in, log), search: s, actors: map[string]auth.Actor{}, orgs: map[string]string{}}
	st := staff.New(db, 0)
	for _, o := range []struct {
		name    string
		country string
		roles   []auth.Role
	}{
		{"home", "KH", []auth.Role{auth.Coordinator, auth.Investigator, auth.Intake, auth.Admin}},
		{"other", "TH", []auth.Role{auth.Coordinator}},
		{"police", "KH", []auth.Role{auth.Partner}},
	} {
		org, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: o.name, Kind: "ngo", Country: o.country})
		if err != nil {
			t.Fatal(err)
		}
		w.orgs[o.name] = org.ID
		for _, role := range o.roles {
			u, err := st.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: string(role) + "@" + o.name + ".test", Name: "x", Role: string(role), Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			w.actors[string(role)+"@"+o.name] = auth.Actor{UserID: u.ID, OrgID: org.ID, Role: role}
		}
	}
	return w
}

// file files a report as the named actor and links its identifiers, as
// the links job would.
func (w *world) file(as string, s *intake.Submission) *intake.Ack {
	w.t.Helper()
	ctx := context.Background()
	if s.Language == "" {
		s.Language = "en"
	}
	ack, err := w.in.Submit(ctx, w.actors[as], s)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.links.Process(ctx, ack.ID); err != nil {
		w.t.Fatal(err)
	}
	return ack
}

// find searches as the named actor and returns the results' ids with what
// matched them.
func (w *world) find(as, q string) map[string]string {
	w.t.Helper()
	p, err := w.search.Search(context.Background(), w.actors[as], q, search.MaxLimit, "")
	if err != nil {
		w.t.Fatalf("search %q as %s: %v", q, as, err)
	}
	out := map[string]string{}
	for _, r := range p.Results {
		if _, dup := out[r.ID]; dup {
			w.t.Errorf("search %q as %s: %s listed twice", q, as, r.ID)
		}
		out[r.ID] = r.Matched
	}
	return out
}

// planted are distinctive words written into testimony, one per language,
// each with the queries that must find it.
var planted = []struct {
	lang, word string
	queries    []string
}{
	{"en", "Zorblaxian", []string{"zorblaxian", "ZORBLAXIAN"}},
	{"zh", "翡翠鹦鹉园区", []string{"翡翠鹦鹉", "鹦鹉园区", "翡翠鹦鹉园区"}},
	{"km", "ក្រពើស្វាយរៀង", []string{"ក្រពើស្វាយរៀង", "ស្វាយរៀង"}},
	{"th", "ปลาหมึกม่วงยักษ์", []string{"ปลาหมึกม่วงยักษ์", "หมึกม่วง"}},
	{"vi", "Quạ Đỏ Huyền Bí", []string{"quạ đỏ huyền bí", "qua do huyen bi", "Huyền Bí"}},
}

// TestPlantedTestimony plants distinctive words in testimony in five
// languages, finds each by search, and proves that what an attacker with
// the database's files reads (the SQLite file and its WAL, or a pg_dump)
// holds none of them.
func TestPlantedTestimony(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			w := newWorld(t, e)
			ids := map[string]string{}
			for _, p := range planted {
				ack := w.file("intake@home", &intake.Submission{Language: p.lang, Narrative: "Statement: " + p.word + " — that is what they called it."})
				ids[p.lang] = ack.ID
			}
			for _, p := range planted {
				for _, q := range p.queries {
					got := w.find("investigator@home", q)
					if got[ids[p.lang]] != "text" {
						t.Errorf("%s: search %q found %v, want report %s by text", p.lang, q, got, ids[p.lang])
					}
					for id := range got {
						if id != ids[p.lang] {
							t.Errorf("%s: search %q also found %s", p.lang, q, id)
						}
					}
				}
			}
			// A later statement is indexed in its own transaction too.
			if _, err := w.in.AddStatement(context.Background(), w.actors["investigator@home"], ids["en"], &intake.StatementIn{Kind: "note", Language: "en", Text: "Follow-up: Quillferrant was seen again."}); err != nil {
				t.Fatal(err)
			}
			if got := w.find("investigator@home", "quillferrant"); got[ids["en"]] != "text" {
				t.Errorf("a word of an added statement is not found: %v", got)
			}
			n, err := w.db.Read().CountSearchTerms(context.Background())
			if err != nil || n == 0 {
				t.Fatalf("index rows: %d, %v", n, err)
			}
			raw := storetest.Raw(t, e, w.dsn)
			for _, p := range planted {
				for _, s := range []string{p.word, strings.ToLower(p.word), "Quillferrant", "quillferrant"} {
					if bytes.Contains(raw, []byte(s)) {
						t.Errorf("the %s database's files hold the planted %q", e, s)
					}
				}
			}
			for _, s := range []string{"qua do huyen bi", "huyen", "zorblaxian", "翡翠", "鹦鹉", "ស្វាយ", "ม่วง"} {
				if bytes.Contains(raw, []byte(s)) {
					t.Errorf("the %s database's files hold the term %q", e, s)
				}
			}
		})
	}
}

// TestFindsByEverything: tracking code in any form, report and case ID or
// a prefix, identifiers in any form, subjects; ranked by what matched,
// each result once.
func TestFindsByEverything(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		a := w.file("intake@home", &intake.Submission{Country: "KH", Narrative: "The recruiter called from 012 345 678 and wrote on t.me/golden_job_kh; pay to 0x52908400098527886E0F7030069857D2E4169EE7.",
			Subjects: []intake.SubjectIn{{Name: "Chen Baozhu", Type: "person"}, {Name: "Golden Fortune Co. Ltd", Type: "company"}}})
		b := w.file("intake@home", &intake.Submission{Narrative: "My cousin Chen went to work in Bavet."})
		inv := "investigator@home"
		code := a.TrackingCode
		for _, q := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", ""), strings.ToLower(strings.ReplaceAll(code, "-", " ")), strings.TrimPrefix(code, "VG-")} {
			if got := w.find(inv, q); got[a.ID] != "tracking_code" {
				t.Errorf("tracking code as %q: %v", q, got)
			}
		}
		for _, q := range []string{a.ID, strings.ToUpper(a.ID), strings.ReplaceAll(a.ID, "-", "")} {
			if got := w.find(inv, q); got[a.ID] != "id" || len(got) != 1 {
				t.Errorf("report ID as %q: %v", q, got)
			}
		}
		cv, err := w.cw.Create(ctx, w.actors["coordinator@home"], &casework.CaseIn{ReportIDs: []string{b.ID}, Title: "Bavet casino"})
		if err != nil {
			t.Fatal(err)
		}
		got := w.find(inv, cv.ID[:13])
		if got[cv.ID] != "id" {
			t.Errorf("case ID prefix: %v", got)
		}
		p, err := w.search.Search(ctx, w.actors[inv], cv.ID, 10, "")
		if err != nil || len(p.Results) != 1 || p.Results[0].Kind != "case" || p.Results[0].Title != "Bavet casino" {
			t.Errorf("case by ID: %+v, %v", p, err)
		}
		for _, q := range []string{"012 345 678", "+855 12 345 678", "+85512345678", "t.me/golden_job_kh", "@golden_job_kh", "golden_job_kh", "0x52908400098527886E0F7030069857D2E4169EE7", "0x52908400098527886e0f7030069857d2e4169ee7"} {
			if got := w.find(inv, q); got[a.ID] != "identifier" {
				t.Errorf("identifier %q: %v", q, got)
			}
		}
		if got := w.find(inv, "chen baozhu"); got[a.ID] != "subject" || len(got) != 1 {
			t.Errorf("subject: %v", got)
		}
		// "chen" is a's subject and b's text: both, a ranked first.
		p, err = w.search.Search(ctx, w.actors[inv], "Chen", 10, "")
		if err != nil || len(p.Results) != 2 || p.Results[0].ID != a.ID || p.Results[0].Matched != "subject" || p.Results[1].ID != b.ID || p.Results[1].Matched != "text" {
			t.Errorf("ranking: %+v, %v", p, err)
		}
		// Every term must match.
		if got := w.find(inv, "chen bavet"); len(got) != 1 || got[b.ID] != "text" {
			t.Errorf("all terms: %v", got)
		}
		if got := w.find(inv, "chen nowhere"); len(got) != 0 {
			t.Errorf("a term no report has: %v", got)
		}
		// An admin reads no report: it may not search.
		if _, err := w.search.Search(ctx, w.actors["admin@home"], "chen", 10, ""); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("admin search: %v, want forbidden", err)
		}
	})
}

// TestAccess: another organisation's staff and a partner without a
// referral find nothing; a partner finds what was referred to it, by text
// only when statements are shared.
func TestAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		a := w.file("intake@home", &intake.Submission{Country: "KH", Narrative: "Held at the Glimmerbrook compound; the boss uses 012 345 678.", Subjects: []intake.SubjectIn{{Name: "Vantorello Group", Type: "company"}}})
		b := w.file("intake@home", &intake.Submission{Narrative: "Also about Glimmerbrook, a second statement."})
		queries := []string{"glimmerbrook", "vantorello", "012 345 678", a.TrackingCode, a.ID, a.ID[:8], b.ID}
		for _, as := range []string{"coordinator@other", "partner@police"} {
			for _, q := range queries {
				if got := w.find(as, q); len(got) != 0 {
					t.Errorf("%s searching %q found %v", as, q, got)
				}
			}
		}
		coord := w.actors["coordinator@home"]
		ca, err := w.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{a.ID}, Title: "Victim name here"})
		if err != nil {
			t.Fatal(err)
		}
		cb, err := w.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{b.ID}, Title: "b"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.cw.Refer(ctx, coord, ca.ID, &casework.ReferralIn{ToOrgID: w.orgs["police"], Shared: []string{intake.ShareStatements, intake.ShareSubjects}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cw.Refer(ctx, coord, cb.ID, &casework.ReferralIn{ToOrgID: w.orgs["police"], Shared: []string{intake.SharePlaces}}); err != nil {
			t.Fatal(err)
		}
		p := "partner@police"
		if got := w.find(p, "glimmerbrook"); len(got) != 1 || got[a.ID] != "text" {
			t.Errorf("partner by shared text: %v (b's statements are not shared)", got)
		}
		if got := w.find(p, "vantorello"); len(got) != 1 || got[a.ID] != "subject" {
			t.Errorf("partner by shared subject: %v", got)
		}
		if got := w.find(p, b.ID); got[b.ID] != "id" {
			t.Errorf("partner by report ID: %v", got)
		}
		pg, err := w.search.Search(ctx, w.actors[p], ca.ID, 10, "")
		if err != nil || len(pg.Results) != 1 || pg.Results[0].Title == "Victim name here" || pg.Results[0].Matched != "id" {
			t.Errorf("partner by case ID: %+v, %v (the internal title must not show)", pg, err)
		}
		// A partner sees no tracking code and reads no link index (the
		// number's digits are words of the statements shared with it).
		if got := w.find(p, a.TrackingCode); len(got) != 0 {
			t.Errorf("partner searching the tracking code found %v", got)
		}
		if got := w.find(p, "+855 12 345 678"); len(got) != 0 {
			t.Errorf("partner searching an identifier found %v", got)
		}
		if got := w.find(p, "012 345 678"); got[a.ID] != "text" {
			t.Errorf("partner searching the number as written: %v, want text", got)
		}
		if got := w.find("coordinator@other", "glimmerbrook"); len(got) != 0 {
			t.Errorf("other organisation after referrals: %v", got)
		}
	})
}

// TestPagingAndInput walks pages with the cursor and refuses bad input by
// field.
func TestPagingAndInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		want := map[string]bool{}
		for range 7 {
			want[w.file("intake@home", &intake.Submission{Narrative: "Pelorwind again."}).ID] = true
		}
		inv := w.actors["investigator@home"]
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			p, err := w.search.Search(ctx, inv, "pelorwind", 3, cursor)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, r := range p.Results {
				if seen[r.ID] || !want[r.ID] {
					t.Errorf("page %d: %s repeated or unexpected", pages, r.ID)
				}
				seen[r.ID] = true
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if len(seen) != 7 || pages != 3 {
			t.Errorf("walked %d results in %d pages, want 7 in 3", len(seen), pages)
		}
		for _, c := range []struct {
			q, cursor, field string
			limit            int
		}{
			{"", "", "q", 0},
			{"   ", "", "q", 0},
			{strings.Repeat("a", search.MaxQuery+1), "", "q", 0},
			{manyWords(search.MaxTerms + 1), "", "q", 0},
			{"\xff", "", "q", 0},
			{"x", "nope", "cursor", 0},
			{"x", "MTo5OnNvbWV0aGluZw", "cursor", 0},
			{"x", "", "limit", search.MaxLimit + 1},
			{"x", "", "limit", -1},
		} {
			_, err := w.search.Search(ctx, inv, c.q, c.limit, c.cursor)
			fe, ok := invalid.As(err)
			if !ok || fe.Field != c.field {
				t.Errorf("q=%.20q cursor=%q limit=%d: %v, want a refusal of %s", c.q, c.cursor, c.limit, err, c.field)
			}
		}
	})
}

// TestEraseAndRebuild: erasure removes a report's rows; a rebuild makes
// the same index as intake did.
func TestEraseAndRebuild(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		a := w.file("intake@home", &intake.Submission{Narrative: "Drossmere and 翡翠 and ปลาหมึก.", JobAd: "Easy job, high pay", Subjects: []intake.SubjectIn{{Name: "Mr Drossmere"}}})
		b := w.file("intake@home", &intake.Submission{Narrative: "Drossmere again."})
		q := w.db.Read()
		before, err := q.CountSearchTerms(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st, err := w.search.Rebuild(ctx)
		if err != nil {
			t.Fatal(err)
		}
		after, _ := q.CountSearchTerms(ctx)
		if st.Reports != 2 || after != before {
			t.Errorf("rebuild: %v; rows %d before, %d after", st, before, after)
		}
		if got := w.find("investigator@home", "drossmere"); len(got) != 2 {
			t.Errorf("after rebuild: %v", got)
		}
		if err := w.in.Erase(ctx, w.actors["coordinator@home"], a.ID, "the victim asked"); err != nil {
			t.Fatal(err)
		}
		if got := w.find("investigator@home", "drossmere"); len(got) != 1 || got[b.ID] != "text" {
			t.Errorf("after erasure: %v", got)
		}
		if _, err := w.search.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		if got := w.find("investigator@home", "drossmere"); len(got) != 1 {
			t.Errorf("erased report back after a rebuild: %v", got)
		}
	})
}

// manyWords returns n distinct words.
func manyWords(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "w%d ", i)
	}
	return b.String()
}

// TestBoundedWalk: two common words no report has together are not
// looked for in every report of one; a page stops after the window's
// reports, says it is partial, and the next pages go on from there until
// every match is found, once each.
func TestBoundedWalk(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		w.search.Window = 4
		ctx := context.Background()
		// Oldest first: a report with both words, then twelve with one
		// of them each (so every window of four holds none with both),
		// then another with both.
		both := []string{w.file("intake@home", &intake.Submission{Narrative: "Quillbrand and Vestmoor."}).ID}
		for i := range 12 {
			word := []string{"Quillbrand", "Vestmoor"}[i%2]
			w.file("intake@home", &intake.Submission{Narrative: word + " alone."})
		}
		both = append(both, w.file("intake@home", &intake.Submission{Narrative: "Vestmoor and Quillbrand."}).ID)
		// The window bounds the walk of the merged index; pending rows are
		// read whole.
		if err := w.search.MergeAll(ctx); err != nil {
			t.Fatal(err)
		}
		inv := w.actors["investigator@home"]
		var found []string
		cursor, pages, partial := "", 0, 0
		for {
			p, err := w.search.Search(ctx, inv, "quillbrand vestmoor", 20, cursor)
			if err != nil {
				t.Fatal(err)
			}
			if pages++; pages > 20 {
				t.Fatal("no end to the pages")
			}
			if p.Partial {
				partial++
			}
			for _, r := range p.Results {
				found = append(found, r.ID)
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		slices.Sort(found)
		slices.Sort(both)
		if !slices.Equal(found, both) || partial == 0 {
			t.Errorf("found %v in %d pages (%d partial), want %v and some partial pages", found, pages, partial, both)
		}
		// One word alone, however common, is read without a window.
		p, err := w.search.Search(ctx, inv, "quillbrand", 20, "")
		if err != nil || len(p.Results) != 8 || p.Partial || p.NextCursor != "" {
			t.Errorf("one word: %d results, partial %v, cursor %q, %v; want all 8 at once", len(p.Results), p.Partial, p.NextCursor, err)
		}
	})
}

// TestRunMerge: the merge loop moves what intake left pending into the
// term-keyed table, and the reports are found the same before and after.
func TestRunMerge(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		for range 3 {
			w.file("intake@home", &intake.Submission{Narrative: "Marrowgate and 翠鸟园区."})
		}
		if n, err := w.db.Read().CountSearchPending(ctx); err != nil || n != 3 {
			t.Fatalf("pending before the merge: %d, %v; want 3", n, err)
		}
		before := w.find("investigator@home", "marrowgate 翠鸟")
		mctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			w.search.RunMerge(mctx, 10*time.Millisecond)
		}()
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, err := w.db.Read().CountSearchPending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d rows still pending after 10 s", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		after := w.find("investigator@home", "marrowgate 翠鸟")
		if len(before) != 3 || len(after) != 3 {
			t.Errorf("found %d before the merge, %d after; want 3 and 3", len(before), len(after))
		}
	})
}
