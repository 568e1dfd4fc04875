package links_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestNetworkAcrossCases files reports of two cases of the hotline that
// share a recruiter's phone (written in two ways), and three reports of
// another organisation naming the same phone. The network of the first
// case's report reaches the other case's report and both cases, and
// shows the other organisation's reports as one count on the phone, with
// no ID, date or language of theirs anywhere in its JSON.
func TestNetworkAcrossCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		inv, coord := w.actors["investigator@hotline"], w.actors["coordinator@hotline"]
		first := w.file("coordinator@hotline", &intake.Submission{Language: "en", Country: "KH", Narrative: "The recruiter called from +855 12 345 678 and took our passports."})
		second := w.file("coordinator@hotline", &intake.Submission{Language: "km", Country: "KH", Narrative: "មេខ្យល់ប្រើលេខ 012 345 678 ។"})
		lone := w.file("coordinator@hotline", &intake.Submission{Language: "en", Country: "KH", Narrative: "The agent wrote from +855 12 345 678 again, no case yet."})
		var theirs []string
		for _, lang := range []string{"th", "vi", "zh"} {
			theirs = append(theirs, w.file("coordinator@ngo", &intake.Submission{Language: lang, Country: "KH", Narrative: "Recruiter phone +85512345678, Telegram @ngo_only_handle."}))
		}
		cw := casework.New(db, w.keys, w.in, slog.New(slog.DiscardHandler))
		caseA, err := cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{first}, Title: "Case A: passports taken"})
		if err != nil {
			t.Fatal(err)
		}
		caseB, err := cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{second}, Title: "Case B: Khmer report"})
		if err != nil {
			t.Fatal(err)
		}

		net, err := w.links.Network(ctx, inv, first, 2, 100)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]links.Node{}
		for _, n := range net.Nodes {
			byID[n.ID] = n
		}
		for _, id := range []string{"r:" + first, "r:" + second, "r:" + lone} {
			if n, ok := byID[id]; !ok || n.Type != links.NodeReport || !n.Own || n.Label == "" {
				t.Errorf("network lacks the hotline's report %s: %+v", id, n)
			}
		}
		if byID["c:"+caseA.ID].Label != caseA.Title || byID["c:"+caseB.ID].Label != caseB.Title {
			t.Errorf("network cases %+v, %+v; want both cases by title", byID["c:"+caseA.ID], byID["c:"+caseB.ID])
		}
		for _, e := range []links.Edge{{From: "r:" + first, To: "c:" + caseA.ID}, {From: "r:" + second, To: "c:" + caseB.ID}} {
			if !slices.ContainsFunc(net.Edges, func(x links.Edge) bool { return x.From == e.From && x.To == e.To }) {
				t.Errorf("network lacks the edge %s → %s", e.From, e.To)
			}
		}
		var hidden []links.Node
		for _, n := range net.Nodes {
			if n.Type == links.NodeHidden {
				hidden = append(hidden, n)
			}
		}
		if len(hidden) != 1 || hidden[0].Count != 3 || hidden[0].Label != "" || !strings.HasPrefix(hidden[0].ID, "h:") {
			t.Fatalf("hidden nodes %+v: want one counting the other organisation's 3 reports, unlabelled", hidden)
		}
		phone := "i:" + strings.TrimPrefix(hidden[0].ID, "h:")
		if byID[phone].Label != "+85512345678" {
			t.Errorf("the hidden reports hang from %+v, want the phone", byID[phone])
		}
		if !slices.ContainsFunc(net.Edges, func(e links.Edge) bool { return e.From == hidden[0].ID && e.To == phone }) {
			t.Error("the hidden count is not joined to the phone")
		}
		raw, err := json.Marshal(net)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range theirs {
			if strings.Contains(string(raw), id) {
				t.Errorf("the network's JSON holds the other organisation's report %s:\n%s", id, raw)
			}
		}
		for _, leak := range []string{"(th)", "(vi)", "(zh)", "ngo_only_handle"} {
			if strings.Contains(string(raw), leak) {
				t.Errorf("the network's JSON holds %q of the other organisation's reports:\n%s", leak, raw)
			}
		}

		// The other organisation sees the hotline's reports as a count.
		theirNet, err := w.links.Network(ctx, w.actors["coordinator@ngo"], theirs[0], 2, 100)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ = json.Marshal(theirNet)
		for _, id := range []string{first, second, lone, caseA.ID, caseB.ID} {
			if strings.Contains(string(raw), id) {
				t.Errorf("the other organisation's network holds the hotline's %s:\n%s", id, raw)
			}
		}
		if !strings.Contains(string(raw), `"count":3`) {
			t.Errorf("the other organisation's network does not count the hotline's 3 reports:\n%s", raw)
		}

		// Bounds: depth 1 reaches no other report; a small max truncates.
		if n, err := w.links.Network(ctx, inv, first, 1, 100); err != nil || len(n.Nodes) != 3 || n.Truncated {
			t.Errorf("depth 1: %+v, %v; want the report, its phone and its case", n, err)
		}
		if n, err := w.links.Network(ctx, inv, first, 2, 3); err != nil || len(n.Nodes) != 3 || !n.Truncated {
			t.Errorf("max 3: %d nodes, truncated %v, %v", len(n.Nodes), n.Truncated, err)
		}
		var ie *invalid.Error
		if _, err := w.links.Network(ctx, inv, first, 7, 100); !errors.As(err, &ie) || ie.Field != "depth" {
			t.Errorf("depth 7: %v, want invalid depth", err)
		}
		// Of several reports (a case's): each must be readable.
		if n, err := w.links.NetworkOf(ctx, inv, []string{first, second}, 2, 100); err != nil || len(n.Nodes) != len(net.Nodes) {
			t.Errorf("network of both reports: %v, %v; want the same nodes as of the first", n, err)
		}
		if _, err := w.links.NetworkOf(ctx, inv, []string{first, theirs[0]}, 2, 100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("network with another organisation's report: %v, want not found", err)
		}
		if _, err := w.links.Network(ctx, w.actors["intake@hotline"], first, 2, 100); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("intake staff read the network: %v, want forbidden", err)
		}
	})
}

