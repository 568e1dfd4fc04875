package api_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/intake/intaketest"
)

// multipartFile is a multipart body with one file part, and its
// Content-Type.
func multipartFile(field, name string, data []byte) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(data)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// TestAttachmentAPI adds files to a report as staff through the API: the
// answers the document describes, refusals naming the field, and the
// report's attachments listed with name, type, size and SHA-256.
func TestAttachmentAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("home", true, auth.Coordinator, auth.Intake)
		r := e.do("intake@home.test", "POST", "/api/v1/reports", "/api/v1/reports", map[string]any{"language": "en", "channel": "phone", "narrative": "Called from Bavet."})
		var ack intake.Ack
		r.decode(t, &ack)
		const route = "/api/v1/reports/{id}/attachments"
		path := "/api/v1/reports/" + ack.ID + "/attachments"
		photo := intaketest.JPEG(300, 200, 3)
		body, ctype := multipartFile("file", "compound gate.jpg", photo)
		if r := e.do("intake@home.test", "POST", route, path, body, "Content-Type", ctype); r.status != http.StatusCreated ||
			!strings.Contains(string(r.body), `"name":"compound gate.jpg"`) || !strings.Contains(string(r.body), `"type":"image/jpeg"`) {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		zip, zctype := multipartFile("file", "x.jpg", intaketest.ZIP())
		other, octype := multipartFile("photo", "x.jpg", photo)
		for _, tt := range []struct {
			name   string
			body   any
			hdr    []string
			status int
			field  string
		}{
			{"JSON", map[string]string{"file": "x"}, nil, http.StatusUnsupportedMediaType, ""},
			{"a ZIP", zip, []string{"Content-Type", zctype}, http.StatusUnprocessableEntity, "file"},
			{"no part named file", other, []string{"Content-Type", octype}, http.StatusUnprocessableEntity, "file"},
			{"a body with no parts", []byte("--x\r\n"), []string{"Content-Type", "multipart/form-data; boundary=x"}, http.StatusUnprocessableEntity, "file"},
		} {
			r := e.do("intake@home.test", "POST", route, path, tt.body, tt.hdr...)
			if r.status != tt.status || (tt.field != "" && !strings.Contains(string(r.body), `"field":"`+tt.field+`"`)) {
				t.Errorf("%s: %d %s; want %d naming %q", tt.name, r.status, r.body, tt.status, tt.field)
			}
		}
		rv := e.do("coordinator@home.test", "GET", "/api/v1/reports/{id}", "/api/v1/reports/"+ack.ID, nil)
		var v intake.ReportView
		rv.decode(t, &v)
		if len(v.Attachments) != 1 || v.Attachments[0].Name != "compound gate.jpg" || v.Attachments[0].Size != int64(len(photo)) || len(v.Attachments[0].SHA256) != 64 {
			t.Errorf("attachments %+v; want the one photo", v.Attachments)
		}
	})
}
