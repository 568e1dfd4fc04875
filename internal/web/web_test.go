package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/net/html"

	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/lure"
	"github.com/vigil-project/vigil/internal/staff"
)

var langs = []string{"en", "zh", "km", "th", "vi"}

// readLocale reads the locale file of code as keys and texts.
func readLocale(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("locales", code+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

// TestMissingTranslations fails when a locale lacks a key English has, or
// has a key English lacks.
// TestLureReasonsInEveryLanguage: the check and case pages show the lure
// check's summary and reasons as the lure package words them, so every
// language the pages offer must be one the lure package explains in
// (internal/lure's TestMissingTranslations checks that each reason code has
// a text in each of them).
func TestLureReasonsInEveryLanguage(t *testing.T) {
	for _, code := range langs {
		if !slices.Contains(lure.Languages(), code) {
			t.Errorf("the pages offer %s, the lure check does not explain in it", code)
		}
	}
	for _, p := range []string{"check.html", "partials.html"} {
		b, err := os.ReadFile(filepath.Join("templates", p))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `"lure."`) {
			t.Errorf("%s looks up lure reasons in the pages' locales; show the lure package's texts", p)
		}
	}
}

func TestMissingTranslations(t *testing.T) {
	en := readLocale(t, "en")
	for _, code := range langs[1:] {
		m := readLocale(t, code)
		for k, v := range en {
			got, ok := m[k]
			if !ok || strings.TrimSpace(got) == "" {
				t.Errorf("%s.json: missing key %q (English: %q)", code, k, v)
				continue
			}
			if strings.Count(got, "%s") != strings.Count(v, "%s") {
				t.Errorf("%s.json: key %q has %d %%s, English has %d", code, k, strings.Count(got, "%s"), strings.Count(v, "%s"))
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json: key %q is not in en.json", code, k)
			}
		}
	}
}

// checkLabels fails when an input, select or textarea of the page has no
// label, or when the page loads anything inline or from another host.
func checkLabels(t *testing.T, name, body string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: parse: %v", name, err)
	}
	labelled := map[string]bool{}
	type control struct {
		id, tag, typ string
		wrapped      bool
	}
	var controls []control
	var walk func(n *html.Node, inLabel bool)
	walk = func(n *html.Node, inLabel bool) {
		if n.Type == html.ElementNode {
			attr := func(k string) string {
				for _, a := range n.Attr {
					if a.Key == k {
						return a.Val
					}
				}
				return ""
			}
			switch n.Data {
			case "label":
				if f := attr("for"); f != "" {
					labelled[f] = true
				}
				inLabel = true
			case "input", "select", "textarea":
				typ := attr("type")
				if typ != "hidden" && typ != "submit" {
					controls = append(controls, control{id: attr("id"), tag: n.Data, typ: typ, wrapped: inLabel})
				}
			case "script":
				if attr("src") == "" {
					t.Errorf("%s: inline script", name)
				}
				if strings.Contains(attr("src"), "//") {
					t.Errorf("%s: script from another host: %s", name, attr("src"))
				}
			case "link", "img":
				for _, k := range []string{"href", "src"} {
					if v := attr(k); strings.HasPrefix(v, "http") || strings.HasPrefix(v, "//") {
						t.Errorf("%s: %s loads from another host: %s", name, n.Data, v)
					}
				}
			}
			if attr("style") != "" {
				t.Errorf("%s: style attribute on <%s> (the CSP forbids it)", name, n.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inLabel)
		}
	}
	walk(doc, false)
	for _, c := range controls {
		if !c.wrapped && (c.id == "" || !labelled[c.id]) {
			t.Errorf("%s: <%s type=%q id=%q> has no label", name, c.tag, c.typ, c.id)
		}
	}
}

func TestPublicPages(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	titles := map[string]string{"en": "Form", "zh": "表格", "km": "ទម្រង់", "th": "แบบฟอร์ม", "vi": "Biểu mẫu"}
	for _, lang := range langs {
		for _, path := range []string{"/report", "/track", "/check"} {
			t.Run(lang+path, func(t *testing.T) {
				p := e.do(t, c, "GET", path+"?lang="+lang, nil)
				if p.status != http.StatusOK {
					t.Fatalf("status %d, want 200", p.status)
				}
				if got := p.header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control %q, want no-store", got)
				}
				if !strings.Contains(p.body, "<title>"+titles[lang]+"</title>") {
					t.Errorf("title is not the neutral %q", titles[lang])
				}
				if !strings.Contains(p.body, `<html lang="`+lang+`">`) {
					t.Errorf("html lang is not %s", lang)
				}
				if !strings.Contains(p.body, `id="leave"`) {
					t.Error("no leave-quickly control")
				}
				checkLabels(t, lang+path, p.body)
			})
		}
	}
	t.Run("accept-language", func(t *testing.T) {
		p := e.do(t, e.client(t), "GET", "/report", nil, "Accept-Language", "th-TH,th;q=0.9,en;q=0.5")
		if !strings.Contains(p.body, `<html lang="th">`) {
			t.Errorf("Accept-Language th: page is not in Thai")
		}
	})
	t.Run("weather", func(t *testing.T) {
		if p := e.do(t, c, "GET", "/weather", nil); p.status != 200 {
			t.Errorf("status %d", p.status)
		}
	})
	t.Run("static", func(t *testing.T) {
		p := e.do(t, c, "GET", "/report", nil)
		m := regexp.MustCompile(`/static/app\.[0-9a-f]+\.css`).FindString(p.body)
		if m == "" {
			t.Fatal("no hashed stylesheet link")
		}
		s := e.do(t, c, "GET", m, nil)
		if s.status != 200 || !strings.Contains(s.header.Get("Cache-Control"), "immutable") {
			t.Errorf("stylesheet: status %d, Cache-Control %q", s.status, s.header.Get("Cache-Control"))
		}
	})
}

