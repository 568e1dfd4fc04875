package lure

import (
	"strings"
	"unicode/utf8"
)

// Amount is a sum of money found in an ad, such as "$1,500/month",
// "月薪3万", "1.5k USD", "月入过万" or "15,000 baht".
type Amount struct {
	// Min and Max are the bounds of the amount in Currency; they are equal
	// for a single figure. "月入过万" (over ten thousand a month) has Min
	// and Max 10000.
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// Currency is the ISO 4217 code, or "USDT" for the stablecoin.
	Currency string `json:"currency"`
	// Period is "hour", "day", "week", "month" or "year", or empty when
	// the ad does not say.
	Period string `json:"period,omitempty"`
	// Pay reports whether the amount reads as pay: a pay word ("salary",
	// "月薪", "lương") or a period goes with it.
	Pay bool `json:"pay"`
	// Span is where the amount is in the ad.
	Span Span `json:"span"`
}

// usdPer is the value of one unit of each currency in US dollars. The rates
// are coarse (early 2025) on purpose: they only have to tell ordinary pay
// from pay far above the market.
var usdPer = map[string]float64{
	"USD": 1, "USDT": 1, "CNY": 0.14, "THB": 0.029, "KHR": 0.00025, "VND": 0.00004, "IDR": 0.000062,
	"MYR": 0.22, "PHP": 0.0175, "MMK": 0.00048, "LAK": 0.000046, "AED": 0.27, "EUR": 1.08, "GBP": 1.27,
	"SGD": 0.74, "HKD": 0.128, "TWD": 0.031,
}

// hoursPer is how many of each period make a month of full-time work.
var perMonth = map[string]float64{"hour": 160, "day": 22, "week": 4.33, "month": 1, "year": 1.0 / 12}

// MonthlyUSD returns the upper bound of the amount as monthly pay in US
// dollars. An amount without a period is read as monthly, unless it is too
// large for that (15,000 dollars or more), when it is read as yearly.
func (a Amount) MonthlyUSD() float64 {
	usd := a.Max * usdPer[a.Currency]
	if f, ok := perMonth[a.Period]; ok {
		return usd * f
	}
	if usd >= 15000 {
		return usd / 12
	}
	return usd
}

// Amounts returns the sums of money in text, in order.
func Amounts(text string) []Amount {
	f := fold(text)
	return findAmounts(f, text, scriptOf(f.s))
}

