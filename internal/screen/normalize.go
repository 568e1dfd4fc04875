package screen

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns the normalised form of a name as matching sees it:
// lower-case ASCII tokens separated by single spaces. Chinese characters
// become pinyin (surname, then the given name joined), Khmer and Thai are
// romanised, Cyrillic is transliterated, diacritics are folded (Đ → d),
// titles and legal suffixes are dropped (Mr, Oknha, ឧកញ៉ា, Co., Ltd., 有限公司,
// บริษัท, Group, Holdings) and runs of single letters are joined (M.D.S. →
// mds). Token order is kept; matching ignores it.
func Normalize(name string) string {
	n := normalize(name)
	return strings.Join(n.toks, " ")
}

// normName is a name after normalisation.
type normName struct {
	// toks are the name's tokens in their original order.
	toks []string
	// weak marks particles (al, bin, de, van …) that carry little weight.
	weak []bool
	// scripts names the non-Latin scripts that were romanised, for the
	// explanation of a score.
	scripts []string
	// sur is how many of the first tokens came before the name's first
	// comma ("LAST, First"): the surname, when the name is a person's;
	// 0 when there is no comma or nothing after it.
	sur int
}

// maxTokens bounds the tokens kept of one name; longer names are cut.
const maxTokens = 24

// maxNameBytes bounds the input read of one name.
const maxNameBytes = 512

func normalize(s string) normName {
	if len(s) > maxNameBytes {
		s = s[:maxNameBytes]
		for !utf8.ValidString(s) && len(s) > 0 {
			s = s[:len(s)-1]
		}
	}
	s = stripAffixes(s)
	var n normName
	var raw []string
	var run []rune
	runScript := scriptNone
	rawSur := -1
	flush := func() {
		if len(run) == 0 {
			return
		}
		switch runScript {
		case scriptHan:
			raw = append(raw, hanTokens(run)...)
			n.addScript("Chinese")
		case scriptKhmer:
			raw = append(raw, splitASCII(romanizeKhmer(run))...)
			n.addScript("Khmer")
		case scriptThai:
			raw = append(raw, splitASCII(romanizeThai(run))...)
			n.addScript("Thai")
		case scriptCyrillic:
			raw = append(raw, splitASCII(romanizeCyrillic(run))...)
			n.addScript("Cyrillic")
		case scriptHangul:
			raw = append(raw, splitASCII(romanizeHangul(run))...)
			n.addScript("Korean")
		case scriptArabic:
			raw = append(raw, splitASCII(romanizeArabic(run))...)
			n.addScript("Arabic")
		default:
			for _, t := range foldLatin(run) {
				raw = append(raw, stripToneDigits(t))
			}
		}
		run = run[:0]
	}
	for _, r := range s {
		sc := scriptOf(r)
		if sc == scriptIgnore {
			continue
		}
		if sc == scriptSep {
			flush()
			runScript = scriptNone
			if r == ',' && rawSur < 0 {
				rawSur = len(raw)
			}
			continue
		}
		if sc != runScript {
			flush()
			runScript = sc
		}
		run = append(run, r)
	}
	flush()
	n.toks, n.weak, n.sur = cleanTokens(raw, rawSur)
	return n
}

func (n *normName) addScript(s string) {
	for _, have := range n.scripts {
		if have == s {
			return
		}
	}
	n.scripts = append(n.scripts, s)
}

type script uint8

const (
	scriptNone script = iota
	scriptSep
	scriptIgnore
	scriptLatin // and every script without a romaniser of its own
	scriptHan
	scriptKhmer
	scriptThai
	scriptCyrillic
	scriptHangul
	scriptArabic
)

