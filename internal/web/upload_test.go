package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/intake/intaketest"
	"github.com/vigil-project/vigil/internal/store"
)

type filePart struct {
	name string
	data []byte
}

// formBody is the report form as a browser sends it: the text inputs in
// order, then the files.
func formBody(t testing.TB, fields [][2]string, files []filePart) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile("attachment", f.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// serve sends req to the server in-process, from addr.
func (e *env) serve(req *http.Request, addr string) page {
	req.RemoteAddr = addr
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return page{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}

// postForm posts the report form from addr in language lang.
func (e *env) postForm(t testing.TB, addr, lang string, fields [][2]string, files []filePart) page {
	t.Helper()
	body, ct := formBody(t, fields, files)
	req := httptest.NewRequest("POST", "/report?lang="+lang, body)
	req.Header.Set("Content-Type", ct)
	return e.serve(req, addr)
}

// receipt follows a filed report to its receipt page, with the one-time
// cookie, and returns the page and the stored report.
func (e *env) receipt(t testing.TB, p page, lang string) (page, *store.Report) {
	t.Helper()
	if p.status != http.StatusSeeOther {
		t.Fatalf("report form: status %d, want 303 to the receipt\n%s", p.status, p.body)
	}
	loc := p.header.Get("Location")
	code, ok := strings.CutPrefix(loc, "/receipt/")
	if !ok {
		t.Fatalf("report form redirected to %q", loc)
	}
	req := httptest.NewRequest("GET", loc+"?lang="+lang, nil)
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		req.AddCookie(c)
	}
	r, err := e.srv.DB.Read().GetReportByTrackingCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return e.serve(req, "192.0.2.1:1"), r
}

func (e *env) attachments(t testing.TB, reportID string) []*store.Attachment {
	t.Helper()
	as, err := e.srv.DB.Read().ListAttachments(context.Background(), reportID)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func engines(t *testing.T, fn func(t *testing.T, e store.Engine)) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

// TestReportRateLimitBeforeBody: a flood of big posts from one address is
// refused once over the rate without their bodies being read (the old form
// parsed 30 MiB before asking).
func TestReportRateLimitBeforeBody(t *testing.T) {
	e := newEnvCfg(t, store.SQLite, func(c *config.Config) { c.PublicRate = 1 })
	big := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF}, 1<<20) // 3 MiB that is no photo
	var read atomic.Int64
	codes := map[int]int{}
	const posts = 30
	for range posts {
		body, ct := formBody(t, [][2]string{{"narrative", "They keep us in building C."}}, []filePart{{"a.jpg", big}})
		req := httptest.NewRequest("POST", "/report", countingReader{r: body, n: &read})
		req.Header.Set("Content-Type", ct)
		p := e.serve(req, "203.0.113.9:5000")
		codes[p.status]++
		if p.status == http.StatusTooManyRequests && p.header.Get("Connection") != "close" {
			t.Errorf("a refused post leaves the connection open to be drained")
		}
	}
	refused := codes[http.StatusTooManyRequests]
	if refused < posts-10 {
		t.Fatalf("status codes %v; want most of %d posts refused with 429", codes, posts)
	}
	if max := int64(posts-refused) * int64(len(big)+4096); read.Load() > max {
		t.Errorf("read %d bytes of bodies; the %d accepted posts hold at most %d: refused posts were read", read.Load(), posts-refused, max)
	}
}

