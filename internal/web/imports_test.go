package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
)

// TestImportPage uploads a spreadsheet and its mapping: a dry run, the
// import, a malformed file's problems by line and column; an investigator
// (who may not create reports) is refused.
func TestImportPage(t *testing.T) {
	e := newEnvCfg(t, store.SQLite, nil)
	sheet, _ := os.ReadFile("../ingest/testdata/cases.csv")
	bad, _ := os.ReadFile("../ingest/testdata/bad.csv")
	mapping, _ := os.ReadFile("../ingest/testdata/cases.yaml")
	coord := e.login(t, "coordinator@hotline.demo")
	if p := e.do(t, coord, "GET", "/app/import", nil); p.status != 200 || !strings.Contains(p.body, `id="import-form"`) {
		t.Fatalf("form: %d", p.status)
	}
	upload := func(c *http.Client, file string, data []byte, dry bool) page {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		if dry {
			mw.WriteField("dry_run", "1")
		}
		for _, f := range []struct {
			field, name string
			data        []byte
		}{{"file", file, data}, {"mapping", "cases.yaml", mapping}} {
			fw, _ := mw.CreateFormFile(f.field, f.name)
			fw.Write(f.data)
		}
		mw.Close()
		req, _ := http.NewRequest("POST", e.ts.URL+"/app/import", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return page{status: resp.StatusCode, body: string(b)}
	}
	c := coord
	if p := upload(c, "cases.csv", sheet, true); p.status != 200 || !strings.Contains(p.body, `<td id="import-created">3</td>`) {
		t.Fatalf("dry run: %d %s", p.status, p.body)
	}
	if p := upload(c, "cases.csv", sheet, false); p.status != 200 || !strings.Contains(p.body, `<td id="import-created">3</td>`) {
		t.Fatalf("import: %d", p.status)
	}
	if p := upload(c, "cases.csv", sheet, false); p.status != 200 || !strings.Contains(p.body, `<td id="import-already">3</td>`) {
		t.Fatalf("again: %d", p.status)
	}
	p := upload(c, "bad.csv", bad, false)
	if p.status != 422 || !strings.Contains(p.body, "<td>3</td><td>Type</td><td>&#34;Smuggling&#34; is not an incident type") {
		t.Fatalf("malformed: %d %s", p.status, p.body)
	}
	inv := e.login(t, "investigator@hotline.demo")
	if p := upload(inv, "cases.csv", sheet, true); p.status != 403 {
		t.Fatalf("investigator: %d", p.status)
	}
}
