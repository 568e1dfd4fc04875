package web_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"io/fs"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/web"
)

// recordedActions reads the Go source under internal/ for the action codes
// it records: the action argument of every call of audit.Record,
// audit.RecordReason and casework's record helper, as a string literal, a
// literal prefix joined to a value ("screening_hit."+decision, returned
// with a trailing dot), or a variable, whose assigned literals are taken.
func recordedActions(t *testing.T) map[string]string {
	t.Helper()
	argIndex := map[string]int{"Record": 3, "RecordReason": 4, "record": 3}
	out := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			// Literals assigned to each variable in this function.
			assigned := map[string][]string{}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				as, ok := n.(*ast.AssignStmt)
				if !ok {
					return true
				}
				for i, l := range as.Lhs {
					id, ok := l.(*ast.Ident)
					if !ok || i >= len(as.Rhs) {
						continue
					}
					if lit, ok := as.Rhs[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						assigned[id.Name] = append(assigned[id.Name], s)
					}
				}
				return true
			})
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var name string
				switch f := call.Fun.(type) {
				case *ast.SelectorExpr:
					name = f.Sel.Name
				case *ast.Ident:
					name = f.Name
				}
				i, ok := argIndex[name]
				if !ok || len(call.Args) <= i {
					return true
				}
				where := fset.Position(call.Pos()).String()
				switch arg := call.Args[i].(type) {
				case *ast.BasicLit:
					s, _ := strconv.Unquote(arg.Value)
					out[s] = where
				case *ast.BinaryExpr:
					if lit, ok := arg.X.(*ast.BasicLit); ok {
						s, _ := strconv.Unquote(lit.Value)
						out[s] = where
					}
				case *ast.Ident:
					for _, s := range assigned[arg.Name] {
						out[s] = where
					}
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAuditActionLabels fails when the code records an action code that
// audit.Actions does not list, or when a listed code has no label
// "audit.<code>" in some locale.
func TestAuditActionLabels(t *testing.T) {
	recorded := recordedActions(t)
	if len(recorded) < 30 {
		t.Fatalf("found only %d recorded action codes: the scan is broken: %v", len(recorded), recorded)
	}
	actions := audit.Actions()
	for code, where := range recorded {
		if strings.HasSuffix(code, ".") {
			if !slices.ContainsFunc(actions, func(a string) bool { return strings.HasPrefix(a, code) }) {
				t.Errorf("%s records %s…, and audit.Actions lists none of it", where, code)
			}
			continue
		}
		if !slices.Contains(actions, code) {
			t.Errorf("%s records %q, which audit.Actions does not list", where, code)
		}
	}
	cats, err := web.Catalogues()
	if err != nil {
		t.Fatal(err)
	}
	for lang, c := range cats {
		for _, code := range actions {
			if c["audit."+code] == "" {
				t.Errorf("%s: no label audit.%s", lang, code)
			}
		}
	}
}

// regexpFind returns the first group of pattern's first match in s.
func regexpFind(s, pattern string) string {
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestAuditPage: a coordinator's audit page shows a reveal with its
// reason and filters by action; the CSV export holds it; an investigator
// may not read the trail; another organisation's events are not shown.
func TestAuditPage(t *testing.T) {
	e := newEnv(t)
	coord := e.login(t, "coordinator@hotline.demo")
	p := e.do(t, coord, "GET", "/app/cases", nil)
	id := regexpFind(p.body, `href="/app/cases/([0-9a-f-]{36})"`)
	if id == "" {
		t.Fatal("no case on the case list")
	}
	cp := e.do(t, coord, "GET", "/app/cases/"+id, nil)
	if cp.status != http.StatusOK {
		t.Fatalf("case page: %d", cp.status)
	}
	rid := regexpFind(cp.body, `name="report" value="([0-9a-f-]{36})"`)
	r := e.do(t, coord, "POST", "/app/cases/"+id+"/reveal", map[string][]string{"report": {rid}, "reason": {"audit page test reason"}})
	if r.status >= 400 {
		t.Fatalf("reveal: %d", r.status)
	}
	a := e.do(t, coord, "GET", "/app/audit?action=report.reveal", nil)
	if a.status != http.StatusOK {
		t.Fatalf("audit page: %d %s", a.status, a.body)
	}
	if !strings.Contains(a.body, "audit page test reason") || !strings.Contains(a.body, "Sealed fields revealed") {
		t.Errorf("the audit page does not show the reveal with its reason")
	}
	if f := e.do(t, coord, "GET", "/app/audit?action=case.create", nil); strings.Contains(f.body, "audit page test reason") {
		t.Error("the action filter does not filter")
	}
	c := e.do(t, coord, "GET", "/app/audit.csv?action=report.reveal", nil)
	if c.status != http.StatusOK || !strings.Contains(c.body, "audit page test reason") {
		t.Errorf("audit CSV: %d, reveal missing", c.status)
	}
	if b := e.do(t, coord, "GET", "/app/audit?from=soon", nil); b.status != http.StatusBadRequest || !strings.Contains(b.body, "from") {
		t.Errorf("a bad date: %d, want 400 naming from", b.status)
	}
	if i := e.do(t, e.login(t, "investigator@hotline.demo"), "GET", "/app/audit", nil); i.status != http.StatusForbidden {
		t.Errorf("an investigator's audit page: %d, want 403", i.status)
	}
	if o := e.do(t, e.login(t, "coordinator@ngo.demo"), "GET", "/app/audit", nil); strings.Contains(o.body, "audit page test reason") {
		t.Error("another organisation's coordinator sees the hotline's reveal")
	}
}

// TestAuditPaging: the audit page pages forwards and back by cursor, with
// its filters kept.
func TestAuditPaging(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := auth.Actor{UserID: e.demo.Users["intake@hotline.demo"], OrgID: e.demo.Orgs["hotline"], Role: auth.Intake}
	for i := 0; i < web.AuditLimit+10; i++ {
		err := e.srv.DB.Tx(ctx, func(q store.Q) error {
			return audit.Record(ctx, q, a, "user.password", "user", a.UserID, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	c := e.login(t, "coordinator@hotline.demo")
	rows := func(body string) []string {
		return regexp.MustCompile(`(?s)<tbody>.*?</tbody>`).FindAllString(body, 1)
	}
	first := e.do(t, c, "GET", "/app/audit?action=user.password", nil)
	next := html.UnescapeString(regexpFind(first.body, `href="([^"]*)" rel="next"`))
	if n := strings.Count(first.body, "<tr>") - 1; n != web.AuditLimit || next == "" || !strings.Contains(next, "action=user.password") {
		t.Fatalf("first page: %d rows, next %q; want %d and a next link keeping the filter", n, next, web.AuditLimit)
	}
	second := e.do(t, c, "GET", next, nil)
	if n := strings.Count(second.body, "<tr>") - 1; n != 10 {
		t.Errorf("second page: %d rows, want 10", n)
	}
	prev := html.UnescapeString(regexpFind(second.body, `href="([^"]*)" rel="prev"`))
	if prev == "" {
		t.Fatal("the second page has no link back")
	}
	back := e.do(t, c, "GET", prev, nil)
	if got, want := rows(back.body), rows(first.body); len(got) != 1 || got[0] != want[0] {
		t.Error("back from the second page is not the first page")
	}
}
