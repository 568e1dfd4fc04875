package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestPlantedStringsNotAtRest plants unique strings in every sealed field
// and in the reasons given for revealing and erasing, then reads the raw
// SQLite files (database, WAL) and a pg_dump, and finds none of them. The
// same strings come back through an audited reveal and an admin's reading
// of the audit trail (the erase reason too, after the report's data key is
// gone), so the planting itself worked.
func TestPlantedStringsNotAtRest(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db, dsn := storetest.OpenDSN(t, engine)
			e := newEnv(t, db)
			e.org("hotline", true, auth.Investigator, auth.Admin, auth.Coordinator)
			tag := fmt.Sprintf("%x", os.Getpid())
			revealReason := "PLANT-REVEAL-REASON-" + tag + " checking Sokha's brother's phone"
			eraseReason := "PLANT-ERASE-REASON-" + tag + " Sokha asked us to"
			reasons := map[string]string{"reveal reason": "PLANT-REVEAL-REASON-" + tag, "erase reason": "PLANT-ERASE-REASON-" + tag}
			planted := map[string]string{
				"reporter.name":       "PLANT-RN-" + tag,
				"reporter.contact":    "PLANT-RC-" + tag,
				"victims[0].name":     "PLANT-VN-" + tag,
				"victims[0].passport": "PLANT-VP-" + tag,
				"victims[0].contact":  "PLANT-VC-" + tag,
				"narrative":           "PLANT-NARRATIVE-" + tag,
				"job_ad":              "PLANT-AD-" + tag,
			}
			sub := fmt.Sprintf(`{"language":"th","narrative":%q,"job_ad":%q,"reporter":{"name":%q,"contact":%q},
				"victims":[{"name":%q,"passport":%q,"contact":%q,"nationality":"TH","still_held":true}],"places":[{"name":"Poipet"}]}`,
				planted["narrative"], planted["job_ad"], planted["reporter.name"], planted["reporter.contact"],
				planted["victims[0].name"], planted["victims[0].passport"], planted["victims[0].contact"])
			res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", sub)
			var ack intake.Ack
			res.decode(t, &ack)
			if res.status != 201 {
				t.Fatalf("submit: %d %s", res.status, res.body)
			}
			rv := e.do("investigator@hotline.test", "POST", "/api/v1/reports/{id}/reveal", "/api/v1/reports/"+ack.ID+"/reveal", map[string]string{"reason": revealReason})
			for f, s := range planted {
				if f == "narrative" || f == "job_ad" {
					continue
				}
				if !bytes.Contains(rv.body, []byte(s)) {
					t.Fatalf("reveal lacks %s: %s", f, rv.body)
				}
			}

			// A second report, erased with a reason.
			res = e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport)
			var erased intake.Ack
			res.decode(t, &erased)
			if res := e.do("coordinator@hotline.test", "POST", "/api/v1/reports/{id}/erase", "/api/v1/reports/"+erased.ID+"/erase", map[string]string{"reason": eraseReason}); res.status != 204 {
				t.Fatalf("erase: %d %s", res.status, res.body)
			}
			// The admin reads both reasons in the trail.
			trail := e.do("admin@hotline.test", "GET", "/api/v1/audit", "/api/v1/audit?limit=500", nil)
			var evs struct {
				Items []api.AuditView `json:"items"`
			}
			trail.decode(t, &evs)
			got := map[string]string{}
			for _, ev := range evs.Items {
				got[ev.Action+" "+ev.ResourceID] = ev.Reason
			}
			if got["report.reveal "+ack.ID] != revealReason || got["report.erase "+erased.ID] != eraseReason {
				t.Errorf("the admin's trail: reveal reason %q, erase reason %q; want %q, %q",
					got["report.reveal "+ack.ID], got["report.erase "+erased.ID], revealReason, eraseReason)
			}

			raw := storetest.Raw(t, engine, dsn)
			if !bytes.Contains(raw, []byte("Poipet")) {
				t.Fatalf("the raw database does not hold the report's open fields; the test would prove nothing")
			}
			for f, s := range planted {
				if bytes.Contains(raw, []byte(s)) {
					t.Errorf("%s (%q) found in the raw database", f, s)
				}
			}
			for f, s := range reasons {
				if bytes.Contains(raw, []byte(s)) {
					t.Errorf("%s (%q) found in the raw database", f, s)
				}
			}
		})
	}
}

