package links_test

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// fileAnonymous files a report from the public (to the hotline) and links
// it, leaving it unverified.
func (w *world) fileAnonymous(narrative string) string {
	w.t.Helper()
	ctx := context.Background()
	ack, err := w.in.Submit(ctx, auth.Actor{}, &intake.Submission{Language: "en", Country: "KH", Narrative: narrative})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.runner.Drain(ctx); err != nil {
		w.t.Fatal(err)
	}
	return ack.ID
}

// check is the public check's answer for q, or fails. It asks twice: first
// with whatever the change before left marked for the trust worker (the
// check weighs those reports itself), then after the worker has weighed
// every mark (the check reads the kept assessment); the two must agree, so
// every answer asserted below holds on both paths.
func (w *world) check(q string) *links.CheckAnswer {
	w.t.Helper()
	ctx := context.Background()
	live, err := w.links.Check(ctx, q, "KH")
	if err != nil {
		w.t.Fatalf("check %q: %v", q, err)
	}
	w.weighAll()
	kept, err := w.links.Check(ctx, q, "KH")
	if err != nil {
		w.t.Fatalf("check %q: %v", q, err)
	}
	if !reflect.DeepEqual(live, kept) {
		w.t.Errorf("check %q: weighed now %+v, kept %+v", q, live, kept)
	}
	// An answer from reports or protection came from the kept row.
	if kept.Reported || kept.UnverifiedReports != links.BandNone || kept.Legitimate {
		if row, ok, err := w.db.Read().KeptCheck(ctx, w.keys.BlindIndex(kept.Kind, kept.Value)); err != nil || !ok || row == nil {
			w.t.Errorf("check %q: no kept row after weighing (%v)", q, err)
		}
	}
	return kept
}