// TestAttachmentQuotas: files over the per-client or the hourly quota, or
// sent when the disk is below the watermark, are left out, but the report
// text is stored and the receipt says why in the reporter's language.
func TestAttachmentQuotas(t *testing.T) {
	engines(t, func(t *testing.T, engine store.Engine) {
		photo := func(seed uint64) []byte { return intaketest.JPEG(96, 96, seed) }
		size := int64(len(photo(1)))
		e := newEnvCfg(t, engine, func(c *config.Config) {
			c.AttachClientHourly = size*3 + size/2
			c.AttachHourly = size*5 + size/2
		})
		text := func(s string) [][2]string { return [][2]string{{"narrative", s}, {"place", "Bavet"}} }

		// One client: three photos are stored, the fourth is not, and
		// its report is.
		for i := range 3 {
			p := e.postForm(t, "198.51.100.1:1000", "en", text(fmt.Sprintf("Photo %d of the compound gate.", i)), []filePart{{"gate.jpg", photo(uint64(i + 1))}})
			rc, r := e.receipt(t, p, "en")
			if n := len(e.attachments(t, r.ID)); n != 1 || strings.Contains(rc.body, "were not") {
				t.Fatalf("photo %d within the client's quota: %d stored", i, n)
			}
		}
		p := e.postForm(t, "198.51.100.1:1001", "km", text("The fourth photo: the guards' office."), []filePart{{"office.jpg", photo(4)}})
		rc, r := e.receipt(t, p, "km")
		if n := len(e.attachments(t, r.ID)); n != 0 {
			t.Errorf("a file over the client's hourly quota was stored (%d)", n)
		}
		if !strings.Contains(rc.body, "ពីការតភ្ជាប់របស់អ្នកក្នុងរយៈពេលមួយម៉ោងចុងក្រោយ") {
			t.Errorf("the receipt does not tell the reporter, in Khmer, that the client's quota refused the file:\n%s", rc.body)
		}

		// Other clients: the service's hourly quota (5.5 photos) holds
		// two more, then refuses.
		p = e.postForm(t, "198.51.100.2:1000", "en", text("Two photos of the boat."), []filePart{{"a.jpg", photo(5)}, {"b.jpg", photo(6)}})
		if _, r := e.receipt(t, p, "en"); len(e.attachments(t, r.ID)) != 2 {
			t.Fatalf("two files within every quota were not both stored")
		}
		p = e.postForm(t, "[2001:db8:5::1]:1000", "vi", text("The van's number plate."), []filePart{{"van.jpg", photo(7)}})
		rc, r = e.receipt(t, p, "vi")
		if n := len(e.attachments(t, r.ID)); n != 0 || !strings.Contains(rc.body, "dịch vụ đang nhận quá nhiều tệp") {
			t.Errorf("over the hourly quota: %d stored; want none and the reason in Vietnamese\n%s", n, rc.body)
		}
	})
}

// TestAttachmentWatermark: below the free-space watermark files are
// refused, the report is still taken, and the receipt says why.
func TestAttachmentWatermark(t *testing.T) {
	engines(t, func(t *testing.T, engine store.Engine) {
		e := newEnvCfg(t, engine, func(c *config.Config) { c.MinFreeDisk = 1 << 30 })
		free := int64(4 << 30)
		e.srv.Intake.FreeSpace = func(string) (int64, error) { return free, nil }
		files := []filePart{{"ad.png", intaketest.PNG(32, 32)}}
		p := e.postForm(t, "198.51.100.3:1000", "en", [][2]string{{"narrative", "The recruiter's advert, with plenty of disk."}}, files)
		if _, r := e.receipt(t, p, "en"); len(e.attachments(t, r.ID)) != 1 {
			t.Fatalf("a file above the watermark was not stored")
		}
		free = 900 << 20
		p = e.postForm(t, "198.51.100.3:1001", "th", [][2]string{{"narrative", "The recruiter's advert, disk nearly full."}}, files)
		rc, r := e.receipt(t, p, "th")
		if n := len(e.attachments(t, r.ID)); n != 0 {
			t.Errorf("a file below the watermark was stored")
		}
		if !strings.Contains(rc.body, "พื้นที่จัดเก็บของระบบไม่พอ") {
			t.Errorf("the receipt does not say, in Thai, that storage is short:\n%s", rc.body)
		}
	})
}

