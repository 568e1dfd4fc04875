package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
)

// owner returns a coordinator of the organisation that owns report id.
func owner(e *env, id string) auth.Actor {
	e.t.Helper()
	r, err := e.db.Read().GetReport(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range e.users {
		if a.OrgID == r.OrgID && a.Role == auth.Coordinator {
			return a
		}
	}
	e.t.Fatalf("no coordinator in the organisation of report %s", id)
	return auth.Actor{}
}

// sibling files another report in the organisation that owns report id
// and returns its id.
func sibling(e *env, id string) string {
	e.t.Helper()
	ack, err := e.intake.Submit(context.Background(), owner(e, id), &intake.Submission{Language: "en", Narrative: "The same story, told again."})
	if err != nil {
		e.t.Fatal(err)
	}
	return ack.ID
}

// dismissed dismisses report id as its owner's coordinator.
func dismissed(e *env, id string) {
	e.t.Helper()
	if _, err := e.casework.Dismiss(context.Background(), owner(e, id), id, &casework.DismissIn{Reason: casework.DismissSpam}); err != nil {
		e.t.Fatal(err)
	}
}

// TestReportActs: merge, dismiss, reopen and add to a case through the API,
// with the answers the document describes, the tracking code shown to staff
// (never the secret) and the reporter's coarse status.
func TestReportActs(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("home", true, auth.Coordinator, auth.Intake, auth.Investigator)
		e.org("away", false, auth.Coordinator)
		ctx := context.Background()
		coord := e.users["coordinator@home.test"]
		submit := func(a auth.Actor) *intake.Ack {
			ack, err := e.intake.Submit(ctx, a, &intake.Submission{Language: "en", Narrative: "My son is held in a compound near Bavet."})
			if err != nil {
				t.Fatal(err)
			}
			return ack
		}
		kept, dup, other, foreign := submit(coord), submit(coord), submit(coord), submit(e.users["coordinator@away.test"])
		const c = "coordinator@home.test"
		track := func(ack *intake.Ack) string {
			res := e.do("", "GET", "/api/v1/track/{code}", "/api/v1/track/"+ack.TrackingCode, nil, "X-Tracking-Secret", ack.Secret)
			var st intake.TrackStatus
			res.decode(t, &st)
			return st.Status
		}

		// Staff see the tracking code, never the secret.
		res := e.do(c, "GET", "/api/v1/reports/{id}", "/api/v1/reports/"+dup.ID, nil)
		var rv intake.ReportView
		res.decode(t, &rv)
		if rv.TrackingCode != dup.TrackingCode {
			t.Errorf("tracking_code = %q, want %q", rv.TrackingCode, dup.TrackingCode)
		}
		if contains(res.body, dup.Secret) {
			t.Errorf("the report's answer holds its secret: %s", res.body)
		}

		tests := []struct {
			name, who, method, pattern, path string
			body                             any
			headers                          []string
			status                           int
			code, field                      string
		}{
			{"merge into nothing", c, "POST", "/api/v1/reports/{id}/merge", "/api/v1/reports/" + dup.ID + "/merge", map[string]string{}, nil, 422, "required", "into"},
			{"merge into itself", c, "POST", "/api/v1/reports/{id}/merge", "/api/v1/reports/" + dup.ID + "/merge", map[string]string{"into": dup.ID}, nil, 422, "invalid", "into"},
			{"merge into another organisation's", c, "POST", "/api/v1/reports/{id}/merge", "/api/v1/reports/" + dup.ID + "/merge", map[string]string{"into": foreign.ID}, nil, 422, "not_found", "into"},
			{"merge another organisation's", c, "POST", "/api/v1/reports/{id}/merge", "/api/v1/reports/" + foreign.ID + "/merge", map[string]string{"into": kept.ID}, nil, 404, "not_found", ""},
			{"an investigator merges", "investigator@home.test", "POST", "/api/v1/reports/{id}/merge", "/api/v1/reports/" + dup.ID + "/merge", map[string]string{"into": kept.ID}, nil, 403, "forbidden", ""},
			{"merge", c, "POST", "/api/v1/reports/{id}/merge", "/api/v1/reports/" + dup.ID + "/merge", map[string]string{"into": kept.ID, "note": "same mother, called twice"}, nil, 200, "", ""},
			{"merge again", c, "POST", "/api/v1/reports/{id}/merge", "/api/v1/reports/" + dup.ID + "/merge", map[string]string{"into": kept.ID}, nil, 422, "merged", "id"},
			{"merge into a merged one", c, "POST", "/api/v1/reports/{id}/merge", "/api/v1/reports/" + other.ID + "/merge", map[string]string{"into": dup.ID}, nil, 422, "merged", "into"},
			{"dismiss without a reason", c, "POST", "/api/v1/reports/{id}/dismiss", "/api/v1/reports/" + other.ID + "/dismiss", map[string]string{"note": "x"}, nil, 422, "required", "reason"},
			{"dismiss with an unknown reason", c, "POST", "/api/v1/reports/{id}/dismiss", "/api/v1/reports/" + other.ID + "/dismiss", map[string]string{"reason": "boring"}, nil, 422, "invalid_value", "reason"},
			{"dismiss", "intake@home.test", "POST", "/api/v1/reports/{id}/dismiss", "/api/v1/reports/" + other.ID + "/dismiss", map[string]string{"reason": "out_of_scope", "note": "a labour dispute in Thailand"}, nil, 200, "", ""},
			{"dismiss again", c, "POST", "/api/v1/reports/{id}/dismiss", "/api/v1/reports/" + other.ID + "/dismiss", map[string]string{"reason": "spam"}, nil, 422, "dismissed", "id"},
			{"reopen one not dismissed", c, "POST", "/api/v1/reports/{id}/reopen", "/api/v1/reports/" + kept.ID + "/reopen", nil, nil, 422, "not_dismissed", "id"},
			{"add to a case nothing", c, "POST", "/api/v1/cases/{id}/reports", "/api/v1/cases/{case}/reports", map[string]string{}, nil, 422, "required", "report_id"},
			{"add a dismissed report", c, "POST", "/api/v1/cases/{id}/reports", "/api/v1/cases/{case}/reports", map[string]string{"report_id": other.ID}, nil, 422, "dismissed", "report_id"},
			{"add with a stale ETag", c, "POST", "/api/v1/cases/{id}/reports", "/api/v1/cases/{case}/reports", map[string]string{"report_id": kept.ID}, []string{"If-Match", `"7"`}, 412, "precondition_failed", "If-Match"},
		}
		cv, err := e.casework.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{sibling(e, kept.ID)}, Title: "Bavet"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			path := replaceCase(tt.path, cv.ID)
			res := e.do(tt.who, tt.method, tt.pattern, path, tt.body, tt.headers...)
			if res.status != tt.status {
				t.Errorf("%s: %d %s, want %d", tt.name, res.status, res.body, tt.status)
				continue
			}
			if tt.code != "" {
				var b struct {
					Error struct{ Code, Field string }
				}
				res.decode(t, &b)
				if b.Error.Code != tt.code || b.Error.Field != tt.field {
					t.Errorf("%s: error %s on %q, want %s on %q", tt.name, b.Error.Code, b.Error.Field, tt.code, tt.field)
				}
			}
		}

		// The duplicate names the report kept; its reporter sees the kept
		// report's status; the dismissed report's reporter reads closed.
		res = e.do(c, "GET", "/api/v1/reports/{id}", "/api/v1/reports/"+dup.ID, nil)
		res.decode(t, &rv)
		if rv.Status != intake.StatusMerged || rv.MergedInto != kept.ID {
			t.Errorf("duplicate: status %s merged_into %q, want merged into %s", rv.Status, rv.MergedInto, kept.ID)
		}
		if got := track(dup); got != intake.StatusReceived {
			t.Errorf("the duplicate's reporter reads %q, want the kept report's received", got)
		}
		if got := track(other); got != intake.StatusClosed {
			t.Errorf("the dismissed report's reporter reads %q, want closed", got)
		}
		// The triage list with status=dismissed finds it.
		res = e.do(c, "GET", "/api/v1/reports", "/api/v1/reports?status=dismissed", nil)
		var pg struct{ Items []intake.ReportView }
		res.decode(t, &pg)
		if len(pg.Items) != 1 || pg.Items[0].ID != other.ID || pg.Items[0].DismissReason != casework.DismissOutOfScope {
			t.Errorf("status=dismissed lists %+v, want %s (out_of_scope)", pg.Items, other.ID)
		}

		// Add the kept report to the case; its reporter then reads
		// in_review, and so does the duplicate's.
		res = e.do(c, "POST", "/api/v1/cases/{id}/reports", "/api/v1/cases/"+cv.ID+"/reports", map[string]string{"report_id": kept.ID}, "If-Match", `"1"`)
		if res.status != http.StatusOK || res.header.Get("ETag") != `"2"` {
			t.Fatalf("add: %d %s (ETag %s)", res.status, res.body, res.header.Get("ETag"))
		}
		if got := track(dup); got != intake.StatusInReview {
			t.Errorf("after the kept report joined a case, the duplicate's reporter reads %q, want in_review", got)
		}
		// Move it to a second case.
		cv2, err := e.casework.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{sibling(e, kept.ID)}, Title: "Bavet 2"})
		if err != nil {
			t.Fatal(err)
		}
		res = e.do(c, "POST", "/api/v1/cases/{id}/reports", "/api/v1/cases/"+cv2.ID+"/reports", map[string]string{"report_id": kept.ID, "from_case_id": cv.ID})
		var moved casework.CaseView
		res.decode(t, &moved)
		if res.status != http.StatusOK || len(moved.ReportIDs) != 2 {
			t.Fatalf("move: %d %s", res.status, res.body)
		}
		got, err := e.casework.Get(ctx, coord, cv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.ReportIDs) != 1 || got.Version != 3 {
			t.Errorf("the case moved out of has reports %v at version %d, want 1 report at version 3", got.ReportIDs, got.Version)
		}

		// Reopen: the dismissed report is back in the queue, the duplicate
		// takes its case's status (none: received).
		for _, id := range []string{other.ID, dup.ID} {
			res = e.do(c, "POST", "/api/v1/reports/{id}/reopen", "/api/v1/reports/"+id+"/reopen", map[string]string{"note": "wrongly set aside"})
			var rv intake.ReportView
			res.decode(t, &rv)
			if res.status != http.StatusOK || rv.Status != intake.StatusReceived || rv.MergedInto != "" || rv.DismissReason != "" {
				t.Errorf("reopen %s: %d %s", id, res.status, res.body)
			}
		}

		// Every act is audited.
		evs, err := e.db.Read().ListAuditEvents(ctx, store.AuditFilter{OrgID: coord.OrgID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, ev := range evs {
			seen[ev.Action]++
		}
		for _, act := range []string{"report.merge", "report.dismiss", "report.reopen", "case.add_report", "case.move_report", "case.remove_report"} {
			if seen[act] == 0 {
				t.Errorf("no %s audit event (have %v)", act, seen)
			}
		}
	})
}

func contains(body []byte, s string) bool { return s != "" && strings.Contains(string(body), s) }

func replaceCase(path, caseID string) string { return strings.Replace(path, "{case}", caseID, 1) }