func scriptOf(r rune) script {
	switch {
	case r < 0x80:
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return scriptLatin
		case r == '\'' || r == '`':
			return scriptIgnore
		}
		return scriptSep
	case r == '’' || r == 'ʼ' || r == 'ʻ' || r == '´' || r == '‘' || r == 0x200B || r == 0x200C || r == 0x200D || r == 0xFEFF:
		return scriptIgnore
	case r >= 0x1780 && r <= 0x17FF, r >= 0x19E0 && r <= 0x19FF:
		if r == 0x17D4 || r == 0x17D5 || r == 0x17D6 || r == 0x17D8 || r == 0x17D9 || r == 0x17DA {
			return scriptSep // Khmer punctuation
		}
		return scriptKhmer
	case r >= 0x0E01 && r <= 0x0E5B:
		if r == 0x0E2F || r == 0x0E46 || r == 0x0E4F || r == 0x0E5A || r == 0x0E5B {
			return scriptSep // Thai abbreviation, repetition and punctuation marks
		}
		return scriptThai
	case unicode.Is(unicode.Han, r):
		return scriptHan
	case r >= 0xAC00 && r <= 0xD7A3:
		return scriptHangul
	case unicode.Is(unicode.Cyrillic, r):
		return scriptCyrillic
	case r >= 0x0600 && r <= 0x06FF, r >= 0x0750 && r <= 0x077F:
		if r == 0x060C || r == 0x061B || r == 0x061F || r == 0x066A || r == 0x066B || r == 0x066C || r == 0x06D4 {
			return scriptSep // Arabic punctuation
		}
		return scriptArabic
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
		return scriptLatin
	}
	return scriptSep
}

// latinFold spells the letters NFKD does not decompose.
var latinFold = map[rune]string{
	'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l",
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'þ': "th", 'Þ': "th",
	'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'Ŧ': "t", 'ŀ': "l", 'Ŀ': "l", 'ƒ': "f",
	'ə': "e", 'Ə': "e", 'ɨ': "i", 'ʉ': "u", 'ŋ': "ng", 'Ŋ': "ng",
}

// foldLatin folds a run of Latin (or other, unromanised) letters to
// lower-case ASCII where it can: compatibility decomposition, marks dropped,
// a few letters spelled out.
func foldLatin(run []rune) []string {
	var b strings.Builder
	ascii := true
	for _, r := range run {
		if r >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		for _, r := range run {
			b.WriteRune(unicode.ToLower(r))
		}
		return []string{b.String()}
	}
	var out []string
	for _, r := range norm.NFKD.String(string(run)) {
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
			continue
		}
		if s, ok := latinFold[r]; ok {
			b.WriteString(s)
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mc, r) {
			// NFKD can produce separators (e.g. from ligatures or
			// fractions): split there.
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

func splitASCII(s string) []string { return strings.Fields(s) }

// stripToneDigits drops the tone numbers of pinyin written with digits
// (xi2 → xi, jin4ping2 → jinping): digits 1–5, each after a letter that can
// end a pinyin syllable, in a token of at least two letters. Other tokens
// with digits are kept as they are.
func stripToneDigits(t string) string {
	letters, digits := 0, 0
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= 'a' && c <= 'z':
			letters++
		case c >= '1' && c <= '5':
			if i == 0 || !strings.ContainsRune("aeiouvngr", rune(t[i-1])) {
				return t
			}
			digits++
		default:
			return t
		}
	}
	if digits == 0 || letters < 2 {
		return t
	}
	b := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		if t[i] < '1' || t[i] > '5' {
			b = append(b, t[i])
		}
	}
	return string(b)
}

// Chinese names: the surname (one or two characters) then the given name
// joined, so 王小明 → wang xiaoming, matching "Wang Xiaoming", "Xiaoming
// Wang" and "Wang Xiao Ming" (the matcher joins split syllables).

// hanSurnameReading fixes the surnames whose reading as a surname differs
// from the character's most common reading.
var hanSurnameReading = map[rune]string{
	'单': "shan", '單': "shan", '曾': "zeng", '解': "xie", '区': "ou", '區': "ou",
	'仇': "qiu", '朴': "piao", '查': "zha", '翟': "zhai", '乐': "yue", '樂': "yue",
	'盖': "ge", '蓋': "ge", '缪': "miao", '繆': "miao", '覃': "qin", '召': "shao",
	'种': "chong", '種': "chong", '尉': "yu", '员': "yun", '員': "yun", '折': "she",
	'黑': "he", '任': "ren", '秘': "bi", '长': "chang", '長': "chang", '沈': "shen",
	'石': "shi", '车': "che", '車': "che", '华': "hua", '華': "hua", '柏': "bai",
	'薄': "bo", '贾': "jia", '賈': "jia", '藏': "zang", '宿': "su", '纪': "ji", '紀': "ji",
}

