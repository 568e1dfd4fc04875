package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/store"
)

// CountUpTo is how far a list page counts its rows: beyond it the page says
// "more than CountUpTo". The count runs the list's own query (the same
// filters, the same access) with LIMIT CountUpTo+1 under COUNT(*), so its
// cost is bounded whatever the filters: measured with BenchmarkTriageQueue
// (internal/store), counting an organisation's received reports costs a
// few milliseconds per 10,000 rows on both engines, so 10,000 is exact for
// every queue we expect and never more than a few milliseconds.
const CountUpTo = 10000

// pager is the paging part of a list page: the count and the links to the
// pages before and after this one, each keeping the filters.
type pager struct {
	// Total is the number of rows the filters keep, up to CountUpTo; More
	// says there are more than that.
	Total int
	More  bool
	// Shown is the number of rows on this page.
	Shown      int
	Prev, Next string
}

// badFilter is a list filter or cursor in the URL that the page cannot use:
// answered 400 with the parameter named.
type badFilter struct{ field string }

func (e *badFilter) Error() string { return "bad list filter: " + e.field }

// renderBadFilter answers a bad filter with a 400 page naming it.
func (s *site) renderBadFilter(w http.ResponseWriter, q *req, titleKey string, bf *badFilter) {
	v := s.newView(q, titleKey)
	v.Error = q.L.T("list.bad_filter", bf.field)
	s.render(w, q, http.StatusBadRequest, "error", v)
}

// listRequest reads a list page's filter (with read) and its cursor
// (urgent as readCursor takes it); when either is bad it renders the 400
// page titled titleKey, and ok is false with a nil error.
func listRequest[F any](s *site, w http.ResponseWriter, q *req, titleKey string, urgent bool, read func(url.Values) (F, error)) (lf F, c cursor, ok bool, err error) {
	f := q.r.URL.Query()
	lf, err = read(f)
	if err == nil {
		c, err = readCursor(f, urgent)
	}
	var bf *badFilter
	if errors.As(err, &bf) {
		s.renderBadFilter(w, q, titleKey, bf)
		return lf, c, false, nil
	}
	return lf, c, err == nil, err
}

// idPattern is the form of the IDs Vigil makes (UUIDv7 text).
var idPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// cursor is the position of a list page: after (rows after it, going
// forward) or before (rows before it, going back), at most one of them.
type cursor struct {
	key  *store.Key
	back bool
}

// readCursor reads ?after= or ?before=. With urgent, a cursor is the row's
// urgency and id ("1.<id>"), else the id.
func readCursor(f url.Values, urgent bool) (cursor, error) {
	var c cursor
	for _, name := range []string{"after", "before"} {
		v := f.Get(name)
		if v == "" {
			continue
		}
		if c.key != nil {
			return c, &badFilter{name}
		}
		k := &store.Key{ID: v}
		if urgent {
			u, id, ok := strings.Cut(v, ".")
			if !ok || (u != "0" && u != "1") {
				return c, &badFilter{name}
			}
			k = &store.Key{Urgent: u == "1", ID: id}
		}
		if !idPattern.MatchString(k.ID) {
			return c, &badFilter{name}
		}
		c = cursor{key: k, back: name == "before"}
	}
	return c, nil
}

// cursorText is k as readCursor reads it.
func cursorText(k store.Key, urgent bool) string {
	if !urgent {
		return k.ID
	}
	if k.Urgent {
		return "1." + k.ID
	}
	return "0." + k.ID
}

// listURL is path with the filters of f (not its cursor nor notice) and
// the extra parameter.
func listURL(path string, f url.Values, extra ...string) string {
	keep := url.Values{}
	for k, vs := range f {
		if k == "after" || k == "before" || k == "done" {
			continue
		}
		for _, v := range vs {
			if v != "" {
				keep.Add(k, v)
			}
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		keep.Set(extra[i], extra[i+1])
	}
	if len(keep) == 0 {
		return path
	}
	return path + "?" + keep.Encode()
}

// pageOf fetches one page of a list by keyset: limit+1 rows in the
// direction asked, to know whether there is a page beyond. Going back to
// fewer than a full page (the start was reached) it shows the first page
// instead. It returns the rows and whether pages exist before and after.
func pageOf[T any](c cursor, limit int, fetch func(from *store.Key, back bool, limit int) ([]T, error)) (rows []T, prev, next bool, err error) {
	if c.key != nil && c.back {
		rows, err = fetch(c.key, true, limit+1)
		if err != nil {
			return nil, false, false, err
		}
		if len(rows) > limit {
			return rows[1:], true, true, nil
		}
		if len(rows) == limit {
			return rows, false, true, nil
		}
		c = cursor{}
	}
	rows, err = fetch(c.key, false, limit+1)
	if err != nil {
		return nil, false, false, err
	}
	if len(rows) > limit {
		return rows[:limit], c.key != nil, true, nil
	}
	return rows, c.key != nil, false, nil
}

// links sets the pager's links from the first and last rows' keys.
func (p *pager) links(path string, f url.Values, prev, next bool, first, last string) {
	if prev {
		p.Prev = listURL(path, f, "before", first)
	}
	if next {
		p.Next = listURL(path, f, "after", last)
	}
}

// count sets the pager's count from a count made up to CountUpTo.
func (p *pager) count(n int) {
	p.Total, p.More = min(n, CountUpTo), n > CountUpTo
}

// readDate reads a date filter (YYYY-MM-DD, UTC) as the start of that day;
// zero when absent.
func readDate(f url.Values, name string) (time.Time, error) {
	v := f.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, &badFilter{name}
	}
	return d, nil
}

// readEnum reads a filter that must be one of values, or absent.
func readEnum(f url.Values, name string, values []string) (string, error) {
	v := f.Get(name)
	if v != "" && !slices.Contains(values, v) {
		return "", &badFilter{name}
	}
	return v, nil
}
