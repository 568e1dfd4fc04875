package links_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/jobs"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// world is a link service with two organisations: a hotline that receives
// public reports and an NGO, each with staff.
type world struct {
	t      *testing.T
	db     *store.DB
	keys   *seal.Keyring
	in     *intake.Service
	links  *links.Service
	runner *jobs.Runner
	actors map[string]auth.Actor // by "role@org"
	ids    []string              // reports filed, in order
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	keys, _ := seal.New(bytes.Repeat([]byte{5}, seal.KeySize))
	in := intake.New(db, keys, nil, nil, log)
	in.FollowUps = []string{"links"}
	in.Start()
	t.Cleanup(in.Close)
	ls := links.New(db, keys, in, log)
	w := &world{t: t, db: db, keys: keys, in: in, links: ls, runner: jobs.New(db, map[string]jobs.Handler{"links": ls.Process}, log), actors: map[string]auth.Actor{}}
	st := staff.New(db, 0)
	for _, o := range []struct {
		name   string
		public bool
	}{{"hotline", true}, {"ngo", false}} {
		org, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: o.name, Kind: "ngo", ReceivesPublic: o.public})
		if err != nil {
			t.Fatal(err)
		}
		for _, role := range []auth.Role{auth.Coordinator, auth.Investigator, auth.Intake} {
			u, err := st.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: string(role) + "@" + o.name + ".test", Name: "x", Role: string(role), Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			w.actors[string(role)+"@"+o.name] = auth.Actor{UserID: u.ID, OrgID: org.ID, Role: role}
		}
	}
	return w
}

// file files a report as the actor named (the public, to the hotline, for
// "") and links it, as the job would, before anything else arrives.
func (w *world) file(as string, s *intake.Submission) string {
	w.t.Helper()
	ctx := context.Background()
	if s.Language == "" {
		s.Language, s.Country = "en", "KH"
	}
	ack, err := w.in.Submit(ctx, w.actors[as], s)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.runner.Drain(ctx); err != nil {
		w.t.Fatal(err)
	}
	w.ids = append(w.ids, ack.ID)
	// The public check counts verified reports only (TestCheckTrust):
	// these tests are about which identifiers it answers for, so the
	// receiving organisation's coordinator verifies every report.
	org := "hotline"
	if as != "" {
		_, org, _ = strings.Cut(as, "@")
	}
	if _, err := w.links.SetVerified(ctx, w.actors["coordinator@"+org], ack.ID, &links.VerifyIn{Verified: true}); err != nil {
		w.t.Fatal(err)
	}
	return ack.ID
}

// reported is the public check's answer for q, the same whether the
// check weighs the reports itself or reads what the trust worker kept
// (w.check).
func (w *world) reported(q string) bool {
	w.t.Helper()
	ans := w.check(q)
	n, err := w.links.ReportsFor(context.Background(), ans.Kind, ans.Value)
	if err != nil {
		w.t.Fatal(err)
	}
	if ans.Reported != (n > 0) {
		w.t.Errorf("check %q says reported %v, the lure check's look-up %d reports", q, ans.Reported, n)
	}
	return ans.Reported
}

