package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/stats"
	"github.com/vigil-project/vigil/internal/store"
)

// mounted are the documented paths Mount adds beside the route table.
var mounted = []string{"GET /api/openapi.json", "GET /healthz", "GET /readyz", "GET /metrics"}

// methods are the operation members of an OpenAPI path item.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func mustContract(t *testing.T) *contract {
	t.Helper()
	ct, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// documented returns "METHOD /path" for every operation in the document.
func documented(doc map[string]any) []string {
	var out []string
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		item, _ := item.(map[string]any)
		for _, m := range methods {
			if _, ok := item[m]; ok {
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIDocument: the document is JSON, OpenAPI 3.1.0, every local
// $ref in it resolves, operation ids are unique, and no operation documents
// a 5xx other than 503 or a catch-all response.
func TestOpenAPIDocument(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	if v := doc["openapi"]; v != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] != "Vigil API" || info["version"] == "" || info["version"] == nil {
		t.Errorf("info = %v, want title Vigil API and a version", info)
	}
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if !strings.HasPrefix(ref, "#/") {
					t.Errorf("%s: $ref %q is not local", ptr, ref)
				} else if _, ok := lookup(doc, ref[1:]); !ok {
					t.Errorf("%s: $ref %q resolves to nothing", ptr, ref)
				}
			}
			for k, child := range v {
				walk(child, ptr+"/"+escapePointer(k))
			}
		case []any:
			for i, child := range v {
				walk(child, fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
	walk(doc, "")

	ids := map[string]string{}
	for _, op := range documented(doc) {
		m, p, _ := strings.Cut(op, " ")
		o, _ := lookup(doc, "/paths/"+escapePointer(p)+"/"+strings.ToLower(m))
		om, _ := o.(map[string]any)
		id, _ := om["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", op)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("operationId %q on both %s and %s", id, prev, op)
		}
		ids[id] = op
		responses, _ := om["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s documents no responses", op)
		}
		for code := range responses {
			if code == "default" || strings.HasSuffix(code, "XX") || (code >= "500" && code != "503") {
				t.Errorf("%s documents response %q; document each status, and never a 500", op, code)
			}
		}
	}
}

// TestOpenAPICoversRoutes: every route in the table is documented, and
// every documented path is a route (or one Mount adds), so a route added
// without documentation, or documentation left after a route went, fails.
func TestOpenAPICoversRoutes(t *testing.T) {
	checkDocumented(t, api.New(api.Services{}, slog.New(slog.DiscardHandler), api.Options{}).Routes())
}

// checkDocumented fails t unless the document describes exactly table (the
// route table, with any Options.Extra routes) and the routes Mount adds.
func checkDocumented(t *testing.T, table []api.Route) {
	t.Helper()
	ct := mustContract(t)
	var routes []string
	for _, rt := range table {
		routes = append(routes, rt.Method+" "+openAPIPath(rt.Pattern))
	}
	routes = append(routes, mounted...)
	docs := documented(ct.doc)
	for _, r := range routes {
		if !slices.Contains(docs, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range docs {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.json documents %s, which is not a route", d)
		}
	}

	// Every {name} in a path is a declared path parameter, and the other
	// way round.
	paths, _ := ct.doc["paths"].(map[string]any)
	for p, item := range paths {
		var want []string
		for rest := p; ; {
			i := strings.IndexByte(rest, '{')
			if i < 0 {
				break
			}
			j := strings.IndexByte(rest[i:], '}')
			want = append(want, rest[i+1:i+j])
			rest = rest[i+j:]
		}
		slices.Sort(want)
		im, _ := item.(map[string]any)
		for _, m := range methods {
			op, ok := im[m].(map[string]any)
			if !ok {
				continue
			}
			var got []string
			for _, list := range []any{im["parameters"], op["parameters"]} {
				ps, _ := list.([]any)
				for i, prm := range ps {
					prm, _ := prm.(map[string]any)
					var err error
					if ref, ok := prm["$ref"].(string); ok && strings.HasPrefix(ref, "#") {
						_, prm, err = resolve(ct.doc, ref[1:])
					}
					if err != nil {
						t.Errorf("%s %s: parameter %d: %v", m, p, i, err)
						continue
					}
					if prm["in"] == "path" {
						got = append(got, prm["name"].(string))
						if prm["required"] != true {
							t.Errorf("%s %s: path parameter %v is not required", m, p, prm["name"])
						}
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: path parameters %v, want %v", m, p, got, want)
			}
		}
	}
}

// TestOpenAPISchemasCompile: every schema in the document compiles, and
// every request example validates against its schema.
func TestOpenAPISchemasCompile(t *testing.T) {
	ct := mustContract(t)
	if len(ct.schemas) < 50 {
		t.Errorf("compiled %d schemas; the walk is missing some", len(ct.schemas))
	}
	for _, op := range documented(ct.doc) {
		m, p, _ := strings.Cut(op, " ")
		base := operationPointer(m, p) + "/requestBody/content"
		content, ok := lookup(ct.doc, base)
		if !ok {
			continue
		}
		for mt, media := range content.(map[string]any) {
			ex, ok := media.(map[string]any)["example"]
			if !ok {
				continue
			}
			ptr := base + "/" + escapePointer(mt) + "/schema"
			b, _ := json.Marshal(ex)
			v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err := ct.schemas[ptr].Validate(v); err != nil {
				t.Errorf("%s: the request example does not match its schema: %v", op, err)
			}
		}
	}
}

// TestOpenAPISubmissionExample: the example for POST /api/v1/reports is the
// one other clients copy.
func TestOpenAPISubmissionExample(t *testing.T) {
	ct := mustContract(t)
	const want = `{"language":"km","narrative":"…","incident_types":["deceptive_recruitment","confinement"],"reporter":{"name":"…","contact":"…"},"victims":[{"name":"…","nationality":"KH","still_held":true}],"places":[{"name":"Sihanoukville"}]}`
	ex, ok := lookup(ct.doc, "/paths/~1api~1v1~1reports/post/requestBody/content/application~1json/example")
	if !ok {
		t.Fatal("POST /api/v1/reports has no request example")
	}
	var w any
	json.Unmarshal([]byte(want), &w)
	got, _ := json.Marshal(ex)
	var g any
	json.Unmarshal(got, &g)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("example = %s, want %s", got, want)
	}
	// It is also a submission the service accepts.
	var sub intake.Submission
	if err := json.Unmarshal([]byte(want), &sub); err != nil {
		t.Fatal(err)
	}
	if err := sub.Validate(); err != nil {
		t.Errorf("the example is refused: %v", err)
	}
}

// TestOpenAPIEnums: each enum in the document is the list in the Go code.
func TestOpenAPIEnums(t *testing.T) {
	ct := mustContract(t)
	roles := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		roles[i] = string(r)
	}
	tests := []struct {
		ptr  string
		want []string
	}{
		{"/components/schemas/IncidentType", intake.IncidentTypes},
		{"/components/schemas/Channel", intake.Channels},
		{"/components/schemas/StaffChannel", intake.StaffChannels},
		{"/components/schemas/AgeBand", intake.AgeBands},
		{"/components/schemas/Gender", intake.Genders},
		{"/components/schemas/SubjectType", intake.SubjectTypes},
		{"/components/schemas/StatementKind", intake.StatementKinds},
		{"/components/schemas/ReportStatus", []string{intake.StatusReceived, intake.StatusInReview, intake.StatusReferred, intake.StatusClosed}},
		{"/components/schemas/StaffReportStatus", intake.ReportStatuses},
		{"/components/schemas/DismissReason", casework.DismissReasons},
		{"/components/schemas/CaseStatus", casework.Statuses},
		{"/components/schemas/Urgency", casework.Urgencies},
		{"/components/schemas/ReferralStatus", []string{casework.RefPending, casework.RefAccepted, casework.RefDeclined, casework.RefCompleted}},
		{"/components/schemas/ResponseIn/properties/status", []string{casework.RefAccepted, casework.RefDeclined, casework.RefCompleted}},
		{"/components/schemas/ShareableField", intake.ShareableFields},
		{"/components/schemas/OrgKind", staff.OrgKinds},
		{"/components/schemas/Role", roles},
		{"/components/schemas/CheckAnswer/properties/band", links.Bands()},
		{"/components/schemas/CheckAnswer/properties/unverified_reports", links.Bands()},
		{"/components/schemas/Stats/properties/charts/required", stats.Charts()},
	}
	for _, tt := range tests {
		ptr := tt.ptr + "/enum"
		if strings.HasSuffix(tt.ptr, "/required") {
			ptr = tt.ptr
		}
		v, ok := lookup(ct.doc, ptr)
		if !ok {
			t.Errorf("%s has no enum", tt.ptr)
			continue
		}
		var got []string
		for _, e := range v.([]any) {
			got = append(got, fmt.Sprint(e))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s enum = %v, want %v", tt.ptr, got, tt.want)
		}
	}
}

// TestOpenAPIMatchesGoTypes: each schema has exactly the JSON fields of the
// Go type encoded or decoded with it, and a response schema requires
// exactly the fields the type always encodes (those without omitempty). A
// field added to a view without documentation fails here before any API
// test runs into it.
func TestOpenAPIMatchesGoTypes(t *testing.T) {
	ct := mustContract(t)
	sealedVictim, _ := reflect.TypeFor[intake.Sealed]().FieldByName("Victims")
	tests := []struct {
		schema   string
		typ      reflect.Type
		response bool
	}{
		{"Error", reflect.TypeFor[api.ErrorBody](), true},
		{"ErrorDetail", reflect.TypeFor[api.ErrorDetail](), true},
		{"Ack", reflect.TypeFor[intake.Ack](), true},
		{"TrackStatus", reflect.TypeFor[intake.TrackStatus](), true},
		{"ReportView", reflect.TypeFor[intake.ReportView](), true},
		{"VictimView", reflect.TypeFor[intake.VictimView](), true},
		{"PlaceRef", reflect.TypeFor[store.PlaceRef](), true},
		{"Subject", reflect.TypeFor[store.Subject](), true},
		{"StatementView", reflect.TypeFor[intake.StatementView](), true},
		{"VersionView", reflect.TypeFor[intake.VersionView](), true},
		{"Sealed", reflect.TypeFor[intake.Sealed](), true},
		{"SealedVictim", sealedVictim.Type.Elem(), true},
		{"Reporter", reflect.TypeFor[intake.Reporter](), true},
		{"CaseView", reflect.TypeFor[casework.CaseView](), true},
		{"ReferralView", reflect.TypeFor[casework.ReferralView](), true},
		{"OrgView", reflect.TypeFor[staff.OrgView](), true},
		{"UserView", reflect.TypeFor[staff.UserView](), true},
		{"TokenView", reflect.TypeFor[staff.TokenView](), true},
		{"NewToken", reflect.TypeFor[staff.NewToken](), true},
		{"AuditView", reflect.TypeFor[api.AuditView](), true},
		{"MeView", reflect.TypeFor[api.MeView](), true},
		{"ReportPage", reflect.TypeFor[api.Page[*intake.ReportView]](), true},
		{"CasePage", reflect.TypeFor[api.Page[*casework.CaseView]](), true},
		{"AuditPage", reflect.TypeFor[api.Page[api.AuditView]](), true},
		{"CheckAnswer", reflect.TypeFor[links.CheckAnswer](), true},
		{"IdentifierView", reflect.TypeFor[links.IdentifierView](), true},
		{"VerifyView", reflect.TypeFor[links.VerifyView](), true},
		{"WronglyReportedView", reflect.TypeFor[links.WronglyReportedView](), true},
		{"ProtectedView", reflect.TypeFor[links.ProtectedView](), true},
		{"ProtectedList", reflect.TypeFor[api.Page[links.ProtectedView]](), true},
		{"VerifyIn", reflect.TypeFor[links.VerifyIn](), false},
		{"WronglyReportedIn", reflect.TypeFor[links.WronglyReportedIn](), false},
		{"ProtectIn", reflect.TypeFor[links.ProtectIn](), false},
		{"Stats", reflect.TypeFor[stats.Stats](), true},
		{"StatsBar", reflect.TypeFor[stats.Bar](), true},
		{"Submission", reflect.TypeFor[intake.Submission](), false},
		{"VictimIn", reflect.TypeFor[intake.VictimIn](), false},
		{"PlaceIn", reflect.TypeFor[intake.PlaceIn](), false},
		{"SubjectIn", reflect.TypeFor[intake.SubjectIn](), false},
		{"StatementIn", reflect.TypeFor[intake.StatementIn](), false},
		{"VersionIn", reflect.TypeFor[api.VersionIn](), false},
		{"ReasonIn", reflect.TypeFor[api.ReasonIn](), false},
		{"CaseIn", reflect.TypeFor[casework.CaseIn](), false},
		{"CasePatch", reflect.TypeFor[casework.Patch](), false},
		{"ReferralIn", reflect.TypeFor[casework.ReferralIn](), false},
		{"ResponseIn", reflect.TypeFor[casework.ResponseIn](), false},
		{"MergeIn", reflect.TypeFor[casework.MergeIn](), false},
		{"DismissIn", reflect.TypeFor[casework.DismissIn](), false},
		{"ReopenIn", reflect.TypeFor[casework.ReopenIn](), false},
		{"AddReportIn", reflect.TypeFor[casework.AddReportIn](), false},
		{"NoteIn", reflect.TypeFor[casework.NoteIn](), false},
		{"MessageIn", reflect.TypeFor[intake.MessageIn](), false},
		{"MessageView", reflect.TypeFor[intake.MessageView](), true},
		{"NoteView", reflect.TypeFor[casework.NoteView](), true},
		{"NoteVersion", reflect.TypeFor[casework.NoteVersion](), true},
		{"OrgIn", reflect.TypeFor[staff.OrgIn](), false},
		{"UserIn", reflect.TypeFor[staff.UserIn](), false},
		{"UserPatch", reflect.TypeFor[api.UserPatch](), false},
		{"TokenIn", reflect.TypeFor[api.TokenIn](), false},
	}
	for _, tt := range tests {
		t.Run(tt.schema, func(t *testing.T) {
			v, ok := lookup(ct.doc, "/components/schemas/"+tt.schema)
			if !ok {
				t.Fatalf("no schema %s", tt.schema)
			}
			sch := v.(map[string]any)
			props, _ := sch["properties"].(map[string]any)
			var required []string
			if rs, ok := sch["required"].([]any); ok {
				for _, r := range rs {
					required = append(required, r.(string))
				}
			}
			if tt.response && sch["additionalProperties"] != false {
				t.Errorf("a response schema must have additionalProperties: false")
			}
			fields := jsonFields(tt.typ)
			var names, always []string
			for _, f := range fields {
				names = append(names, f.name)
				if !f.omitempty {
					always = append(always, f.name)
				}
			}
			got := keys(props)
			slices.Sort(names)
			if !slices.Equal(got, names) {
				t.Errorf("properties %v, want the Go fields %v", got, names)
			}
			if tt.response {
				slices.Sort(required)
				slices.Sort(always)
				if !slices.Equal(required, always) {
					t.Errorf("required %v, want the fields without omitempty %v", required, always)
				}
			}
		})
	}
}

type jsonField struct {
	name      string
	omitempty bool
}

// jsonFields lists the JSON members encoding/json gives a struct type,
// with embedded structs flattened.
func jsonFields(t reflect.Type) []jsonField {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		o := strings.Split(opts, ",")
		out = append(out, jsonField{name, slices.Contains(o, "omitempty") || slices.Contains(o, "omitzero")})
	}
	return out
}

// failRecorder is a testing.TB that records failures instead of failing,
// to test validateResponse itself.
type failRecorder struct {
	testing.TB
	msgs []string
}

func (r *failRecorder) Helper()           {}
func (r *failRecorder) Error(args ...any) { r.msgs = append(r.msgs, fmt.Sprint(args...)) }
func (r *failRecorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *failRecorder) Fatal(args ...any) { panic("validateResponse must not call Fatal") }
func (r *failRecorder) Fatalf(format string, args ...any) {
	panic("validateResponse must not call Fatalf")
}

// TestValidateResponse: the contract check accepts what the document
// describes and catches what it does not.
func TestValidateResponse(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 30, 0, 123456000, time.UTC)
	id := "0195f3c2-7a10-7c3e-9d2b-3f1a2b3c4d5e"
	idx := int64(7)
	mustJSON := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	ack := mustJSON(intake.Ack{ID: id, TrackingCode: "VG-7K3M-9QXP-2HRD", Secret: "s3cret", Status: "received", ReceivedAt: at.Format(time.RFC3339),
		Receipt: map[string]any{"leaf_index": 3}})
	report := intake.ReportView{ID: id, OrgID: id, TrackingCode: "VG-7K3M-9QXP-2HRD", Channel: "api", Language: "km", Country: "KH",
		IncidentTypes: []string{"confinement"}, Victims: []intake.VictimView{{Victim: store.Victim{Nationality: "KH", AgeBand: "18_25", Gender: "female", StillHeld: true}, IdentitySealed: true}},
		Places: []store.PlaceRef{{Name: "Sihanoukville", PlaceID: "p1", Country: "KH"}}, Subjects: []store.Subject{{Name: "Golden Co", Type: "company", Role: "employer"}},
		Urgent: true, Status: "in_review", HasSealed: true, ReceivedAt: at, CaseIDs: []string{id},
		Statements: []intake.StatementView{{ID: id, Kind: "recantation", RecantsID: id, Language: "km", Source: "s", TakenBy: "t", Circumstances: "c", CreatedAt: at,
			Versions: []intake.VersionView{{Version: 1, Text: "x", CreatedAt: at, LeafIndex: &idx}}}},
		Shared: []string{"places"}}
	due := at.Add(24 * time.Hour)
	cv := casework.CaseView{ID: id, OrgID: id, Title: "t", Status: "referred", Urgency: "critical", AssigneeID: id, DueAt: &due, Overdue: true,
		CreatedAt: at, UpdatedAt: at, Version: 3, ReportIDs: []string{id}, Reports: []*intake.ReportView{&report},
		Referrals: []*casework.ReferralView{{ID: id, CaseID: id, FromOrgID: id, ToOrgID: id, Shared: []string{"victim_identity"}, Note: "n", Status: "accepted",
			Response: "r", CreatedAt: at, RespondedAt: &at, Version: 2}}}
	var sealed intake.Sealed
	json.Unmarshal([]byte(`{"reporter":{"name":"a","contact":"b","relationship":"c","safe_to_contact":false},"victims":[{"name":"v","passport":"p","contact":"c"}]}`), &sealed)
	errBody := func(code, field string) string {
		return mustJSON(api.ErrorBody{Error: api.ErrorDetail{Code: code, Message: "m", Field: field}})
	}
	const ctJSON = "application/json; charset=utf-8"

	tests := []struct {
		name            string
		method, pattern string
		status          int
		contentType     string
		body            string
		ok              bool
	}{
		{"ack", "POST", "/api/v1/reports", 201, ctJSON, ack, true},
		{"ack without receipt", "POST", "/api/v1/reports", 201, ctJSON, mustJSON(intake.Ack{ID: id, TrackingCode: "VG-0000-0000-0000", Secret: "s", Status: "received", ReceivedAt: at.Format(time.RFC3339)}), true},
		{"ack missing secret", "POST", "/api/v1/reports", 201, ctJSON, strings.Replace(ack, `"secret":"s3cret",`, "", 1), false},
		{"ack with an undocumented field", "POST", "/api/v1/reports", 201, ctJSON, strings.Replace(ack, `{`, `{"passport":"X1",`, 1), false},
		{"ack with a bad tracking code", "POST", "/api/v1/reports", 201, ctJSON, strings.Replace(ack, "VG-7K3M", "VG-7KIM", 1), false},
		{"ack with a bad time", "POST", "/api/v1/reports", 201, ctJSON, strings.Replace(ack, at.Format(time.RFC3339), "yesterday", 1), false},
		{"ack with a wrong type", "POST", "/api/v1/reports", 201, ctJSON, strings.Replace(ack, `"status":"received"`, `"status":1`, 1), false},
		{"not JSON", "POST", "/api/v1/reports", 201, ctJSON, `{"id":`, false},
		{"wrong content type", "POST", "/api/v1/reports", 201, "text/html; charset=utf-8", ack, false},
		{"no content type", "POST", "/api/v1/reports", 201, "", ack, false},
		{"undocumented status", "POST", "/api/v1/reports", 418, ctJSON, errBody("teapot", ""), false},
		{"500", "POST", "/api/v1/reports", 500, ctJSON, errBody("internal", ""), false},
		{"undocumented route", "DELETE", "/api/v1/reports/{id}", 204, "", "", false},
		{"unknown route", "GET", "/api/v1/nope", 200, ctJSON, `{}`, false},
		{"public route rate limited", "POST", "/api/v1/reports", 429, ctJSON, errBody("rate_limited", ""), true},
		{"rate limit with another code", "POST", "/api/v1/reports", 429, ctJSON, errBody("forbidden", ""), false},
		{"rate limit on a staff route", "GET", "/api/v1/cases", 429, ctJSON, errBody("rate_limited", ""), false},
		{"report", "GET", "/api/v1/reports/{id}", 200, ctJSON, mustJSON(report), true},
		{"report with a bad enum", "GET", "/api/v1/reports/{id}", 200, ctJSON, strings.Replace(mustJSON(report), `"confinement"`, `"abduction"`, 1), false},
		{"report missing case_ids", "GET", "/api/v1/reports/{id}", 200, ctJSON, strings.Replace(mustJSON(report), `"case_ids":["`+id+`"],`, "", 1), false},
		{"report page", "GET", "/api/v1/reports", 200, ctJSON, mustJSON(api.Page[intake.ReportView]{Items: []intake.ReportView{report}, NextCursor: id}), true},
		{"report page of nulls", "GET", "/api/v1/reports", 200, ctJSON, `{"items":null}`, false},
		{"case", "GET", "/api/v1/cases/{id}", 200, ctJSON, mustJSON(cv), true},
		{"case with a bad status", "GET", "/api/v1/cases/{id}", 200, ctJSON, strings.Replace(mustJSON(cv), `"referred"`, `"archived"`, 1), false},
		{"case with a nested undocumented field", "GET", "/api/v1/cases/{id}", 200, ctJSON, strings.Replace(mustJSON(cv), `"identity_sealed":true`, `"identity_sealed":true,"name":"leak"`, 1), false},
		{"sealed", "POST", "/api/v1/reports/{id}/reveal", 200, ctJSON, mustJSON(sealed), true},
		{"erase", "POST", "/api/v1/reports/{id}/erase", 204, "", "", true},
		{"erase with a body", "POST", "/api/v1/reports/{id}/erase", 204, ctJSON, `{}`, false},
		{"not found", "GET", "/api/v1/cases/{id}", 404, ctJSON, errBody("not_found", ""), true},
		{"not found with another code", "GET", "/api/v1/cases/{id}", 404, ctJSON, errBody("forbidden", ""), false},
		{"error without message", "GET", "/api/v1/cases/{id}", 404, ctJSON, `{"error":{"code":"not_found"}}`, false},
		{"error in another shape", "GET", "/api/v1/cases/{id}", 404, ctJSON, `{"code":"not_found","message":"m"}`, false},
		{"unprocessable", "PATCH", "/api/v1/cases/{id}", 422, ctJSON, errBody("invalid_transition", "status"), true},
		{"precondition required", "PATCH", "/api/v1/cases/{id}", 428, ctJSON, errBody("precondition_required", "If-Match"), true},
		{"precondition required on a read", "GET", "/api/v1/cases/{id}", 428, ctJSON, errBody("precondition_required", "If-Match"), false},
		{"bad request", "POST", "/api/v1/cases", 400, ctJSON, errBody("unknown_field", "x"), true},
		{"me", "GET", "/api/v1/me", 200, ctJSON, mustJSON(api.MeView{UserID: id, OrgID: id, Role: "partner"}), true},
		{"me with an unknown role", "GET", "/api/v1/me", 200, ctJSON, mustJSON(api.MeView{UserID: id, OrgID: id, Role: "root"}), false},
		{"health", "GET", "/healthz", 200, ctJSON, `{"status":"ok"}`, true},
		{"ready", "GET", "/readyz", 200, ctJSON, `{"status":"ready","checks":{"database":"ok","schema":"ok","ledger":"ok","attachments":"ok"}}`, true},
		{"ready without checks", "GET", "/readyz", 503, ctJSON, `{"status":"not_ready"}`, false},
		{"metrics", "GET", "/metrics", 200, "text/plain; version=0.0.4; charset=utf-8", "vigil_up 1\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &failRecorder{TB: t}
			validateResponse(rec, tt.method, tt.pattern, tt.status, tt.contentType, []byte(tt.body))
			if tt.ok && len(rec.msgs) > 0 {
				t.Errorf("refused a good response: %s", strings.Join(rec.msgs, "; "))
			}
			if !tt.ok && len(rec.msgs) == 0 {
				t.Errorf("accepted a bad response")
			}
			for _, m := range rec.msgs {
				t.Logf("caught: %s", m)
			}
		})
	}
}

// TestServeOpenAPI: GET /api/openapi.json serves the embedded document,
// and the routes Mount adds answer as documented.
func TestServeOpenAPI(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := api.New(api.Services{DB: db}, slog.New(slog.DiscardHandler), api.Options{})
	mux := http.NewServeMux()
	a.Mount(mux)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		validateResponse(t, "GET", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes())
		return rec
	}

	rec := get("/api/openapi.json")
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), api.OpenAPI()) {
		t.Errorf("GET /api/openapi.json: %d, %d bytes; want 200 and the %d bytes of the document", rec.Code, rec.Body.Len(), len(api.OpenAPI()))
	}
	if rec := get("/healthz"); rec.Code != 200 {
		t.Errorf("GET /healthz: %d %s", rec.Code, rec.Body)
	}
	if rec := get("/metrics"); rec.Code != 404 {
		t.Errorf("GET /metrics without a metrics token configured: %d %s, want 404", rec.Code, rec.Body)
	}
	db.Close()
	if rec := get("/healthz"); rec.Code != 503 {
		t.Errorf("GET /healthz with the database closed: %d %s, want 503", rec.Code, rec.Body)
	}
}
