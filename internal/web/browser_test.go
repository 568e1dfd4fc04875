package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/vigil-project/vigil/internal/demo"
)

// chromium finds Debian's chromium. Missing, the browser tests fail in CI
// (CI=true) and are skipped elsewhere.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("VIGIL_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; CI must run the browser tests (apt-get install chromium)")
	}
	t.Skip("chromium not installed; skipping browser tests")
	return ""
}

// shotDir is where screenshots go: $VIGIL_SCREENSHOTS, else screenshots/web
// at the repository root (ignored by git).
func shotDir(t *testing.T) string {
	dir := os.Getenv("VIGIL_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "screenshots", "web")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is one headless chromium tab on the test server.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
	// mu guards problems: CSP violations, script errors.
	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T, base string) *browser {
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("lang", "en-US"),
	)
	actx, cancelA := chromedp.NewExecAllocator(t.Context(), opts...)
	b := &browser{t: t, base: base, dir: shotDir(t)}
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		switch ev := ev.(type) {
		case *cdplog.EventEntryAdded:
			txt := ev.Entry.Text
			if strings.Contains(txt, "Content Security Policy") || strings.Contains(txt, "Refused to") {
				b.mu.Lock()
				b.problems = append(b.problems, txt)
				b.mu.Unlock()
			}
		case *runtime.EventExceptionThrown:
			b.mu.Lock()
			b.problems = append(b.problems, "script error: "+ev.ExceptionDetails.Text+" "+fmt.Sprint(ev.ExceptionDetails.Exception.Description))
			b.mu.Unlock()
		}
	}))
	ctx, cancelT := context.WithTimeout(ctx, 240*time.Second)
	t.Cleanup(func() {
		cancelT()
		cancelC()
		cancelA()
	})
	b.ctx = ctx
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil && strings.Contains(err.Error(), "No node with given id") {
		// The page's script replaced the node between finding and reading
		// it (seen once in CI on the check page): find it again.
		s, err = chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	}
	if err != nil {
		b.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return s
}

func (b *browser) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("browser: eval %s: %v", js, err)
	}
	return s
}

// phone and desktop set the viewport.
func (b *browser) phone()   { b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))) }
func (b *browser) desktop() { b.do(chromedp.EmulateViewport(1280, 900)) }

// shot saves a full-page screenshot as name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("main")))
}

// submit clicks a submit button and waits for the next page's element:
// the old page is marked stale first, so an element it also has does not
// count.
func (b *browser) submit(button, next string) {
	b.t.Helper()
	b.eval("document.body.setAttribute('data-stale', '1'), ''")
	b.do(chromedp.Click(chromedp.CSS(button)), chromedp.WaitReady(chromedp.CSS("body:not([data-stale]) "+next)))
}

func (b *browser) set(sel, value string) {
	b.t.Helper()
	b.do(chromedp.SetValue(chromedp.CSS(sel), value))
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(sel)))
}

func (b *browser) checkClean() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("browser reported: %s", p)
	}
	b.problems = nil
}

func (b *browser) login(email string) {
	b.t.Helper()
	b.open("/login")
	b.set("#email", email)
	b.set("#password", demo.Password)
	b.submit("form button.primary", "header.top")
}

func (b *browser) logout() {
	b.t.Helper()
	b.submit("form.logout button", "#email")
}

// localeText is the text of key in the locale file of lang.
func localeText(t *testing.T, lang, key string) string {
	t.Helper()
	return readLocale(t, lang)[key]
}