// token tables for the amount parser, on folded text
var (
	currencyPrefixes = []struct{ tok, cur string }{
		{"us$", "USD"}, {"usd", "USD"}, {"s$", "SGD"}, {"nt$", "TWD"}, {"$", "USD"}, {"¥", "CNY"}, {"￥", "CNY"},
		{"rmb", "CNY"}, {"cny", "CNY"}, {"rm", "MYR"}, {"rp", "IDR"}, {"฿", "THB"}, {"thb", "THB"}, {"€", "EUR"},
		{"£", "GBP"}, {"₱", "PHP"}, {"php", "PHP"}, {"aed", "AED"}, {"khr", "KHR"}, {"៛", "KHR"}, {"idr", "IDR"},
		{"myr", "MYR"}, {"vnd", "VND"}, {"mmk", "MMK"}, {"sgd", "SGD"}, {"hkd", "HKD"}, {"eur", "EUR"},
		{"gbp", "GBP"},
	}
	currencySuffixes = []struct{ tok, cur string }{
		{"usdt", "USDT"}, {"usd", "USD"}, {"us dollars", "USD"}, {"us dollar", "USD"}, {"dollars", "USD"},
		{"dollar", "USD"}, {"美元", "USD"}, {"美金", "USD"}, {"美刀", "USD"}, {"$", "USD"},
		{"元", "CNY"}, {"块", "CNY"}, {"rmb", "CNY"}, {"人民币", "CNY"}, {"cny", "CNY"},
		{"baht", "THB"}, {"บาท", "THB"}, {"thb", "THB"}, {"฿", "THB"},
		{"riels", "KHR"}, {"riel", "KHR"}, {"រៀល", "KHR"}, {"៛", "KHR"}, {"khr", "KHR"},
		{"vnđ", "VND"}, {"vnd", "VND"}, {"đồng", "VND"}, {"dong", "VND"}, {"đ", "VND"}, {"₫", "VND"},
		{"rupiah", "IDR"}, {"idr", "IDR"}, {"ringgit", "MYR"}, {"myr", "MYR"}, {"pesos", "PHP"},
		{"peso", "PHP"}, {"php", "PHP"}, {"kyats", "MMK"}, {"kyat", "MMK"}, {"mmk", "MMK"}, {"ks", "MMK"},
		{"kip", "LAK"}, {"lak", "LAK"}, {"aed", "AED"}, {"dirhams", "AED"}, {"dirham", "AED"},
		{"euros", "EUR"}, {"euro", "EUR"}, {"eur", "EUR"}, {"€", "EUR"}, {"gbp", "GBP"}, {"sgd", "SGD"},
		{"hkd", "HKD"},
	}
	multipliers = []struct {
		tok string
		x   float64
		cur string // the currency a multiplier implies, if any
	}{
		{"k", 1e3, ""}, {"千", 1e3, ""}, {"万", 1e4, ""}, {"萬", 1e4, ""}, {"w", 1e4, "CNY"},
		{"million", 1e6, ""}, {"triệu", 1e6, "VND"}, {"trieu", 1e6, "VND"}, {"tr", 1e6, "VND"},
		{"juta", 1e6, "IDR"}, {"jt", 1e6, "IDR"}, {"ล้าน", 1e6, "THB"}, {"หมื่น", 1e4, "THB"},
		{"พัน", 1e3, "THB"},
	}
	periodSuffixes = []struct{ tok, period string }{
		{"/month", "month"}, {"/mo", "month"}, {"/mth", "month"}, {"per month", "month"}, {"a month", "month"},
		{"monthly", "month"}, {"every month", "month"}, {"/月", "month"}, {"每月", "month"}, {"一个月", "month"},
		{"/个月", "month"}, {"每个月", "month"}, {"/tháng", "month"}, {"một tháng", "month"}, {"mỗi tháng", "month"},
		{"/thang", "month"}, {"/bulan", "month"}, {"per bulan", "month"}, {"sebulan", "month"},
		{"/เดือน", "month"}, {"ต่อเดือน", "month"}, {"/ខែ", "month"}, {"ក្នុងមួយខែ", "month"},
		{"/week", "week"}, {"per week", "week"}, {"a week", "week"}, {"weekly", "week"}, {"/wk", "week"},
		{"/周", "week"}, {"每周", "week"}, {"/tuần", "week"}, {"/minggu", "week"}, {"/สัปดาห์", "week"},
		{"/day", "day"}, {"per day", "day"}, {"a day", "day"}, {"daily", "day"}, {"/天", "day"},
		{"每天", "day"}, {"/日", "day"}, {"一天", "day"}, {"/ngày", "day"}, {"/hari", "day"}, {"/วัน", "day"},
		{"ต่อวัน", "day"},
		{"/hour", "hour"}, {"per hour", "hour"}, {"an hour", "hour"}, {"/hr", "hour"}, {"/h", "hour"},
		{"hourly", "hour"}, {"/小时", "hour"}, {"每小时", "hour"}, {"/giờ", "hour"}, {"/jam", "hour"},
		{"/ชั่วโมง", "hour"},
		{"/year", "year"}, {"per year", "year"}, {"a year", "year"}, {"per annum", "year"}, {"annually", "year"},
		{"/yr", "year"}, {"p.a.", "year"}, {"/年", "year"}, {"/năm", "year"}, {"/tahun", "year"}, {"/ปี", "year"},
	}
	// periodCues before a figure: "月薪3万", "monthly salary of $800"
	periodCues = []struct{ tok, period string }{
		{"月薪", "month"}, {"月入", "month"}, {"月收入", "month"}, {"月工资", "month"}, {"月均", "month"},
		{"底薪", "month"}, {"每月", "month"}, {"一个月", "month"}, {"每个月", "month"}, {"monthly", "month"},
		{"per month", "month"},
		{"lương tháng", "month"}, {"gaji bulanan", "month"}, {"เงินเดือน", "month"}, {"ប្រាក់ខែ", "month"},
		{"日薪", "day"}, {"日赚", "day"}, {"日结", "day"}, {"每天", "day"}, {"daily", "day"}, {"วันละ", "day"},
		{"时薪", "hour"}, {"hourly", "hour"}, {"每小时", "hour"},
		{"年薪", "year"}, {"annual salary", "year"}, {"annually", "year"}, {"per annum", "year"},
		{"weekly", "week"}, {"每周", "week"},
	}
	// payCues make a nearby figure read as pay.
	payCues = []string{
		"salary", "salaries", "pay", "paid", "earn", "earning", "earnings", "income", "wage", "wages",
		"compensation", "commission", "bonus", "up to", "薪", "工资", "待遇", "收入", "赚", "挣", "提成",
		"佣金", "奖金", "lương", "luong", "thu nhập", "gaji", "penghasilan", "รายได้", "ค่าจ้าง", "ប្រាក់",
	}
	// notPay marks figures that are money but not pay.
	notPay    = []string{"注册资本", "资本", "capital", "revenue", "营业额", "融资", "turnover", "loan", "贷款"}
	rangeSeps = []string{"-", "–", "—", "~", "to", "至", "到", "đến", "ถึง", "sampai", "hingga", "~"}
)

