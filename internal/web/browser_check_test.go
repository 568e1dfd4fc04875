package web_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/store"
)

// corpusInputs are what people might type into the check box, from the
// extractor's corpora: every annotated value with the ways it is written
// (national, "00", spaced, without '@', as a t.me or wa.me link), and
// every word of every snippet.
func corpusInputs(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "extract", "testdata", "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus files: %v (%d)", err, len(files))
	}
	set := map[string]bool{}
	add := func(s ...string) {
		for _, v := range s {
			if v = strings.TrimSpace(v); v != "" {
				set[v] = true
			}
		}
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var line struct {
				Text string `json:"text"`
				Want []struct{ Kind, Value string }
			}
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, w := range line.Want {
				v := w.Value
				add(v, strings.ToUpper(v))
				if local, host, ok := strings.Cut(v, "@"); ok && local != "" {
					add(strings.ToUpper(local)+"@"+host, local+"@"+strings.ToUpper(host), local+".x@"+host)
				}
				name := strings.TrimPrefix(v, "@")
				add("instagram.com/"+name, "https://www.instagram.com/"+name+"/", "tiktok.com/@"+name, "https://m.tiktok.com/@"+name, "facebook.com/"+name, "https://fb.com/"+name)
				if name, ok := strings.CutPrefix(v, "@"); ok {
					add(name, "t.me/"+name, "https://t.me/"+name, "https://t.me/s/"+name+"/", "@"+strings.ToUpper(name))
				}
				if d, ok := strings.CutPrefix(v, "+"); ok {
					add(d, "00"+d, "wa.me/"+d, "https://wa.me/"+d)
					for l := 1; l <= 3 && l < len(d); l++ {
						add("0"+d[l:], "+"+d[:l]+" "+d[l:], "+"+d[:l]+" (0)"+d[l:])
					}
					if len(d) > 6 {
						add("+"+d[:3]+" "+d[3:6]+"-"+d[6:], d[:len(d)-1], "+"+d+"1")
					}
				}
			}
			for _, word := range strings.Fields(line.Text) {
				add(word, strings.Trim(word, ".,;:!?()\"'"))
			}
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// TestCheckNormaliserAgrees runs the check page's normaliser
// (static/normalize.js) in chromium over the extractor's corpora and
// compares it with extract.Query, which the server-side check uses: it
// may decline an input, never answer otherwise than the Go normaliser.
func TestCheckNormaliserAgrees(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e.ts.URL)
	b.open("/check?lang=en")
	inputs := corpusInputs(t)
	js, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	got := b.eval("JSON.stringify(" + string(js) + ".map(function (q) { return VigilNormalize.query(q); }))")
	var answers []*struct{ Kind, Value string }
	if err := json.Unmarshal([]byte(got), &answers); err != nil || len(answers) != len(inputs) {
		t.Fatalf("normaliser answers: %v (%d for %d inputs)", err, len(answers), len(inputs))
	}
	goOK, claimed := map[string]int{}, map[string]int{}
	total, covered := 0, 0
	for i, in := range inputs {
		h, ok := extract.Query(in, "")
		if ok {
			goOK[string(h.Kind)]++
			total++
		}
		a := answers[i]
		if a == nil {
			continue
		}
		if !ok || a.Kind != string(h.Kind) || a.Value != h.Value {
			t.Errorf("%q: the page reads %s %q, the server %s %q (ok %v)", in, a.Kind, a.Value, h.Kind, h.Value, ok)
			continue
		}
		claimed[a.Kind]++
		covered++
	}
	kinds := make([]string, 0, len(goOK))
	for k := range goOK {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var per []string
	for _, k := range kinds {
		per = append(per, fmt.Sprintf("%s %d/%d", k, claimed[k], goOK[k]))
	}
	t.Logf("%d inputs; the server normalises %d, the page %d of them (%s)", len(inputs), total, covered, strings.Join(per, ", "))
	if claimed["phone"] == 0 || claimed["telegram"] == 0 || claimed["whatsapp"] == 0 {
		t.Errorf("the page normalises no phone, Telegram or WhatsApp input: %v", claimed)
	}
	b.checkClean()
}

// recorder keeps the method, URL and body of every request to h.
type recorder struct {
	h    http.Handler
	mu   sync.Mutex
	seen []string
	// encoding is the Content-Encoding each path was last answered with.
	encoding map[string]string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(strings.NewReader(string(body)))
	r.mu.Lock()
	r.seen = append(r.seen, req.Method+" "+req.URL.String()+" "+string(body)+" "+req.Header.Get("Referer"))
	r.mu.Unlock()
	r.h.ServeHTTP(w, req)
	r.mu.Lock()
	if r.encoding == nil {
		r.encoding = map[string]string{}
	}
	r.encoding[req.URL.Path] = w.Header().Get("Content-Encoding")
	r.mu.Unlock()
}

func (r *recorder) reset() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.seen
	r.seen = nil
	return s
}