func TestReportReceiptTrack(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	// An error keeps everything typed and says what is wrong in the
	// reporter's language, next to the field.
	bad := url.Values{"narrative": {"   "}, "place": {"ក្រុងព្រះសីហនុ"}, "victim_nationality": {"KH"}, "still_held": {"yes"}, "job_ad": {"ការងារ ១០០០ ដុល្លារ"}}
	p := e.do(t, c, "POST", "/report?lang=km", bad)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty narrative: status %d, want 422", p.status)
	}
	for _, want := range []string{"សូមបំពេញចំណុចនេះ។", `value="ក្រុងព្រះសីហនុ"`, `value="KH" selected`, `value="yes" checked`, "ការងារ ១០០០ ដុល្លារ</textarea>"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	// A bad nationality is refused next to its field.
	p = e.do(t, c, "POST", "/report?lang=zh", url.Values{"narrative": {"我被困在西港"}, "victim_nationality": {"XX"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "请从选项中选择。") || !strings.Contains(p.body, "我被困在西港</textarea>") {
		t.Errorf("bad nationality: status %d; want 422 with the Chinese message and the narrative kept", p.status)
	}

	good := url.Values{"narrative": {"我哥哥被关在西港的园区，护照被收走了。"}, "place": {"西港"}, "incident_type": {"confinement", "passport_confiscation"},
		"relationship": {"family"}, "still_held": {"yes"}, "victim_name": {"王小明"}, "victim_nationality": {"CN"},
		"reporter_contact": {"wechat_secret_handle"}, "safe_to_contact": {"yes"}}
	p = e.do(t, c, "POST", "/report?lang=zh", good)
	if p.status != http.StatusSeeOther {
		t.Fatalf("report: status %d, want 303\n%s", p.status, p.body)
	}
	loc := p.header.Get("Location")
	if !strings.HasPrefix(loc, "/receipt/VG-") {
		t.Fatalf("Location %q", loc)
	}
	code := strings.TrimPrefix(loc, "/receipt/")
	r := e.do(t, c, "GET", loc, nil)
	secret := regexp.MustCompile(`<code id="secret" class="big">([a-z0-9]+)</code>`).FindStringSubmatch(r.body)
	if r.status != 200 || secret == nil {
		t.Fatalf("receipt: status %d, no secret shown", r.status)
	}
	if strings.Contains(loc, secret[1]) {
		t.Error("the secret is in the URL")
	}
	// Shown once.
	if again := e.do(t, c, "GET", loc, nil); strings.Contains(again.body, secret[1]) {
		t.Error("the secret is shown a second time")
	}
	tr := e.do(t, c, "POST", "/track?lang=zh", url.Values{"code": {strings.ToLower(code)}, "secret": {secret[1]}})
	if tr.status != 200 || !strings.Contains(tr.body, "已收到") {
		t.Errorf("track: status %d, want 200 with status 已收到", tr.status)
	}
	wrong := e.do(t, c, "POST", "/track?lang=en", url.Values{"code": {code}, "secret": {"nope"}})
	if wrong.status != http.StatusNotFound || !strings.Contains(wrong.body, "No report matches") {
		t.Errorf("track with a wrong secret: status %d", wrong.status)
	}
	for _, s := range []string{"王小明", "wechat_secret_handle"} {
		if strings.Contains(r.body+tr.body, s) {
			t.Errorf("public page shows the sealed %q", s)
		}
	}
	// The check page reads the number and answers in coarse terms.
	ck := e.do(t, c, "POST", "/check?lang=en", url.Values{"q": {"+855 12 345 678"}})
	if ck.status != 200 || !strings.Contains(ck.body, "85512345678") {
		t.Errorf("check: status %d, want the normalised number on the page: %s", ck.status, ck.body)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	staffC := e.login(t, "coordinator@hotline.demo")
	for _, tc := range []struct {
		path string
		c    *http.Client
		form url.Values
	}{
		{"/report", c, url.Values{"narrative": {"x"}}},
		{"/track", c, url.Values{"code": {"x"}, "secret": {"y"}}},
		{"/check", c, url.Values{"q": {"x"}}},
		{"/login", c, url.Values{"email": {"coordinator@hotline.demo"}, "password": {demo.Password}}},
		{"/app/cases/" + e.demo.Cases["golden"] + "/assign", staffC, url.Values{"assignee": {""}, "version": {"1"}}},
		{"/app/triage/assign", staffC, url.Values{"report": {e.demo.Reports["th-poipet"]}}},
		{"/logout", staffC, url.Values{}},
	} {
		for _, hdr := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
			p := e.do(t, tc.c, "POST", tc.path, tc.form, hdr...)
			if p.status != http.StatusForbidden {
				t.Errorf("POST %s with %s: status %d, want 403", tc.path, hdr[0], p.status)
			}
		}
	}
	// Same-origin browsers pass.
	p := e.do(t, c, "POST", "/check", url.Values{"q": {"x"}}, "Sec-Fetch-Site", "same-origin")
	if p.status != 200 {
		t.Errorf("same-origin POST: status %d", p.status)
	}
}

func TestStaffPages(t *testing.T) {
	e := newEnv(t)
	coord := e.login(t, "coordinator@hotline.demo")
	golden := e.demo.Cases["golden"]
	pages := []string{"/app/triage", "/app/triage?language=th&urgent=1", "/app/cases", "/app/cases/" + golden, "/app/cases/" + e.demo.Cases["blood"],
		"/app/cases/" + golden + "/network", "/app/reports/" + e.demo.Reports["th-poipet"], "/app/referrals", "/app/map", "/app/stats", "/app/account"}
	for _, path := range pages {
		for _, lang := range []string{"en", "km"} {
			p := e.do(t, coord, "GET", path+sep(path)+"lang="+lang, nil)
			if p.status != 200 {
				t.Errorf("GET %s: status %d, want 200", path, p.status)
				continue
			}
			for _, s := range sealedValues {
				if strings.Contains(p.body, s) {
					t.Errorf("GET %s shows the sealed %q", path, s)
				}
			}
			checkLabels(t, path, p.body)
		}
	}
	// The case page: the recantation beside the statement it recants, and
	// the history.
	p := e.do(t, coord, "GET", "/app/cases/"+e.demo.Cases["blood"]+"?lang=en", nil)
	if !strings.Contains(p.body, `class="row with-side"`) || !strings.Contains(p.body, "kind-recantation") || !strings.Contains(p.body, "kind-third_party") {
		t.Error("blood case: recantation not shown beside the statement")
	}
	p = e.do(t, coord, "GET", "/app/cases/"+golden+"?lang=en", nil)
	if !strings.Contains(p.body, "Case changed") || !strings.Contains(p.body, "Anti-Human Trafficking Police") {
		t.Error("golden case: history or referral missing")
	}
	// Reveal asks for a reason, then shows the sealed fields in that
	// response only.
	r := e.do(t, coord, "POST", "/app/cases/"+golden+"/reveal", url.Values{"report": {e.demo.Reports["en-lure"]}, "reason": {"x"}})
	if r.status != http.StatusUnprocessableEntity || strings.Contains(r.body, "Budi Santoso") {
		t.Errorf("reveal without a reason: status %d", r.status)
	}
	r = e.do(t, coord, "POST", "/app/cases/"+golden+"/reveal", url.Values{"report": {e.demo.Reports["en-lure"]}, "reason": {"police need the name to find him"}})
	if r.status != 200 || !strings.Contains(r.body, "Budi Santoso") || !strings.Contains(r.body, "C1234567") {
		t.Errorf("reveal: status %d, sealed fields not shown", r.status)
	}
	if p := e.do(t, coord, "GET", "/app/cases/"+golden, nil); strings.Contains(p.body, "Budi Santoso") || !strings.Contains(p.body, "police need the name") {
		t.Error("after reveal: the case page shows the sealed name, or the history lacks the reveal")
	}
	// Map and statistics draw SVG and offer CSV.
	if p := e.do(t, coord, "GET", "/app/map", nil); !strings.Contains(p.body, "<svg class=\"map\"") || !strings.Contains(p.body, "Sihanoukville (") {
		t.Error("map: no SVG or no Sihanoukville circle")
	}
	csv := e.do(t, coord, "GET", "/app/stats/nationality.csv", nil)
	if csv.status != 200 || !strings.HasPrefix(csv.body, "key,label,count\n") || !strings.Contains(csv.body, "KH,Cambodia,") {
		t.Errorf("nationality.csv: status %d\n%s", csv.status, csv.body)
	}
	g := e.do(t, coord, "GET", "/app/cases/"+golden+"/graph.json", nil)
	if g.status != 200 || !strings.Contains(g.body, `"kind":"place"`) {
		t.Errorf("graph.json: status %d", g.status)
	}
	// Identifiers say what they are where the value does not; the
	// reporters' own contacts (linked blind) have no node.
	if !strings.Contains(g.body, `"label":"@golden_job_kh"`) || !strings.Contains(g.body, `"label":"WhatsApp +85512345678"`) || strings.Contains(g.body, `"label":""`) {
		t.Errorf("graph.json: want the recruiter's handle and WhatsApp and no blind contact:\n%s", g.body)
	}
	// Admin only for admins.
	if p := e.do(t, coord, "GET", "/app/admin", nil); p.status != http.StatusForbidden {
		t.Errorf("coordinator /app/admin: status %d, want 403", p.status)
	}
	admin := e.login(t, "admin@hotline.demo")
	p = e.do(t, admin, "GET", "/app/admin", nil)
	if p.status != 200 || !strings.Contains(p.body, "intake@hotline.demo") {
		t.Fatalf("admin: status %d", p.status)
	}
	checkLabels(t, "/app/admin", p.body)
	tok := e.do(t, admin, "POST", "/app/admin/tokens", url.Values{"user": {e.demo.Users["callcentre@hotline.demo"]}, "name": {"import script"}, "days": {"30"}})
	if tok.status != 200 || !strings.Contains(tok.body, `id="new-token"`) {
		t.Errorf("token: status %d", tok.status)
	}
	// Signed out: pages redirect to the login.
	if p := e.do(t, e.client(t), "GET", "/app/triage", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login") {
		t.Errorf("signed out: status %d", p.status)
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

func TestPartnerSeesOnlyReferred(t *testing.T) {
	e := newEnv(t)
	police := e.login(t, "partner@police.demo")
	for _, path := range []string{"/app/triage", "/app/cases", "/app/map", "/app/stats", "/app/admin", "/app/reports/" + e.demo.Reports["th-poipet"],
		"/app/cases/" + e.demo.Cases["blood"], "/app/cases/" + e.demo.Cases["golden"] + "/network", "/app/nothing"} {
		if p := e.do(t, police, "GET", path, nil); p.status != http.StatusNotFound {
			t.Errorf("partner GET %s: status %d, want 404", path, p.status)
		}
	}
	p := e.do(t, police, "GET", "/app/referrals", nil)
	if p.status != 200 || !strings.Contains(p.body, "/app/cases/"+e.demo.Cases["golden"]) {
		t.Fatalf("partner referrals: status %d", p.status)
	}
	cp := e.do(t, police, "GET", "/app/cases/"+e.demo.Cases["golden"], nil)
	if cp.status != 200 || !strings.Contains(cp.body, `class="card respond"`) {
		t.Fatalf("partner case: status %d or no respond form", cp.status)
	}
	ref := regexp.MustCompile(`/app/referrals/([0-9a-f-]+)/respond`).FindStringSubmatch(cp.body)
	if ref == nil {
		t.Fatal("no referral id")
	}
	r := e.do(t, police, "POST", ref[0], url.Values{"status": {"accepted"}, "response": {"Unit dispatched."}, "version": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("respond: status %d\n%s", r.status, r.body)
	}
	if cp := e.do(t, police, "GET", "/app/cases/"+e.demo.Cases["golden"], nil); !strings.Contains(cp.body, "Unit dispatched.") {
		t.Error("response not shown")
	}
	embassy := e.login(t, "partner@embassy.demo")
	if p := e.do(t, embassy, "GET", "/app/cases/"+e.demo.Cases["golden"], nil); p.status != http.StatusNotFound {
		t.Errorf("embassy sees the police's case: status %d", p.status)
	}
	// The police sees the title the hotline wrote for it, never the
	// internal one, on the case page and the referrals page.
	const golden = "Recruiter +855 12 345 678"
	for _, path := range []string{"/app/cases/" + e.demo.Cases["golden"], "/app/referrals"} {
		p := e.do(t, police, "GET", path, nil)
		if !strings.Contains(p.body, "Recruitment network, Sihanoukville compound: two victims held") || strings.Contains(p.body, golden) {
			t.Errorf("police %s: want the partner title and not the internal one", path)
		}
	}
}

// TestReferWithPartnerTitle refers a case from the case page's form, with
// a title for the partner and without one (issue 11): the partner sees
// the title written for it, or a neutral one; never the internal title.
func TestReferWithPartnerTitle(t *testing.T) {
	e := newEnv(t)
	coord := e.login(t, "coordinator@hotline.demo")
	blood, myawaddy := e.demo.Cases["blood"], e.demo.Cases["myawaddy"]
	cp := e.do(t, coord, "GET", "/app/cases/"+blood+"?lang=en", nil)
	if !strings.Contains(cp.body, `name="partner_title"`) || !strings.Contains(cp.body, "Title the partner sees") {
		t.Fatal("the refer form has no partner title field")
	}
	checkLabels(t, "case page", cp.body)
	refer := func(caseID, title string) page {
		t.Helper()
		return e.do(t, coord, "POST", "/app/cases/"+caseID+"/refer?lang=en", url.Values{"to_org": {e.demo.Orgs["embassy"]}, "shared": {"places"}, "partner_title": {title}})
	}
	if r := refer(blood, strings.Repeat("x", 201)); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "partner_title") {
		t.Errorf("a 201-character partner title: status %d, want 422 naming the field", r.status)
	}
	const written = "Worker held in a compound, medical concerns"
	if r := refer(blood, "  "+written+" "); r.status != http.StatusSeeOther {
		t.Fatalf("refer with a partner title: status %d\n%s", r.status, r.body)
	}
	if r := refer(myawaddy, "  "); r.status != http.StatusSeeOther {
		t.Fatalf("refer without a partner title: status %d\n%s", r.status, r.body)
	}
	embassy := e.login(t, "partner@embassy.demo")
	if p := e.do(t, embassy, "GET", "/app/cases/"+blood, nil); p.status != 200 || !strings.Contains(p.body, written) || strings.Contains(p.body, "forced blood draws") {
		t.Errorf("embassy's blood case: status %d; want the partner title and not the internal one", p.status)
	}
	neutral := "Case " + myawaddy[len(myawaddy)-8:]
	if p := e.do(t, embassy, "GET", "/app/cases/"+myawaddy, nil); p.status != 200 || !strings.Contains(p.body, neutral) || strings.Contains(p.body, "Vietnamese workers held") {
		t.Errorf("embassy's myawaddy case: status %d; want the neutral title %q and not the internal one", p.status, neutral)
	}
}

func TestLoginWithTOTP(t *testing.T) {
	e := newEnv(t)
	_, secret, err := e.srv.Staff.EnableTOTP(t.Context(), staff.System, "investigator@hotline.demo")
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	form := url.Values{"email": {"investigator@hotline.demo"}, "password": {demo.Password}}
	// A right password without the code gets the page a wrong password
	// gets: nothing tells the password was right (issue 11).
	p := e.do(t, c, "POST", "/login", form)
	wrongPW := e.do(t, c, "POST", "/login", url.Values{"email": {"investigator@hotline.demo"}, "password": {"not the password"}})
	if p.status != http.StatusUnauthorized || p.body != wrongPW.body || !strings.Contains(p.body, "Wrong e-mail, password or code") {
		t.Fatalf("login without code: status %d, want 401 with the same page as a wrong password", p.status)
	}
	form.Set("code", "000000")
	if p := e.do(t, c, "POST", "/login", form); p.status != http.StatusUnauthorized || p.body != wrongPW.body {
		t.Errorf("login with a wrong code: status %d, want the wrong-password page", p.status)
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	form.Set("code", code)
	if p := e.do(t, c, "POST", "/login", form); p.status != http.StatusSeeOther {
		t.Fatalf("login with code: status %d", p.status)
	}
	// The session cookie is HttpOnly and SameSite=Strict.
	coord := e.client(t)
	req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader(url.Values{"email": {"coordinator@hotline.demo"}, "password": {demo.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := coord.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	if !strings.Contains(sc, "vigil_session=") || !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Strict") {
		t.Errorf("session cookie %q", sc)
	}
	// Self-enrolment: a signed-in user turns on TOTP with a confirmed code.
	me := e.login(t, "coordinator@hotline.demo")
	p = e.do(t, me, "POST", "/app/account/totp", url.Values{})
	m := regexp.MustCompile(`<code id="totp-secret" class="big">([A-Z2-7]+)</code>`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("enrol: no secret shown (status %d)", p.status)
	}
	code, _ = totp.GenerateCode(m[1], time.Now())
	p = e.do(t, me, "POST", "/app/account/totp/confirm", url.Values{"secret": {m[1]}, "code": {code}, "password": {"not my password"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "That is not your password") {
		t.Errorf("enrol with a wrong password: status %d, want 422 saying so", p.status)
	}
	p = e.do(t, me, "POST", "/app/account/totp/confirm", url.Values{"secret": {m[1]}, "code": {"123456"}, "password": {demo.Password}})
	if p.status != http.StatusUnprocessableEntity {
		t.Errorf("enrol with a wrong code: status %d", p.status)
	}
	// Shown again after a wrong code, the otpauth URL holds the same secret.
	if u := regexp.MustCompile(`secret=([A-Z2-7]+)`).FindStringSubmatch(p.body); u == nil || u[1] != m[1] {
		t.Errorf("enrol with a wrong code: otpauth URL secret %v, want %s", u, m[1])
	}
	code, _ = totp.GenerateCode(m[1], time.Now())
	if p := e.do(t, me, "POST", "/app/account/totp/confirm", url.Values{"secret": {m[1]}, "code": {code}, "password": {demo.Password}}); p.status != http.StatusSeeOther {
		t.Fatalf("enrol: status %d", p.status)
	}
	if p := e.do(t, e.client(t), "POST", "/login", url.Values{"email": {"coordinator@hotline.demo"}, "password": {demo.Password}}); p.status != http.StatusUnauthorized {
		t.Errorf("after enrolment, login without a code: status %d, want 401", p.status)
	}
}

// TestScreeningReviewOnCasePage: the Try Pheap hit shows on the case page,
// and an investigator dismisses it there (a dismissal needs a note).
func TestScreeningReviewOnCasePage(t *testing.T) {
	e := newEnv(t)
	inv := e.login(t, "investigator@hotline.demo")
	path := "/app/cases/" + e.demo.Cases["golden"]
	p := e.do(t, inv, "GET", path+"?lang=en", nil)
	if !strings.Contains(p.body, "TRY, Pheap") {
		t.Fatalf("golden case page lacks the Try Pheap screening hit")
	}
	m := regexp.MustCompile(`name="hit" value="([^"]+)"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("no review form for the hit")
	}
	checkLabels(t, path, p.body)
	bad := e.do(t, inv, "POST", path+"/screening?lang=en", url.Values{"hit": {m[1]}, "decision": {"dismissed"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Errorf("dismissal without a note: status %d, want 422", bad.status)
	}
	ok := e.do(t, inv, "POST", path+"/screening?lang=en", url.Values{"hit": {m[1]}, "decision": {"dismissed"}, "note": {"Same name, different person: the reporter described a woman of 30."}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("dismissal: status %d, want 303", ok.status)
	}
	p = e.do(t, inv, "GET", path+"?lang=en", nil)
	if !strings.Contains(p.body, ">dismissed<") {
		t.Error("the hit does not show as dismissed after review")
	}
	partner := e.login(t, "partner@embassy.demo")
	if r := e.do(t, partner, "POST", path+"/screening?lang=en", url.Values{"hit": {m[1]}, "decision": {"confirmed"}}); r.status != http.StatusNotFound {
		t.Errorf("a partner of another organisation reviewed a hit: status %d, want 404", r.status)
	}
}
