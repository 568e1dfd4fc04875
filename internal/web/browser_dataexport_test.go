package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDataExport: in chromium, a coordinator opens the data export
// page on a phone (390 px) and a desktop (1280 px), in English and Khmer:
// every form is on the page with nothing wider than the screen; the STIX
// form's download (fetched with the page's session, as the button sends
// it) is a bundle; a bad k sent from the CTDC form comes back as the form
// naming k. Screenshots in screenshots/web/.
func TestBrowserDataExport(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e.ts.URL)
	b.desktop()
	b.login("coordinator@hotline.demo")
	for _, size := range []string{"phone", "desktop"} {
		if size == "phone" {
			b.phone()
		} else {
			b.desktop()
		}
		for _, lang := range []string{"en", "km"} {
			b.open("/app/exports?lang=" + lang)
			if got := b.eval(`String(document.querySelectorAll('form.card[id^="export-"]').length)`); got != "5" {
				t.Errorf("%s %s: %s export forms, want 5", size, lang, got)
			}
			if w := b.eval(`String(Array.from(document.querySelectorAll('main *')).filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(el => el.tagName + '#' + el.id).join(' '))`); w != "" {
				t.Errorf("%s %s: wider than the screen: %s", size, lang, w)
			}
			b.click("#export-sealed summary")
			b.shot("exports-" + size + "-" + lang)
		}
	}
	b.desktop()
	b.open("/app/exports?lang=en")
	js := `fetch(new URL(document.querySelector('#export-stix').action + '?' + new URLSearchParams(new FormData(document.querySelector('#export-stix'))))).then(r => r.ok ? r.text() : 'status ' + r.status)`
	body, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct{ Type string }
	if err := json.Unmarshal([]byte(body), &bundle); err != nil || bundle.Type != "bundle" {
		t.Errorf("the STIX form's download is not a bundle: %.200s", body)
	}
	if !strings.Contains(body, "TLP:AMBER") {
		t.Error("the STIX form's default marking is not TLP:AMBER")
	}
	// A k the service refuses (the field's own bounds are lifted to send it).
	b.eval(`document.querySelector('#ctdc-k').removeAttribute('min'), document.querySelector('#ctdc-k').value = '1', ''`)
	b.submit("#export-ctdc button", "#export-error")
	if got := b.eval(`document.querySelector('#export-ctdc .field-error') ? document.querySelector('#export-ctdc .field-error').textContent : ''`); got != localeText(t, "en", "dataexport.err.k") {
		t.Errorf("the CTDC form says %q beside k", got)
	}
	if got := b.eval(`document.querySelector('#export-error a').getAttribute('href')`); got != "#ctdc-k" {
		t.Errorf("the refusal links to %q, want #ctdc-k", got)
	}
	b.phone()
	b.click("#export-error a")
	b.shot("exports-phone-en-bad-k")
	b.checkClean()
}