// hanCompoundSurnames are two-character surnames.
var hanCompoundSurnames = map[string]bool{
	"欧阳": true, "歐陽": true, "司马": true, "司馬": true, "上官": true, "诸葛": true, "諸葛": true,
	"东方": true, "東方": true, "皇甫": true, "尉迟": true, "尉遲": true, "公孙": true, "公孫": true,
	"慕容": true, "长孙": true, "長孫": true, "令狐": true, "夏侯": true, "轩辕": true, "軒轅": true,
	"端木": true, "西门": true, "西門": true, "南宫": true, "南宮": true, "司徒": true, "宇文": true,
	"澹台": true, "申屠": true, "独孤": true, "獨孤": true, "万俟": true, "萬俟": true,
}

var pinyinArgs = pinyin.Args{Style: pinyin.Normal}

func hanSyllable(r rune, surname bool) string {
	if surname {
		if s, ok := hanSurnameReading[r]; ok {
			return s
		}
	}
	p := pinyin.SinglePinyin(r, pinyinArgs)
	if len(p) == 0 {
		return ""
	}
	return strings.NewReplacer("ü", "u", "v", "u").Replace(p[0])
}

// hanTokens turns a run of Han characters into pinyin tokens. A run of two
// to four characters is read as a personal name (surname, given name); a
// longer run (a company or place) gives one token per syllable.
func hanTokens(run []rune) []string {
	if len(run) >= 2 && len(run) <= 4 {
		sn := 1
		if len(run) >= 3 && hanCompoundSurnames[string(run[:2])] {
			sn = 2
		}
		var sur, given strings.Builder
		for i, r := range run {
			if i < sn {
				sur.WriteString(hanSyllable(r, true))
			} else {
				given.WriteString(hanSyllable(r, false))
			}
		}
		var out []string
		for _, t := range []string{sur.String(), given.String()} {
			if t != "" {
				out = append(out, t)
			}
		}
		return out
	}
	var out []string
	for _, r := range run {
		if s := hanSyllable(r, len(run) == 1); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Affixes removed before tokenising, in the scripts where a word boundary
// cannot be seen: Chinese legal forms and titles, Thai and Khmer titles and
// company words.
var (
	hanAffixes = []string{
		"股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "集团", "集團", "控股", "公司",
		"株式会社", "先生", "女士", "小姐", "老板", "老闆", "总裁", "總裁", "董事长", "董事長",
	}
	// thaiPrefixes are dropped at the start of a Thai word, longest first.
	thaiPrefixes = []string{
		"ห้างหุ้นส่วนจำกัด", "บริษัท", "นางสาว", "นาง", "นาย", "ด.ช.", "ด.ญ.", "ดร.", "คุณ", "กลุ่ม",
	}
	// thaiSuffixes are dropped at the end of a Thai word.
	thaiSuffixes = []string{"(มหาชน)", "มหาชน", "จำกัด"}
	// khmerAffixes are Khmer titles and company words, dropped anywhere.
	khmerAffixes = []string{
		"អ្នកឧកញ៉ា", "ឧកញ៉ា", "លោកជំទាវ", "លោកស្រី", "លោក", "ឯកឧត្តម", "សម្តេច", "សម្ដេច",
		"ក្រុមហ៊ុន", "ឯ.ក", "ខូអិលធីឌី",
	}
)

func stripAffixes(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	for _, a := range hanAffixes {
		if strings.Contains(s, a) {
			s = strings.ReplaceAll(s, a, " ")
		}
	}
	for _, a := range khmerAffixes {
		if strings.Contains(s, a) {
			s = strings.ReplaceAll(s, a, " ")
		}
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x0E01 && r <= 0x0E5B }) {
		return s
	}
	words := strings.Fields(s)
	for i, w := range words {
		for changed := true; changed; {
			changed = false
			for _, p := range thaiPrefixes {
				if strings.HasPrefix(w, p) && len(w) > len(p) {
					w, changed = w[len(p):], true
				} else if w == p && len(words) > 1 {
					w, changed = "", false
				}
			}
			for _, p := range thaiSuffixes {
				if strings.HasSuffix(w, p) && len(w) > len(p) {
					w, changed = w[:len(w)-len(p)], true
				} else if w == p && len(words) > 1 {
					w, changed = "", false
				}
			}
		}
		words[i] = w
	}
	return strings.Join(words, " ")
}

// dropWords are titles, honorifics and legal forms: removed from a name
// (unless nothing else is left).
var dropWords = setOf(
	// honorifics and titles
	"mr", "mrs", "ms", "miss", "mister", "madam", "madame", "mme", "mlle", "dr", "doctor", "prof",
	"professor", "sir", "dame", "lord", "lady", "hon", "honorable", "honourable", "excellency",
	"oknha", "okhna", "oknya", "lokchumteav", "chumteav", "samdech",
	"datuk", "dato", "datin", "haji", "hajji", "hadji", "hj", "gen", "col", "lt",
	"maj", "capt", "cpt", "brig", "sgt", "jr", "sr", "senior", "junior",
).union(legalForms)

// legalForms are companies' legal forms (and the words of Chinese and
// Thai ones): dropped from a name like titles.
var legalForms = setOf(
	"co", "company", "companies", "corp", "corporation", "inc", "incorporated", "ltd", "limited",
	"llc", "lp", "llp", "plc", "sa", "sas", "sarl", "srl", "spa", "sl", "sau", "gmbh", "ag",
	"kg", "bv", "nv", "oy", "oyj", "ab", "asa", "aps", "jsc", "ojsc", "cjsc", "pjsc", "ooo",
	"oao", "zao", "pao", "tov", "doo", "dooel", "pte", "pty", "pvt", "sdn", "bhd", "tbk",
	"cv", "rl", "kk", "fze", "fzco", "fzc", "fzllc", "liability", "sociedad", "anonima",
	"group", "groups", "holdings", "holding", "jituan", "konggu", "youxian", "gongsi",
	"borisat", "chamkat", "mahachon",
)

// weakWords are particles and connectors: kept, with little weight.
// Short particles that are also Chinese or Vietnamese names (de, du, an, do
// …) are not among them: weighting them down would make "Du Wei" match "Wang
// Wei".
var weakWords = setOf(
	"al", "el", "ul", "ud", "bin", "ibn", "bint", "binti", "bte", "abu", "abou",
	"dos", "das", "del", "della", "los", "las", "van", "von", "der", "the", "of", "and",
	"for", "und", "et", "ye", "va", "wa", "wal", "fi", "lil",
)

type wordSet map[string]bool

// union adds t's words to s and returns s.
func (s wordSet) union(t wordSet) wordSet {
	for w := range t {
		s[w] = true
	}
	return s
}

func setOf(words ...string) wordSet {
	m := make(wordSet, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// orgWords maps the words organisations' names are built from, in the
// languages sanctioned organisations' names come in (Arabic, Persian,
// Russian, Spanish, French, Portuguese, Chinese pinyin, Thai, Korean), to
// one English word, so a name and its translation share tokens (LAJNAT AL
// DAAWA ~ DAAWA COMMITTEE, BANCO NACIONAL ~ NATIONAL BANK).
var orgWords = map[string]string{
	// Arabic and Persian
	"lajnat": "committee", "lajnah": "committee", "lajna": "committee", "munazzamat": "organization",
	"munazamat": "organization", "munazzama": "organization", "tanzim": "organization",
	"harakat": "movement", "harakah": "movement", "haraka": "movement", "hizb": "party",
	"jaish": "army", "jaysh": "army", "jeish": "army", "lashkar": "army", "katibat": "battalion",
	"katiba": "battalion", "liwa": "brigade", "muassasat": "foundation", "muassasa": "foundation",
	"muasasat": "foundation", "bonyad": "foundation", "sharikat": "company", "sherkat": "company",
	"sharika": "company", "sazman": "organization", "sazeman": "organization", "sazmane": "organization",
	"sazemane": "organization", "sanaye": "industries", "sanayi": "industries", "sanati": "industrial",
	"tejarat": "trade", "tijarat": "trade", "tijara": "trade", "bazargani": "trade",
	"daawa": "call", "dawa": "call", "dawah": "call", "daawah": "call", "khayriyya": "charitable",
	"khayriya": "charitable", "khairiya": "charitable", "khairia": "charitable", "khayriyah": "charitable",
	"ighatha": "relief", "ittihad": "union", "itihad": "union", "majlis": "council", "markaz": "center",
	"maktab": "office", "wizarat": "ministry", "vezarat": "ministry", "vizarat": "ministry",
	"jamiat": "society", "jamiyat": "society", "jamiyah": "society", "jamiya": "society",
	"masraf": "bank", "edareh": "office", "daftar": "office", "kashtirani": "shipping",
	"markazi": "central", "jomhouri": "republic", "jomhuri": "republic", "jomhuriye": "republic",
	"jumhuriya": "republic", "jumhuriyah": "republic", "tosee": "development", "tose": "development",
	"toseh": "development", "tosseh": "development", "saderat": "export", "varedat": "import",
	"keshavarzi": "agricultural", "maskan": "housing", "refah": "welfare", "kargaran": "workers",
	"melli": "national", "mellat": "nation", "wataniya": "national", "wataniyah": "national",
	"qawmi": "national", "sepah": "guard", "pasdaran": "guards", "enghelab": "revolution",
	"enqelab": "revolution", "daryai": "marine", "daryaei": "marine", "bahri": "marine",
	"naft": "oil", "petroshimi": "petrochemical", "bimeh": "insurance", "sarmaye": "capital",
	"sarmayeh": "capital", "gozari": "investment", "mohandesi": "engineering", "sakhteman": "construction",
	"sakhtemani": "construction", "tolid": "production", "tolidi": "production", "niroo": "power",
	"nirou": "power", "havapeymaei": "aviation", "havapeymaee": "aviation", "amniat": "security",
	"amn": "security", "ettelaat": "intelligence", "etelaat": "intelligence", "defa": "defense",
	"difa": "defense", "ertebatat": "communications", "sanat": "industry", "sanaat": "industry",
	"khadamat": "services", "khidamat": "services", "naql": "transport", "haml": "transport",
	"jonoub": "south", "janub": "south", "shomal": "north", "shamal": "north", "sharq": "east",
	"shargh": "east", "gharb": "west", "omran": "development", "sherkate": "company",
	"tsentralny": "central", "tsentralnyi": "central", "voennaya": "military", "glavnoe": "main",
	"glavnoye": "main", "razvedyvatelnoe": "intelligence", "neft": "oil", "neftyanaya": "oil",
	// Russian and Ukrainian
	"obshchestvo": "society", "obschestvo": "society", "aktsionernoe": "jointstock",
	"aktsionernoye": "jointstock", "otkrytoe": "open", "otkrytoye": "open", "zakrytoe": "closed",
	"zakrytoye": "closed", "publichnoe": "public", "kompaniya": "company", "kompania": "company",
	"ministerstvo": "ministry", "zavod": "plant", "predpriyatie": "enterprise", "obedinenie": "association",
	"tovarishchestvo": "partnership", "ogranichennoi": "limited", "ogranichennoy": "limited",
	"otvetstvennostyu": "liability", "gosudarstvennoe": "state", "gosudarstvennoye": "state",
	"upravlenie": "directorate", "nauchno": "scientific", "tsentr": "center", "fond": "foundation",
	// Spanish, Portuguese, French, Italian
	"banco": "bank", "banque": "bank", "banca": "bank", "compania": "company", "compagnie": "company",
	"companhia": "company", "empresa": "enterprise", "entreprise": "enterprise", "sociedade": "society",
	"societe": "society", "fundacion": "foundation", "fondation": "foundation", "fundacao": "foundation",
	"fondazione": "foundation", "asociacion": "association", "associacao": "association",
	"comite": "committee", "grupo": "group", "groupe": "group", "industrias": "industries",
	"industrie": "industries", "comercial": "commercial", "commerciale": "commercial",
	"internacional": "international", "internationale": "international", "nacional": "national",
	"nationale": "national", "servicios": "services", "inversiones": "investments",
	"ministerio": "ministry", "ministere": "ministry", "ejercito": "army", "armee": "army",
	"frente": "front", "partido": "party", "parti": "party", "movimiento": "movement",
	"mouvement": "movement", "organizacion": "organization", "organisation": "organization",
	"fuerzas": "forces", "revolucionarias": "revolutionary", "revolucionario": "revolutionary",
	"revolucionaria": "revolutionary", "transportes": "transport", "centre": "center", "centro": "center",
	// Chinese pinyin, Thai and Korean romanisations
	"maoyi": "trading", "keji": "technology", "shiye": "industrial", "touzi": "investment",
	"guoji": "international", "yinhang": "bank", "jinrong": "finance", "fazhan": "development",
	"kuangye": "mining", "wuliu": "logistics", "thanakhan": "bank", "unhaeng": "bank", "muyok": "trading",
}

// cleanTokens joins runs of single letters, drops titles and legal forms
// and marks particles. It also returns how many of the tokens kept come
// from the first rawSur raw tokens (see normName.sur).
func cleanTokens(raw []string, rawSur int) ([]string, []bool, int) {
	// Join runs of single letters: "m d s" → "mds" (three or more), and a
	// pair that spells a legal form ("k k" → "kk", dropped below).
	var toks []string
	var from []int // the raw index each token starts at
	for i := 0; i < len(raw); {
		j := i
		for j < len(raw) && len(raw[j]) == 1 {
			j++
		}
		if n := j - i; n >= 3 || (n == 2 && dropWords[raw[i]+raw[i+1]]) {
			toks = append(toks, strings.Join(raw[i:j], ""))
			from = append(from, i)
			i = j
			continue
		}
		if j == i {
			j = i + 1
		}
		for k := i; k < j; k++ {
			toks = append(toks, raw[k])
			from = append(from, k)
		}
		i = j
	}
	for i, t := range toks {
		if c, ok := orgWords[t]; ok {
			toks[i] = c
		}
	}
	kept := toks[:0:0]
	sur := 0
	for i, t := range toks {
		if !dropWords[t] {
			kept = append(kept, t)
			if from[i] < rawSur {
				sur++
			}
		}
	}
	if len(kept) == 0 {
		kept = toks
		sur = 0
	}
	if len(kept) > maxTokens {
		kept = kept[:maxTokens]
	}
	if sur >= len(kept) {
		sur = 0 // nothing after the comma
	}
	weak := make([]bool, len(kept))
	allWeak := true
	for i, t := range kept {
		weak[i] = weakWords[t] || i+1 < len(kept) && assimilated(t, kept[i+1])
		allWeak = allWeak && weak[i]
	}
	if allWeak {
		clear(weak)
	}
	return kept, weak, sur
}

// assimilated reports whether t is the Arabic article al (or ul) written
// as it is said before next, whose first consonant it takes: ar-Rahman,
// as-Sadiq, ash-Shaykh, ud-Din.
func assimilated(t, next string) bool {
	if len(t) < 2 || len(t) > 3 || (t[0] != 'a' && t[0] != 'u') || !sunLetter(t[1]) {
		return false
	}
	return strings.HasPrefix(next, t[1:]) && len(next) > len(t)
}

// sunLetter reports whether an Arabic article assimilates to a word
// beginning with c (t, th, d, dh, r, z, s, sh, n; not l, which is al
// itself).
func sunLetter(c byte) bool {
	switch c {
	case 't', 'd', 'r', 'z', 's', 'n':
		return true
	}
	return false
}
