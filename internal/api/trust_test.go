package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/links"
)

// TestCheckTrustAPI walks the check's trust through the API on both
// engines: anonymous reports alone answer none; a verified mark counts; a
// wrongly reported mark clears it; a protected identifier answers
// legitimate; bad input names its field. Every answer is checked against
// the OpenAPI document by e.do.
func TestCheckTrustAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.org("home", true, auth.Coordinator, auth.Investigator, auth.Admin)
		const coord, admin = "coordinator@home.test", "admin@home.test"
		var ids []string
		for range 3 {
			res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", map[string]string{"language": "en", "narrative": "The recruiter called from +855 12 444 001 about a job in Sihanoukville."})
			var ack struct{ ID string }
			res.decode(t, &ack)
			if err := e.links.Process(ctx, ack.ID); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ack.ID)
		}
		check := func(want links.CheckAnswer) {
			t.Helper()
			res := e.do("", "GET", "/api/v1/check", "/api/v1/check?q="+url.QueryEscape("+855 12 444 001"), nil)
			var got links.CheckAnswer
			res.decode(t, &got)
			if got.Band != want.Band || got.UnverifiedReports != want.UnverifiedReports || got.Legitimate != want.Legitimate || got.Reported != (want.Band != links.BandNone) {
				t.Errorf("check = %+v; want band %s, unverified %s, legitimate %v", got, want.Band, want.UnverifiedReports, want.Legitimate)
			}
		}
		none := links.CheckAnswer{Coarse: links.Coarse{Band: links.BandNone, UnverifiedReports: links.BandNone}}
		check(none)

		res := e.do(coord, "POST", "/api/v1/reports/{id}/verified", "/api/v1/reports/"+ids[0]+"/verified", map[string]bool{"verified": true})
		var vv links.VerifyView
		if res.decode(t, &vv); res.status != http.StatusOK || !vv.Verified {
			t.Fatalf("verify: %d %s", res.status, res.body)
		}
		check(links.CheckAnswer{Coarse: links.Coarse{Band: links.BandFew, UnverifiedReports: links.BandNone}})

		res = e.do(coord, "GET", "/api/v1/reports/{id}/identifiers", "/api/v1/reports/"+ids[0]+"/identifiers", nil)
		var idents api.Page[links.IdentifierView]
		if res.decode(t, &idents); len(idents.Items) != 1 {
			t.Fatalf("identifiers: %s", res.body)
		}
		path := "/api/v1/identifiers/" + idents.Items[0].ID + "/wrongly-reported"
		if res := e.do(coord, "POST", "/api/v1/identifiers/{id}/wrongly-reported", path, map[string]any{"wrongly_reported": true}); !refused(res, "reason") {
			t.Errorf("wrongly reported without a reason: %d %s", res.status, res.body)
		}
		if res := e.do(coord, "POST", "/api/v1/identifiers/{id}/wrongly-reported", path, map[string]any{"wrongly_reported": true, "reason": "It is the shelter's number"}); res.status != http.StatusOK {
			t.Fatalf("wrongly reported: %d %s", res.status, res.body)
		}
		check(none)

		for _, tc := range []struct {
			body  map[string]string
			field string
		}{
			{map[string]string{"value": ""}, "value"},
			{map[string]string{"value": "hello there how are you"}, "value"},
			{map[string]string{"value": "+855 12 444 001", "country": "XX"}, "country"},
		} {
			if res := e.do(admin, "POST", "/api/v1/protected-identifiers", "/api/v1/protected-identifiers", tc.body); !refused(res, tc.field) {
				t.Errorf("protect %v: %d %s, want a refusal naming %s", tc.body, res.status, res.body, tc.field)
			}
		}
		res = e.do(admin, "POST", "/api/v1/protected-identifiers", "/api/v1/protected-identifiers", map[string]string{"value": "012 444 001", "country": "KH", "note": "Shelter hotline"})
		var pv links.ProtectedView
		if res.decode(t, &pv); res.status != http.StatusCreated || pv.Value != "+85512444001" {
			t.Fatalf("protect: %d %s", res.status, res.body)
		}
		if res := e.do(coord, "POST", "/api/v1/protected-identifiers", "/api/v1/protected-identifiers", map[string]string{"value": "+855 12 444 001"}); !refused(res, "value") {
			t.Errorf("the same again: %d %s, want a refusal naming value", res.status, res.body)
		}
		check(links.CheckAnswer{Coarse: links.Coarse{Band: links.BandNone, UnverifiedReports: links.BandNone, Legitimate: true}})
		res = e.do(coord, "GET", "/api/v1/protected-identifiers", "/api/v1/protected-identifiers", nil)
		var list api.Page[links.ProtectedView]
		if res.decode(t, &list); len(list.Items) != 1 || list.Items[0].Note != "Shelter hotline" {
			t.Errorf("list: %s", res.body)
		}
		del := "/api/v1/protected-identifiers/" + pv.ID
		if res := e.do(coord, "DELETE", "/api/v1/protected-identifiers/{id}", del, nil); res.status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", res.status, res.body)
		}
		if res := e.do(coord, "DELETE", "/api/v1/protected-identifiers/{id}", del, nil); res.status != http.StatusNotFound {
			t.Errorf("delete again: %d, want 404", res.status)
		}
		check(none) // still marked wrongly reported
	})
}

// refused reports whether res is a 4xx naming field.
func refused(res response, field string) bool {
	var b api.ErrorBody
	json.Unmarshal(res.body, &b)
	return res.status >= 400 && res.status < 500 && b.Error.Field == field
}
