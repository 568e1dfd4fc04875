package web

import (
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/vigil-project/vigil/internal/locale"
	"github.com/vigil-project/vigil/internal/zone"
)

//go:embed locales/*.json
var localeFS embed.FS

// localeOrder is the order languages are offered in; the first is the
// fallback for missing keys.
var localeOrder = locale.Languages

var localeMatcher = language.NewMatcher([]language.Tag{
	language.English, language.Chinese, language.Khmer, language.Thai, language.Vietnamese,
})

// Locale is one language's messages and formats.
type Locale struct {
	Code string
	// Name is the language's name in itself, for the language switch.
	Name     string
	msgs     map[string]string
	fallback *Locale
	printer  *message.Printer
	// zone is where the reader is (In); nil: publicZone.
	zone *time.Location
}

// In returns l for a reader in time zone loc: its Date and DateTime show
// times there. l itself is shared by every request and stays unchanged.
func (l *Locale) In(loc *time.Location) *Locale {
	c := *l
	c.zone = loc
	return &c
}

// Zone is the time zone l shows times in.
func (l *Locale) Zone() *time.Location {
	if l.zone == nil {
		return publicZone
	}
	return l.zone
}

// Catalogues returns the pages' message catalogues, for what speaks in the
// pages' words outside them (the list exports' headings).
func Catalogues() (map[string]locale.Catalogue, error) {
	cats, err := locale.Load(localeFS, "locales")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return cats, nil
}

// loadLocales reads every embedded locale; English is the fallback.
func loadLocales() (map[string]*Locale, error) {
	out := map[string]*Locale{}
	cats, err := Catalogues()
	if err != nil {
		return nil, err
	}
	for _, code := range localeOrder {
		l := &Locale{Code: code, msgs: cats[code], printer: message.NewPrinter(language.Make(code))}
		l.Name = l.msgs["lang.name"]
		out[code] = l
	}
	for _, code := range localeOrder[1:] {
		out[code].fallback = out["en"]
	}
	return out, nil
}

func (l *Locale) lookup(key string) (string, bool) {
	if m, ok := l.msgs[key]; ok {
		return m, true
	}
	if l.fallback != nil {
		return l.fallback.lookup(key)
	}
	return "", false
}

// T translates key; args fill %s, %d verbs in the message. An unknown key
// shows as itself, so it is noticed.
func (l *Locale) T(key string, args ...any) string {
	m, ok := l.lookup(key)
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// Has reports whether key is translated (in this locale or English).
func (l *Locale) Has(key string) bool {
	_, ok := l.lookup(key)
	return ok
}

// TOr translates prefix+key, or shows key as it is when there is no
// message (an enum value the locale does not know yet).
func (l *Locale) TOr(prefix, key string) string {
	if m, ok := l.lookup(prefix + key); ok {
		return m
	}
	return key
}

// Num formats an integer with the locale's grouping.
func (l *Locale) Num(n any) string {
	return l.printer.Sprint(number.Decimal(n))
}

// Date formats a date as the locale writes it, in display time.
func (l *Locale) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.date(t.In(l.Zone()))
}

// date formats t's date as it is, in t's own zone.
func (l *Locale) date(t time.Time) string {
	r := strings.NewReplacer(
		"{d}", strconv.Itoa(t.Day()),
		"{m}", strconv.Itoa(int(t.Month())),
		"{mon}", l.T("month."+strconv.Itoa(int(t.Month()))),
		"{yyyy}", strconv.Itoa(t.Year()),
		"{be}", strconv.Itoa(t.Year()+543),
	)
	return r.Replace(l.T("format.date"))
}

// DateTime formats a date and a 24-hour time in the reader's zone, and
// names the zone (UTC+7, BST): every time on the pages goes through it.
func (l *Locale) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(l.Zone())
	return l.date(t) + " " + t.Format("15:04") + " " + zone.Abbrev(t)
}

// DateString formats a YYYY-MM-DD date.
func (l *Locale) DateString(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return l.date(t)
}

// negotiate picks the language: ?lang= (remembered in a cookie), the lang
// cookie, then Accept-Language.
func (s *site) negotiate(w http.ResponseWriter, r *http.Request) *Locale {
	if code := r.URL.Query().Get("lang"); code != "" {
		if l, ok := s.locales[code]; ok {
			http.SetCookie(w, &http.Cookie{Name: "lang", Value: code, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.d.Cfg.SecureCookies})
			return l
		}
	}
	if c, err := r.Cookie("lang"); err == nil {
		if l, ok := s.locales[c.Value]; ok {
			return l
		}
	}
	if h := r.Header.Get("Accept-Language"); h != "" {
		tags, _, err := language.ParseAcceptLanguage(h)
		if err == nil && len(tags) > 0 {
			_, i, conf := localeMatcher.Match(tags...)
			if conf != language.No {
				return s.locales[localeOrder[i]]
			}
		}
	}
	return s.locales["en"]
}

// Messages returns a translator over the embedded locales, for what is
// written outside a page (e-mail): a language not offered is English.
func Messages() (func(lang, key string, args ...any) string, error) {
	ls, err := loadLocales()
	if err != nil {
		return nil, err
	}
	return func(lang, key string, args ...any) string {
		l, ok := ls[lang]
		if !ok {
			l = ls["en"]
		}
		return l.T(key, args...)
	}, nil
}
