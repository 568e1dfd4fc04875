package api

import (
	"errors"
	"net/http"
	"testing"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
)

// FuzzDecodeReport feeds arbitrary bodies to the report decoder and
// validator: they must never panic, and every refusal must be a 4xx with a
// message.
func FuzzDecodeReport(f *testing.F) {
	for _, s := range []string{
		`{"language":"km","narrative":"…","incident_types":["deceptive_recruitment","confinement"],"reporter":{"name":"…","contact":"…"},"victims":[{"name":"…","nationality":"KH","still_held":true}],"places":[{"name":"Sihanoukville"}]}`,
		`{"language":"en","narrative":"x","victims":[{},{"still_held":"yes"}]}`,
		"{\"language\":\"en\",\"narrative\":\"a\xffb\"}",
		`{"a":[{"b":[1,{"c":"\"}"}]}]}`,
		`[`, `{"language":`, `nul`, `{"victims":[{"nationality":"ZZZ"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var sub intake.Submission
		err := decodeBytes(body, &sub)
		if err == nil {
			err = sub.Validate()
			if err != nil {
				if _, ok := invalid.As(err); !ok {
					t.Fatalf("Validate returned a non-field error: %v", err)
				}
			}
		}
		if err != nil {
			status, detail := Status(err)
			if status < 400 || status >= 500 || detail.Message == "" {
				t.Fatalf("refusal %v mapped to %d %+v", err, status, detail)
			}
			var re *answer.Refusal
			if errors.As(err, &re) && re.Status != http.StatusBadRequest {
				t.Fatalf("decodeBytes refusal with status %d", re.Status)
			}
		}
		// pathAt must cope with any offset into any body.
		for _, off := range []int{-1, 0, len(body) / 2, len(body), len(body) + 5} {
			pathAt(body, off)
		}
	})
}