// TestAttachmentMetadata: the copy staff download has no EXIF (so no GPS
// position) and is turned upright; the sealed original keeps it all and
// opens only for the owning organisation's coordinators and investigators,
// audited.
func TestAttachmentMetadata(t *testing.T) {
	engines(t, func(t *testing.T, engine store.Engine) {
		e := newEnvOn(t, engine)
		photo := intaketest.JPEGWithGPS(40, 20, 6) // stored sideways: turn 90° clockwise
		if !bytes.Contains(photo, []byte(intaketest.GPSMarker)) {
			t.Fatal("the fixture has no GPS data")
		}
		p := e.postForm(t, "198.51.100.4:1000", "en", [][2]string{{"narrative", "Photo taken from the window of room 4."}}, []filePart{{"window.jpg", photo}})
		_, r := e.receipt(t, p, "en")
		inv := e.login(t, "investigator@hotline.demo")
		page := e.do(t, inv, "GET", "/app/reports/"+r.ID+"?lang=en", nil)
		clean := regexp.MustCompile(`href="(/app/reports/[^"]+/attachments/[^"/]+)"`).FindStringSubmatch(page.body)
		original := regexp.MustCompile(`action="(/app/reports/[^"]+/attachments/[^"]+/original)"`).FindStringSubmatch(page.body)
		if clean == nil || original == nil {
			t.Fatalf("the report page lacks the download link or the original's button:\n%s", page.body)
		}

		dl := e.do(t, inv, "GET", clean[1], nil)
		if dl.status != http.StatusOK || dl.header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("download: status %d, type %q", dl.status, dl.header.Get("Content-Type"))
		}
		for _, leak := range []string{intaketest.GPSMarker, "Exif\x00\x00", "\xff\xe1"} {
			if strings.Contains(dl.body, leak) {
				t.Errorf("the downloaded copy still holds %q", leak)
			}
		}
		img, err := jpeg.Decode(strings.NewReader(dl.body))
		if err != nil {
			t.Fatal(err)
		}
		// Turned upright: 20 wide, 40 high, the red half on top.
		if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
			t.Errorf("the copy is %v; want 20×40 (EXIF orientation 6 applied)", b)
		} else if top, bottom := red(img, 10, 5), red(img, 10, 35); !top || bottom {
			t.Errorf("the copy is turned the wrong way (red on top %v, at the bottom %v)", top, bottom)
		}

		orig := e.do(t, inv, "POST", original[1], url.Values{})
		if orig.status != http.StatusOK || orig.body != string(photo) {
			t.Errorf("original for the investigator: status %d, %d bytes; want the file as sent, %d bytes", orig.status, len(orig.body), len(photo))
		}
		evs, err := e.srv.DB.Read().ListAuditEvents(context.Background(), store.AuditFilter{Action: "attachment.read_original", ResourceID: r.ID})
		if err != nil || len(evs) != 1 || evs[0].ActorID == "" {
			t.Errorf("opening the original was audited %d times (%v), want once with its actor", len(evs), err)
		}

		intake := e.login(t, "intake@hotline.demo")
		if p := e.do(t, intake, "GET", "/app/reports/"+r.ID+"?lang=en", nil); strings.Contains(p.body, "/original") {
			t.Errorf("the intake role is offered the original")
		}
		if p := e.do(t, intake, "POST", original[1], url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("original for the intake role: status %d, want 403", p.status)
		}
		if p := e.do(t, intake, "GET", clean[1], nil); p.status != http.StatusOK || strings.Contains(p.body, intaketest.GPSMarker) {
			t.Errorf("clean copy for the intake role: status %d", p.status)
		}
		other := e.login(t, "coordinator@ngo.demo")
		if p := e.do(t, other, "POST", original[1], url.Values{}); p.status != http.StatusNotFound {
			t.Errorf("original for another organisation's coordinator: status %d, want 404", p.status)
		}
	})
}

func red(img image.Image, x, y int) bool {
	r, _, b, _ := img.At(x, y).RGBA()
	return r > 2*b
}