// defaultCurrency is the currency of a bare pay figure in an ad of the given
// script: Cambodian and Lao employers quote dollars.
var defaultCurrency = map[string]string{
	"zh": "CNY", "th": "THB", "vi": "VND", "km": "USD", "lo": "USD", "my": "MMK", "en": "USD",
}

// findAmounts finds the amounts in folded text f of orig, written in script
// (see scriptOf).
func findAmounts(f folded, orig string, script string) []Amount {
	s := f.s
	var out []Amount
	for i := 0; i < len(s); {
		var a amountParse
		ok := false
		switch {
		case isDigit(s[i]) && (i == 0 || !isDigit(s[i-1]) && s[i-1] != '.' && s[i-1] != ','):
			a, ok = parseFigure(s, i)
		case s[i] >= utf8.RuneSelf && (cnNumeral(s, i) >= 0 || strings.HasPrefix(s[i:], "过万") ||
			strings.HasPrefix(s[i:], "上万") || strings.HasPrefix(s[i:], "破万")):
			a, ok = parseCNFigure(s, i)
		}
		if !ok {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		if a.currency == "" {
			a.currency = defaultCurrency[script]
			if a.currency == "" {
				a.currency = "USD"
			}
		}
		out = append(out, Amount{
			Min: a.min, Max: a.max, Currency: a.currency, Period: a.period, Pay: a.pay,
			Span: f.span(orig, a.start, a.end),
		})
		i = a.end
	}
	return out
}

// amountParse is an amount being read.
type amountParse struct {
	min, max   float64
	currency   string
	period     string
	pay        bool
	start, end int
}

// parseFigure reads an amount whose figure starts at s[i].
func parseFigure(s string, i int) (amountParse, bool) {
	a := amountParse{start: i}
	// The byte before the figure: a letter glued to it is a code ("sf1234"),
	// not money, unless it is a currency ("rm5000", "rp5.000.000").
	glued := i > 0 && isWordAt(s, i-1)
	if c, start := currencyBefore(s, i); c != "" {
		a.currency, a.start = c, start
	} else if glued {
		return a, false
	}
	v, j, digits := parseNumber(s, i)
	if digits > 9 {
		return a, false // a phone or account number
	}
	x, cur, j2 := multiplierAt(s, j)
	if x > 0 {
		v *= x
		j = j2
		if a.currency == "" {
			a.currency = cur
		}
	}
	a.min, a.max, a.end = v, v, j
	// a range: "1,200-2,000", "1-3万", "$500 to $1000"
	t := skipSpaces(s, j)
	if n := rangeSep(s, t); n > 0 {
		u := skipSpaces(s, t+n)
		if c, _ := currencyAt(s, u, currencyPrefixes); c != "" {
			u += len(currencyTok(s, u))
		}
		if u < len(s) && isDigit(s[u]) {
			v2, k, d2 := parseNumber(s, u)
			if d2 <= 9 {
				lo := a.min
				x2, cur2, k2 := multiplierAt(s, k)
				if x2 > 0 {
					v2 *= x2
					k = k2
					if x == 0 {
						lo *= x2 // "1-3万": the unit of the range
					}
				}
				if v2 >= lo {
					a.min, a.max, a.end = lo, v2, k
					if x2 > 0 {
						x = max(x, x2)
						if a.currency == "" {
							a.currency = cur2
						}
					}
				}
			}
		}
	}
	// currency and period after the figure
	t = skipSpaces(s, a.end)
	if c, n := currencyAt(s, t, currencySuffixes); c != "" {
		if a.currency == "" || a.currency == "USD" && c == "USDT" {
			a.currency = c
		}
		a.end = t + n
	} else if t == a.end && t < len(s) && s[t] == 'u' && !isWordAt(s, t+1) {
		a.currency, a.end = "USDT", t+1 // "3000u", the compounds' word for USDT
	}
	t = skipSpaces(s, a.end)
	if p, n := periodAt(s, t); p != "" {
		a.period, a.end = p, t+n
	}
	hasCurrency := a.currency != ""
	if !hasCurrency && x == 0 && a.period == "" && (a.max < 100 || a.max >= 1900 && a.max <= 2100 && a.min == a.max) {
		return a, false // "3 years", "since 2012": no pay word can make these money
	}
	cueStart := max(0, a.start-30)
	before := s[cueStart:a.start]
	if a.period == "" {
		for _, c := range periodCues {
			if strings.Contains(before, c.tok) {
				a.period = c.period
				break
			}
		}
	}
	payCue := a.period != "" || containsAny(before, payCues)
	if containsAny(before, notPay) {
		payCue = false
		a.period = ""
	}
	a.pay = payCue
	switch {
	case hasCurrency, x > 0 && payCue:
	case payCue && a.max >= 100 && !(a.max >= 1900 && a.max <= 2100 && a.min == a.max):
	default:
		return a, false
	}
	if a.end < len(s) && (s[a.end] == '%' || strings.HasPrefix(s[a.end:], "人") || strings.HasPrefix(s[a.end:], "岁")) {
		return a, false
	}
	return a, true
}

// parseCNFigure reads a figure in Chinese numerals ("三万", "一万五", "过万")
// at s[i]; only after a pay word, since the characters are common.
func parseCNFigure(s string, i int) (amountParse, bool) {
	a := amountParse{start: i, currency: "CNY"}
	before := s[max(0, i-15):i]
	if !containsAny(before, payCues) && !containsAny(before, []string{"月入", "月薪", "过"}) {
		return a, false
	}
	for _, w := range []string{"过万", "上万", "破万"} {
		if strings.HasPrefix(s[i:], w) {
			a.min, a.max, a.end = 1e4, 1e4, i+len(w)
			a.period = periodBefore(before)
			a.pay = true
			return a, true
		}
	}
	v, j := 0.0, i
	for {
		d := cnNumeral(s, j)
		if d < 0 {
			break
		}
		if d == 10 {
			if v == 0 {
				v = 1
			}
			v *= 10
		} else if v >= 10 && int(v)%10 == 0 {
			v += float64(d)
		} else {
			v = v*10 + float64(d)
		}
		j += 3
	}
	if v == 0 {
		return a, false
	}
	var unit float64
	switch {
	case strings.HasPrefix(s[j:], "万"):
		unit = 1e4
	case strings.HasPrefix(s[j:], "千"):
		unit = 1e3
	default:
		return a, false
	}
	v *= unit
	j += 3
	if d := cnNumeral(s, j); d >= 1 && d <= 9 { // 一万五 = 15,000
		v += float64(d) * unit / 10
		j += 3
	}
	a.min, a.max, a.end = v, v, j
	if _, n := currencyAt(s, j, currencySuffixes); n > 0 {
		a.end = j + n
	}
	a.period = periodBefore(before)
	if p, n := periodAt(s, skipSpaces(s, a.end)); p != "" {
		a.period, a.end = p, skipSpaces(s, a.end)+n
	}
	a.pay = true
	return a, true
}

func periodBefore(before string) string {
	for _, c := range periodCues {
		if strings.Contains(before, c.tok) {
			return c.period
		}
	}
	return ""
}

// cnNumeral returns the value of the Chinese numeral at s[i] (1 to 9, or 10
// for 十), or -1.
func cnNumeral(s string, i int) int {
	if i+3 > len(s) {
		return -1
	}
	switch s[i : i+3] {
	case "一":
		return 1
	case "二", "两":
		return 2
	case "三":
		return 3
	case "四":
		return 4
	case "五":
		return 5
	case "六":
		return 6
	case "七":
		return 7
	case "八":
		return 8
	case "九":
		return 9
	case "十":
		return 10
	}
	return -1
}

// parseNumber reads "1,500", "1.5", "15.000.000", "3,5" at s[i]. A separator
// followed by exactly three digits groups thousands; otherwise it is a
// decimal point. It returns the value, the end and the count of digits.
func parseNumber(s string, i int) (float64, int, int) {
	var v float64
	digits := 0
	j := i
	for j < len(s) && isDigit(s[j]) {
		v = v*10 + float64(s[j]-'0')
		j++
		digits++
	}
	for j+1 < len(s) && (s[j] == ',' || s[j] == '.') && isDigit(s[j+1]) {
		k := j + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k-(j+1) == 3 {
			for _, c := range []byte(s[j+1 : k]) {
				v = v*10 + float64(c-'0')
			}
			digits += 3
			j = k
			continue
		}
		// a decimal part
		scale := 0.1
		for _, c := range []byte(s[j+1 : k]) {
			v += float64(c-'0') * scale
			scale /= 10
		}
		j = k
		break
	}
	return v, j, digits
}

// currencyBefore finds a currency prefix ending at s[i] (spaces allowed in
// between) and returns it with where it starts.
func currencyBefore(s string, i int) (string, int) {
	t := i
	for t > 0 && s[t-1] == ' ' && i-t < 2 {
		t--
	}
	for _, p := range currencyPrefixes {
		k := t - len(p.tok)
		if k < 0 || s[k:t] != p.tok {
			continue
		}
		if isWordAt(p.tok, 0) && k > 0 && isWordAt(s, k-1) {
			continue // "arm 5" is not ringgit
		}
		return p.cur, k
	}
	return "", i
}

// currencyAt matches a currency token at s[i] and returns the currency and
// the token length.
func currencyAt(s string, i int, toks []struct{ tok, cur string }) (string, int) {
	for _, p := range toks {
		if strings.HasPrefix(s[i:], p.tok) {
			if isWordAt(s, i) && isWordAt(s, i+len(p.tok)) {
				continue // "usda", "dongle"
			}
			return p.cur, len(p.tok)
		}
	}
	return "", 0
}

func currencyTok(s string, i int) string {
	for _, p := range currencyPrefixes {
		if strings.HasPrefix(s[i:], p.tok) {
			return p.tok
		}
	}
	return ""
}

// multiplierAt matches "k", "万", "triệu" … at s[i] (one space allowed).
func multiplierAt(s string, i int) (float64, string, int) {
	t := i
	if t < len(s) && s[t] == ' ' {
		t++
	}
	for _, m := range multipliers {
		if strings.HasPrefix(s[t:], m.tok) {
			if isWordAt(s, t) && isWordAt(s, t+len(m.tok)) {
				continue // "km", "kg", "trip"
			}
			if t > i && len(m.tok) == 1 {
				continue // "5 k" is too loose
			}
			return m.x, m.cur, t + len(m.tok)
		}
	}
	return 0, "", i
}

// periodAt matches a period suffix at s[i].
func periodAt(s string, i int) (string, int) {
	for _, p := range periodSuffixes {
		if strings.HasPrefix(s[i:], p.tok) {
			if isWordAt(s, i+len(p.tok)) && isWordAt(s, lastRuneStart(s, i+len(p.tok))) {
				continue // "/monthly" is fine, "/mon" of "/money" is not
			}
			return p.period, len(p.tok)
		}
	}
	return "", 0
}

// rangeSep returns the length of a range separator at s[i], or 0.
func rangeSep(s string, i int) int {
	for _, r := range rangeSeps {
		if strings.HasPrefix(s[i:], r) {
			if isWordAt(s, i) && isWordAt(s, i+len(r)) {
				continue
			}
			return len(r)
		}
	}
	return 0
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// containsAny reports whether one of words occurs in s, Latin words only at
// word boundaries.
func containsAny(s string, words []string) bool {
	for _, w := range words {
		left, right := isWordAt(w, 0), isWordAt(w, lastRuneStart(w, len(w)))
		for off := 0; ; {
			k := strings.Index(s[off:], w)
			if k < 0 {
				break
			}
			k += off
			if !(left && isWordAt(s, k-1)) && !(right && isWordAt(s, k+len(w))) {
				return true
			}
			off = k + 1
		}
	}
	return false
}
