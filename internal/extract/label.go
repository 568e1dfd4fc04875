package extract

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// labelGapWords may stand between a label and its value.
var labelGapWords = []string{
	"ID", "Id", "id", "No.", "no.", "NO.", "No", "no", "NO", "number", "Number", "num", "only", "Only",
	"号码", "号", "號", "是", "为", "码", "账号", "is", "là", "คือ", "adalah", "số", "nomor", "nya",
	"ของ", "របស់", "លេខ", "เลขที่", "หมายเลข", "เบอร์", "của",
	// Thai: "with this number", "right away", "come": "แอดไลน์ด้วยเบอร์นี้ได้เลย 08…", "ทักไลน์มาเลย 09…".
	"ด้วย", "นี้", "ได้เลย", "มาเลย", "เลย",
	"同号",  // "飞机同号": the same number on Telegram
	"พี่", // "ไลน์พี่", "ไอจีพี่": the elder sibling's, as a recruiter calls herself
	// Pronouns: "WA saya:", "tt kami:", "IG của chị".
	"saya", "kami", "aku", "chị", "anh", "em",
	"ไอดี", // "วีแชท ไอดี chen_boss": Thai "ID"
}

// labelGapByFirst holds labelGapWords by their first byte, each list in
// labelGapWords' order: skipLabelGap tries only the words that may match.
var labelGapByFirst = func() (t [256][]string) {
	for _, w := range labelGapWords {
		t[w[0]] = append(t[w[0]], w)
	}
	return t
}()

// softGapWords may stand between a label and its value too, but say
// less than a colon: "WhatsApp me on 097…" names the account, "contacted
// her on LINE at work" names none (a plain word after one of these is no
// account name).
var softGapWords = []string{"me", "on", "at"}

// skipLabelGap skips separators, filler words and role words ("WhatsApp
// only:", "ไลน์ไอดีของหัวหน้า:", "微信号是") after a label ending at p. explicit
// tells whether a colon, "=", "ID" or similar was among them.
func (s *scanner) skipLabelGap(p int) (q int, explicit bool) {
	t := s.t
	limit := min(len(t), p+60)
	ki := s.kwIndexBefore(p) + 1
	for p < limit {
		switch t[p] {
		case ' ', '\t', '-', '#', '.', '(', ')', '~', '[', ']':
			p++
			continue
		case ':', '=':
			p++
			explicit = true
			continue
		case '>':
			// An arrow drawn in ASCII ("->", ">>", "—>>") is as explicit as
			// a colon; a lone '>' is more often a menu path's step.
			explicit = explicit || at(t, p+1) == '>' || p > 0 && (t[p-1] == '-' || t[p-1] == '>')
			p++
			continue
		case '_':
			// "whatsapp___+60 17…", "watsup:::_+63 …": underscores as filler
			// before a number (a handle does not start with one).
			e := p
			for e < limit && t[e] == '_' {
				e++
			}
			if c := at(t, e); c == '+' || isDigit(c) || c == ' ' && (at(t, e+1) == '+' || isDigit(at(t, e+1))) {
				p = e
				continue
			}
		case '/':
			// "LINE/电话：", "Line/WA:": another label joined to this one.
			if q := s.labelAt(p + 1); q > p+1 {
				p = q
				continue
			}
		}
		if strings.HasPrefix(t[p:], "៖") { // the Khmer colon
			p += len("៖")
			explicit = true
			continue
		}
		if t[p] >= 0xC2 { // an arrow or emoji pointing at the value: "whatsapp me ➡️ 097…"
			if r, n := utf8.DecodeRuneInString(t[p:]); gapSymbol(r) || r == '—' || r == '–' || r == '•' || r == '·' {
				p += n
				explicit = explicit || pointer(r)
				continue
			}
		}
		for ki < len(s.kws) && s.kws[ki].start < p {
			ki++
		}
		if ki < len(s.kws) && s.kws[ki].start == p && s.kws[ki].class&kwRoles != 0 && s.kws[ki].class&kwLabelled == 0 &&
			!isIDByte(at(t, s.kws[ki].end)) {
			p = s.kws[ki].end
			continue
		}
		matched := false
		for _, w := range labelGapByFirst[t[p]] {
			if strings.HasPrefix(t[p:], w) {
				e := p + len(w)
				if isLetter(w[len(w)-1]) && e < len(t) && isAlnum(t[e]) {
					continue
				}
				p = e
				matched, explicit = true, true
				break
			}
		}
		for _, w := range softGapWords {
			if !matched && strings.HasPrefix(t[p:], w) && !isAlnum(at(t, p+len(w))) {
				p, matched = p+len(w), true
			}
		}
		if !matched {
			if q := s.wordsToColon(p); q > p {
				p = q // not explicit: a colon after words may end a phrase
				continue
			}
			break
		}
	}
	return p, explicit
}

