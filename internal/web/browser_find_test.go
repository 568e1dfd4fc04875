package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFindAcrossCases drives chromium through finding a report by a
// phone written otherwise than in its testimony and by a Chinese word of
// it, following "seen in N other reports" from a case to the identifier's
// page and on to another case's report, and the case's network across
// cases (a link to the other case, the other organisation's reports as a
// count); the search results, the network view and the identifier page
// are shot at 390 px and 1280 px in English, Chinese and Khmer, and none
// is wider than the screen.
func TestBrowserFindAcrossCases(t *testing.T) {
	e := newEnv(t)
	l := linkCases(t, e)
	golden := e.demo.Cases["golden"]
	b := newBrowser(t, e.ts.URL)
	b.desktop()
	b.login("investigator@hotline.demo")

	// The search box: the testimony says +855 16 888 246; a Cambodian
	// types 016888246 (the hotline's country reads it), and the other way
	// round; a Chinese word of the testimony finds it too.
	search := func(lang, q string) string {
		t.Helper()
		b.open("/app/search?lang=" + lang + "&q=" + url.QueryEscape(q))
		return b.eval("document.querySelector('main').innerHTML")
	}
	for _, q := range []string{linkedPhoneLocal, "+85516888246", linkedChineseWord} {
		if got := search("en", q); !strings.Contains(got, `href="/app/reports/`+l.report+`"`) {
			t.Errorf("search %q does not find the report:\n%s", q, got)
		}
	}
	// Typed from the search box in the header, as a person would.
	b.open("/app/triage?lang=zh")
	b.set("#search-q", "012 345 678")
	b.submit("form.search button", "table.queue")
	if got := b.eval("document.querySelector('table.queue').innerHTML"); !strings.Contains(got, e.demo.Reports["en-lure"]) {
		t.Errorf("the header's search for 012 345 678 does not find the golden case's report (+855 12 345 678):\n%s", got)
	}

	// "seen in N other reports" from the golden case: the row of the
	// recruiter's Telegram handle, to its page, to the other case.
	b.open("/app/cases/" + golden + "?lang=en")
	identURL := b.eval(`(function () {
		for (const tr of document.querySelectorAll('tr')) {
			const c = tr.querySelector('code');
			const a = tr.querySelector('a.seen-in');
			if (c && a && c.textContent === '@golden_job_kh') { return a.getAttribute('href'); }
		}
		return '';
	})()`)
	if !strings.HasPrefix(identURL, "/app/identifiers/") {
		t.Fatalf("the golden case has no \"seen in\" link for @golden_job_kh (%q)", identURL)
	}
	b.submit(`a.seen-in[href="`+identURL+`"]`, "table.ident-reports")
	if got := b.text("dd.ident-hidden"); got != "2" {
		t.Errorf("the identifier page counts %q reports the investigator cannot open; want the NGO's 2", got)
	}
	href := "/app/cases/" + l.caseID + "#report-" + l.report
	b.submit(`table.ident-reports a[href="`+href+`"]`, "section.report")
	if got := b.eval("location.pathname"); got != "/app/cases/"+l.caseID {
		t.Errorf("following the identifier's report led to %s; want the other case", got)
	}
	if got := b.text("h1"); !strings.Contains(got, linkedCaseTitle) {
		t.Errorf("the other case's page is headed %q", got)
	}

	// The network of the golden case reaches the other case; a click on it
	// opens it. The NGO's reports are a count, none of them listed.
	b.open("/app/cases/" + golden + "/network?lang=en")
	b.do(chromedp.WaitReady(chromedp.CSS(`#graph[data-ready="true"]`)))
	if got := b.text("ul.net-hidden"); !strings.Contains(got, "@golden_job_kh") || !strings.Contains(got, "2") {
		t.Errorf("the network lists the reports the investigator cannot open as %q", got)
	}
	html := b.eval("document.documentElement.outerHTML")
	for _, id := range l.theirs {
		if strings.Contains(html, id) {
			t.Errorf("the network page holds the NGO's report %s", id)
		}
	}
	b.submit(`ul.net-cases a[href="/app/cases/`+l.caseID+`"]`, "section.report")
	if got := b.eval("location.pathname"); got != "/app/cases/"+l.caseID {
		t.Errorf("the network's link to the other case led to %s", got)
	}

	// The pages at both widths in three languages.
	for _, lang := range []string{"en", "zh", "km"} {
		for _, w := range []struct {
			name string
			set  func()
			px   int
		}{{"390", b.phone, 390}, {"1280", b.desktop, 1280}} {
			w.set()
			pages := []struct{ name, path, ready string }{
				{"search", "/app/search?lang=" + lang + "&q=" + url.QueryEscape(linkedChineseWord), "table.queue"},
				{"network", "/app/cases/" + golden + "/network?lang=" + lang, `#graph[data-ready="true"]`},
				{"identifier", identURL + "?lang=" + lang, "table.ident-reports"},
			}
			for _, p := range pages {
				b.open(p.path)
				b.do(chromedp.WaitReady(chromedp.CSS(p.ready)))
				if got := b.eval("document.documentElement.lang"); got != lang {
					t.Errorf("%s %s: html lang %q", p.name, lang, got)
				}
				if wide, err := strconv.Atoi(b.eval("String(document.documentElement.scrollWidth)")); err != nil || wide > w.px {
					t.Errorf("%s in %s at %s px is %d px wide (%v)", p.name, lang, w.name, wide, err)
				}
				b.shot("find-" + p.name + "-" + lang + "-" + w.name)
			}
		}
	}
	b.checkClean()
}
