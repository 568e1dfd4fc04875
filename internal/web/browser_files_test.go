package web_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/intake/intaketest"
)

// TestBrowserFileAndIdentifier drives chromium through adding a photo to a
// report from its case page (the thumbnail drawn server-side is shown and
// loads) and following "seen in N other reports" from a case to the
// identifier's page and on to another case, at 1280 px and 390 px.
func TestBrowserFileAndIdentifier(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e.ts.URL)
	b.desktop()
	b.login("investigator@hotline.demo")

	photo := filepath.Join(t.TempDir(), "compound gate.jpg")
	if err := os.WriteFile(photo, intaketest.JPEG(640, 480, 11), 0o600); err != nil {
		t.Fatal(err)
	}
	blood, rid := e.demo.Cases["blood"], e.demo.Reports["blood"]
	b.open("/app/cases/" + blood + "?lang=en")
	b.click("#report-" + rid + " details.add-file summary")
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#file-"+rid), []string{photo}))
	b.submit("#file-form-"+rid+" button", "img.thumb")
	if got := b.text("#report-" + rid + " td.file-name"); got != "compound gate.jpg" {
		t.Errorf("the file is listed as %q", got)
	}
	loaded := ""
	for range 50 {
		if loaded = b.eval("String(document.querySelector('img.thumb').complete && document.querySelector('img.thumb').naturalWidth)"); loaded != "0" && loaded != "false" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if loaded != "240" {
		t.Errorf("the thumbnail's width is %q; want it loaded at 240 px", loaded)
	}
	b.shot("case-file-en")
	b.phone()
	b.open("/app/cases/" + blood + "?lang=km")
	b.shot("case-file-km-390")
	b.desktop()

	// Another case naming the golden case's recruiter.
	ctx := context.Background()
	coord := auth.Actor{UserID: e.demo.Users["coordinator@hotline.demo"], OrgID: e.demo.Orgs["hotline"], Role: auth.Coordinator}
	ack, err := e.srv.Intake.Submit(ctx, coord, &intake.Submission{Language: "en", Country: "KH", Narrative: "A new recruit was called by +855 12 345 678 last week."})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.srv.Casework.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{ack.ID}, Title: "New recruit"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Jobs.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	golden := e.demo.Cases["golden"]
	b.open("/app/cases/" + golden + "?lang=en")
	b.submit("a.seen-in", "table.ident-reports")
	b.shot("identifier-en")
	href := "/app/cases/" + other.ID + "#report-" + ack.ID
	b.submit(`table.ident-reports a[href="`+href+`"]`, "section.report")
	if got := b.eval("location.pathname"); got != "/app/cases/"+other.ID {
		t.Errorf("following the identifier's report led to %s; want the other case", got)
	}
	b.checkClean()
}