// wordsToColon returns the end of a colon, or of an arrow pointing at the
// value, after a few words at t[p] ("sếp Trần:", "ថៅកែចិន៖", "under his
// phone number:", "HR Kevin ➡") — letters and spaces only, no other
// messaging label among them — or p.
func (s *scanner) wordsToColon(p int) int {
	t := s.t
	q, words := p, 0
	for q < len(t) && q-p <= 40 {
		c := t[q]
		switch {
		case c == ':' && words > 0:
			return q + 1
		case strings.HasPrefix(t[q:], "៖") && words > 0:
			return q + len("៖")
		case c == ' ':
			q++
			continue
		case isLetter(c):
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(t[q:])
			if pointer(r) && words > 0 {
				return q + n
			}
			if !unicode.IsLetter(r) && !unicode.IsMark(r) {
				return p
			}
			q += n
			words++
			continue
		default:
			return p
		}
		if k := s.kwAt(q, kwHandles); k.end > q {
			return p // "WhatsApp down, LINE: …" is LINE's
		}
		for q < len(t) && isLetter(t[q]) {
			q++
		}
		words++
	}
	return p
}

// labelAt returns the end of a phone or messaging label at t[p] (after
// spaces), or p.
func (s *scanner) labelAt(p int) int {
	for p < len(s.t) && s.t[p] == ' ' {
		p++
	}
	if k := s.kwAt(p, kwHandles|kwPhone); k.end > p {
		return k.end
	}
	return p
}

// kwAt returns the longest keyword of a class in c that starts at p, or a
// zero keyword.
func (s *scanner) kwAt(p int, c kwClass) keyword {
	var k keyword
	for i := s.kwIndexBefore(p) + 1; i < len(s.kws) && s.kws[i].start <= p; i++ {
		if j := s.kws[i]; j.start == p && j.class&c != 0 && j.end > k.end {
			k = j
		}
	}
	return k
}

// arrow reports whether r is an arrow.
func arrow(r rune) bool {
	return r >= 0x2190 && r <= 0x21FF || r >= 0x27A1 && r <= 0x27BF || r >= 0x2B05 && r <= 0x2B07
}

// pointer reports whether r is an arrow or a pointing hand: as explicit as
// a colon ("tele → hr_sakura_88").
func pointer(r rune) bool { return arrow(r) || r == 0x1F449 }

// gapSymbol reports whether r is a symbol that may stand between a label
// and its value: an arrow, a pictograph, or what joins emoji.
func gapSymbol(r rune) bool {
	switch {
	case arrow(r):
		return true
	case r == 0xFE0F, r == 0x200D: // emoji presentation, zero-width joiner
		return true
	case r >= 0x1F300 && r <= 0x1FAFF: // pictographs: 👉 📞 📱
		return true
	case r >= 0x1F1E6 && r <= 0x1F1FF: // a flag's letters: "WhatsApp 🇮🇩 08…"
		return true
	case r >= 0x2600 && r <= 0x27BF: // symbols and dingbats: ❤ ✅ ✨ ☎
		return true
	}
	return r == 0x2B50 || r == 0x2B55 // ⭐ ⭕
}

