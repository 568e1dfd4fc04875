package export_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/invalid"
)

// FuzzRequestOf reads query strings as the API gets them: a request or an
// error naming its parameter, never a panic.
func FuzzRequestOf(f *testing.F) {
	for _, s := range []string{"", "since=2026-01-01&tlp=red", "k=11", "k=-3", "since=2026-13-40", "reveal=yes&reason=court", "reveal=maybe", "k=99999999999999999999", "since=2026-01-02T03:04:05Z&table=victims"} {
		f.Add("stix", s)
	}
	f.Fuzz(func(t *testing.T, format, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		r, err := export.RequestOf(format, v)
		var ie *invalid.Error
		if err != nil && (!errors.As(err, &ie) || ie.Field == "") {
			t.Fatalf("%q: error %v names no parameter", query, err)
		}
		if err == nil && r.Format != format {
			t.Fatalf("format %q became %q", format, r.Format)
		}
	})
}