// TestAuthorizeEachAgrees checks that intake's AuthorizeEach (and GetEach), which the
// network asks once for all of an identifier's reports, decides for every
// actor, action and report what Authorize decides for each one: reports
// of the actor's organisation and of another, one in a case referred to
// the other organisation (whose partner may read it), one in a case not
// referred, and an ID that is no report.
func TestAuthorizeEachAgrees(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		coord := w.actors["coordinator@hotline"]
		ngo := w.actors["coordinator@ngo"].OrgID
		partner, err := staff.New(db, 0).CreateUser(ctx, staff.System, &staff.UserIn{OrgID: ngo, Email: "partner@ngo.test", Name: "p", Role: string(auth.Partner), Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		w.actors["partner@ngo"] = auth.Actor{UserID: partner.ID, OrgID: ngo, Role: auth.Partner}
		referred := w.file("coordinator@hotline", &intake.Submission{Language: "en", Country: "KH", Narrative: "Referred: recruiter +855 12 345 678."})
		inCase := w.file("coordinator@hotline", &intake.Submission{Language: "en", Country: "KH", Narrative: "In a case: recruiter +855 12 345 678."})
		plain := w.file("coordinator@hotline", &intake.Submission{Language: "en", Country: "KH", Narrative: "Alone: recruiter +855 12 345 678."})
		theirs := w.file("coordinator@ngo", &intake.Submission{Language: "en", Country: "KH", Narrative: "Theirs: recruiter +855 12 345 678."})
		cw := casework.New(db, w.keys, w.in, slog.New(slog.DiscardHandler))
		caseR, err := cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{referred}, Title: "referred"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{inCase}, Title: "kept"}); err != nil {
			t.Fatal(err)
		}
		if _, err := cw.Refer(ctx, coord, caseR.ID, &casework.ReferralIn{ToOrgID: ngo, Shared: []string{intake.ShareIncidentTypes}}); err != nil {
			t.Fatal(err)
		}
		ids := []string{referred, inCase, plain, theirs, store.NewID()}
		for name, a := range w.actors {
			for _, act := range []auth.Action{auth.ReadReport, auth.ReadLinks, auth.VerifyReport, auth.RevealSealed} {
				got, err := w.in.AuthorizeEach(ctx, a, ids, act)
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range ids {
					_, err := w.in.Authorize(ctx, a, id, act)
					if want := err == nil; (got[id] != nil) != want {
						t.Errorf("%s, %s, report %s: AuthorizeEach says %v, Authorize %v", name, act, id, got[id] != nil, err)
					}
				}
			}
		}
		// GetEach gives each actor the views Get gives, the same to the
		// byte, and leaves out the reports Get refuses.
		for name, a := range w.actors {
			views, err := w.in.GetEach(ctx, a, ids, func(string) bool { return true })
			if err != nil {
				t.Fatal(err)
			}
			bare, err := w.in.GetEach(ctx, a, ids, func(string) bool { return false })
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				v, err := w.in.Get(ctx, a, id)
				if (err == nil) != (views[id] != nil) {
					t.Errorf("%s, report %s: GetEach gives %v, Get %v", name, id, views[id] != nil, err)
					continue
				}
				if err == nil {
					want, _ := json.Marshal(v)
					got, _ := json.Marshal(views[id])
					if string(got) != string(want) {
						t.Errorf("%s, report %s: GetEach's view\n%s\nGet's\n%s", name, id, got, want)
					}
					// Without statements: the same view, less its
					// statements and attachments.
					v.Statements, v.Attachments = nil, nil
					want, _ = json.Marshal(v)
					got, _ = json.Marshal(bare[id])
					if string(got) != string(want) {
						t.Errorf("%s, report %s: GetEach's view without statements\n%s\nwant\n%s", name, id, got, want)
					}
				}
			}
		}
		// What the test is about happens: the partner reads the referred
		// report and no other.
		got, err := w.in.AuthorizeEach(ctx, w.actors["partner@ngo"], ids, auth.ReadReport)
		if err != nil || len(got) != 1 || got[referred] == nil {
			t.Errorf("the partner may read %v, %v; want the referred report alone", got, err)
		}
	})
}
