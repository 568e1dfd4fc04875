package web_test

import (
	"image/jpeg"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/intake/intaketest"
	"github.com/vigil-project/vigil/internal/store"
)

// postFile posts the staff file form of report rid (from case, when not
// empty) with one file.
func postFile(t *testing.T, e *env, c *http.Client, rid, caseID, name string, data []byte) page {
	t.Helper()
	fields := map[string]string{}
	if caseID != "" {
		fields["case"] = caseID
	}
	return postMultipart(t, e, c, "/app/reports/"+rid+"/attachments?lang=en", fields, map[string][]byte{name: data})
}

// TestStaffFilePage adds a photo to a report from the case page: listed
// with its name, type and size, a thumbnail drawn server-side and never
// cached; a ZIP is refused beside the form; a partner cannot add one.
func TestStaffFilePage(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			e := newEnvOn(t, eng)
			caseID, rid := e.demo.Cases["blood"], e.demo.Reports["blood"]
			inv := e.login(t, "intake@hotline.demo")
			photo := intaketest.JPEG(640, 480, 7)
			p := postFile(t, e, inv, rid, caseID, "gate photo.jpg", photo)
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/app/cases/"+caseID+"?done=file_added#att-") {
				t.Fatalf("upload: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
			}
			loc, _, _ := strings.Cut(p.header.Get("Location"), "#")
			cp := e.do(t, inv, "GET", loc+"&lang=en", nil)
			for _, want := range []string{"gate photo.jpg", "JPEG photo", "KB", "File added, encrypted and committed to the ledger."} {
				if !strings.Contains(cp.body, want) {
					t.Errorf("case page lacks %q", want)
				}
			}
			m := regexp.MustCompile(`<img class="thumb" src="([^"]+/thumbnail)"`).FindStringSubmatch(cp.body)
			if m == nil {
				t.Fatal("no thumbnail on the case page")
			}
			th := e.do(t, inv, "GET", m[1], nil)
			if th.status != 200 || th.header.Get("Content-Type") != "image/jpeg" || th.header.Get("Cache-Control") != "no-store" {
				t.Errorf("thumbnail: %d %q %q", th.status, th.header.Get("Content-Type"), th.header.Get("Cache-Control"))
			}
			if cfg, err := jpeg.DecodeConfig(strings.NewReader(th.body)); err != nil || cfg.Width != 240 || cfg.Height != 180 {
				t.Errorf("thumbnail %dx%d, %v; want 240x180", cfg.Width, cfg.Height, err)
			}
			bad := postFile(t, e, inv, rid, caseID, "x.jpg", intaketest.ZIP())
			if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="file-form-`+rid) || !strings.Contains(bad.body, "field-error") {
				t.Errorf("a ZIP: %d; want 422 with the error beside the form", bad.status)
			}
			partner := e.login(t, "partner@embassy.demo")
			if r := postFile(t, e, partner, rid, "", "p.jpg", photo); r.status != http.StatusNotFound {
				t.Errorf("a partner adds a file: %d; want 404", r.status)
			}
		})
	}
}