// TestPlantedIdentifiersNotAtRest plants a unique phone number and e-mail
// address in a reporter's contact field and in another report's narrative,
// and a second number in a narrative before a victim's contact field, runs
// the links job after each report, and finds none of them in the raw
// SQLite files (database, WAL) or a pg_dump. The public check and the lure
// check never answer for them, whichever report named them first; the
// staff view shows the number from the narrative, so it was indexed.
func TestPlantedIdentifiersNotAtRest(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db, dsn := storetest.OpenDSN(t, engine)
			e := newEnv(t, db)
			e.org("hotline", true, auth.Investigator)
			n := os.Getpid() % 1000000
			phone1, phone2 := fmt.Sprintf("+855 12 %03d %03d", n/1000, n%1000), fmt.Sprintf("+855 77 %03d %03d", n/1000, n%1000)
			norm1, norm2 := fmt.Sprintf("+85512%06d", n), fmt.Sprintf("+85577%06d", n)
			email := fmt.Sprintf("plant-%x@example.org", os.Getpid())
			file := func(sub map[string]any) string {
				t.Helper()
				sub["language"], sub["country"] = "en", "KH"
				res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", sub)
				var ack intake.Ack
				res.decode(t, &ack)
				if res.status != 201 {
					t.Fatalf("submit: %d %s", res.status, res.body)
				}
				if err := e.links.Process(ctx, ack.ID); err != nil {
					t.Fatal(err)
				}
				return ack.ID
			}
			recruiter := "The recruiter called from %s and wrote from %s about a job in Poipet."
			// The contacts first, then a narrative naming them.
			file(map[string]any{"narrative": "Please help my brother.", "reporter": map[string]string{"contact": phone1 + ", " + email}, "places": []map[string]string{{"name": "Poipet"}}})
			narrative := file(map[string]any{"narrative": fmt.Sprintf(recruiter, phone1, email)})
			// A narrative first, then a victim's contact.
			file(map[string]any{"narrative": fmt.Sprintf(recruiter, phone2, "the same chat")})
			file(map[string]any{"narrative": "My son is held.", "victims": []map[string]any{{"contact": phone2, "still_held": true}}})

			for _, q := range []string{phone1, norm1, email, phone2, norm2} {
				res := e.do("", "GET", "/api/v1/check", "/api/v1/check?q="+url.QueryEscape(q), nil)
				var ans links.CheckAnswer
				res.decode(t, &ans)
				if res.status != 200 || ans.Reported || ans.Band != links.BandNone {
					t.Errorf("public check of %s: %d %s; want not reported", q, res.status, res.body)
				}
			}
			ad := fmt.Sprintf("Customer service job in Poipet, $1500 a month, contact %s or %s", phone1, phone2)
			if res := e.do("", "POST", "/api/v1/lure/score", "/api/v1/lure/score", map[string]string{"text": ad}); res.status != 200 || bytes.Contains(res.body, []byte("identifier_reported")) {
				t.Errorf("lure check of an ad with victims' numbers: %d %s; want no identifier reported", res.status, res.body)
			}
			idv := e.do("investigator@hotline.test", "GET", "/api/v1/reports/{id}/identifiers", "/api/v1/reports/"+narrative+"/identifiers", nil)
			for _, s := range []string{norm1, email} {
				if !bytes.Contains(idv.body, []byte(s)) {
					t.Fatalf("the narrative's identifiers lack %s: %s", s, idv.body)
				}
			}
			if !bytes.Contains(idv.body, []byte(`"side":"victim"`)) {
				t.Errorf("the narrative's identifiers do not show the contacts as victim-side: %s", idv.body)
			}

			raw := storetest.Raw(t, engine, dsn)
			if !bytes.Contains(raw, []byte("Poipet")) {
				t.Fatalf("the raw database does not hold the report's open fields; the test would prove nothing")
			}
			for _, s := range []string{norm1, norm2, strings.TrimPrefix(norm1, "+"), strings.TrimPrefix(norm2, "+"), email} {
				if bytes.Contains(raw, []byte(s)) {
					t.Errorf("%q found in the raw database", s)
				}
			}
		})
	}
}