// TestCheckOnDevice: with JavaScript the check page answers a published
// identifier (a registered legitimate contact) and an unknown one from the
// range bucket of the hash's prefix, and no request carries the number,
// any form of it or its whole hash; what the page cannot read offers the
// server-side check, and only that button sends the text; without
// JavaScript the form posts as before. On both engines.
func TestCheckOnDevice(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			e := newEnvOn(t, eng)
			c := e.login(t, "coordinator@hotline.demo")
			if p := e.do(t, c, "POST", "/app/protected?lang=en", url.Values{"value": {"012 999 077"}, "country": {"KH"}, "note": {"Our hotline"}}); p.status != http.StatusSeeOther {
				t.Fatalf("protect: status %d", p.status)
			}
			if _, err := e.srv.Links.Publish(t.Context()); err != nil {
				t.Fatal(err)
			}
			rec := &recorder{h: e.srv.Handler()}
			ts := httptest.NewServer(rec)
			t.Cleanup(ts.Close)
			b := newBrowser(t, ts.URL)

			var idx struct {
				PrefixLength int `json:"prefix_length"`
			}
			if err := json.Unmarshal([]byte(e.do(t, e.client(t), "GET", "/api/v1/check/range", nil).body), &idx); err != nil || idx.PrefixLength == 0 {
				t.Fatalf("range index: %v %+v", err, idx)
			}
			for _, tc := range []struct {
				typed, value, band string
				legitimate         bool
			}{
				{"+855 12 999 077", "+85512999077", "none", true},
				{"00855 12-999-078", "+85512999078", "none", false},
			} {
				b.open("/check?lang=km")
				rec.reset()
				b.set("#q", tc.typed)
				b.do(chromedp.Click(chromedp.CSS("form button.primary")), chromedp.WaitVisible(chromedp.CSS(`.result[data-local] code, #check-unsure:not([hidden])`)))
				b.shot("check-local-" + string(eng) + "-" + tc.value[1:])
				if got := b.text(".result code"); got != tc.value {
					t.Errorf("%s: read as %q, want %q", tc.typed, got, tc.value)
				}
				if got := b.eval(`document.querySelector(".result p.band").className`); got != "band band-"+tc.band {
					t.Errorf("%s: band %q", tc.typed, got)
				}
				legit := b.eval(`String(!document.querySelector(".result p.legitimate").hidden)`) == "true"
				if legit != tc.legitimate {
					t.Errorf("%s: legitimate shown %v, want %v", tc.typed, legit, tc.legitimate)
				}
				if got, want := b.text(".result p.band strong"), localeText(t, "km", "check.band."+tc.band); got != want {
					t.Errorf("%s: band label %q, want %q", tc.typed, got, want)
				}
				hash := links.RangeHash("phone", tc.value)
				seen := rec.reset()
				asked := false
				for _, s := range seen {
					for _, secret := range []string{hash, hash[idx.PrefixLength:], strings.TrimPrefix(tc.value, "+"), tc.value[4:], url.QueryEscape(tc.typed)} {
						if strings.Contains(s, secret) {
							t.Errorf("%s: a request carries %q: %s", tc.typed, secret, s)
						}
					}
					if strings.HasPrefix(s, "GET /api/v1/check/range/"+hash[:idx.PrefixLength]+" ") {
						asked = true
					}
				}
				if !asked {
					t.Errorf("%s: the page did not ask for bucket %s: %q", tc.typed, hash[:idx.PrefixLength], seen)
				}
				rec.mu.Lock()
				if enc := rec.encoding["/api/v1/check/range/"+hash[:idx.PrefixLength]]; enc != "gzip" {
					t.Errorf("%s: the bucket came with Content-Encoding %q; want gzip, which the browser takes", tc.typed, enc)
				}
				rec.mu.Unlock()
			}

			// Not something the page can read: it says so and sends nothing
			// until asked; the button checks on the server.
			b.open("/check?lang=en")
			rec.reset()
			b.set("#q", "hr.jobs@example.com")
			b.do(chromedp.Click(chromedp.CSS("form button.primary")), chromedp.WaitVisible(chromedp.CSS("#check-unsure")))
			b.shot("check-unsure-" + string(eng))
			for _, s := range rec.reset() {
				if strings.Contains(s, "example") {
					t.Errorf("sent before the server check was asked for: %s", s)
				}
			}
			b.submit("#check-server", ".result:not([data-local])")
			if got := b.text(".result code"); got != "hr.jobs@example.com" {
				t.Errorf("server check read %q", got)
			}
			if !slices.ContainsFunc(rec.reset(), func(s string) bool { return strings.HasPrefix(s, "POST /check") }) {
				t.Error("the server check button did not post the form")
			}
			b.checkClean()

			// Without JavaScript the form posts and the server answers.
			if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				t.Fatal(err)
			}
			b.open("/check?lang=en")
			rec.reset()
			b.set("#q", "+855 12 999 077")
			b.submit("form button.primary", ".result")
			if got := b.text(".result code"); got != "+85512999077" {
				t.Errorf("no-JS check read %q", got)
			}
			if b.eval(`String(document.querySelector(".result [data-legitimate]") !== null)`) != "true" {
				t.Error("no-JS check: not answered legitimate")
			}
			if !slices.ContainsFunc(rec.reset(), func(s string) bool { return strings.HasPrefix(s, "POST /check") && strings.Contains(s, "999+077") }) {
				t.Error("no-JS check: the form was not posted")
			}
		})
	}
}
