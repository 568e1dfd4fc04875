package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/links"
)

func (api *API) check(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	ans, err := api.svc.Links.Check(r.Context(), r.URL.Query().Get("q"), r.URL.Query().Get("country"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

// LureIn is a job ad to score.
type LureIn struct {
	Text string `json:"text"`
	// Lang is the language of the reasons in the answer (en, zh, km, th,
	// vi); English when empty.
	Lang string `json:"lang,omitempty"`
}

func (api *API) lureScore(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in LureIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	res, err := api.svc.Links.ScoreAd(r.Context(), a, in.Text, in.Lang)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, invalid.Field(name, "invalid_value", "must be a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

func (api *API) reportIdentifiers(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	ids, err := api.svc.Links.ReportIdentifiers(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Page[links.IdentifierView]{Items: ids})
	return nil
}

func (api *API) network(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	depth, err := intParam(r, "depth", 2, 1, 6)
	if err != nil {
		return err
	}
	max, err := intParam(r, "max", 100, 2, 1000)
	if err != nil {
		return err
	}
	n, err := api.svc.Links.Network(r.Context(), a, r.PathValue("id"), depth, max)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

func (api *API) topIdentifiers(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	limit, err := intParam(r, "limit", 20, 1, 200)
	if err != nil {
		return err
	}
	to := time.Now().Add(time.Hour)
	from := to.AddDate(0, -3, 0)
	if s := r.URL.Query().Get("since"); s != "" {
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return invalid.Field("since", "invalid_value", "want a month as YYYY-MM")
		}
		from = t
	}
	top, err := api.svc.Links.Top(r.Context(), a, from, to, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Page[links.TopView]{Items: top})
	return nil
}

func (api *API) setIdentifierSide(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in links.SideIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Links.SetSide(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (api *API) getIdentifier(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	limit, err := intParam(r, "limit", 50, 1, links.MaxIdentifierReports)
	if err != nil {
		return err
	}
	p, err := api.svc.Links.Identifier(r.Context(), a, r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// rangeMaxAge is how long a client or cache may keep a range or list
// response without asking again: the URLs are not versioned, so a cached
// answer may be this much older than the current version (docs/security.md).
const rangeMaxAge = "public, max-age=300"

// published answers from the current published range with its version
// as the ETag: 304 when the client has it. A body compressed with gzip
// (gz) has the ETag "<version>-gzip", as it is another representation;
// If-None-Match with either matches the version.
func published(w http.ResponseWriter, r *http.Request, version string, body links.Body, gz bool) {
	etag := `"` + version + `"`
	gzipTag := `"` + version + `-gzip"`
	h := w.Header()
	if gz {
		h.Set("ETag", gzipTag)
		h.Set("Content-Encoding", "gzip")
	} else {
		h.Set("ETag", etag)
	}
	h.Set("Cache-Control", rangeMaxAge)
	h.Set("Vary", "Accept-Encoding")
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for t := range strings.SplitSeq(inm, ",") {
			if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == etag || t == gzipTag || t == "*" {
				h.Del("Content-Encoding")
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	w.WriteHeader(http.StatusOK)
	for _, part := range body {
		if _, err := w.Write(part); err != nil {
			return // the client went away
		}
	}
}

// fromRange serves what body picks from the current published range;
// body says whether what it picked is compressed with gzip.
func (api *API) fromRange(body func(p *links.Published, r *http.Request) (links.Body, bool, error)) Handler {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
		p, err := api.svc.Links.Range(r.Context())
		if err != nil {
			return err
		}
		b, gz, err := body(p, r)
		if err != nil {
			return err
		}
		published(w, r, p.Version, b, gz)
		return nil
	}
}

func rangeIndex(p *links.Published, r *http.Request) (links.Body, bool, error) {
	return p.Index(), false, nil
}

// rangeBucket is a bucket's body, compressed with gzip for a client that
// takes it (every browser and CDN does): the range's load is these.
func rangeBucket(p *links.Published, r *http.Request) (links.Body, bool, error) {
	if answer.AcceptsGzip(r) {
		z, err := p.BucketGzip(r.PathValue("prefix"))
		return z, true, err
	}
	b, err := p.Bucket(r.PathValue("prefix"))
	return b, false, err
}

func rangeList(p *links.Published, r *http.Request) (links.Body, bool, error) {
	if since := r.URL.Query().Get("since"); since != "" {
		b, err := p.ListSince(since)
		return b, false, err
	}
	return p.List(), false, nil
}