// screenshotPNG writes a small PNG named for lang to attach to a report.
func screenshotPNG(t *testing.T, lang string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "screenshot-"+lang+".png")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// reports are what the browser test files in each language.
var browserReports = map[string]struct{ narrative, place, ad string }{
	"en": {"My cousin took a job as a translator. Now he is locked in a building in Poipet and they want $5,000 to let him go.", "Poipet", ""},
	"zh": {"我弟弟在网上看到高薪客服招聘，去了西港以后被关在园区里，护照被收走，现在还出不来。", "西港", "高薪招聘客服，月薪三万，包吃包住，无需经验。联系飞机 @gaoxin_kefu"},
	"km": {"ប្អូនស្រីខ្ញុំត្រូវគេបញ្ឆោតឱ្យទៅធ្វើការនៅក្រុងព្រះសីហនុ។ ឥឡូវនេះគេមិនឱ្យនាងចេញទេ ហើយទាមទារលុយ។", "ក្រុងព្រះសីហនុ", "ការងារស្រួល ប្រាក់ខែ ១២០០ ដុល្លារ មិនត្រូវការបទពិសោធន៍"},
	"th": {"น้องชายของฉันถูกหลอกไปทำงานที่เมียวดี ตอนนี้ยังถูกกักตัวอยู่และถูกทำร้าย", "เมียวดี", ""},
	"vi": {"Em gái tôi được hứa việc làm ở Campuchia, giờ bị giữ ở Bavet và bị bắt lừa đảo qua mạng.", "Bavet", ""},
}