// TestReportFormRefusals: a polyglot file, a file over 10 MB, a fourth
// file and an over-long input are each refused naming the field, with
// everything typed shown again and the reporter told to choose the files
// again; nothing is filed.
func TestReportFormRefusals(t *testing.T) {
	e := newEnv(t)
	typed := [][2]string{{"narrative", "The manager took our passports on 3 May."}, {"place", "Kampot"}, {"victim_name", "Sok Dara"}}
	jpg := intaketest.JPEG(32, 32, 9)
	before, _ := e.srv.DB.Read().CountReports(context.Background())
	tooLong := append(typed[:0:0], typed...)
	tooLong = append(tooLong, [2]string{"reporter_name", strings.Repeat("n", 4000)})
	tests := []struct {
		name   string
		fields [][2]string
		files  []filePart
		status int
		field  string
	}{
		{"jpeg+pdf polyglot", typed, []filePart{{"photo.jpg", append(append([]byte{}, jpg...), intaketest.PDF()...)}}, http.StatusUnprocessableEntity, "attachment"},
		{"file over 10 MB", typed, []filePart{{"big.jpg", append(append([]byte{}, jpg...), make([]byte, 10<<20)...)}}, http.StatusRequestEntityTooLarge, "attachment"},
		{"four files", typed, []filePart{{"1.jpg", jpg}, {"2.jpg", jpg}, {"3.jpg", jpg}, {"4.jpg", jpg}}, http.StatusUnprocessableEntity, "attachment"},
		{"input over its limit", tooLong, nil, http.StatusRequestEntityTooLarge, "reporter_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.postForm(t, "198.51.100.5:1000", "en", tt.fields, tt.files)
			if p.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", p.status, tt.status, p.body)
			}
			if !regexp.MustCompile(`class="field has-error">\s*<label for="` + tt.field + `"`).MatchString(p.body) {
				t.Errorf("the field %s is not marked", tt.field)
			}
			for _, f := range typed {
				if !strings.Contains(p.body, f[1]) {
					t.Errorf("%s %q is not shown again", f[0], f[1])
				}
			}
			if tt.files != nil && !strings.Contains(p.body, "choose your files again") {
				t.Errorf("the reporter is not told to choose the files again")
			}
		})
	}
	if after, _ := e.srv.DB.Read().CountReports(context.Background()); after != before {
		t.Errorf("refused forms filed %d reports", after-before)
	}
}

// TestReportOutage: with the database down, the form answers 503 with
// Retry-After, says nothing was saved, and shows every typed input again;
// other public pages answer 503 too.
func TestReportOutage(t *testing.T) {
	engines(t, func(t *testing.T, engine store.Engine) {
		e := newEnvOn(t, engine)
		typed := [][2]string{{"narrative", "We were sold to a second compound in Sihanoukville."}, {"place", "Sihanoukville"},
			{"incident_type", "confinement"}, {"victim_name", "Chan Vireak"}, {"reporter_contact", "@vireak_sister"}, {"job_ad", "Customer service, 1500 USD"}}
		e.srv.DB.Close()
		p := e.postForm(t, "198.51.100.6:1000", "en", typed, []filePart{{"gate.png", intaketest.PNG(8, 8)}})
		if p.status != http.StatusServiceUnavailable || p.header.Get("Retry-After") == "" {
			t.Fatalf("report during an outage: status %d, Retry-After %q; want 503 with Retry-After\n%s", p.status, p.header.Get("Retry-After"), p.body)
		}
		for _, f := range typed {
			if !strings.Contains(p.body, f[1]) {
				t.Errorf("%s %q is not shown again", f[0], f[1])
			}
		}
		for _, want := range []string{"Nothing was saved", "try again in a minute", "choose your files again"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the page does not say %q", want)
			}
		}
		if strings.Contains(p.body, "was lost") {
			t.Errorf("the page claims nothing was lost")
		}
		req := httptest.NewRequest("POST", "/track", strings.NewReader("code=VG-AAAA-BBBB-CCCC&secret=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		track := e.serve(req, "198.51.100.6:1001")
		if track.status != http.StatusServiceUnavailable || track.header.Get("Retry-After") == "" {
			t.Errorf("track during an outage: status %d, Retry-After %q; want 503 with Retry-After", track.status, track.header.Get("Retry-After"))
		}
	})
}