// TestCheckNeverAnswersForContacts files a number as a reporter's or
// victim's contact and the same number in another report's narrative, in
// both orders, and checks the public check never answers for it — nor for
// a number the text does not mark as the recruiter's — while it still
// answers for a recruiter's number. A rebuild gives the same answers.
func TestCheckNeverAnswersForContacts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		recruiter := "The recruiter called from %s and promised a job in Sihanoukville."
		// A narrative first, then a victim's contact in another
		// organisation's report: the contact withdraws it.
		w.file("", &intake.Submission{Narrative: strings.Replace(recruiter, "%s", "+855 12 777 001", 1)})
		if !w.reported("+855 12 777 001") {
			t.Fatal("a recruiter's number is not reported: the test would prove nothing")
		}
		w.file("coordinator@ngo", &intake.Submission{Narrative: "My son is missing.", Victims: []intake.VictimIn{{Contact: "012 777 001"}}})
		// A reporter's contact first, then a narrative naming it as the
		// recruiter's.
		w.file("", &intake.Submission{Narrative: "Please help my brother.", Reporter: &intake.Reporter{Contact: "+855 12 777 002"}})
		w.file("coordinator@ngo", &intake.Submission{Narrative: strings.Replace(recruiter, "%s", "+855 12 777 002", 1)})
		// The reporter's own e-mail written in the narrative as well.
		w.file("", &intake.Submission{Narrative: "The agent wrote to me at plant.victim@example.org, my email.", Reporter: &intake.Reporter{Contact: "plant.victim@example.org"}})
		// A number the text does not mark: not public until staff say so.
		w.file("", &intake.Submission{Narrative: "I saw +855 12 777 003 on a poster at the market."})
		// Still answered: a recruiter's number no one gave as a contact.
		w.file("", &intake.Submission{Narrative: strings.Replace(recruiter, "%s", "+855 12 777 004", 1)})
		w.file("coordinator@ngo", &intake.Submission{Narrative: "The broker's phone is 012 777 004."})

		check := func(when string) {
			for _, q := range []string{"+855 12 777 001", "012777001", "+855 12 777 002", "plant.victim@example.org", "+855 12 777 003"} {
				if w.reported(q) {
					t.Errorf("%s: the public check answers for %s", when, q)
				}
			}
			if ans, err := w.links.Check(ctx, "+855 12 777 004", ""); err != nil || !ans.Reported || ans.Band != links.BandFew {
				t.Errorf("%s: check of a recruiter's number = %+v, %v; want reported in a few reports", when, ans, err)
			}
			if n, err := w.links.ReportsFor(ctx, "phone", "+85512777004"); err != nil || n != 2 {
				t.Errorf("%s: reports for a recruiter's number = %d, %v; want 2", when, n, err)
			}
		}
		check("linked one by one")
		before := snapshot(t, db, w.ids)
		if _, err := w.links.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		check("after a rebuild")
		if after := snapshot(t, db, w.ids); !reflect.DeepEqual(before, after) {
			t.Errorf("rebuild changed the index:\nincremental %+v\nrebuild     %+v", before, after)
		}
	})
}