// TestBrowser drives chromium through the public pages in all five
// languages and a staff workflow, saving a screenshot of every page.
func TestBrowser(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e.ts.URL)

	t.Run("public", func(t *testing.T) {
		b.t = t
		for _, lang := range langs {
			r := browserReports[lang]
			b.phone()
			b.open("/report?lang=" + lang)
			if got := b.eval("document.documentElement.lang"); got != lang {
				t.Errorf("%s: html lang %q", lang, got)
			}
			// The history entry is renamed to the neutral page.
			if got := b.eval("location.pathname"); got != "/weather" {
				t.Errorf("%s: location after load %q, want /weather", lang, got)
			}
			b.shot("public-" + lang + "-report")
			// An empty narrative is refused; what was typed stays.
			b.set("#place", r.place)
			b.submit("form.report-form button.primary", ".field-error")
			if got := b.eval("document.getElementById('place').value"); got != r.place {
				t.Errorf("%s: place after an error %q, want %q", lang, got, r.place)
			}
			b.shot("public-" + lang + "-report-error")
			b.set("#narrative", r.narrative)
			b.click(`input[name=incident_type][value=confinement]`)
			b.click(`input[name=relationship][value=family]`)
			b.click(`input[name=still_held][value=yes]`)
			b.set("#victim_nationality", map[string]string{"en": "ID", "zh": "CN", "km": "KH", "th": "TH", "vi": "VN"}[lang])
			if r.ad != "" {
				b.set("#job_ad", r.ad)
			}
			// The file picker is labelled in the page's language, and shows
			// the chosen file's name.
			if got, want := b.text(`label[for=attachment].button`), localeText(t, lang, "report.choose_files"); got != want {
				t.Errorf("%s: file button %q, want %q", lang, got, want)
			}
			b.do(chromedp.SetUploadFiles(chromedp.CSS("#attachment"), []string{screenshotPNG(t, lang)}))
			if got := b.text("#attachment-names"); got != "screenshot-"+lang+".png" {
				t.Errorf("%s: chosen files shown as %q", lang, got)
			}
			b.shot("public-" + lang + "-report-filled")
			b.submit("form.report-form button.primary", "#secret")
			code, secret := b.text("#code"), b.text("#secret")
			if !strings.HasPrefix(code, "VG-") || len(secret) < 20 {
				t.Fatalf("%s: receipt code %q secret %q", lang, code, secret)
			}
			b.shot("public-" + lang + "-receipt")
			b.open("/track?lang=" + lang)
			b.shot("public-" + lang + "-track")
			b.set("#code", code)
			b.set("#secret", secret)
			b.submit("form button.primary", ".result")
			if got := b.text(".result strong"); got == "" {
				t.Errorf("%s: track shows no status", lang)
			}
			b.shot("public-" + lang + "-track-result")
			b.open("/check?lang=" + lang)
			b.shot("public-" + lang + "-check")
			b.set("#q", "+855 12 345 678")
			// Answered on the device (check.js): the page stays.
			b.do(chromedp.Click(chromedp.CSS("form button.primary")), chromedp.WaitVisible(chromedp.CSS(".result[data-local] code")))
			b.shot("public-" + lang + "-check-result")
			b.open("/weather?lang=" + lang)
			b.shot("public-" + lang + "-weather")
		}
		// Leave quickly replaces the page with the neutral one.
		b.open("/report?lang=en")
		b.set("#narrative", "something private")
		b.eval("document.body.setAttribute('data-stale', '1'), ''")
		b.do(chromedp.Click(chromedp.CSS("#leave")), chromedp.WaitReady(chromedp.CSS("body:not([data-stale]) table.plain")))
		if got := b.eval("document.title"); got != "Weather" {
			t.Errorf("after leave quickly: title %q", got)
		}
		b.desktop()
		b.open("/report?lang=km")
		b.shot("desktop-km-report")
		b.checkClean()
	})

	t.Run("staff", func(t *testing.T) {
		b.t = t
		b.desktop()
		b.open("/login?lang=en")
		b.shot("staff-login")
		b.login("intake@hotline.demo")
		// Triage: the new Khmer report, someone still held.
		b.open("/app/triage?language=km")
		b.shot("staff-triage")
		b.click("#select-all")
		b.set("#assignee", e.demo.Users["investigator@hotline.demo"])
		b.submit("fieldset.bulk button.primary", "#case-status")
		if got := b.text("#case-assignee"); !strings.Contains(got, "Vichea") {
			t.Errorf("assignee after triage %q", got)
		}
		caseURL := b.eval("location.pathname")
		b.shot("staff-case")
		// Reassign, then refer to the police.
		b.set("#assignee", "")
		b.submit(`form[action$="/assign"] button`, "#case-status")
		if got := b.text("#case-assignee"); strings.Contains(got, "Vichea") {
			t.Errorf("assignee after unassigning %q", got)
		}
		b.set("#assignee", e.demo.Users["investigator@hotline.demo"])
		b.submit(`form[action$="/assign"] button`, "#case-status")
		b.set("#to_org", e.demo.Orgs["police"])
		b.set("#note", "ប្អូនស្រីនៅតែត្រូវគេឃុំ — still held, please act.")
		b.submit(`form[action$="/refer"] button`, "#case-status")
		if got := b.text("td.ref-status"); got != "Waiting for answer" {
			t.Errorf("referral status %q", got)
		}
		b.shot("staff-case-referred")
		b.logout()

		b.login("partner@police.demo")
		b.shot("partner-referrals")
		b.submit(`a[href="`+caseURL+`"]`, "form.respond")
		b.shot("partner-case")
		b.set("form.respond select", "accepted")
		b.set("form.respond textarea", "Unit on the way to the compound.")
		b.submit("form.respond button", "#case-status")
		if got := b.text("td.ref-status"); got != "Accepted" {
			t.Errorf("after response: referral status %q", got)
		}
		b.shot("partner-case-responded")
		b.open("/app/triage")
		if got := b.text("main"); !strings.Contains(got, "does not exist") {
			t.Errorf("partner triage: %q", got)
		}
		b.logout()

		b.login("coordinator@hotline.demo")
		b.open("/app/cases")
		b.shot("staff-cases")
		b.open("/app/cases/" + e.demo.Cases["blood"])
		b.shot("staff-case-recantation")
		b.open("/app/cases/" + e.demo.Cases["golden"] + "/network")
		b.do(chromedp.WaitReady(chromedp.CSS(`#graph[data-ready="true"]`)))
		b.shot("staff-network")
		b.open("/app/map")
		b.shot("staff-map")
		b.open("/app/stats?lang=zh")
		b.shot("staff-stats-zh")
		b.open("/app/account?lang=th")
		b.shot("staff-account-th")
		b.logout()
		b.login("admin@hotline.demo")
		b.open("/app/admin")
		b.shot("staff-admin")
		b.checkClean()
	})
}
