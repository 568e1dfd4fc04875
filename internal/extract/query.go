package extract

import (
	"strings"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/gazetteer"
)

// maxQuery bounds the length of a single query.
const maxQuery = 2048

// queryPriority orders kinds when one query yields several hits over the
// same text: the most specific identifier wins.
var queryPriority = map[Kind]int{
	KindTelegram: 12, KindWhatsApp: 12, KindLine: 12, KindWeChat: 12, KindFacebook: 12, KindInstagram: 12,
	KindTikTok: 12, KindEmail: 11, KindBTC: 10, KindETH: 10, KindTRON: 10, KindIBAN: 9, KindURL: 8,
	KindPhone: 7, KindDomain: 6, KindPassport: 5, KindBankAccount: 4, KindCompany: 3, KindPlace: 2,
}

// Query normalises one identifier typed by a user, as for the public check
// endpoint: a phone number in any format, a handle with or without '@', a
// t.me or wa.me link, a URL or domain, an e-mail address, a wallet or an
// IBAN. region reads national phone numbers; when it is empty, a national
// number is accepted only if exactly one nearby country makes it valid. A
// bare name ("hr_kh01") is taken for a Telegram username with low
// confidence: callers may also look it up as other kinds of handle.
func Query(q, region string) (Hit, bool) {
	q = strings.TrimSpace(q)
	if q == "" || len(q) > maxQuery || !utf8.ValidString(q) {
		return Hit{}, false
	}
	var best Hit
	found := false
	for _, h := range Text(q, Options{Region: region, NoPlaces: true}) {
		if 2*(h.End-h.Start) < len(q) {
			continue
		}
		if !found || h.End-h.Start > best.End-best.Start ||
			h.End-h.Start == best.End-best.Start && queryPriority[h.Kind] > queryPriority[best.Kind] {
			best, found = h, true
		}
	}
	if found {
		return best, true
	}
	if d, ok := queryDigits(q); ok {
		if h, ok := Normalize(KindPhone, d, region); ok {
			return h, true
		}
	}
	if name := strings.TrimPrefix(q, "@"); name != q || isHandleName(name) {
		if v, ok := handleValue(KindTelegram, name); ok {
			return Hit{Kind: KindTelegram, Value: v, Start: 0, End: len(q), Confidence: 0.5}, true
		}
	}
	return Hit{}, false
}

func isHandleName(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '_' {
			return false
		}
	}
	return true
}

// queryDigits returns q as ASCII digits with an optional leading '+', if q
// is only digits (of any script) and phone separators.
func queryDigits(q string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(q); {
		if d, n := digitAt(q, i); n > 0 {
			b.WriteByte(byte('0' + d))
			i += n
			continue
		}
		if q[i] == '+' && b.Len() == 0 {
			b.WriteByte('+')
			i++
			continue
		}
		if n := sepLen(q, i); n > 0 {
			i += n
			continue
		}
		return "", false
	}
	return b.String(), b.Len() >= 7
}

// Normalize normalises q as an identifier of the given kind, for callers
// that know what was typed (a form field "WeChat ID", a column of a CSV
// import). It reports false if q is not a valid identifier of that kind.
func Normalize(kind Kind, q, region string) (Hit, bool) {
	q = strings.TrimSpace(q)
	if q == "" || len(q) > maxQuery || !utf8.ValidString(q) {
		return Hit{}, false
	}
	h := Hit{Kind: kind, Start: 0, End: len(q), Confidence: 0.9}
	ok := false
	switch kind {
	case KindPhone, KindWhatsApp:
		if d, isDigits := queryDigits(q); isDigits {
			h.Value, ok = normalizePhone(d, strings.ToUpper(region))
			break
		}
		if kind == KindWhatsApp {
			return fromText(kind, q, region)
		}
	case KindTelegram, KindInstagram, KindTikTok:
		if strings.Contains(q, "/") {
			return fromText(kind, q, region)
		}
		h.Value, ok = handleValue(kind, strings.TrimPrefix(q, "@"))
	case KindLine:
		if strings.Contains(q, "/") {
			return fromText(kind, q, region)
		}
		name := strings.TrimPrefix(q, "@")
		h.Value, ok = handleValue(kind, name)
		if ok && name != q {
			h.Value = "@" + h.Value
		}
	case KindWeChat:
		if d, isDigits := queryDigits(q); isDigits {
			h.Value, ok = normalizePhone(d, strings.ToUpper(region))
			break
		}
		h.Value, ok = handleValue(kind, q)
	case KindFacebook:
		if strings.Contains(q, "/") {
			return fromText(kind, q, region)
		}
		if v := lowerASCII(q); len(v) >= 5 && strings.Trim(v, "abcdefghijklmnopqrstuvwxyz0123456789.") == "" {
			h.Value, ok = v, true
		}
	case KindBTC:
		if isBTCBase58(q) {
			h.Value, ok = q, true
		} else if isBTCBech32(q) {
			h.Value, ok = lowerASCII(q), true
		}
	case KindETH:
		if valid, _ := ethChecksum(q); valid {
			h.Value, ok = "0x"+lowerASCII(q[2:]), true
		}
	case KindTRON:
		h.Value, ok = q, isTRON(q)
	case KindIBAN:
		v := upperASCII(strings.ReplaceAll(q, " ", ""))
		h.Value, ok = v, isIBAN(v)
	case KindBankAccount:
		if d, isDigits := queryDigits(q); isDigits && !strings.HasPrefix(d, "+") && len(d) <= 20 {
			h.Value, ok = d, len(d) >= 8
		}
	case KindPassport:
		v := upperASCII(q)
		h.Value, ok = v, len(v) >= 6 && len(v) <= 10 && strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == ""
	case KindCompany:
		s := &scanner{t: q}
		s.companyHit(0, len(q), q)
		if len(s.hits) == 1 {
			h.Value, ok = s.hits[0].Value, true
		}
	case KindPlace:
		if p, found := gazetteer.Default().Lookup(q); found {
			h.Value, ok = p.ID, true
		}
	default:
		return fromText(kind, q, region)
	}
	if !ok {
		return Hit{}, false
	}
	return h, true
}

// fromText normalises q by extracting from it and keeping the longest hit
// of the wanted kind.
func fromText(kind Kind, q, region string) (Hit, bool) {
	var best Hit
	found := false
	for _, h := range Text(q, Options{Region: region, NoPlaces: true}) {
		if h.Kind == kind && (!found || h.End-h.Start > best.End-best.Start) {
			best, found = h, true
		}
	}
	return best, found
}

// normalizePhone reads ASCII digits with an optional '+' as a phone number:
// international with '+' or "00", else national in region, else national in
// exactly one of the fallback regions.
func normalizePhone(d, region string) (string, bool) {
	switch {
	case strings.HasPrefix(d, "+"):
		return parsePhone(d, "")
	case strings.HasPrefix(d, "00"):
		if v, ok := parsePhone("+"+d[2:], ""); ok {
			return v, true
		}
	}
	if region != "" {
		if v, ok := parsePhone(d, region); ok {
			return v, true
		}
	}
	var found string
	for _, reg := range fallbackRegions {
		if v, ok := parsePhone(d, reg); ok {
			if found != "" && found != v {
				return "", false
			}
			found = v
		}
	}
	if found == "" && d[0] != '0' {
		return parsePhone("+"+d, "")
	}
	return found, found != ""
}
