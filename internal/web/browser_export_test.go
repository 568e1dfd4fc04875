package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestBrowserExportAndPrint: in chromium, a coordinator reading Khmer
// follows the triage page's CSV and XLSX links (fetched with the page's
// session, as a click downloads them) and the files read back with Khmer
// headings and the queue's reports; then a case page printed (print media
// emulated) shows no navigation, form or button, and its statements.
func TestBrowserExportAndPrint(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e.ts.URL)
	b.desktop()
	b.login("coordinator@hotline.demo")
	b.open("/app/triage?lang=km")
	fetch := func(format string) string {
		href := b.eval(`document.querySelector('p.exports a[href*="format=` + format + `"]').getAttribute('href')`)
		if !strings.HasPrefix(href, "/app/export/triage") {
			t.Fatalf("the %s link is %q", format, href)
		}
		js := `fetch(` + strconvQuote(href) + `).then(r => { if (!r.ok) throw new Error('status ' + r.status); return r.arrayBuffer() })
			.then(buf => { let s = ''; for (const c of new Uint8Array(buf)) s += String.fromCharCode(c); return btoa(s) })`
		s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("fetch %s: %v", href, err)
		}
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	heading := localeText(t, "km", "export.col.tracking_code")
	raw := fetch("csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || rows[0][1] != heading {
		t.Fatalf("CSV: %d rows, headings %q; want Khmer headings and the queue", len(rows), rows[0])
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(fetch("xlsx"))))
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := f.GetRows(f.GetSheetName(0))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(xrows) != len(rows) || xrows[0][1] != heading || xrows[1][0] != rows[1][0] {
		t.Errorf("XLSX: %d rows, first %q; want the CSV's %d rows", len(xrows), xrows[0], len(rows))
	}

	b.open("/app/cases/" + e.demo.Cases[firstKey(e.demo.Cases)] + "?lang=km")
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	shown := b.eval(`Array.from(document.querySelectorAll('header.top, nav, form, button, details.reveal, details:has(form), .exports'))
		.filter(el => getComputedStyle(el).display !== 'none').map(el => el.tagName + '.' + el.className).join(' ')`)
	if shown != "" {
		t.Errorf("printed, the case page still shows %s", shown)
	}
	if n := b.eval(`String(Array.from(document.querySelectorAll('ol.timeline > li')).filter(el => getComputedStyle(el).display !== 'none').length)`); n == "0" {
		t.Error("printed, the case page shows no statement")
	}
	// Each integrated statement version says how to verify its leaf.
	if v := b.eval(`Array.from(document.querySelectorAll('.version p.verify')).filter(el => getComputedStyle(el).display !== 'none' && el.textContent.includes('/log/proof/inclusion?index=')).length > 0 ? 'yes' : 'no'`); v != "yes" {
		t.Error("printed, no statement version shows its ledger leaf and how to verify it")
	}
	b.shot("case-print-km")
	// The same case printed in Thai and Chinese (read the screenshots).
	for _, lang := range []string{"th", "zh"} {
		b.open("/app/cases/" + e.demo.Cases[firstKey(e.demo.Cases)] + "?lang=" + lang)
		if got := b.eval(`document.documentElement.lang`); got != lang {
			t.Errorf("printed case page in %s has lang %q", lang, got)
		}
		b.shot("case-print-" + lang)
	}
	b.checkClean()
}

// strconvQuote quotes s as a JavaScript string.
func strconvQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// firstKey is the smallest key of m, for a stable choice.
func firstKey(m map[string]string) string {
	k := ""
	for x := range m {
		if k == "" || x < k {
			k = x
		}
	}
	return k
}
