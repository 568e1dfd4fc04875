package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/ingest"
)

// The import page (/app/import): a spreadsheet (CSV, XLSX) or a
// KoboToolbox export (JSON) with its mapping file, checked (every problem
// by line and column) and, unless it is a dry run, imported through
// ingest.Service, the same door as vigil import. For those who may create
// reports (coordinators, intake staff): an import files reports.

// MaxImportUpload bounds an uploaded file and its mapping together.
const MaxImportUpload = 64 << 20

// importPage is the import page's data.
type importPage struct {
	// Problems are the file's problems (nothing was imported);
	// Result what the import (or dry run) did.
	Problems []ingest.Problem
	File     string
	Result   *ingest.Result
	DryRun   bool
}

func (s *site) mountImports(mux *http.ServeMux) {
	if s.d.Ingest == nil {
		return
	}
	mux.Handle("GET /app/import", s.staffPage(false, s.importForm))
	mux.Handle("POST /app/import", s.staffPage(false, s.importUpload))
}

func (s *site) importForm(w http.ResponseWriter, q *req) error {
	if !canIntake(q.actor) {
		return auth.ErrForbidden
	}
	v := s.newView(q, "import.title")
	v.Data = &importPage{}
	s.render(w, q, http.StatusOK, "imports", v)
	return nil
}

func (s *site) importUpload(w http.ResponseWriter, q *req) error {
	if !canIntake(q.actor) {
		return auth.ErrForbidden
	}
	v := s.newView(q, "import.title")
	d := &importPage{}
	v.Data = d
	fail := func(field, key string) error {
		v.Errors[field] = q.L.T(key)
		s.render(w, q, http.StatusUnprocessableEntity, "imports", v)
		return nil
	}
	if err := q.r.ParseMultipartForm(8 << 20); err != nil {
		return fail("file", "import.unreadable")
	}
	defer q.r.MultipartForm.RemoveAll()
	v.Form = q.r.PostForm
	d.DryRun = v.Form.Get("dry_run") != ""
	data, name, err := formFile(q.r, "file")
	if err != nil {
		return fail("file", "import.need_file")
	}
	d.File = name
	mb, _, err := formFile(q.r, "mapping")
	if err != nil {
		return fail("mapping", "import.need_mapping")
	}
	m, err := ingest.ParseMapping(mb)
	if err != nil {
		d.Problems = []ingest.Problem{{Column: "mapping", Msg: strings.TrimPrefix(err.Error(), "ingest: mapping: ")}}
		s.render(w, q, http.StatusUnprocessableEntity, "imports", v)
		return nil
	}
	format := ""
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt", ".tsv":
		format = "csv"
	case ".xlsx":
		format = "xlsx"
	case ".json":
		format = "kobo"
	default:
		return fail("file", "import.format")
	}
	plan, err := ingest.Prepare(format, name, bytes.NewReader(data), m, time.Now())
	var ps *ingest.Problems
	if errors.As(err, &ps) {
		d.Problems = ps.List
		s.render(w, q, http.StatusUnprocessableEntity, "imports", v)
		return nil
	}
	if err != nil {
		return err
	}
	res, err := s.d.Ingest.Import(q.ctx(), q.actor, plan, ingest.Options{DryRun: d.DryRun})
	if err != nil {
		return err
	}
	d.Result = res
	s.render(w, q, http.StatusOK, "imports", v)
	return nil
}

// formFile reads an uploaded file of the multipart form, at most
// MaxImportUpload bytes.
func formFile(r *http.Request, field string) ([]byte, string, error) {
	f, h, err := r.FormFile(field)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxImportUpload+1))
	if err != nil || len(b) > MaxImportUpload || len(b) == 0 {
		return nil, "", errors.New("web: unreadable upload")
	}
	return b, filepath.Base(h.Filename), nil
}
