package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/store"
)

// postReport posts the report form as multipart with the given files.
func postReport(t *testing.T, e *env, c *http.Client, fields map[string]string, files map[string][]byte) page {
	t.Helper()
	return postMultipart(t, e, c, "/report?lang=en", fields, files)
}

// postMultipart posts a multipart form to path: the fields first, then the
// files, each in a part named "attachment".
func postMultipart(t *testing.T, e *env, c *http.Client, path string, fields map[string]string, files map[string][]byte) page {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("attachment", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req, err := http.NewRequest("POST", e.ts.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// TestReportWithAttachment: a photo sent with the report form is sealed,
// committed to the ledger and downloadable by staff; a file that is not an
// image or PDF (whatever its name says) is refused before anything is filed,
// with what was typed kept.
func TestReportWithAttachment(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	before, _ := e.srv.DB.Read().CountReports(context.Background())

	bad := postReport(t, e, c, map[string]string{"narrative": "They took my passport in Bavet."}, map[string][]byte{"photo.jpg": []byte("#!/bin/sh\necho not a photo\n")})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "They took my passport in Bavet.") || !strings.Contains(bad.body, "not accepted") {
		t.Errorf("disguised file: status %d; want 422 with the typed text kept and the error shown", bad.status)
	}
	if after, _ := e.srv.DB.Read().CountReports(context.Background()); after != before {
		t.Errorf("a refused submission stored a report (%d → %d)", before, after)
	}

	ok := postReport(t, e, c, map[string]string{"narrative": "Screenshot of the recruiter's ad attached."}, map[string][]byte{"ad.png": pngBuf.Bytes()})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("report with a photo: status %d", ok.status)
	}
	rs, err := e.srv.DB.Read().ListReports(context.Background(), storeFilterNewest())
	if err != nil || len(rs) == 0 {
		t.Fatal(err)
	}
	reportID := rs[0].ID
	as, err := e.srv.DB.Read().ListAttachments(context.Background(), reportID)
	if err != nil || len(as) != 1 || as[0].MediaType != "image/png" {
		t.Fatalf("attachments = %+v, %v", as, err)
	}
	inv := e.login(t, "investigator@hotline.demo")
	p := e.do(t, inv, "GET", "/app/reports/"+reportID+"?lang=en", nil)
	m := regexp.MustCompile(`href="(/app/reports/[^"]+/attachments/[^"]+)"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("report page has no download link")
	}
	dl := e.do(t, inv, "GET", m[1], nil)
	if dl.status != 200 || dl.body != pngBuf.String() || dl.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("download: status %d, %d bytes, type %q", dl.status, len(dl.body), dl.header.Get("Content-Type"))
	}
	partner := e.login(t, "partner@embassy.demo")
	if r := e.do(t, partner, "GET", m[1], nil); r.status != http.StatusNotFound {
		t.Errorf("a partner without a referral downloaded the file: status %d", r.status)
	}
	// The ledger audit opens the sealed file and finds it matches its
	// commitment.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := e.srv.Ledger.ReceiptForRecord(ctx, ledger.KindAttachment, as[0].ID, 1); err != nil {
		t.Fatalf("the attachment was not committed to the ledger: %v", err)
	}
	verifier, err := note.NewVerifier(e.srv.Ledger.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ledger.Audit(context.Background(), e.srv.DB, ledger.AuditOptions{Keyring: e.srv.Keys, Verifier: verifier, Files: e.srv.Files})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("ledger audit after an attachment: %+v", rep)
	}
}

func storeFilterNewest() store.ReportFilter { return store.ReportFilter{Limit: 1} }
