package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
)

// TestCaseNotesAPI adds, lists and edits a case's notes through the API,
// with the answers the document describes; a partner the case is referred
// to reads none. And a report entered by staff by phone, with its contact
// date, then a statement taken by phone.
func TestCaseNotesAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("home", true, auth.Coordinator, auth.Intake, auth.Investigator)
		e.org("police", false, auth.Partner)
		ctx := context.Background()
		coord := e.users["coordinator@home.test"]
		const notes = "/api/v1/cases/{id}/notes"
		const note = "/api/v1/cases/{id}/notes/{note}"

		// Staff intake by phone through the API.
		r := e.do("intake@home.test", "POST", "/api/v1/reports", "/api/v1/reports",
			map[string]any{"language": "km", "channel": "letter", "contacted_on": "2026-01-03", "narrative": "A letter from the mother."})
		if r.status != http.StatusCreated {
			t.Fatalf("staff intake: %d %s", r.status, r.body)
		}
		var ack intake.Ack
		r.decode(t, &ack)
		if bad := e.do("intake@home.test", "POST", "/api/v1/reports", "/api/v1/reports",
			map[string]any{"language": "km", "channel": "phone", "contacted_on": "03/01/2026", "narrative": "n"}); bad.status != http.StatusUnprocessableEntity || !strings.Contains(string(bad.body), `"contacted_on"`) {
			t.Errorf("a bad contact date: %d %s; want 422 naming contacted_on", bad.status, bad.body)
		}
		rv := e.do("coordinator@home.test", "GET", "/api/v1/reports/{id}", "/api/v1/reports/"+ack.ID, nil)
		for _, want := range []string{`"channel":"letter"`, `"contacted_on":"2026-01-03"`, `"created_by":"` + e.users["intake@home.test"].UserID + `"`} {
			if !strings.Contains(string(rv.body), want) {
				t.Errorf("the staff-entered report lacks %s: %s", want, rv.body)
			}
		}
		st := e.do("investigator@home.test", "POST", "/api/v1/reports/{id}/statements", "/api/v1/reports/"+ack.ID+"/statements",
			map[string]string{"kind": "testimony", "language": "km", "text": "The mother called.", "channel": "phone"})
		if st.status != http.StatusCreated || !strings.Contains(string(st.body), `"taken_by_user":"`+e.users["investigator@home.test"].UserID+`"`) {
			t.Errorf("staff statement: %d %s", st.status, st.body)
		}

		c, err := e.casework.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{ack.ID}, Title: "Letter"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.casework.Refer(ctx, coord, c.ID, &casework.ReferralIn{ToOrgID: e.orgs["police"], Shared: intake.ShareableFields}); err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/cases/" + c.ID + "/notes"
		if r := e.do("coordinator@home.test", "POST", notes, path, map[string]string{"text": ""}); r.status != http.StatusUnprocessableEntity || r.errorCode() != "required" {
			t.Errorf("an empty note: %d %s", r.status, r.body)
		}
		r = e.do("coordinator@home.test", "POST", notes, path, map[string]string{"text": "Spoke to zqxnote."})
		if r.status != http.StatusCreated || r.header.Get("ETag") != `"1"` {
			t.Fatalf("add note: %d %s (ETag %s)", r.status, r.body, r.header.Get("ETag"))
		}
		var n casework.NoteView
		r.decode(t, &n)
		edit := path + "/" + n.ID
		if r := e.do("investigator@home.test", "PUT", note, edit, map[string]string{"text": "x"}); r.status != http.StatusForbidden {
			t.Errorf("a colleague edits the note: %d %s", r.status, r.body)
		}
		r = e.do("coordinator@home.test", "PUT", note, edit, map[string]string{"text": "Spoke to zqxnote twice."}, "If-Match", `"1"`)
		if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
			t.Fatalf("edit note: %d %s", r.status, r.body)
		}
		if r := e.do("coordinator@home.test", "PUT", note, edit, map[string]string{"text": "late"}, "If-Match", `"1"`); r.status != http.StatusPreconditionFailed {
			t.Errorf("a stale edit: %d %s", r.status, r.body)
		}
		var list struct {
			Items []casework.NoteView `json:"items"`
		}
		e.do("intake@home.test", "GET", notes, path, nil).decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].Text != "Spoke to zqxnote twice." || len(list.Items[0].Versions) != 2 || list.Items[0].Versions[0].Text != "Spoke to zqxnote." {
			t.Errorf("notes = %+v", list.Items)
		}
		if r := e.do("partner@police.test", "GET", notes, path, nil); r.status != http.StatusOK || strings.Contains(string(r.body), "zqxnote") {
			t.Errorf("partner lists the notes: %d %s; want none (none was shared)", r.status, r.body)
		}
		if r := e.do("partner@police.test", "GET", "/api/v1/cases/{id}", "/api/v1/cases/"+c.ID, nil); r.status != 200 || strings.Contains(string(r.body), "zqxnote") {
			t.Errorf("partner case view: %d, holds a note or the statement's taker", r.status)
		}
		if r := e.do("partner@police.test", "GET", "/api/v1/reports/{id}", "/api/v1/reports/"+ack.ID, nil); r.status != 200 || strings.Contains(string(r.body), "taken_by_user") || strings.Contains(string(r.body), "created_by") {
			t.Errorf("partner report view: %d %s; want no staff member named", r.status, r.body)
		}
	})
}
