package search

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/vigil-project/vigil/internal/invalid"
)

// Limits on a query.
const (
	// MaxQuery is the longest query, in characters.
	MaxQuery = 200
	// MaxTerms is the most terms a query may have after normalisation.
	MaxTerms = 32
	// minIDPrefix is the shortest ID prefix looked up, in hex digits.
	minIDPrefix = 4
)

// Query is a parsed search.
type Query struct {
	// Raw is the query as typed, trimmed: the identifier look-up reads it.
	Raw string
	// TrackingCode is the query as a tracking code in canonical form
	// (VG-XXXX-XXXX-XXXX), or "".
	TrackingCode string
	// IDLo and IDHi bound the IDs the query is a prefix of: IDLo <= id <
	// IDHi. Both "" when the query cannot be a prefix of an ID.
	IDLo, IDHi string
	// Terms are the normalised terms a report's text or a subject's name
	// must all have.
	Terms []string
}

// Parse reads a query. It refuses, naming the field q, an empty query, one
// that is not UTF-8, longer than MaxQuery characters or with more than
// MaxTerms terms.
func Parse(q string) (*Query, error) {
	if !utf8.ValidString(q) {
		return nil, invalid.Field("q", "invalid_utf8", "is not valid UTF-8")
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, invalid.Field("q", "required", "type a tracking code, an ID, a phone number or handle, a name, or words of a statement")
	}
	if n := utf8.RuneCountInString(q); n > MaxQuery {
		return nil, invalid.Field("q", "too_long", "is %d characters long; at most %d allowed", n, MaxQuery)
	}
	if strings.ContainsRune(q, 0) {
		return nil, invalid.Field("q", "invalid", "contains a NUL character")
	}
	out := &Query{Raw: q, TrackingCode: trackingCode(q), Terms: queryTerms(q)}
	if len(out.Terms) > MaxTerms {
		return nil, invalid.Field("q", "too_many_terms", "has %d terms; at most %d allowed", len(out.Terms), MaxTerms)
	}
	out.IDLo, out.IDHi = idRange(q)
	return out, nil
}

// trackingAlphabet is Crockford's base 32, as intake makes tracking codes.
const trackingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// trackingCode returns q as a canonical tracking code (VG-XXXX-XXXX-XXXX),
// or "" if it is not one: any case, with or without the dashes or spaces,
// with or without "VG", and with Crockford's readings of look-alikes (O
// for 0, I and L for 1).
func trackingCode(q string) string {
	var b []byte
	for _, r := range strings.ToUpper(q) {
		switch {
		case r == '-' || r == ' ' || r == '\u2010' || r == '\u2011' || r == '\u2013':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 {
			return ""
		}
		b = append(b, byte(r))
	}
	s := string(b)
	if len(s) == 14 && strings.HasPrefix(s, "VG") {
		s = s[2:]
	}
	if len(s) != 12 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(trackingAlphabet, rune(s[i])) {
			return ""
		}
	}
	return "VG-" + s[0:4] + "-" + s[4:8] + "-" + s[8:12]
}

// idRange returns the range of IDs (UUIDs, lower-case hex with dashes
// after 8, 12, 16 and 20 digits) that start with q, read as hex digits
// with or without dashes: the prefix in canonical form and the prefix
// followed by 'g', which sorts after every hex digit and the dash on both
// engines. It returns "", "" if q is not at least minIDPrefix hex digits.
func idRange(q string) (string, string) {
	var hex []byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '-':
			continue
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		default:
			return "", ""
		}
		hex = append(hex, c)
	}
	if len(hex) < minIDPrefix || len(hex) > 32 {
		return "", ""
	}
	var b strings.Builder
	for i, c := range hex {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b.WriteByte('-')
		}
		b.WriteByte(c)
	}
	lo := b.String()
	return lo, lo + "g"
}

// Stages of a search, in rank order: a result is ranked by the first stage
// that finds it, and each stage lists its results newest first.
const (
	stageTrackingCode = iota
	stageID
	stageIdentifier
	stageSubject
	stageText
	nStages
)

// matched names each stage in results.
var matched = [nStages]string{"tracking_code", "id", "identifier", "subject", "text"}

// cursor is where a page ends: the stage and the ID of its last result.
type cursor struct {
	stage int
	id    string
}

func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte("1:" + strconv.Itoa(c.stage) + ":" + c.id))
}

// parseCursor reads a cursor made by encode; "" is the first page.
func parseCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	bad := invalid.Field("cursor", "invalid_value", "is malformed: not a cursor this search returned")
	if len(s) > 200 {
		return cursor{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "1" {
		return cursor{}, bad
	}
	st, err := strconv.Atoi(parts[1])
	if err != nil || st < 0 || st >= nStages {
		return cursor{}, bad
	}
	// An ID as Vigil writes them: a UUID in canonical form.
	if u, err := uuid.Parse(parts[2]); err != nil || u.String() != parts[2] {
		return cursor{}, bad
	}
	return cursor{stage: st, id: parts[2]}, nil
}