// isIDByte reports whether c can continue an account name.
func isIDByte(c byte) bool { return isAlnum(c) || c == '_' || c == '.' || c == '-' }

// labelGap reports whether the text from a label's end to pos is only what
// skipLabelGap skips.
func (s *scanner) labelGap(from, pos int) bool {
	q, explicit := s.skipLabelGap(from)
	if q < pos && at(s.t, q) == '\n' && (explicit || q > 0 && s.t[q-1] == ':' || strings.TrimSpace(s.t[from:q]) == "" && !strings.HasSuffix(s.t[:from], "line")) {
		// "WA admin:\n0878…", "加我威信\n138 0297 6615": a number on the
		// line after a label and its colon, or after a label that ends
		// its line (not the word "line" in lower case: "I waited in
		// line\n0812…"; an account name is not looked for there).
		for q++; at(s.t, q) == ' '; q++ {
		}
	}
	return q >= pos
}

// notIDs are words that follow a label but are no account name.
var notIDs = map[string]bool{
	"please": true, "contact": true, "same": true, "number": true, "account": true, "group": true,
	"official": true, "only": true, "chat": true, "message": true, "call": true, "and": true, "the": true,
	"with": true, "here": true, "below": true, "above": true, "this": true, "that": true, "them": true,
	"him": true, "her": true, "me": true, "us": true, "or": true, "for": true, "to": true, "is": true,
	"id": true, "app": true, "message:": true, "blocked": true, "deleted": true, "unknown": true,
	"username": true, "channel": true, "now": true, "today": true, "agent": true, "recruiter": true,
	// The app's own menus, in notes on what a victim was told to tap:
	// "Telegram > Settings > Privacy", "LINE → Home".
	"settings": true, "setting": true, "privacy": true, "chats": true, "home": true, "profile": true,
	"contacts": true, "calls": true, "search": true, "menu": true, "security": true, "devices": true,
}

