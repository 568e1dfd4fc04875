package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
)

// TestIdentifierPageWeb follows "seen in N other reports" from a case page
// to the identifier's page, which lists the reports the viewer may open
// (linked) and counts the rest; a partner and intake staff get none.
func TestIdentifierPageWeb(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			e := newEnvOn(t, eng)
			inv := e.login(t, "investigator@hotline.demo")
			cp := e.do(t, inv, "GET", "/app/cases/"+e.demo.Cases["golden"]+"?lang=en", nil)
			m := regexp.MustCompile(`<a href="(/app/identifiers/[^"]+)" class="seen-in">seen in (\d+) other reports</a>`).FindStringSubmatch(cp.body)
			if m == nil {
				t.Fatalf("no \"seen in N other reports\" link on the case page")
			}
			p := e.do(t, inv, "GET", m[1]+"?lang=en", nil)
			if p.status != http.StatusOK {
				t.Fatalf("identifier page: %d", p.status)
			}
			for _, want := range []string{"Where it was seen", "Reports you can open", "Other reports you cannot open", `href="/app/cases/`} {
				if !strings.Contains(p.body, want) {
					t.Errorf("identifier page lacks %q", want)
				}
			}
			readable := regexp.MustCompile(`class="ident-readable">(\d+)<`).FindStringSubmatch(p.body)
			hidden := regexp.MustCompile(`class="ident-hidden">(\d+)<`).FindStringSubmatch(p.body)
			if readable == nil || hidden == nil {
				t.Fatal("no counts on the identifier page")
			}
			for _, as := range []struct {
				email  string
				status int
			}{{"partner@embassy.demo", http.StatusNotFound}, {"intake@hotline.demo", http.StatusForbidden}} {
				if r := e.do(t, e.login(t, as.email), "GET", m[1], nil); r.status != as.status {
					t.Errorf("%s: %d; want %d", as.email, r.status, as.status)
				}
			}
		})
	}
}
