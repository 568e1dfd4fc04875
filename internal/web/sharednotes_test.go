package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestReferralSharesNotesPage refers a case from its page sharing one of
// its two notes: the partner's case page shows that note and not the
// other.
func TestReferralSharesNotesPage(t *testing.T) {
	e := newEnv(t)
	caseID := e.demo.Cases["blood"]
	c := e.login(t, "coordinator@hotline.demo")
	for _, text := range []string{"Shared: the mother is at the embassy zqxshared.", "Internal: doubts zqxinternal."} {
		if r := e.do(t, c, "POST", "/app/cases/"+caseID+"/notes", url.Values{"text": {text}}); r.status != http.StatusSeeOther {
			t.Fatalf("add note: %d", r.status)
		}
	}
	p := e.do(t, c, "GET", "/app/cases/"+caseID+"?lang=en", nil)
	m := regexp.MustCompile(`name="note_ids" value="([^"]+)"> Shared:`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("the referral form offers no note to share")
	}
	if strings.Contains(p.body, `name="note_ids" value="`+m[1]+`" checked`) {
		t.Error("a note is shared by default")
	}
	r := e.do(t, c, "POST", "/app/cases/"+caseID+"/refer", url.Values{"to_org": {e.demo.Orgs["police"]}, "shared": {"places"}, "note_ids": {m[1]}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("refer: %d", r.status)
	}
	partner := e.login(t, "partner@police.demo")
	pp := e.do(t, partner, "GET", "/app/cases/"+caseID+"?lang=en", nil)
	if pp.status != http.StatusOK || !strings.Contains(pp.body, "zqxshared") || strings.Contains(pp.body, "zqxinternal") || !strings.Contains(pp.body, "Notes shared with you") {
		t.Errorf("partner's case page: %d; want the shared note alone", pp.status)
	}
}