// weighAll runs the trust worker until nothing is marked.
func (w *world) weighAll() {
	w.t.Helper()
	ctx := context.Background()
	for {
		n, err := w.links.WeighPending(ctx)
		if err != nil {
			w.t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if n, err := w.db.Read().CountPendingTrust(ctx); err != nil || n != 0 {
		w.t.Fatalf("after weighing: %d marks left, %v", n, err)
	}
}

// TestCheckTrust: anonymous reports alone no longer make a number
// "reported"; a burst of them is held and flagged to staff; a case or a
// verified mark makes a report count; a protected number answers
// legitimate whatever reports say; a number marked wrongly reported
// answers as never reported until the mark is taken back.
func TestCheckTrust(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		coord, inv := w.actors["coordinator@hotline"], w.actors["investigator@hotline"]
		const smear = "The recruiter called from +855 12 888 001 and promised a job in Sihanoukville."

		// Three anonymous reports in a minute: before, "reported, few".
		var ids []string
		for range 3 {
			ids = append(ids, w.fileAnonymous(smear))
		}
		ans := w.check("+855 12 888 001")
		if ans.Reported || ans.Band != links.BandNone || ans.UnverifiedReports != links.BandNone || ans.Legitimate {
			t.Errorf("three anonymous reports: %+v; want not reported, no unverified band (a held burst)", ans)
		}
		if n, err := w.links.ReportsFor(ctx, ans.Kind, ans.Value); err != nil || n != 0 {
			t.Errorf("the lure check's look-up counts %d, %v; want 0", n, err)
		}
		// Staff see the burst flagged on the identifier.
		idv, err := w.links.ReportIdentifiers(ctx, inv, ids[0])
		if err != nil || len(idv) != 1 || !idv[0].Held {
			t.Fatalf("staff view of the burst: %+v, %v; want one identifier, held", idv, err)
		}
		identifier := idv[0].ID

		// A case makes its report verified.
		cw := casework.New(db, w.keys, w.in, slog.New(slog.DiscardHandler))
		if _, err := cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{ids[0]}, Title: "recruiter"}); err != nil {
			t.Fatal(err)
		}
		ans = w.check("012 888 001")
		if !ans.Reported || ans.Band != links.BandFew || ans.FirstSeen == "" {
			t.Errorf("a report in a case: %+v; want reported, few", ans)
		}
		if idv, _ := w.links.ReportIdentifiers(ctx, inv, ids[0]); len(idv) != 1 || idv[0].Held {
			t.Errorf("a verified report still leaves the identifier held: %+v", idv)
		}
		// So does a verified mark; taking it back undoes it.
		for _, v := range []bool{true, false} {
			vv, err := w.links.SetVerified(ctx, inv, ids[1], &links.VerifyIn{Verified: v})
			if err != nil || vv.Verified != v || vv.InCase {
				t.Fatalf("verify %v: %+v, %v", v, vv, err)
			}
		}
		if _, err := w.links.SetVerified(ctx, w.actors["coordinator@ngo"], ids[1], &links.VerifyIn{Verified: true}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation verifies a report: %v, want not found", err)
		}
		if _, err := w.links.SetVerified(ctx, w.actors["intake@hotline"], ids[1], &links.VerifyIn{Verified: true}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("intake staff verify a report: %v, want forbidden", err)
		}

		// Wrongly reported: answers as never reported, until taken back.
		if _, err := w.links.SetWronglyReported(ctx, inv, identifier, &links.WronglyReportedIn{WronglyReported: true, Reason: "x"}); err == nil {
			t.Error("a mark without a reason was taken")
		}
		if _, err := w.links.SetWronglyReported(ctx, w.actors["coordinator@ngo"], identifier, &links.WronglyReportedIn{WronglyReported: true, Reason: "our hotline"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an organisation with no report naming it marks it: %v, want not found", err)
		}
		for _, tc := range []struct {
			mark     bool
			reported bool
		}{{true, false}, {false, true}} {
			if _, err := w.links.SetWronglyReported(ctx, inv, identifier, &links.WronglyReportedIn{WronglyReported: tc.mark, Reason: "the number of the shelter in Poipet"}); err != nil {
				t.Fatal(err)
			}
			if ans := w.check("+855 12 888 001"); ans.Reported != tc.reported || (ans.Band != links.BandNone) != tc.reported {
				t.Errorf("wrongly reported %v: %+v; want reported %v", tc.mark, ans, tc.reported)
			}
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{ResourceType: "identifier", ResourceID: identifier, Limit: 10})
		if err != nil || len(evs) != 2 || evs[0].Reason != "" || len(evs[0].SealedReason) == 0 {
			t.Errorf("the marks' audit events: %d, %v; want two, their reasons sealed", len(evs), err)
		}

		// Protected: legitimate, and reports do not move it.
		pv, err := w.links.Protect(ctx, coord, &links.ProtectIn{Value: "012 888 002", Country: "KH", Note: "our hotline"})
		if err != nil || pv.Value != "+85512888002" || pv.Kind != "phone" {
			t.Fatalf("protect: %+v, %v", pv, err)
		}
		for range 6 {
			id := w.fileAnonymous("The recruiter called from +855 12 888 002 and promised a job in Sihanoukville.")
			if _, err := w.links.SetVerified(ctx, coord, id, &links.VerifyIn{Verified: true}); err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range []string{"+855 12 888 002", "0128 88 002"} {
			if ans := w.check(q); !ans.Legitimate || ans.Reported || ans.Band != links.BandNone || ans.UnverifiedReports != links.BandNone {
				t.Errorf("a protected number after six verified reports: %+v; want legitimate, no bands", ans)
			}
		}
		if n, err := w.links.ReportsFor(ctx, "phone", "+85512888002"); err != nil || n != 0 {
			t.Errorf("the lure check counts %d reports for a protected number, %v", n, err)
		}
		if _, err := w.links.Protect(ctx, coord, &links.ProtectIn{Value: "+855 12 888 002"}); !isField(err, "value") {
			t.Errorf("the same number again: %v, want a refusal naming value", err)
		}
		for _, in := range []*links.ProtectIn{{Value: ""}, {Value: "hello there"}, {Value: "+855 12 888 003", Country: "XX"}, {Value: "+855 12 888 003", Note: strings.Repeat("n", 501)}} {
			if _, err := w.links.Protect(ctx, coord, in); err == nil {
				t.Errorf("protect %+v was taken", in)
			}
		}
		if _, err := w.links.Protect(ctx, inv, &links.ProtectIn{Value: "+855 12 888 004"}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("an investigator protects a number: %v, want forbidden", err)
		}
		list, err := w.links.ListProtected(ctx, coord)
		if err != nil || len(list) != 1 || list[0].ID != pv.ID || list[0].Note != "our hotline" {
			t.Errorf("list: %+v, %v", list, err)
		}
		if other, err := w.links.ListProtected(ctx, w.actors["coordinator@ngo"]); err != nil || len(other) != 0 {
			t.Errorf("another organisation lists %+v, %v", other, err)
		}
		if err := w.links.Unprotect(ctx, w.actors["coordinator@ngo"], pv.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation removes it: %v, want not found", err)
		}
		if err := w.links.Unprotect(ctx, coord, pv.ID); err != nil {
			t.Fatal(err)
		}
		if ans := w.check("+855 12 888 002"); ans.Legitimate || ans.Band != links.BandMany {
			t.Errorf("after removing the protection: %+v; want many verified reports", ans)
		}
	})
}

func isField(err error, field string) bool {
	e, ok := invalid.As(err)
	return ok && e.Field == field
}
