package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
)

// publicReport is the document other clients post (issue #2).
const publicReport = `{"language":"km","narrative":"They took my passport in the compound.","incident_types":["deceptive_recruitment","confinement"],
"reporter":{"name":"Reporter Name","contact":"+85512000000"},"victims":[{"name":"Victim Name","nationality":"KH","still_held":true}],
"places":[{"name":"Sihanoukville"}]}`

// TestReferralFlow is the "done when": a report posted by the
// public comes back to an investigator, becomes a case, is referred to a
// partner who sees it and responds, while another partner gets 404.
func TestReferralFlow(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Investigator, auth.Intake, auth.Coordinator)
		e.org("police", false, auth.Partner)
		e.org("embassy", false, auth.Partner)

		res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport)
		if res.status != http.StatusCreated {
			t.Fatalf("submit: %d %s", res.status, res.body)
		}
		var ack intake.Ack
		res.decode(t, &ack)
		if ack.ID == "" || !strings.HasPrefix(ack.TrackingCode, "VG-") || len(ack.Secret) < 20 {
			t.Fatalf("ack = %+v", ack)
		}

		res = e.do("", "GET", "/api/v1/track/{code}", "/api/v1/track/"+ack.TrackingCode, nil, "X-Tracking-Secret", ack.Secret)
		if res.status != 200 || !strings.Contains(string(res.body), `"received"`) || strings.Contains(string(res.body), "passport") {
			t.Fatalf("track: %d %s", res.status, res.body)
		}
		if res := e.do("", "GET", "/api/v1/track/{code}", "/api/v1/track/"+ack.TrackingCode, nil, "X-Tracking-Secret", "wrong"); res.status != 404 {
			t.Errorf("track with wrong secret: %d, want 404", res.status)
		}

		res = e.do("investigator@hotline.test", "GET", "/api/v1/reports/{id}", "/api/v1/reports/"+ack.ID, nil)
		var rv intake.ReportView
		res.decode(t, &rv)
		if res.status != 200 || len(rv.Statements) != 1 || rv.Statements[0].Versions[0].Text != "They took my passport in the compound." || !rv.Urgent {
			t.Fatalf("investigator read: %d %s", res.status, res.body)
		}
		if strings.Contains(string(res.body), "Victim Name") || strings.Contains(string(res.body), "Reporter Name") {
			t.Errorf("sealed value in report view: %s", res.body)
		}

		res = e.do("intake@hotline.test", "POST", "/api/v1/cases", "/api/v1/cases", map[string]any{"report_ids": []string{ack.ID}, "title": "Passport taken, Sihanoukville"})
		var cv casework.CaseView
		res.decode(t, &cv)
		if res.status != 201 || cv.Urgency != casework.UrgencyCritical || cv.Status != casework.StatusNew {
			t.Fatalf("create case: %d %s", res.status, res.body)
		}
		caseURL := "/api/v1/cases/" + cv.ID
		inv := e.users["investigator@hotline.test"]
		body := map[string]any{"assignee_id": inv.UserID}
		if res := e.do("intake@hotline.test", "PATCH", "/api/v1/cases/{id}", caseURL, body); res.status != 428 {
			t.Errorf("assign without If-Match: %d, want 428", res.status)
		}
		if res := e.do("intake@hotline.test", "PATCH", "/api/v1/cases/{id}", caseURL, body, "If-Match", `"1"`); res.status != 200 {
			t.Fatalf("assign: %d %s", res.status, res.body)
		}
		if res := e.do("intake@hotline.test", "PATCH", "/api/v1/cases/{id}", caseURL, body, "If-Match", `"1"`); res.status != 412 {
			t.Errorf("assign with stale ETag: %d, want 412", res.status)
		}
		res = e.do("investigator@hotline.test", "PATCH", "/api/v1/cases/{id}", caseURL, map[string]any{"status": "closed"}, "If-Match", `"2"`)
		if res.status != 200 {
			t.Fatalf("investigator closes: %d %s", res.status, res.body)
		}
		// Reopening a closed case needs a reason, and is audited (issue 11).
		res = e.do("investigator@hotline.test", "PATCH", "/api/v1/cases/{id}", caseURL, map[string]any{"status": "in_progress"}, "If-Match", `"3"`)
		if res.status != 422 || !strings.Contains(string(res.body), `"field":"reason"`) {
			t.Errorf("reopening a closed case without a reason: %d %s, want 422 naming reason", res.status, res.body)
		}
		res = e.do("investigator@hotline.test", "PATCH", "/api/v1/cases/{id}", caseURL, map[string]any{"status": "resolved", "reason": "x"}, "If-Match", `"3"`)
		if res.status != 422 || res.errorCode() != "invalid_transition" {
			t.Errorf("closed to resolved: %d %s, want 422 invalid_transition", res.status, res.body)
		}
		res = e.do("investigator@hotline.test", "PATCH", "/api/v1/cases/{id}", caseURL, map[string]any{"status": "in_progress", "reason": "She called again: still held"}, "If-Match", `"3"`)
		if res.status != 200 || !strings.Contains(string(res.body), `"in_progress"`) {
			t.Fatalf("reopening with a reason: %d %s", res.status, res.body)
		}
		res = e.do("", "GET", "/api/v1/track/{code}", "/api/v1/track/"+ack.TrackingCode, nil, "X-Tracking-Secret", ack.Secret)
		if !strings.Contains(string(res.body), `"in_review"`) {
			t.Errorf("tracking after reopening: %s, want in_review", res.body)
		}
		evs, err := audit.List(context.Background(), e.db.Read(), e.keys, e.users["coordinator@hotline.test"], store.AuditFilter{Action: "case.reopen", ResourceID: cv.ID})
		if err != nil || len(evs) != 1 || evs[0].Reason != "She called again: still held" || evs[0].ActorID != inv.UserID {
			t.Errorf("case.reopen audit: %d events (%v), want 1 by the investigator with the reason", len(evs), err)
		}

		// A second case for the referral.
		const internalTitle = "Nguyen Van A held in KK Park"
		res = e.do("intake@hotline.test", "POST", "/api/v1/cases", "/api/v1/cases", map[string]any{"report_ids": []string{ack.ID}, "title": internalTitle})
		res.decode(t, &cv)
		caseURL = "/api/v1/cases/" + cv.ID
		res = e.do("intake@hotline.test", "POST", "/api/v1/cases/{id}/referrals", caseURL+"/referrals",
			map[string]any{"to_org_id": e.orgs["police"], "shared": []string{"places", "statements"}, "note": "please verify"})
		var ref casework.ReferralView
		res.decode(t, &ref)
		if res.status != 201 || ref.Status != "pending" {
			t.Fatalf("refer: %d %s", res.status, res.body)
		}

		res = e.do("partner@police.test", "GET", "/api/v1/cases/{id}", caseURL, nil)
		if res.status != 200 {
			t.Fatalf("police reads referred case: %d %s", res.status, res.body)
		}
		// The internal title often holds a name: a partner never sees it
		// (issue 11), in the case or the list.
		list := e.do("partner@police.test", "GET", "/api/v1/cases", "/api/v1/cases", nil)
		if strings.Contains(string(res.body), internalTitle) || strings.Contains(string(list.body), internalTitle) || list.status != 200 {
			t.Errorf("the partner sees the internal title: %s / %d %s", res.body, list.status, list.body)
		}
		var pv casework.CaseView
		res.decode(t, &pv)
		// No partner title was written: the partner sees the neutral one.
		if neutral := "Case " + cv.ID[len(cv.ID)-8:]; pv.Title != neutral {
			t.Errorf("the partner sees title %q; want the neutral %q", pv.Title, neutral)
		}
		r0 := pv.Reports[0]
		if len(r0.Places) != 1 || len(r0.Statements) != 1 || r0.IncidentTypes != nil || r0.Victims != nil || r0.TrackingCode != "" || pv.AssigneeID != "" {
			t.Errorf("police sees more or less than shared: %s", res.body)
		}
		if res := e.do("partner@police.test", "GET", "/api/v1/cases", "/api/v1/cases", nil); !strings.Contains(string(res.body), cv.ID) {
			t.Errorf("police case list lacks the referred case: %s", res.body)
		}
		if res := e.do("partner@police.test", "POST", "/api/v1/reports/{id}/reveal", "/api/v1/reports/"+ack.ID+"/reveal", map[string]string{"reason": "find the victim"}); res.status != 403 {
			t.Errorf("police reveal without shared identity: %d, want 403", res.status)
		}
		for _, path := range []string{caseURL, "/api/v1/reports/" + ack.ID, "/api/v1/referrals/" + ref.ID} {
			pattern := map[bool]string{true: "/api/v1/cases/{id}", false: ""}[strings.HasPrefix(path, "/api/v1/cases")]
			if pattern == "" {
				pattern = map[bool]string{true: "/api/v1/reports/{id}", false: "/api/v1/referrals/{id}"}[strings.HasPrefix(path, "/api/v1/reports")]
			}
			if res := e.do("partner@embassy.test", "GET", pattern, path, nil); res.status != 404 {
				t.Errorf("embassy reads %s: %d, want 404", path, res.status)
			}
		}
		if res := e.do("partner@embassy.test", "POST", "/api/v1/referrals/{id}/response", "/api/v1/referrals/"+ref.ID+"/response", map[string]string{"status": "accepted"}); res.status != 404 {
			t.Errorf("embassy responds: %d, want 404", res.status)
		}
		res = e.do("partner@police.test", "POST", "/api/v1/referrals/{id}/response", "/api/v1/referrals/"+ref.ID+"/response",
			map[string]string{"status": "accepted", "response": "A unit will visit the site on Friday."})
		if res.status != 200 {
			t.Fatalf("police responds: %d %s", res.status, res.body)
		}
		res = e.do("intake@hotline.test", "GET", "/api/v1/cases/{id}", caseURL, nil)
		if !strings.Contains(string(res.body), "A unit will visit the site on Friday.") {
			t.Errorf("hotline does not see the response: %s", res.body)
		}
		res = e.do("", "GET", "/api/v1/track/{code}", "/api/v1/track/"+ack.TrackingCode, nil, "X-Tracking-Secret", ack.Secret)
		if !strings.Contains(string(res.body), `"referred"`) {
			t.Errorf("tracking after referral: %s", res.body)
		}

		// The referrer writes the title the partner sees (issue 11): given,
		// it is checked like other free text.
		referrals := caseURL + "/referrals"
		for _, bad := range []string{"   ", strings.Repeat("x", 201), "a\x00b"} {
			res = e.do("intake@hotline.test", "POST", "/api/v1/cases/{id}/referrals", referrals,
				map[string]any{"to_org_id": e.orgs["embassy"], "shared": []string{"places"}, "partner_title": bad})
			if res.status != 422 || !strings.Contains(string(res.body), `"field":"partner_title"`) {
				t.Errorf("partner title %q: %d %s; want 422 naming partner_title", bad, res.status, res.body)
			}
		}
		const partnerTitle = "Passport held, Sihanoukville compound"
		res = e.do("intake@hotline.test", "POST", "/api/v1/cases/{id}/referrals", referrals,
			map[string]any{"to_org_id": e.orgs["embassy"], "shared": []string{"places"}, "partner_title": "  " + partnerTitle + " "})
		var eref casework.ReferralView
		res.decode(t, &eref)
		if res.status != 201 || eref.PartnerTitle != partnerTitle {
			t.Fatalf("refer with a partner title: %d %s", res.status, res.body)
		}
		res = e.do("partner@embassy.test", "GET", "/api/v1/cases/{id}", caseURL, nil)
		res.decode(t, &pv)
		list = e.do("partner@embassy.test", "GET", "/api/v1/cases", "/api/v1/cases", nil)
		var pl struct {
			Items []casework.CaseView `json:"items"`
		}
		list.decode(t, &pl)
		if res.status != 200 || pv.Title != partnerTitle || len(pl.Items) != 1 || pl.Items[0].Title != partnerTitle {
			t.Errorf("the embassy sees %d %q, listed %s; want the partner title %q", res.status, pv.Title, list.body, partnerTitle)
		}
		if strings.Contains(string(res.body), internalTitle) || strings.Contains(string(list.body), internalTitle) {
			t.Errorf("the embassy sees the internal title: %s / %s", res.body, list.body)
		}
		// Each partner sees the title written for its own organisation.
		res = e.do("partner@police.test", "GET", "/api/v1/cases/{id}", caseURL, nil)
		if strings.Contains(string(res.body), partnerTitle) || strings.Contains(string(res.body), internalTitle) {
			t.Errorf("the police sees another partner's or the internal title: %s", res.body)
		}
	})
}

