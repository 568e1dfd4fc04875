package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"golang.org/x/text/number"
)

// Files staff add to a report, and the thumbnails of its images: intake
// checks, seals, commits, authorises and audits them, as it does for
// POST /api/v1/reports/{id}/attachments.

// mountFiles adds the file form's route and the thumbnails.
func (s *site) mountFiles(mux *http.ServeMux) {
	mux.Handle("POST /app/reports/{rid}/attachments", s.staffPage(false, s.attachmentAdd))
	mux.Handle("GET /app/reports/{rid}/attachments/{aid}/thumbnail", s.staffPage(true, s.attachmentThumbnail))
}

// isFileUpload says whether r posts the staff file form, whose body may
// hold a whole attachment.
func isFileUpload(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/app/reports/")
	return ok && r.Method == http.MethodPost && strings.Count(rest, "/") == 1 && strings.HasSuffix(rest, "/attachments")
}

// attachmentAdd reads the file form a part at a time (the case it was sent
// from, then the file) and hands the file to intake without writing it to
// disk unsealed. Back on the case page (or the report page) with the
// error beside the form, or at the new file.
func (s *site) attachmentAdd(w http.ResponseWriter, q *req) error {
	rid := q.r.PathValue("rid")
	mr, err := q.r.MultipartReader()
	if err != nil {
		return &statusError{http.StatusBadRequest, "err.code.invalid"}
	}
	var caseID string
	fail := func(err error) error {
		if caseID != "" {
			return s.actionError(w, q, caseID, "attachment:"+rid, err)
		}
		msg, ok := s.refusal(q, err)
		if !ok {
			return err
		}
		return s.renderReport(w, q, rid, answer.Of(err).Status, func(v *view) {
			v.Errors["attachment:"+rid] = msg
			v.Error = msg
		})
	}
	for range 8 {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(bodyError(err))
		}
		switch part.FormName() {
		case "case":
			b, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return fail(bodyError(err))
			}
			caseID = strings.TrimSpace(string(b))
		case "attachment":
			av, err := s.d.Intake.AddAttachment(q.ctx(), q.actor, rid, "attachment", part.FileName(), part)
			if err != nil {
				var mb *http.MaxBytesError
				if errors.As(err, &mb) {
					err = invalid.Field("attachment", "too_large", "the file is larger than %d bytes", intake.MaxAttachment)
				}
				return fail(err)
			}
			to := "/app/reports/" + url.PathEscape(rid)
			if caseID != "" {
				to = "/app/cases/" + url.PathEscape(caseID)
			}
			return redirect(w, q, to+"?done=file_added#att-"+av.ID)
		}
	}
	return fail(invalid.Field("attachment", "required", "choose a file"))
}

// attachmentThumbnail serves a small JPEG of an image attachment, drawn
// from the sealed file on each request and never cached by the browser;
// each is audited (attachment.thumbnail).
func (s *site) attachmentThumbnail(w http.ResponseWriter, q *req) error {
	data, err := s.d.Intake.Thumbnail(q.ctx(), q.actor, q.r.PathValue("rid"), q.r.PathValue("aid"))
	if errors.Is(err, intake.ErrNoCleanCopy) {
		return &statusError{http.StatusNotFound, "case.no_clean_copy"}
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(data)
	return err
}

// Bytes formats a file size for people: bytes below a kilobyte, else KB or
// MB (of 1,024) with one decimal, in the locale's digits and grouping.
func (l *Locale) Bytes(n int64) string {
	switch {
	case n < 1<<10:
		return l.Num(n) + " B"
	case n < 1<<20:
		return l.printer.Sprint(number.Decimal(float64(n)/(1<<10), number.MaxFractionDigits(1))) + " KB"
	}
	return l.printer.Sprint(number.Decimal(float64(n)/(1<<20), number.MaxFractionDigits(1))) + " MB"
}
