package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/ingest"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/intake/intaketest"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/views"
	"github.com/vigil-project/vigil/internal/webhooks"
)

type scope string

const (
	own      scope = "own"      // the actor's organisation owns the resource
	other    scope = "other"    // another organisation owns it; not referred to the actor's
	referred scope = "referred" // another organisation owns it and referred it to the actor's
)

var allScopes = []scope{own, other, referred}

// allowed is the access matrix, written out by hand from DESIGN.md's table
// of who may see what (not computed from auth.Can): for each route, the
// scopes each role may act in. A role missing from a row is denied
// everywhere. Routes without a resource in the path are tried once (as own).
//
// Organisations are the instance operator's to create, not an
// organisation's admin's. An admin lists and manages its own organisation's
// accounts only; the operator lists none (it creates a first admin:
// TestOperatorAccounts) and its audit view is the organisation-management
// events. Everyone but an integration account lists and makes its own
// tokens; the token revoked in the matrix belongs to an integration account
// of the scope's organisation: only that organisation's admin revokes it.
var allowed = map[string]map[auth.Role][]scope{
	// Signed in, posting a report registers it for the actor's organisation:
	// intake's and coordinators' work, and integration accounts' (another
	// system's staff intake). Anyone may still report anonymously.
	"POST /api/v1/reports":                                {auth.Coordinator: {own}, auth.Intake: {own}, auth.Integration: {own}},
	"GET /api/v1/track/{code}":                            everyone(allScopes),
	"GET /api/v1/track/{code}/receipt":                    everyone(allScopes),
	"GET /api/v1/track/{code}/messages":                   everyone(allScopes),
	"POST /api/v1/track/{code}/messages":                  everyone(allScopes),
	"GET /api/v1/reports":                                 {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"GET /api/v1/reports/{id}":                            {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {referred}},
	"POST /api/v1/reports/{id}/reveal":                    {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Partner: {referred}},
	"POST /api/v1/reports/{id}/erase":                     {auth.Coordinator: {own}},
	"POST /api/v1/reports/{id}/statements":                {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"POST /api/v1/reports/{id}/statements/{sid}/versions": {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"POST /api/v1/reports/{id}/attachments":               {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"POST /api/v1/cases":                                  {auth.Coordinator: {own}, auth.Intake: {own}},
	"GET /api/v1/cases":                                   {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {own}},
	"GET /api/v1/cases/{id}":                              {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {referred}},
	"GET /api/v1/cases/{id}/history":                      {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"PATCH /api/v1/cases/{id}":                            {auth.Coordinator: {own}, auth.Investigator: {own}},
	"POST /api/v1/cases/{id}/referrals":                   {auth.Coordinator: {own}, auth.Intake: {own}},
	"GET /api/v1/referrals":                               {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {own}},
	"GET /api/v1/referrals/{id}":                          {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {referred}},
	"POST /api/v1/referrals/{id}/response":                {auth.Partner: {referred}},
	"GET /api/v1/organisations":                           {auth.Admin: {own}, auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {own}, auth.Operator: {own}},
	"POST /api/v1/organisations":                          {auth.Operator: {own}},
	"GET /api/v1/users":                                   {auth.Admin: {own}, auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"POST /api/v1/users":                                  {auth.Admin: {own}},
	"PATCH /api/v1/users/{id}":                            {auth.Admin: {own}},
	// An admin makes a one-time password reset link for its own
	// organisation's people; the link's token is the authority to use it.
	"POST /api/v1/users/{id}/password-reset": {auth.Admin: {own}},
	"POST /api/v1/password-reset":            everyone([]scope{own}),
	"GET /api/v1/tokens":                     allBut(auth.Integration),
	"POST /api/v1/tokens":                    allBut(auth.Integration),
	"DELETE /api/v1/tokens/{id}":             {auth.Admin: {own}},
	"GET /api/v1/audit":                      {auth.Admin: {own}, auth.Coordinator: {own}, auth.Operator: {own}},
	"GET /api/v1/stats":                      {auth.Admin: {own}, auth.Coordinator: {own}, auth.Investigator: {own}},
	// A list exports to whoever may read the list.
	"GET /api/v1/exports/lists/triage":               {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"GET /api/v1/exports/lists/cases":                {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {own}},
	"GET /api/v1/exports/lists/referrals":            {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {own}},
	"GET /api/v1/exports/lists/stats":                {auth.Admin: {own}, auth.Coordinator: {own}, auth.Investigator: {own}},
	"GET /api/v1/exports/lists/search":               {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {own}},
	"GET /api/v1/exports/{format}":                   {auth.Admin: allScopes, auth.Coordinator: allScopes}, // always the actor's own organisation's data
	"GET /api/v1/check":                              everyone(allScopes),
	"GET /api/v1/check/range":                        everyone(allScopes),
	"GET /api/v1/check/range/{prefix}":               everyone(allScopes),
	"GET /api/v1/check/list":                         everyone(allScopes),
	"POST /api/v1/lure/score":                        everyone(allScopes),
	"GET /api/v1/reports/{id}/identifiers":           {auth.Coordinator: {own}, auth.Investigator: {own}},
	"GET /api/v1/reports/{id}/network":               {auth.Coordinator: {own}, auth.Investigator: {own}},
	"GET /api/v1/identifiers/top":                    {auth.Coordinator: {own}, auth.Investigator: {own}},
	"GET /api/v1/identifiers/{id}":                   {auth.Coordinator: {own}, auth.Investigator: {own}},
	"POST /api/v1/identifiers/{id}/side":             {auth.Coordinator: {own}, auth.Investigator: {own}},
	"POST /api/v1/identifiers/{id}/wrongly-reported": {auth.Coordinator: {own}, auth.Investigator: {own}},
	"POST /api/v1/reports/{id}/verified":             {auth.Coordinator: {own}, auth.Investigator: {own}},
	"POST /api/v1/screen":                            {auth.Coordinator: {own}, auth.Investigator: {own}},
	"GET /api/v1/reports/{id}/screening":             {auth.Coordinator: {own}, auth.Investigator: {own}},
	"POST /api/v1/screening/{id}/review":             {auth.Coordinator: {own}, auth.Investigator: {own}},
	"GET /api/v1/me":                                 everyone([]scope{own}),
	// Everyone chooses its own time zone.
	"PATCH /api/v1/me": everyone([]scope{own}),
	// Saved views: one's own, for a list one may read (the triage queue
	// here). The view deleted belongs to the coordinator of the scope's
	// owning organisation: on own, the actor coordinator itself; nobody
	// else may delete it.
	"GET /api/v1/views":         {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"POST /api/v1/views":        {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"DELETE /api/v1/views/{id}": {auth.Coordinator: {own}},
	// Everyone with a password changes their own; an integration account
	// has none.
	"POST /api/v1/me/password":         allBut(auth.Integration),
	"PATCH /api/v1/organisations/{id}": {auth.Admin: {own}},
	// Everyone reads and marks its own notifications. The matrix's ids are
	// no one's notifications, so marking one is never allowed here;
	// TestNotifications covers one's own and another's.
	"GET /api/v1/notifications":            everyone([]scope{own}),
	"POST /api/v1/notifications/read":      everyone([]scope{own}),
	"POST /api/v1/notifications/{id}/read": {},
	// Everyone chooses how it is told by e-mail; an organisation's admins
	// see the e-mail to their staff that failed.
	"GET /api/v1/notifications/settings": everyone([]scope{own}),
	"PUT /api/v1/notifications/settings": everyone([]scope{own}),
	"GET /api/v1/notifications/failures": {auth.Admin: {own}},
	// Search is for those who read reports or cases; each result is then
	// checked (TestSearchScopes).
	"GET /api/v1/search": {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {own}},
	// Merging, dismissing, reopening a report and adding it to a case are
	// triage: whoever may make a case of a report (auth.TriageReport).
	"POST /api/v1/reports/{id}/merge":   {auth.Coordinator: {own}, auth.Intake: {own}},
	"POST /api/v1/reports/{id}/dismiss": {auth.Coordinator: {own}, auth.Intake: {own}},
	"POST /api/v1/reports/{id}/reopen":  {auth.Coordinator: {own}, auth.Intake: {own}},
	"POST /api/v1/cases/{id}/reports":   {auth.Coordinator: {own}, auth.Intake: {own}},
	// A case's notes are its own organisation's caseworkers' (never a
	// partner's, whatever the referral shares). Only its author edits a
	// note: the matrix's note is the owning coordinator's.
	"GET /api/v1/cases/{id}/notes":        {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}, auth.Partner: {referred}},
	"POST /api/v1/cases/{id}/notes":       {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"PUT /api/v1/cases/{id}/notes/{note}": {auth.Coordinator: {own}},
	// The conversation with a report's reporter is the receiving
	// organisation's caseworkers' (never a partner's: the reporter talks to
	// the organisation it reported to).
	"GET /api/v1/reports/{id}/messages":  {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	"POST /api/v1/reports/{id}/messages": {auth.Coordinator: {own}, auth.Investigator: {own}, auth.Intake: {own}},
	// Protected identifiers are an organisation's own list: coordinators
	// and admins manage it; another organisation's entry is not found.
	"GET /api/v1/protected-identifiers":         {auth.Admin: {own}, auth.Coordinator: {own}},
	"POST /api/v1/protected-identifiers":        {auth.Admin: {own}, auth.Coordinator: {own}},
	"DELETE /api/v1/protected-identifiers/{id}": {auth.Admin: {own}, auth.Coordinator: {own}},
	// The KoboToolbox webhook's authority is the hook's token in the path,
	// whoever posts (Kobo's server, signed in as no one).
	"POST /api/v1/intake/kobo/{token}": everyone(allScopes),
	// Webhook endpoints are an organisation's own: its admins and
	// coordinators manage them and read their delivery log; another
	// organisation's endpoint is not found.
	"GET /api/v1/webhooks":                 {auth.Admin: {own}, auth.Coordinator: {own}},
	"POST /api/v1/webhooks":                {auth.Admin: {own}, auth.Coordinator: {own}},
	"PATCH /api/v1/webhooks/{id}":          {auth.Admin: {own}, auth.Coordinator: {own}},
	"DELETE /api/v1/webhooks/{id}":         {auth.Admin: {own}, auth.Coordinator: {own}},
	"GET /api/v1/webhooks/{id}/deliveries": {auth.Admin: {own}, auth.Coordinator: {own}},
}

// matrixRoles are the roles the matrix tries, written out (not auth.Roles):
// a new role must be added here and to every row by hand.
var matrixRoles = []auth.Role{auth.Admin, auth.Coordinator, auth.Investigator, auth.Intake, auth.Partner, auth.Integration, auth.Operator}

// everyone allows every role in scopes.
func everyone(scopes []scope) map[auth.Role][]scope {
	m := map[auth.Role][]scope{}
	for _, r := range matrixRoles {
		m[r] = scopes
	}
	return m
}

// allBut allows every role but one, in its own organisation.
func allBut(no auth.Role) map[auth.Role][]scope {
	m := everyone([]scope{own})
	delete(m, no)
	return m
}

// fixture is one resource set per scope for an actor's organisation.
type fixture struct {
	report, statement, caseID, referral, tracking, secret, hit string
	// note is a note on caseID by the owning organisation's coordinator.
	note string
	// user is an account of the scope's organisation (home, other, third);
	// token an API token of an integration account of it (home, other,
	// other).
	user, token string
	// identifier is a phone number named only by this scope's report.
	identifier string
	// org is the scope's organisation (home, other, third).
	org string
	// protected is a protected identifier of the report's organisation.
	protected string
	// view is a saved view of the owning organisation's coordinator: no
	// one else's to delete.
	view string
	// webhook is a webhook endpoint of the report's organisation.
	webhook string
}

// world builds organisations home (the actor's), other, third and
// builds, for each scope, a report in a case with a referral:
// own: owned by home, referred to third; other: owned by other, referred
// to third; referred: owned by other, referred to home, sharing everything.
func world(t *testing.T, e *env, home string) map[scope]fixture {
	t.Helper()
	ctx := context.Background()
	make := func(ownerOrg, referTo, phone string) fixture {
		coord := e.users["coordinator@"+ownerOrg+".test"]
		ack, err := e.intake.Submit(ctx, coord, &intake.Submission{Language: "en", Narrative: "The recruiter called from " + phone, Reporter: &intake.Reporter{Name: "PLANT"},
			Victims: []intake.VictimIn{{Name: "V", StillHeld: true}}, Subjects: []intake.SubjectIn{{Name: "Try Pheap", Type: "person"}}})
		if err != nil {
			t.Fatal(err)
		}
		rv, err := e.intake.Get(ctx, coord, ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		cv, err := e.casework.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{ack.ID}, Title: "c"})
		if err != nil {
			t.Fatal(err)
		}
		ref, err := e.casework.Refer(ctx, coord, cv.ID, &casework.ReferralIn{ToOrgID: e.orgs[referTo], Shared: intake.ShareableFields})
		if err != nil {
			t.Fatal(err)
		}
		note, err := e.casework.AddNote(ctx, coord, cv.ID, &casework.NoteIn{Text: "matrix note"})
		if err != nil {
			t.Fatal(err)
		}
		hits, err := e.screen.ScreenReport(ctx, ack.ID, []store.Subject{{Name: "Try Pheap", Type: "person"}})
		if err != nil || len(hits) == 0 {
			t.Fatalf("screening fixture: %v, %d hits", err, len(hits))
		}
		if err := e.links.Process(ctx, ack.ID); err != nil {
			t.Fatal(err)
		}
		ids, err := e.links.ReportIdentifiers(ctx, coord, ack.ID)
		if err != nil || len(ids) != 1 {
			t.Fatalf("identifier fixture: %v, %+v", err, ids)
		}
		pv, err := e.links.Protect(ctx, coord, &links.ProtectIn{Value: "@hotline_" + ack.ID[len(ack.ID)-12:], Note: "matrix"})
		if err != nil {
			t.Fatal(err)
		}
		sv, err := views.New(e.db).Save(ctx, coord, &views.In{List: views.Cases, Name: "matrix", Query: "status=new"})
		if err != nil {
			t.Fatal(err)
		}
		// A fresh world per cell: the organisation's endpoints of earlier
		// cells go first (an organisation has at most a few).
		hooks := webhooks.New(e.db, e.keys, slog.New(slog.DiscardHandler), false)
		old, err := hooks.List(ctx, coord)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range old {
			if err := hooks.Delete(ctx, coord, o.ID); err != nil {
				t.Fatal(err)
			}
		}
		wh, err := hooks.Create(ctx, coord, &webhooks.EndpointIn{URL: "https://hooks.example.org/vigil", Events: webhooks.Events})
		if err != nil {
			t.Fatal(err)
		}
		return fixture{report: ack.ID, statement: rv.Statements[0].ID, caseID: cv.ID, referral: ref.ID, tracking: ack.TrackingCode, secret: ack.Secret, hit: hits[0].ID, note: note.ID,
			identifier: ids[0].ID, protected: pv.ID, view: sv.ID, webhook: wh.ID}
	}
	// account makes an integration account in org (no password: cheap)
	// and returns its id; token makes a token for org's integration@.
	account := func(org string) string {
		u, err := e.staff.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: e.orgs[org], Email: "u-" + store.NewID() + "@" + org + ".test", Name: "u", Role: string(auth.Integration)})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	token := func(org string) string {
		tok, err := e.staff.CreateToken(ctx, staff.System, "integration@"+org+".test", "matrix", 0)
		if err != nil {
			t.Fatal(err)
		}
		return tok.ID
	}
	fs := map[scope]fixture{
		own:      make(home, "third", "+855 12 300 001"),
		other:    make("other", "third", "+855 12 300 002"),
		referred: make("other", home, "+855 12 300 003"),
	}
	for sc, org := range map[scope]string{own: home, other: "other", referred: "third"} {
		f := fs[sc]
		f.user = account(org)
		f.org = e.orgs[org]
		f.token = token(map[scope]string{own: home, other: "other", referred: "other"}[sc])
		fs[sc] = f
	}
	return fs
}

// request returns the path, body and headers that exercise route on f.
func request(e *env, route string, f fixture, assignee string, home string) (string, any, []string) {
	_, pattern, _ := strings.Cut(route, " ")
	path := strings.NewReplacer("{id}", "", "{sid}", f.statement, "{code}", f.tracking).Replace(pattern)
	id := f.report
	switch {
	case strings.HasPrefix(pattern, "/api/v1/cases/{id}"):
		id = f.caseID
	case strings.HasPrefix(pattern, "/api/v1/referrals/{id}"):
		id = f.referral
	case strings.HasPrefix(pattern, "/api/v1/users/{id}"):
		id = f.user
	case strings.HasPrefix(pattern, "/api/v1/tokens/{id}"):
		id = f.token
	case strings.HasPrefix(pattern, "/api/v1/identifiers/{id}"):
		id = f.identifier
	case strings.HasPrefix(pattern, "/api/v1/protected-identifiers/{id}"):
		id = f.protected
	case strings.HasPrefix(pattern, "/api/v1/organisations/{id}"):
		id = f.org
	case strings.HasPrefix(pattern, "/api/v1/views/{id}"):
		id = f.view
	case strings.HasPrefix(pattern, "/api/v1/webhooks/{id}"):
		id = f.webhook
	}
	if strings.Contains(pattern, "{id}") {
		path = strings.Replace(pattern, "{id}", id, 1)
		path = strings.NewReplacer("{sid}", f.statement, "{note}", f.note).Replace(path)
	}
	referTo := e.orgs["fourth"]
	switch route {
	case "POST /api/v1/reports":
		return path, publicReport, nil
	case "GET /api/v1/track/{code}", "GET /api/v1/track/{code}/receipt", "GET /api/v1/track/{code}/messages":
		return path, nil, []string{"X-Tracking-Secret", f.secret}
	case "POST /api/v1/track/{code}/messages":
		return path, map[string]string{"text": "matrix reply"}, []string{"X-Tracking-Secret", f.secret}
	case "POST /api/v1/reports/{id}/messages":
		return path, map[string]string{"text": "matrix question"}, nil
	case "POST /api/v1/reports/{id}/reveal", "POST /api/v1/reports/{id}/erase":
		return path, map[string]string{"reason": "matrix test"}, nil
	case "POST /api/v1/reports/{id}/statements":
		return path, map[string]string{"kind": "note", "language": "en", "text": "note"}, nil
	case "POST /api/v1/reports/{id}/statements/{sid}/versions":
		return path, map[string]string{"text": "corrected"}, nil
	case "GET /api/v1/views":
		return path + "?list=triage", nil, nil
	case "POST /api/v1/views":
		return path, map[string]string{"list": "triage", "name": "held " + f.report, "query": "urgent=1"}, nil
	case "POST /api/v1/reports/{id}/attachments":
		body, ctype := multipartFile("file", "photo.png", intaketest.PNG(4, 4))
		return path, body, []string{"Content-Type", ctype}
	case "POST /api/v1/cases/{id}/notes", "PUT /api/v1/cases/{id}/notes/{note}":
		return path, map[string]string{"text": "matrix note, edited"}, nil
	case "POST /api/v1/cases":
		return path, map[string]any{"report_ids": []string{f.report}, "title": "t"}, nil
	case "PATCH /api/v1/cases/{id}":
		return path, map[string]string{"status": "in_progress"}, []string{"If-Match", `"2"`}
	case "POST /api/v1/cases/{id}/referrals":
		return path, map[string]any{"to_org_id": referTo, "shared": []string{"places"}}, nil
	case "POST /api/v1/referrals/{id}/response":
		return path, map[string]string{"status": "accepted", "response": "ok"}, nil
	case "POST /api/v1/screen":
		return path, map[string]string{"name": "Try Pheap"}, nil
	case "POST /api/v1/identifiers/{id}/side":
		return path, map[string]string{"side": "victim", "reason": "matrix test"}, nil
	case "POST /api/v1/identifiers/{id}/wrongly-reported":
		return path, map[string]any{"wrongly_reported": true, "reason": "matrix test"}, nil
	case "POST /api/v1/reports/{id}/verified":
		return path, map[string]bool{"verified": true}, nil
	case "POST /api/v1/protected-identifiers":
		return path, map[string]string{"value": "@hotline_" + f.report[len(f.report)-12:] + "x", "note": "matrix"}, nil
	case "POST /api/v1/screening/{id}/review":
		return strings.Replace(pattern, "{id}", f.hit, 1), map[string]string{"decision": "confirmed"}, nil
	case "GET /api/v1/exports/{format}":
		return "/api/v1/exports/stix", nil, nil
	case "GET /api/v1/search", "GET /api/v1/exports/lists/search":
		return path + "?q=" + f.report, nil, nil
	case "POST /api/v1/reports/{id}/merge":
		return path, map[string]string{"into": sibling(e, f.report)}, nil
	case "POST /api/v1/reports/{id}/dismiss":
		return path, map[string]string{"reason": "spam"}, nil
	case "POST /api/v1/reports/{id}/reopen":
		dismissed(e, f.report)
		return path, nil, nil
	case "POST /api/v1/cases/{id}/reports":
		return path, map[string]string{"report_id": sibling(e, f.report)}, nil
	case "GET /api/v1/check":
		return path + "?q=%2B85512345678", nil, nil
	case "GET /api/v1/check/range/{prefix}":
		// The matrix's world publishes fewer than 512 identifiers: one
		// hex digit.
		return "/api/v1/check/range/a", nil, nil
	case "POST /api/v1/lure/score":
		return path, map[string]string{"text": "Customer service in Sihanoukville, $1500/month, flight paid, contact Telegram"}, nil
	case "POST /api/v1/organisations":
		return path, map[string]string{"name": "New " + home + " " + f.report, "kind": "ngo"}, nil
	case "PATCH /api/v1/users/{id}":
		return path, map[string]bool{"disabled": true}, nil
	case "POST /api/v1/users/{id}/password-reset":
		// A person's account (an integration account has no password).
		return strings.Replace(pattern, "{id}", person(e, f.org), 1), nil, nil
	case "POST /api/v1/password-reset":
		p, err := e.staff.ResetPassword(context.Background(), staff.System, person(e, f.org))
		if err != nil {
			panic(err)
		}
		return path, map[string]string{"token": p.Token, "new_password": "a new long password"}, nil
	case "PATCH /api/v1/organisations/{id}":
		return path, map[string]bool{"totp_optional": true}, nil
	case "POST /api/v1/me/password":
		return path, map[string]string{"current_password": "correct horse battery", "new_password": "a new long password"}, nil
	case "POST /api/v1/tokens":
		return path, map[string]string{"name": "matrix"}, nil
	case "POST /api/v1/webhooks":
		return path, map[string]any{"url": "https://hooks.example.org/matrix", "events": []string{"report.received"}}, nil
	case "PATCH /api/v1/webhooks/{id}":
		return path, map[string]bool{"enabled": false}, nil
	case "PATCH /api/v1/me":
		return path, map[string]string{"time_zone": "Asia/Bangkok"}, nil
	case "PUT /api/v1/notifications/settings":
		return path, map[string]string{"mail": "digest", "lang": "km"}, nil
	case "POST /api/v1/intake/kobo/{token}":
		token, err := ingest.New(e.db, e.intake, slog.New(slog.DiscardHandler)).CreateKoboHook(context.Background(), staff.System, e.orgs[home], "matrix",
			[]byte("fields:\n  narrative: story\n"))
		if err != nil {
			panic(err)
		}
		return "/api/v1/intake/kobo/" + token, map[string]string{"story": "Matrix submission " + store.NewID(), "meta/rootUuid": "uuid:" + store.NewID()}, nil
	case "POST /api/v1/users":
		return path, map[string]string{"org_id": e.orgs[home], "email": "new-" + f.report[len(f.report)-8:] + "@x.test", "name": "n", "role": "intake", "password": "long enough password"}, nil
	}
	return path, nil, nil
}

// person makes an intake account with a password in organisation orgID
// and returns its id.
func person(e *env, orgID string) string {
	u, err := e.staff.CreateUser(context.Background(), staff.System, &staff.UserIn{OrgID: orgID, Email: "p-" + store.NewID() + "@x.test", Name: "p", Role: string(auth.Intake), Password: "long enough password"})
	if err != nil {
		panic(err)
	}
	return u.ID
}

func TestPolicyMatrix(t *testing.T) {
	routes := api.New(api.Services{}, slog.New(slog.DiscardHandler), api.Options{}).Routes()
	for _, rt := range routes {
		if _, ok := allowed[rt.Method+" "+rt.Pattern]; !ok {
			t.Errorf("route %s %s has no row in the access matrix", rt.Method, rt.Pattern)
		}
	}
	engines(t, func(t *testing.T, e *env) {
		all := matrixRoles
		e.org("home", true, all...)
		e.org("other", false, auth.Coordinator, auth.Integration)
		e.org("third", false, auth.Coordinator)
		e.org("fourth", false)
		cells := 0
		// Reads change nothing an access decision depends on, so they
		// share one world; every other cell gets its own.
		var reads map[scope]fixture
		for _, rt := range routes {
			route := rt.Method + " " + rt.Pattern
			scopes := allScopes
			if !strings.Contains(rt.Pattern, "{") {
				scopes = []scope{own}
			}
			for _, role := range all {
				// A fresh world per writing route and role: those cells
				// change state.
				var w map[scope]fixture
				switch {
				case rt.Method != http.MethodGet, strings.HasPrefix(rt.Pattern, "/api/v1/webhooks/"):
					// (A world deletes the organisation's earlier webhook
					// endpoints, so the shared one's is gone by then.)
					w = world(t, e, "home")
				case reads == nil:
					reads = world(t, e, "home")
					w = reads
				default:
					w = reads
				}
				email := string(role) + "@home.test"
				for _, sc := range scopes {
					f := w[sc]
					path, body, headers := request(e, route, f, "", "home")
					res := e.do(email, rt.Method, rt.Pattern, path, body, headers...)
					want := slices.Contains(allowed[route][role], sc)
					got := res.status >= 200 && res.status < 300
					denied := res.status == http.StatusForbidden || res.status == http.StatusNotFound ||
						(res.status == http.StatusUnprocessableEntity && res.errorCode() == "not_found")
					cells++
					switch {
					case want && !got:
						t.Errorf("%s as %s on %s: %d %s, want allowed", route, role, sc, res.status, res.body)
					case !want && !denied:
						t.Errorf("%s as %s on %s: %d %s, want denied (403/404)", route, role, sc, res.status, res.body)
					}
					// A partner must never learn that a case it cannot see
					// exists: not 403 but 404. (Account routes refuse a
					// partner before they look anything up.)
					if !want && role == auth.Partner && sc != referred && strings.Contains(rt.Pattern, "{id}") && !strings.HasPrefix(rt.Pattern, "/api/v1/users/") && !strings.HasPrefix(rt.Pattern, "/api/v1/organisations/") && res.status != http.StatusNotFound {
						t.Errorf("%s as partner on %s: %d, want 404", route, sc, res.status)
					}
				}
			}
		}
		t.Logf("%d cells checked", cells)
	})
}