// TestRevealIsAudited: sealed fields come back only through reveal, with a
// reason, and each reveal is an audit event.
func TestRevealIsAudited(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Investigator, auth.Intake, auth.Coordinator)
		res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport)
		var ack intake.Ack
		res.decode(t, &ack)
		path := "/api/v1/reports/" + ack.ID + "/reveal"
		if res := e.do("investigator@hotline.test", "POST", "/api/v1/reports/{id}/reveal", path, map[string]string{"reason": ""}); res.status != 422 {
			t.Errorf("reveal without reason: %d, want 422", res.status)
		}
		if res := e.do("intake@hotline.test", "POST", "/api/v1/reports/{id}/reveal", path, map[string]string{"reason": "call back the reporter"}); res.status != 403 {
			t.Errorf("intake reveals: %d, want 403", res.status)
		}
		res = e.do("investigator@hotline.test", "POST", "/api/v1/reports/{id}/reveal", path, map[string]string{"reason": "call back the reporter"})
		if res.status != 200 || !strings.Contains(string(res.body), "Victim Name") || !strings.Contains(string(res.body), "+85512000000") {
			t.Fatalf("reveal: %d %s", res.status, res.body)
		}
		res = e.do("coordinator@hotline.test", "GET", "/api/v1/audit", "/api/v1/audit?action=report.reveal&resource_id="+ack.ID, nil)
		if !strings.Contains(string(res.body), "call back the reporter") || strings.Count(string(res.body), `"report.reveal"`) != 1 {
			t.Errorf("audit of reveal: %s", res.body)
		}
	})
}