// TestStaffSides marks identifiers victim-side and confirms them as the
// recruiter's, and checks who may, what the check answers after, that a
// rebuild keeps what staff said, that it is audited, and that the staff
// views (a report's identifiers, the network, the top list) show no
// victim-side identifier and no value the caller may not read.
func TestStaffSides(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		inv, ngo := w.actors["investigator@hotline"], w.actors["coordinator@ngo"]
		poster := w.file("", &intake.Submission{Narrative: "I saw +855 12 777 003 on a poster. The agent's LINE ID: shared.agent"})
		w.file("coordinator@ngo", &intake.Submission{Narrative: "LINE ID: shared.agent and he wrote on the wall 012 777 009"})
		contact := w.file("coordinator@ngo", &intake.Submission{Narrative: "My son is missing.", Victims: []intake.VictimIn{{Contact: "+855 12 777 005"}}})
		w.file("", &intake.Submission{Narrative: "The recruiter called from +855 12 777 005 and from +855 12 777 006."})
		w.file("", &intake.Submission{Narrative: "The recruiter used +855 12 777 006 again."})

		idOf := func(a auth.Actor, report, value string) links.IdentifierView {
			t.Helper()
			ids, err := w.links.ReportIdentifiers(ctx, a, report)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range ids {
				if v.Value == value {
					return v
				}
			}
			t.Fatalf("report %s has no identifier %s: %+v", report, value, ids)
			return links.IdentifierView{}
		}
		set := func(a auth.Actor, id, side string) (*links.SideView, error) {
			return w.links.SetSide(ctx, a, id, &links.SideIn{Side: side, Reason: "confirmed on the phone"})
		}
		unmarked := idOf(inv, poster, "+85512777003")
		if unmarked.Side != "" || unmarked.Public {
			t.Errorf("an unmarked number: %+v, want no side, not public", unmarked)
		}

		// Who may: not another organisation without a report naming it,
		// not intake staff; bad input names its field.
		if _, err := set(ngo, unmarked.ID, "recruiter"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation set the side: %v, want not found", err)
		}
		if _, err := set(w.actors["intake@hotline"], unmarked.ID, "recruiter"); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("intake staff set the side: %v, want forbidden", err)
		}
		if _, err := set(inv, strings.Repeat("0", 32), "victim"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown identifier: %v, want not found", err)
		}
		var ie *invalid.Error
		if _, err := set(inv, unmarked.ID, "perpetrator"); !errors.As(err, &ie) || ie.Field != "side" {
			t.Errorf("side perpetrator: %v, want invalid side", err)
		}
		if _, err := w.links.SetSide(ctx, inv, unmarked.ID, &links.SideIn{Side: "victim"}); !errors.As(err, &ie) || ie.Field != "reason" {
			t.Errorf("no reason: %v, want invalid reason", err)
		}

		// Staff confirm an unmarked number: public.
		if v, err := set(inv, unmarked.ID, "recruiter"); err != nil || v.Side != "recruiter" || !v.Public {
			t.Errorf("confirm as the recruiter's: %+v, %v", v, err)
		}
		if !w.reported("+855 12 777 003") {
			t.Error("a number staff confirmed as the recruiter's is not reported")
		}
		// Staff mark a recruiter-marked number victim-side: withdrawn.
		marked := idOf(inv, w.ids[4], "+85512777006")
		if !marked.Public || !w.reported("+855 12 777 006") {
			t.Fatalf("a recruiter's number is not public: %+v", marked)
		}
		if v, err := set(inv, marked.ID, "victim"); err != nil || v.Side != "victim" || v.Public {
			t.Errorf("mark victim-side: %+v, %v", v, err)
		}
		if w.reported("+855 12 777 006") {
			t.Error("a number staff marked victim-side is still reported")
		}
		// A victim's contact stays withdrawn whoever confirms it.
		victim := idOf(inv, w.ids[3], "+85512777005")
		if v, err := set(inv, victim.ID, "recruiter"); err != nil || v.Side != "victim" || v.Public {
			t.Errorf("confirm a victim's contact as the recruiter's: %+v, %v; want it still victim-side", v, err)
		}
		if w.reported("+855 12 777 005") {
			t.Error("a victim's contact is reported after staff confirmed it as the recruiter's")
		}
		// The contact's own report shows it as a contact, without its value.
		ids, err := w.links.ReportIdentifiers(ctx, ngo, contact)
		if err != nil || len(ids) != 1 || ids[0].Value != "" || ids[0].Side != "victim" || ids[0].Public {
			t.Errorf("the victim's report lists %+v, %v; want one victim-side identifier without its value", ids, err)
		}

		// A rebuild keeps what staff said.
		before := snapshot(t, db, w.ids)
		if _, err := w.links.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		if after := snapshot(t, db, w.ids); !reflect.DeepEqual(before, after) {
			t.Errorf("rebuild changed the index:\nincremental %+v\nrebuild     %+v", before, after)
		}
		if !w.reported("+855 12 777 003") || w.reported("+855 12 777 006") || w.reported("+855 12 777 005") {
			t.Error("a rebuild lost what staff said")
		}

		// Audited, with the reason, in the actor's organisation's trail.
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{OrgID: inv.OrgID, ResourceType: "identifier", Action: "identifier.side"})
		if err == nil {
			err = audit.OpenReasons(w.keys, evs)
		}
		if err != nil || len(evs) != 3 || evs[0].Reason != "confirmed on the phone" || evs[0].ActorID != inv.UserID {
			t.Errorf("audit: %d events (%v), want 3 by the investigator with the reason", len(evs), err)
		}

		// The top list holds only public identifiers.
		top, err := w.links.Top(ctx, inv, time.Now().AddDate(-1, 0, 0), time.Now().Add(time.Hour), 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range top {
			if v.Value == "+85512777005" || v.Value == "+85512777006" {
				t.Errorf("the top list shows victim-side %s", v.Value)
			}
		}
		// The network: no victim-side identifier, and no value of an
		// identifier found only in another organisation's report.
		net, err := w.links.Network(ctx, inv, poster, 3, 100)
		if err != nil {
			t.Fatal(err)
		}
		var labels []string
		for _, n := range net.Nodes {
			if n.Type != "report" {
				labels = append(labels, n.Label)
			}
			if n.ID == "i:"+marked.ID || n.ID == "i:"+victim.ID {
				t.Errorf("the network shows a victim-side identifier: %+v", n)
			}
		}
		if !slices.Contains(labels, "shared.agent") || !slices.Contains(labels, "+85512777003") {
			t.Errorf("network identifier labels %q: want shared.agent and +85512777003 by value", labels)
		}
		// The other organisation's report is a count on shared.agent, and
		// the network goes no further through it.
		agent := idOf(inv, poster, "shared.agent")
		if !slices.ContainsFunc(net.Nodes, func(n links.Node) bool {
			return n.ID == "h:"+agent.ID && n.Type == links.NodeHidden && n.Count == 1 && n.Label == ""
		}) {
			t.Errorf("network %+v: want one hidden report on shared.agent", net.Nodes)
		}
		for _, l := range labels {
			if strings.Contains(l, "777009") {
				t.Errorf("the network shows %s, found only in another organisation's report", l)
			}
		}
	})
}
