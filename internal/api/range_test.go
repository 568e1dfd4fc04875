package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/links"
)

// TestCheckRangeAPI walks the published range through the API on both
// engines: the index names the version and prefix length; a bucket holds
// the check's coarse answer under the rest of the hash; another bucket is
// an empty list, not 404; a malformed prefix is 400 naming "prefix"; the
// ETag is the version and If-None-Match with it is 304; the list has the
// whole hash; a new verified report publishes a new version. Every answer
// is checked against the OpenAPI document by e.do.
func TestCheckRangeAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.org("home", true, auth.Coordinator)
		const coord = "coordinator@home.test"
		file := func(phone string) {
			t.Helper()
			res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", map[string]string{"language": "en", "narrative": "The recruiter called from " + phone + " about a job in Sihanoukville."})
			var ack struct{ ID string }
			res.decode(t, &ack)
			if err := e.links.Process(ctx, ack.ID); err != nil {
				t.Fatal(err)
			}
			if res := e.do(coord, "POST", "/api/v1/reports/{id}/verified", "/api/v1/reports/"+ack.ID+"/verified", map[string]bool{"verified": true}); res.status != http.StatusOK {
				t.Fatalf("verify: %d %s", res.status, res.body)
			}
			if _, err := e.links.Publish(ctx); err != nil {
				t.Fatal(err)
			}
		}
		file("+855 12 555 001")

		res := e.do("", "GET", "/api/v1/check/range", "/api/v1/check/range", nil)
		var idx struct {
			Version      string `json:"version"`
			PrefixLength int    `json:"prefix_length"`
			Entries      int    `json:"entries"`
		}
		res.decode(t, &idx)
		if res.status != http.StatusOK || idx.PrefixLength != 1 || idx.Entries != 1 || idx.Version == "" {
			t.Fatalf("range index: %d %s; want version, prefix length 1, one entry", res.status, res.body)
		}
		if got := res.header.Get("ETag"); got != `"`+idx.Version+`"` {
			t.Errorf("ETag %q, want the version %q", got, idx.Version)
		}
		if got := res.header.Get("Cache-Control"); got != "public, max-age=300" {
			t.Errorf("Cache-Control %q", got)
		}

		hash := links.RangeHash("phone", "+85512555001")
		res = e.do("", "GET", "/api/v1/check/range/{prefix}", "/api/v1/check/range/"+hash[:1], nil)
		var bucket struct {
			Version string             `json:"version"`
			Entries []links.RangeEntry `json:"entries"`
		}
		res.decode(t, &bucket)
		var check links.CheckAnswer
		e.do("", "GET", "/api/v1/check", "/api/v1/check?q="+url.QueryEscape("+855 12 555 001"), nil).decode(t, &check)
		if len(bucket.Entries) != 1 || bucket.Version != idx.Version || bucket.Entries[0].Suffix != hash[1:] {
			t.Fatalf("bucket %s: %s; want one entry with suffix %s", hash[:1], res.body, hash[1:])
		}
		got, _ := json.Marshal(bucket.Entries[0].Coarse)
		want, _ := json.Marshal(check.Coarse)
		if string(got) != string(want) || check.Band != links.BandFew {
			t.Errorf("range answers %s, the check %s (band few)", got, want)
		}

		other := "0"
		if hash[0] == '0' {
			other = "1"
		}
		if res := e.do("", "GET", "/api/v1/check/range/{prefix}", "/api/v1/check/range/"+other, nil); res.status != http.StatusOK || string(res.body) != `{"entries":[],"version":"`+idx.Version+`"}` {
			t.Errorf("an empty bucket: %d %s; want 200 and an empty list", res.status, res.body)
		}
		// A client that takes gzip (a browser, a CDN) gets the same body
		// compressed, under an ETag of its own.
		plain := e.do("", "GET", "/api/v1/check/range/{prefix}", "/api/v1/check/range/"+hash[:1], nil)
		for _, accept := range []string{"gzip, deflate, br, zstd", "gzip;q=0.5", "*"} {
			res := e.do("", "GET", "/api/v1/check/range/{prefix}", "/api/v1/check/range/"+hash[:1], nil, "Accept-Encoding", accept)
			if res.status != http.StatusOK || res.header.Get("Content-Encoding") != "gzip" || string(res.body) != string(plain.body) || res.header.Get("ETag") != `"`+idx.Version+`-gzip"` || res.header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("Accept-Encoding %q: %d, encoding %q, ETag %q, body %s; want gzip of %s", accept, res.status, res.header.Get("Content-Encoding"), res.header.Get("ETag"), res.body, plain.body)
			}
			if res := e.do("", "GET", "/api/v1/check/range/{prefix}", "/api/v1/check/range/"+hash[:1], nil, "Accept-Encoding", accept, "If-None-Match", res.header.Get("ETag")); res.status != http.StatusNotModified || len(res.body) != 0 {
				t.Errorf("Accept-Encoding %q with the gzip ETag: %d; want 304", accept, res.status)
			}
		}
		for _, accept := range []string{"", "br", "gzip;q=0"} {
			if res := e.do("", "GET", "/api/v1/check/range/{prefix}", "/api/v1/check/range/"+hash[:1], nil, "Accept-Encoding", accept); res.header.Get("Content-Encoding") != "" || string(res.body) != string(plain.body) {
				t.Errorf("Accept-Encoding %q: encoding %q; want none", accept, res.header.Get("Content-Encoding"))
			}
		}
		for _, bad := range []string{"zz", "g", "00", "%20"} {
			if res := e.do("", "GET", "/api/v1/check/range/{prefix}", "/api/v1/check/range/"+bad, nil); res.status != http.StatusBadRequest || !refused(res, "prefix") {
				t.Errorf("prefix %q: %d %s; want 400 naming prefix", bad, res.status, res.body)
			}
		}

		etag := `"` + idx.Version + `"`
		for _, path := range []string{"/api/v1/check/range", "/api/v1/check/range/" + hash[:1], "/api/v1/check/list"} {
			pattern := path
			if path == "/api/v1/check/range/"+hash[:1] {
				pattern = "/api/v1/check/range/{prefix}"
			}
			if res := e.do("", "GET", pattern, path, nil, "If-None-Match", `"other", `+etag); res.status != http.StatusNotModified || len(res.body) != 0 || res.header.Get("ETag") != etag {
				t.Errorf("%s with its ETag: %d %q; want 304, no body", path, res.status, res.body)
			}
		}

		res = e.do("", "GET", "/api/v1/check/list", "/api/v1/check/list", nil)
		var list struct {
			Version string            `json:"version"`
			Entries []links.ListEntry `json:"entries"`
		}
		if res.decode(t, &list); len(list.Entries) != 1 || list.Entries[0].Hash != hash || list.Version != idx.Version {
			t.Errorf("list: %s; want the one entry with hash %s", res.body, hash)
		}

		// A new verified report: a new version, and the old ETag no longer
		// matches.
		file("+855 12 555 002")
		res = e.do("", "GET", "/api/v1/check/range", "/api/v1/check/range", nil, "If-None-Match", etag)
		var idx2 struct {
			Version string `json:"version"`
			Entries int    `json:"entries"`
		}
		if res.decode(t, &idx2); res.status != http.StatusOK || idx2.Version == idx.Version || idx2.Entries != 2 {
			t.Errorf("after a new verified report: %d %s; want a new version with two entries", res.status, res.body)
		}
	})
}