// TestRecantationStandsBeside: a recantation and a correction add, never
// edit; the history keeps every version.
func TestRecantationStandsBeside(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Investigator)
		res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport)
		var ack intake.Ack
		res.decode(t, &ack)
		base := "/api/v1/reports/" + ack.ID
		var rv intake.ReportView
		e.do("investigator@hotline.test", "GET", "/api/v1/reports/{id}", base, nil).decode(t, &rv)
		first := rv.Statements[0].ID
		res = e.do("investigator@hotline.test", "POST", "/api/v1/reports/{id}/statements", base+"/statements",
			map[string]string{"kind": "recantation", "recants_id": first, "language": "km", "text": "I was never held.", "taken_by": "police", "circumstances": "in the compound office"})
		if res.status != 201 {
			t.Fatalf("recant: %d %s", res.status, res.body)
		}
		res = e.do("investigator@hotline.test", "POST", "/api/v1/reports/{id}/statements/{sid}/versions", base+"/statements/"+first+"/versions", map[string]string{"text": "They took my passport and my phone."})
		if res.status != 201 {
			t.Fatalf("correct: %d %s", res.status, res.body)
		}
		if res := e.do("investigator@hotline.test", "POST", "/api/v1/reports/{id}/statements", base+"/statements", map[string]string{"kind": "recantation", "language": "km", "text": "x"}); res.status != 422 {
			t.Errorf("recantation without recants_id: %d, want 422", res.status)
		}
		e.do("investigator@hotline.test", "GET", "/api/v1/reports/{id}", base, nil).decode(t, &rv)
		if len(rv.Statements) != 2 {
			t.Fatalf("statements: %d, want 2", len(rv.Statements))
		}
		orig := rv.Statements[0]
		if len(orig.Versions) != 2 || orig.Versions[0].Text != "They took my passport in the compound." || orig.Versions[1].Text != "They took my passport and my phone." {
			t.Errorf("original statement history: %+v", orig.Versions)
		}
		if rv.Statements[1].Kind != "recantation" || rv.Statements[1].RecantsID != first || rv.Statements[1].Circumstances != "in the compound office" {
			t.Errorf("recantation: %+v", rv.Statements[1])
		}
	})
}