// labels extracts identifiers that are told only by a label before them:
// messaging IDs, passports, bank accounts, and company names.
func (s *scanner) labels() {
	for idx, k := range s.kws {
		switch {
		case k.class&kwHandles != 0 && k.class&kwOtherSocial == 0:
			s.labelledHandle(k)
			s.handleOnLabel(k)
		case k.class&kwPassport != 0:
			s.passport(k)
		case k.class&kwBank != 0:
			s.bankAccount(k)
		}
		if k.class&(kwCompanySuffix|kwCompanyPrefix|kwThaiCompany) != 0 {
			s.company(idx)
		}
	}
	// "บริษัท Asia Star Group จำกัด" is one company, not two: drop company
	// names inside longer ones.
	var companies []span
	for _, h := range s.hits {
		if h.Kind == KindCompany {
			companies = append(companies, span{start: h.Start, end: h.End})
		}
	}
	if len(companies) < 2 {
		return
	}
	slices.SortFunc(companies, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	inner := map[span]bool{}
	reach := companies[0]
	for _, c := range companies[1:] {
		if c.end <= reach.end && c != reach {
			inner[c] = true
		} else if c.end > reach.end {
			reach = c
		}
	}
	s.hits = slices.DeleteFunc(s.hits, func(h Hit) bool {
		return h.Kind == KindCompany && inner[span{start: h.Start, end: h.End}]
	})
}

// labelledHandle reads an account name after a messaging label: "微信：
// zhang_88", "LINE ID: somchai.k", "Telegram - hr_kh01".
func (s *scanner) labelledHandle(k keyword) {
	t := s.t
	p, explicit := s.skipLabelGap(k.end)
	// A label that says "ID" ("LINE ID", "ไลน์ไอดี") is as explicit as a colon.
	explicit = explicit || strings.Contains(k.word(), "id") || strings.Contains(k.word(), "ไอดี")
	if p >= len(t) || !isLetter(t[p]) {
		return // '@' names are read by the word scanner, digits by the phone scanner
	}
	if w := k.word(); isLetter(w[len(w)-1]) && len(w) <= 4 && !explicit && strings.IndexByte(t[k.end:p], '(') < 0 {
		// "line", "wx", "tg", "ig" must be followed by ':' or "ID", or
		// the name in brackets ("LINE ( nan_jobs99 )"; a plain word in
		// them still is none).
		return
	}
	e := p
	var native []byte // the name, when Thai, Khmer, Lao or Myanmar digits end it ("jobth_๙๙")
	for e < len(t) && e-p <= 64 && isIDByte(t[e]) {
		e++
	}
	for e < len(t) && e-p <= 64 && t[e] >= 0xE0 {
		r, n := utf8.DecodeRuneInString(t[e:])
		d := symbolDigit(r)
		if d < 0 || !(r >= 0x0E50 && r <= 0x0E59 || r >= 0x17E0 && r <= 0x17E9 || r >= 0x0ED0 && r <= 0x0ED9 || r >= 0x1040 && r <= 0x1049) {
			break
		}
		if native == nil {
			native = append(native, t[p:e]...)
		}
		native = append(native, byte('0'+d))
		e += n
	}
	for e > p && native == nil && (t[e-1] == '.' || t[e-1] == '-') {
		e--
	}
	if e < len(t) && (t[e] == '@' || t[e] >= 0x80 && isLetterRune(t[e:])) {
		// part of an e-mail address, or glued to a word in Latin script
		if t[e] == '@' || !isCJKRune(t[e:]) {
			return
		}
	}
	name := t[p:e]
	if native != nil {
		name = string(native)
	} else if explicit {
		// "IG: cpc . tuyen . dung": pieces joined by dots with spaces
		// around them, after a colon.
		var joined []byte
		for n := 0; n < 4; n++ {
			j := e
			for at(t, j) == ' ' && j-e < 2 {
				j++
			}
			q := j + 1
			switch {
			case at(t, j) == '.':
			case j > e && dotWordAt(t, j) > j && at(t, dotWordAt(t, j)) == ' ':
				q = dotWordAt(t, j) // "ไอดี nong จุด mai77", "IG: hr dot kh"
			default:
				q = -1
			}
			if q < 0 {
				break
			}
			for at(t, q) == ' ' && q-j < 16 {
				q++
			}
			if j == e || q == j+1 || !isHandleByte(at(t, q)) {
				break // spaces on both sides, or it is a full stop ("wxid_kk88. Phone …")
			}
			r := q
			for r < len(t) && r-q <= 32 && isHandleByte(t[r]) {
				r++
			}
			if joined == nil {
				joined = append(joined, t[p:e]...)
			}
			joined = append(append(joined, '.'), t[q:r]...)
			e = r
		}
		if joined != nil {
			name = string(joined)
		}
	}
	if s.claimed(p, e) || notIDs[lowerASCII(name)] || name[len(name)-1] == '_' {
		return // a name ending in '_' is the first piece of one ("ploy_ … hr2024")
	}
	plain := strings.IndexFunc(name, func(r rune) bool { return r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' }) < 0
	if plain && (!explicit || s.lineInProse(k, p)) {
		return
	}
	// WhatsApp accounts are phone numbers.
	kind, ok := labelKind(k.class, kwWhatsApp)
	if !ok {
		return
	}
	v, ok := handleValue(kind, name)
	if !ok {
		return
	}
	conf := 0.85
	if plain {
		conf = 0.6
	}
	s.add(Hit{Kind: kind, Value: v, Start: p, End: e, Confidence: conf})
}

// onWords are the words that put a name on a network written after it
// ("DM hr_loren_ph on telegram").
var onWords = [...]string{"on", "via", "di", "trên", "qua"}

// handleOnLabel reads an account name written before its network's label,
// with "on" or "via" between ("DM hr_loren_ph on telegram", "chat
// kerja_88 di tele"): only a name that looks like an account — a letter and
// a digit or '_' in it, five characters or more — so that "message me on
// telegram" names nobody.
func (s *scanner) handleOnLabel(k keyword) {
	t := s.t
	if t[k.start:k.end] == "line" {
		return // "on line" in lower case is often "online"
	}
	p := k.start
	for p > 0 && t[p-1] == ' ' {
		p--
	}
	w := -1
	for _, o := range onWords {
		if strings.HasSuffix(t[:p], o) && p > len(o) && t[p-len(o)-1] == ' ' {
			w = p - len(o)
			break
		}
	}
	if w < 0 {
		return
	}
	e := w
	for e > 0 && t[e-1] == ' ' {
		e--
	}
	b := e
	for b > 0 && e-b <= 32 && isHandleByte(t[b-1]) {
		b--
	}
	if e-b < 5 || b > 0 && (isIDByte(t[b-1]) || t[b-1] == '@' || t[b-1] >= 0x80 && isLetterRune(t[b-1:])) || s.claimed(b, e) {
		return
	}
	name := t[b:e]
	if !isLetter(name[0]) || strings.IndexFunc(name, func(r rune) bool { return r >= '0' && r <= '9' || r == '_' }) < 0 {
		return
	}
	kind, ok := labelKind(k.class, kwWhatsApp)
	if !ok {
		return
	}
	if v, ok := handleValue(kind, name); ok {
		s.add(Hit{Kind: kind, Value: v, Start: b, End: e, Confidence: 0.6})
	}
}

// lineInProse reports whether k is the English word "line" written as a
// word ("Line", "line", not the app's "LINE") with words after it before
// the value at p: "Line manager: John" names a manager, not a LINE account.
// A plain name is not taken after it; a name with digits or '_' still is.
func (s *scanner) lineInProse(k keyword, p int) bool {
	w := s.t[k.start:k.end]
	if k.word() != "line" || w == "LINE" {
		return false
	}
	return strings.IndexFunc(s.t[k.end:p], unicode.IsLetter) >= 0
}

// labelKind is the kind of handle a label of class names: LINE, WeChat,
// Instagram or TikTok (in that order), else Telegram. It is false for a
// label of class notHandle (and none of those four): an app whose accounts
// the caller does not take as handles.
func labelKind(class, notHandle kwClass) (Kind, bool) {
	switch {
	case class&kwLine != 0:
		return KindLine, true
	case class&kwWeChat != 0:
		return KindWeChat, true
	case class&kwInstagram != 0:
		return KindInstagram, true
	case class&kwTikTok != 0:
		return KindTikTok, true
	case class&notHandle != 0:
		return "", false
	}
	return KindTelegram, true
}

func isLetterRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

func isCJKRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Thai, r) || unicode.Is(unicode.Khmer, r)
}

// passport reads a passport number after a label: "Passport No. E12345678".
func (s *scanner) passport(k keyword) {
	t := s.t
	p, _ := s.skipLabelGap(k.end)
	e := p
	letters, digits := 0, 0
	for e < len(t) && e-p <= 12 && isAlnum(t[e]) {
		if isDigit(t[e]) {
			digits++
		} else {
			letters++
		}
		e++
	}
	if n := e - p; n < 6 || n > 10 || digits < 5 || letters > 3 || s.claimed(p, e) {
		return
	}
	s.add(Hit{Kind: KindPassport, Value: upperASCII(t[p:e]), Start: p, End: e, Confidence: 0.75})
}

// bankAccount reads an account number after a label, allowing a bank's name
// between them: "ABA account no: 000 123 456", "BCA no rek 1234567890".
func (s *scanner) bankAccount(k keyword) {
	t := s.t
	p := k.end
	limit := min(len(t), p+48)
	for p < limit && !isDigit(t[p]) {
		if t[p] == '\n' {
			return
		}
		p++
	}
	if p >= limit || !phoneLeftOK(t, p) {
		return
	}
	var b strings.Builder
	e := p
	for q := p; q < len(t) && q-p <= 48; {
		if isDigit(t[q]) {
			b.WriteByte(t[q])
			q++
			e = q
			continue
		}
		if (t[q] == ' ' || t[q] == '-') && isDigit(at(t, q+1)) {
			q++
			continue
		}
		break
	}
	if n := b.Len(); n < 8 || n > 20 || !phoneRightOK(t, e) || s.claimed(p, e) {
		return
	}
	s.add(Hit{Kind: KindBankAccount, Value: b.String(), Start: p, End: e, Confidence: 0.65, Role: RolePayment})
}

// suffixCanon maps English legal forms to one spelling so that "Co., Ltd."
// and "Company Limited" link.
var suffixCanon = map[string]string{
	"co., ltd": "co ltd", "co.,ltd": "co ltd", "co. ltd": "co ltd", "co ltd": "co ltd", "co. ,ltd": "co ltd",
	"company limited": "co ltd", "company ltd": "co ltd", "limited": "ltd", "ltd": "ltd", "group": "group",
	"inc": "inc", "corporation": "corp", "corp": "corp", "llc": "llc", "pte ltd": "pte ltd",
	"pte. ltd": "pte ltd", "sdn bhd": "sdn bhd", "plc": "plc",
}

// nameStopWords end a company name read backwards from its legal form.
var nameStopWords = map[string]bool{
	"The": true, "A": true, "An": true, "Our": true, "We": true, "This": true, "That": true, "In": true,
	"At": true, "For": true, "From": true, "With": true, "By": true, "To": true, "And": true, "My": true,
	"His": true, "Her": true, "Their": true, "Your": true, "Its": true, "Called": true, "Named": true,
	"I": true, "He": true, "She": true, "They": true, "Is": true, "Was": true, "Of": true, "On": true,
	"Dear": true, "Hello": true, "Hi": true, "Join": true, "Contact": true, "Company": true,
}

// companyPunct turns the punctuation of legal forms into spaces.
var companyPunct = strings.NewReplacer(".", " ", ",", " ", "，", " ")

// vietForms are the legal forms written after "Công ty".
var vietForms = []string{"TNHH", "Cổ phần", "CP", "MTV", "Một thành viên", "Trách nhiệm hữu hạn"}

// hanStop end a Chinese company name read backwards from 有限公司 or 集团.
const hanStop = "在的是到去了和与被叫为从向进入家个那这我他她你们说把给让由于对跟找做将就也都还"

// company reads a company name around the legal-form keyword s.kws[idx].
func (s *scanner) company(idx int) {
	t := s.t
	k := s.kws[idx]
	// "ABC Group Co., Ltd.": let the last legal form take the whole name.
	if idx+1 < len(s.kws) && s.kws[idx+1].class&kwCompanySuffix != 0 && strings.TrimSpace(t[k.end:s.kws[idx+1].start]) == "" {
		return
	}
	switch {
	case k.class&kwThaiCompany != 0:
		rest := t[k.end:min(len(t), k.end+120)]
		j := strings.Index(rest, "จำกัด")
		if j <= 0 || strings.ContainsAny(rest[:j], "\n,.") {
			return
		}
		name := strings.TrimSpace(rest[:j])
		if name == "" {
			return
		}
		end := k.end + j + len("จำกัด")
		s.companyHit(k.start, end, name+" co ltd")
	case k.class&kwCompanyPrefix != 0:
		s.companyAfter(k)
	case isLetter(k.word()[0]):
		s.companyEnglish(k)
	default:
		s.companyHan(k)
	}
}

func (s *scanner) companyHit(start, end int, name string) {
	if s.claimed(start, end) {
		return
	}
	v := strings.ToLower(name)
	v = companyPunct.Replace(v)
	v = strings.Join(strings.Fields(v), " ")
	if v == "" || !utf8.ValidString(v) {
		return
	}
	s.addHit(Hit{Kind: KindCompany, Value: v, Start: start, End: end, Confidence: 0.6})
}

// companyEnglish reads capitalised words backwards from a legal form:
// "Golden Fortune Technology Co., Ltd.".
func (s *scanner) companyEnglish(k keyword) {
	t := s.t
	if !(t[k.start] >= 'A' && t[k.start] <= 'Z') {
		return // "limited", "group" in running text
	}
	start := k.start
	words := 0
	for words < 6 {
		p := start
		if p == 0 || t[p-1] != ' ' {
			break
		}
		p--
		ws := p
		for ws > 0 && (isAlnum(t[ws-1]) || t[ws-1] == '&' || t[ws-1] == '-' || t[ws-1] == '\'') {
			ws--
		}
		w := t[ws:p]
		if w == "" || !(w[0] >= 'A' && w[0] <= 'Z' || isDigit(w[0]) || w == "&") || nameStopWords[w] {
			break
		}
		start = ws
		words++
	}
	if words == 0 {
		return
	}
	end := k.end
	if at(t, end) == '.' {
		end++
	}
	canon := suffixCanon[k.word()]
	s.companyHit(start, end, t[start:k.start]+" "+canon)
}

// companyHan reads Han characters backwards from 有限公司 or 集团.
func (s *scanner) companyHan(k keyword) {
	t := s.t
	start := k.start
	n := 0
	for start > 0 && n < 14 {
		r, size := utf8.DecodeLastRuneInString(t[:start])
		if !(unicode.Is(unicode.Han, r) || r < 0x80 && isAlnum(byte(r))) || strings.ContainsRune(hanStop, r) {
			break
		}
		start -= size
		n++
	}
	if n < 2 {
		return
	}
	s.companyHit(start, k.end, t[start:k.end])
}

// companyAfter reads the name after a legal form that comes first: "PT Maju
// Jaya", "Công ty TNHH Ánh Dương", "ក្រុមហ៊ុន ABC".
func (s *scanner) companyAfter(k keyword) {
	t := s.t
	word := k.word()
	if word == "pt" || word == "pt." || word == "cv" {
		if !(t[k.start] >= 'A' && t[k.start] <= 'Z' && t[k.start+1] >= 'A' && t[k.start+1] <= 'Z') {
			return // only "PT" and "CV" in capitals
		}
	}
	p := k.end
	for p < len(t) && t[p] == ' ' {
		p++
	}
	// Capitalised words, after an optional Vietnamese form: TNHH, CP, Cổ phần.
	if word == "công ty" {
		for again := true; again; {
			again = false
			for _, f := range vietForms {
				if len(t)-p > len(f) && strings.EqualFold(t[p:p+len(f)], f) && t[p+len(f)] == ' ' {
					p += len(f) + 1
					again = true
				}
			}
		}
	}
	e, words := p, 0
	for words < 6 && e < len(t) {
		ws := e
		for e < len(t) {
			r, size := utf8.DecodeRuneInString(t[e:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '&' && r != '-' {
				break
			}
			e += size
		}
		w := t[ws:e]
		r, _ := utf8.DecodeRuneInString(w)
		if w == "" || !unicode.IsUpper(r) && !unicode.IsDigit(r) {
			e = ws
			break
		}
		words++
		if e < len(t) && t[e] == ' ' && e+1 < len(t) && t[e+1] != ' ' {
			e++
			continue
		}
		break
	}
	if words == 0 {
		return
	}
	// "ក្រុមហ៊ុន Golden Sky Co., Ltd.": the legal form after the name wins.
	for _, n := range s.kws {
		if n.start >= p && n.start <= e && n.class&kwCompanySuffix != 0 {
			return
		}
	}
	name := strings.TrimRight(t[k.start:e], " ")
	s.companyHit(k.start, k.start+len(name), name)
}

// roleBefore and roleAfter bound how far (in characters) a role keyword may
// be from a hit.
const (
	roleBefore = 80
	roleAfter  = 30
)

// roleStops end the clause in which a role keyword after a hit tells its
// role.
var roleStops = newCharSet("\n,;.!?，。；！？")

// roles gives each hit the role of the nearest role keyword before it on the
// same line, or else shortly after it; wallets, IBANs and bank accounts
// default to payment.
func (s *scanner) roles() {
	// Words inside identifiers ("t.me/jobs_asia") tell no role: inHit
	// reads the hits' spans, sorted by start with ends replaced by their
	// running maximum. (Which of the spans that start at one place comes
	// first changes no answer of inHit: the last of them has the largest
	// end of all.) They are sorted as numbers, start and end in one, which
	// costs less than sorting spans with a comparison function. A
	// snippet's few fit in arrays on the stack; more go in the call's
	// scratch slices.
	var few [8]span
	var fewKeys [8]uint64
	spans, keys := few[:0], fewKeys[:0]
	if len(s.hits) > len(few) {
		s.spans, s.keys = slices.Grow(s.spans[:0], len(s.hits)), slices.Grow(s.keys[:0], len(s.hits))
		spans, keys = s.spans, s.keys
	}
	for _, h := range s.hits {
		keys = append(keys, uint64(h.Start)<<32|uint64(h.End)) // view offsets, far below 1<<32
	}
	slices.Sort(keys)
	for i, k := range keys {
		sp := span{start: int(k >> 32), end: int(k & (1<<32 - 1))}
		if i > 0 {
			sp.end = max(sp.end, spans[i-1].end) // running maximum
		}
		spans = append(spans, sp)
	}
	for i := range s.hits {
		h := &s.hits[i]
		if h.Kind == KindPlace || h.Kind == KindCompany {
			continue
		}
		if r := s.roleNear(h.Start, h.End, spans); r != RoleNone {
			h.Role = r
			continue
		}
		switch h.Kind {
		case KindBTC, KindETH, KindTRON, KindIBAN, KindBankAccount:
			h.Role = RolePayment
		}
	}
}

// roleNear returns the role told by the keywords around the hit at
// [start, end); hits are the spans inHit reads.
func (s *scanner) roleNear(start, end int, hits []span) Role {
	t := s.t
	// Keywords end in order and at rune starts, so the runes between each
	// and start are counted a piece at a time, and so the bytes are
	// looked over for a newline. A rune is at least a byte: no keyword
	// within roleBefore bytes can be too far, so counting waits until one
	// is further than that.
	runes, counted := 0, start // runes in t[counted:start]
	searched := start          // t[searched:start] has no newline
	for i := s.kwIndexBefore(start); i >= 0; i-- {
		k := s.kws[i]
		if start-k.end > 4*roleBefore {
			break
		}
		if start-k.end > roleBefore {
			runes += utf8.RuneCountInString(t[k.end:counted])
			counted = k.end
		}
		if runes > roleBefore {
			break // too far
		}
		if strings.IndexByte(t[k.end:searched], '\n') >= 0 {
			break // a newline between
		}
		searched = k.end
		if r := roleOf(k.class); r != RoleNone && !inHit(hits, k.start) {
			return r
		}
	}
	// After the hit, the same way, as keywords start in order: the runes
	// in t[end:counted] are counted once, and t[end:checked] has no stop.
	runes, counted, checked := 0, end, end
	for i := s.kwIndexBefore(end) + 1; i < len(s.kws); i++ {
		k := s.kws[i]
		if k.start < end {
			continue
		}
		if roleStops.in(t[checked:k.start]) {
			break
		}
		checked = k.start
		if k.start-end > roleAfter {
			runes += utf8.RuneCountInString(t[counted:k.start])
			counted = k.start
			if runes > roleAfter {
				break
			}
		}
		if r := roleOf(k.class); r != RoleNone && !inHit(hits, k.start) {
			return r
		}
	}
	return RoleNone
}

// inHit reports whether pos lies inside one of hits, sorted by start
// with ends replaced by their running maximum (roles makes them).
func inHit(hits []span, pos int) bool {
	i := spansBefore(hits, pos+1)
	return i > 0 && hits[i-1].end > pos
}

func roleOf(c kwClass) Role {
	switch {
	case c&kwRoleVictim != 0:
		return RoleVictimContact
	case c&kwRolePayment != 0:
		return RolePayment
	case c&kwRoleRecruiter != 0:
		return RoleRecruiter
	case c&kwRoleCompound != 0:
		return RoleCompound
	}
	return RoleNone
}