// TestErasure: destroying a report's data key leaves the rest consistent.
func TestErasure(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Coordinator, auth.Investigator)
		res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport)
		var ack intake.Ack
		res.decode(t, &ack)
		base := "/api/v1/reports/" + ack.ID
		e.do("coordinator@hotline.test", "POST", "/api/v1/cases", "/api/v1/cases", map[string]any{"report_ids": []string{ack.ID}, "title": "x"})
		if res := e.do("investigator@hotline.test", "POST", "/api/v1/reports/{id}/erase", base+"/erase", map[string]string{"reason": "reporter asked"}); res.status != 403 {
			t.Errorf("investigator erases: %d, want 403", res.status)
		}
		if res := e.do("coordinator@hotline.test", "POST", "/api/v1/reports/{id}/erase", base+"/erase", map[string]string{"reason": "the reporter asked us to"}); res.status != 204 {
			t.Fatalf("erase: %d %s", res.status, res.body)
		}
		res = e.do("investigator@hotline.test", "GET", "/api/v1/reports/{id}", base, nil)
		var rv intake.ReportView
		res.decode(t, &rv)
		if res.status != 200 || !rv.Erased || rv.HasSealed || len(rv.Statements) != 1 || rv.Statements[0].Versions[0].Text != "" || len(rv.CaseIDs) != 1 {
			t.Errorf("erased report: %d %s", res.status, res.body)
		}
		if res := e.do("investigator@hotline.test", "POST", "/api/v1/reports/{id}/reveal", base+"/reveal", map[string]string{"reason": "after erasure"}); res.status != 404 {
			t.Errorf("reveal after erasure: %d, want 404", res.status)
		}
		if res := e.do("investigator@hotline.test", "POST", "/api/v1/reports/{id}/statements", base+"/statements", map[string]string{"kind": "note", "language": "en", "text": "x"}); res.status != 422 {
			t.Errorf("statement after erasure: %d, want 422", res.status)
		}
		if res := e.do("investigator@hotline.test", "GET", "/api/v1/reports", "/api/v1/reports", nil); res.status != 200 {
			t.Errorf("list after erasure: %d", res.status)
		}
	})
}

// TestBadInput: every malformed request gets a 4xx naming the field, and
// nothing already stored is lost.
func TestBadInput(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Investigator)
		long := strings.Repeat("x", intake.MaxNarrative+1)
		tests := []struct {
			name   string
			body   string
			status int
			field  string
		}{
			{"malformed", `{"language":"en",`, 400, ""},
			{"not an object", `[1,2]`, 400, ""},
			{"unknown field", `{"language":"en","narrative":"x","passport_scan":"…"}`, 400, "passport_scan"},
			{"wrong type", `{"language":"en","narrative":"x","victims":[{},{"still_held":"yes"}]}`, 400, "victims[1].still_held"},
			{"wrong type nested", `{"language":"en","narrative":"x","places":"Bavet"}`, 400, "places"},
			{"invalid utf8", "{\"language\":\"en\",\"narrative\":\"ok\",\"reporter\":{\"name\":\"a\xffb\"}}", 400, "reporter.name"},
			{"empty", ``, 400, ""},
			{"two values", `{"language":"en","narrative":"x"} {}`, 400, ""},
			{"missing narrative", `{"language":"en"}`, 422, "narrative"},
			{"bad language", `{"language":"not a tag","narrative":"x"}`, 422, "language"},
			{"bad enum", `{"language":"en","narrative":"x","incident_types":["abduction_by_aliens"]}`, 422, "incident_types[0]"},
			{"bad nationality", `{"language":"en","narrative":"x","victims":[{"nationality":"XX"}]}`, 422, "victims[0].nationality"},
			{"too long", `{"language":"en","narrative":"` + long + `"}`, 422, "narrative"},
			{"too many victims", `{"language":"en","narrative":"x","victims":[` + strings.Repeat(`{},`, 50) + `{}]}`, 422, "victims"},
			{"nul", `{"language":"en","narrative":"a\u0000b"}`, 422, "narrative"},
			{"too large", `{"language":"en","narrative":"` + strings.Repeat("y", 1<<20) + `"}`, 413, ""},
		}
		res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport)
		var ack intake.Ack
		res.decode(t, &ack)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", tt.body)
				var eb struct {
					Error struct{ Code, Message, Field string }
				}
				res.decode(t, &eb)
				if res.status != tt.status || eb.Error.Field != tt.field || eb.Error.Message == "" {
					t.Errorf("got %d field %q (%s), want %d field %q", res.status, eb.Error.Field, res.body, tt.status, tt.field)
				}
			})
		}
		if res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", `{}`, "Content-Type", "application/xml"); res.status != 415 {
			t.Errorf("xml: %d, want 415", res.status)
		}
		for _, q := range []string{"limit=0", "limit=abc", "limit=501", "urgent=maybe", "incident_type=nope", "status=nope"} {
			if res := e.do("investigator@hotline.test", "GET", "/api/v1/reports", "/api/v1/reports?"+q, nil); res.status != 422 {
				t.Errorf("?%s: %d, want 422", q, res.status)
			}
		}
		res = e.do("investigator@hotline.test", "GET", "/api/v1/reports/{id}", "/api/v1/reports/"+ack.ID, nil)
		if res.status != 200 {
			t.Errorf("the report accepted before the bad input is gone: %d", res.status)
		}
	})
}

// TestPaging walks a list with ?limit and next_cursor.
func TestPaging(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Investigator)
		for i := 0; i < 5; i++ {
			e.do("", "POST", "/api/v1/reports", "/api/v1/reports", fmt.Sprintf(`{"language":"en","narrative":"report %d"}`, i))
		}
		seen := map[string]bool{}
		path := "/api/v1/reports?limit=2"
		for pages := 0; pages < 10; pages++ {
			var p struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				NextCursor string `json:"next_cursor"`
			}
			e.do("investigator@hotline.test", "GET", "/api/v1/reports", path, nil).decode(t, &p)
			for _, it := range p.Items {
				if seen[it.ID] {
					t.Fatalf("report %s on two pages", it.ID)
				}
				seen[it.ID] = true
			}
			if p.NextCursor == "" {
				break
			}
			path = "/api/v1/reports?limit=2&cursor=" + p.NextCursor
		}
		if len(seen) != 5 {
			t.Errorf("paged %d reports, want 5", len(seen))
		}
	})
}
