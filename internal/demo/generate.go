package demo

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/intake"
)

// network is a generated recruitment network: the identifiers its
// recruiters use, which recur across the reports that name it.
type network struct {
	phone   int    // a Cambodian mobile, 12 + six digits
	phoneTH string // a Thai mobile, or ""
	handle  string // a Telegram handle
	line    string // a LINE ID, or ""
	wallet  string // a TRON address, or ""
	company string // a company name with its legal form, or ""
	place   string
}

// Generator makes reports for load and scale tests: recruitment networks
// whose sizes follow a power law (a few appear in thousands of reports,
// most in a handful), each report naming two to four of its network's
// identifiers, written the way people write them (+855 12 …, 012 …, Khmer
// digits, t.me/… or @…), in English, Chinese, Khmer, Thai or Vietnamese,
// with the reporter's own contact sealed. One report in two hundred also
// names a second network, which joins clusters. Every name, number and wallet is
// invented; the same seed gives the same reports.
type Generator struct {
	rng      *rand.Rand
	zipf     *rand.Zipf
	networks []network
	from, to time.Time
	n        int
}

// NewGenerator returns a generator for about reports reports received
// between from and to.
func NewGenerator(seed uint64, reports int, from, to time.Time) *Generator {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	count := max(1, reports/20)
	g := &Generator{rng: rng, from: from, to: to, networks: make([]network, count)}
	g.zipf = rand.NewZipf(rng, 1.1, 10, uint64(count-1))
	places := []string{"Sihanoukville", "Bavet", "Poipet", "Phnom Penh", "Myawaddy", "Shwe Kokko", "KK Park", "Golden Triangle SEZ", "Koh Kong", "O'Smach"}
	words := []string{"job", "hr", "work", "hiring", "career", "agent", "boss", "team", "vip", "asia"}
	firms := []string{"Golden", "Lucky", "Prince", "Royal", "Dragon", "Jin Bei", "Star", "Fortune", "Crown", "Mekong"}
	kinds := []string{"Recruitment", "Trading", "Investment", "Manpower", "Technology", "Entertainment"}
	for k := range g.networks {
		nw := network{phone: (k*7919 + 1) % 1_000_000, place: places[rng.IntN(len(places))]}
		if k < 1000 {
			nw.handle = fmt.Sprintf("recruit_%d", k)
		} else {
			nw.handle = fmt.Sprintf("%s_%s_%d", words[rng.IntN(len(words))], words[rng.IntN(len(words))], k)
		}
		if rng.IntN(3) == 0 {
			nw.phoneTH = fmt.Sprintf("08%d-%03d-%04d", rng.IntN(10), rng.IntN(1000), rng.IntN(10000))
		}
		if rng.IntN(4) == 0 {
			nw.line = fmt.Sprintf("%s.%s%d", words[rng.IntN(len(words))], words[rng.IntN(len(words))], k)
		}
		if rng.IntN(5) < 3 {
			nw.wallet = extract.TRONAddress(hash20(seed, k))
		}
		if rng.IntN(5) < 2 {
			nw.company = fmt.Sprintf("%s %s %d Co., Ltd.", firms[rng.IntN(len(firms))], kinds[rng.IntN(len(kinds))], k)
		}
		g.networks[k] = nw
	}
	return g
}

func hash20(seed uint64, k int) [20]byte {
	sum := sha256.Sum256(fmt.Appendf(nil, "vigil demo wallet %d %d", seed, k))
	var h [20]byte
	copy(h[:], sum[:])
	return h
}

// Networks says how many networks the generator draws from.
func (g *Generator) Networks() int { return len(g.networks) }

var generatedTypes = [][]string{
	{"deceptive_recruitment", "confinement", "forced_criminality"},
	{"deceptive_recruitment", "passport_confiscation", "confinement"},
	{"confinement", "violence", "extortion_ransom"},
	{"deceptive_recruitment", "trafficking_onward"},
	{"fraud_victim"},
	{"deceptive_recruitment", "confinement", "forced_criminality", "violence"},
}

var nationalities = []string{"KH", "CN", "TH", "VN", "ID", "MM", "LA", "PK", "TW", "PH"}

// Next returns the next report and when it was received.
func (g *Generator) Next() (*intake.Submission, time.Time) {
	g.n++
	rng := g.rng
	nw := g.networks[g.zipf.Uint64()]
	lang := []string{"en", "en", "zh", "km", "th", "vi"}[rng.IntN(6)]
	country := map[string]string{"en": "ID", "zh": "CN", "km": "KH", "th": "TH", "vi": "VN"}[lang]
	phone := g.phone(nw, lang)
	var extra []string
	if rng.IntN(5) < 3 || nw.line == "" && nw.wallet == "" && nw.company == "" {
		extra = append(extra, g.mention(lang, "phone", nw.phoneTHOrKH(rng)))
	}
	if nw.wallet != "" && rng.IntN(5) < 3 {
		extra = append(extra, g.mention(lang, "wallet", nw.wallet))
	}
	if nw.company != "" && rng.IntN(5) < 3 {
		extra = append(extra, g.mention(lang, "company", nw.company))
	}
	if nw.line != "" && rng.IntN(5) < 3 {
		extra = append(extra, g.mention(lang, "line", nw.line))
	}
	if rng.IntN(200) == 0 {
		other := g.networks[rng.IntN(len(g.networks))]
		extra = append(extra, g.mention(lang, "other", "@"+other.handle))
	}
	handle := "@" + nw.handle
	if rng.IntN(3) == 0 {
		handle = "t.me/" + nw.handle
	}
	var b strings.Builder
	switch lang {
	case "zh":
		fmt.Fprintf(&b, "我弟弟在网上看到招聘客服的广告，说在%s工作，月薪%d元，包吃包住，报销机票。对方的飞机号是 %s，电话 %s。到了以后护照被收走，每天被逼着做杀猪盘。", nw.place, 8000+rng.IntN(30)*1000, handle, phone)
	case "km":
		fmt.Fprintf(&b, "កូនប្រុសខ្ញុំបានទៅធ្វើការនៅ %s តាមការផ្សព្វផ្សាយការងារនៅលើ Facebook ។ មេខ្យល់ប្រើលេខទូរស័ព្ទ %s និង Telegram %s ។ ឥឡូវនេះគេមិនអនុញ្ញាតឱ្យគាត់ចេញទេ ។", nw.place, phone, handle)
	case "th":
		fmt.Fprintf(&b, "น้องชายของฉันได้รับการชักชวนให้ไปทำงานแอดมินที่ %s เงินเดือน %d บาท ติดต่อทางเทเลแกรม %s โทร %s เมื่อไปถึงเขายึดหนังสือเดินทาง", nw.place, 25000+rng.IntN(20)*1000, handle, phone)
	case "vi":
		fmt.Fprintf(&b, "Em trai tôi được tuyển đi làm chăm sóc khách hàng ở %s, lương %d USD một tháng. Người tuyển dụng liên lạc qua Telegram %s và số điện thoại %s. Khi đến nơi họ giữ hộ chiếu của em.", nw.place, 800+rng.IntN(20)*100, handle, phone)
	default:
		fmt.Fprintf(&b, "My brother answered an ad for customer service work in %s: $%d a month, no experience needed, flight and visa paid. The recruiter used Telegram %s and %s. When he arrived they took his passport.", nw.place, 1000+rng.IntN(20)*100, handle, phone)
	}
	for _, e := range extra {
		b.WriteString(" ")
		b.WriteString(e)
	}
	heldNow := rng.IntN(3) > 0
	reporterContact := fmt.Sprintf("reporter.%d.%d@example.org", g.n, rng.IntN(1_000_000))
	if rng.IntN(5) < 3 {
		reporterContact += fmt.Sprintf(", LINE or phone +66 8%d %03d %04d", rng.IntN(10), rng.IntN(1000), rng.IntN(10000))
	}
	victimContact := ""
	if rng.IntN(2) == 0 {
		victimContact = fmt.Sprintf("+855 %d %03d %03d", 70+rng.IntN(30), rng.IntN(1000), rng.IntN(1000))
	}
	sub := &intake.Submission{
		Language: lang, Channel: "web", Country: country,
		Narrative:     b.String(),
		IncidentTypes: generatedTypes[rng.IntN(len(generatedTypes))],
		Reporter:      &intake.Reporter{Name: fmt.Sprintf("Reporter %d", g.n), Contact: reporterContact},
		Victims: []intake.VictimIn{{
			Name: fmt.Sprintf("Victim %d", g.n), Contact: victimContact, Nationality: nationalities[rng.IntN(len(nationalities))],
			AgeBand: []string{"18_25", "26_35", "36_50"}[rng.IntN(3)], StillHeld: heldNow,
		}},
		Places: []intake.PlaceIn{{Name: nw.place}},
	}
	span := g.to.Sub(g.from)
	at := g.from.Add(time.Duration(rng.Int64N(int64(span))))
	return sub, at
}

// phone writes the network's Cambodian number as people do: with +855 or
// 00855, with the trunk 0 for a Cambodian reader, in Khmer digits.
func (g *Generator) phone(nw network, lang string) string {
	a, b := nw.phone/1000, nw.phone%1000
	switch g.rng.IntN(4) {
	case 0:
		return fmt.Sprintf("+855-12-%03d-%03d", a, b)
	case 1:
		return fmt.Sprintf("00855 12 %03d %03d", a, b)
	case 2:
		if lang == "km" {
			return khmerDigits(fmt.Sprintf("០១២ %03d %03d", a, b))
		}
	}
	return fmt.Sprintf("+855 12 %03d %03d", a, b)
}

func (nw network) phoneTHOrKH(rng *rand.Rand) string {
	if nw.phoneTH != "" {
		return "+66 " + strings.TrimPrefix(nw.phoneTH, "0")
	}
	return fmt.Sprintf("+855 12 %03d %03d", nw.phone/1000, nw.phone%1000)
}

func khmerDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '០' + (r - '0')
		}
		return r
	}, s)
}

// mention is one more sentence naming an identifier of kind.
func (g *Generator) mention(lang, kind, v string) string {
	type key struct{ lang, kind string }
	tmpl := map[key]string{
		{"en", "phone"}: "Another recruiter called from %s.", {"en", "wallet"}: "They want the ransom in USDT to %s.", {"en", "company"}: "The contract was with %s.", {"en", "line"}: "The agent's LINE ID: %s", {"en", "other"}: "He was sold on to people who use %s.",
		{"zh", "phone"}: "另一个招聘人员的电话是 %s。", {"zh", "wallet"}: "他们要求把赎金打到这个USDT地址：%s。", {"zh", "company"}: "合同上的公司是 %s。", {"zh", "line"}: "LINE ID: %s", {"zh", "other"}: "后来他被卖到另一个园区，那边的人用 %s 联系。",
		{"km", "phone"}: "មេខ្យល់ម្នាក់ទៀតប្រើលេខ %s ។", {"km", "wallet"}: "គេទាមទារប្រាក់លោះជា USDT ទៅ %s ។", {"km", "company"}: "កិច្ចសន្យាជាមួយ %s ។", {"km", "line"}: "LINE ID: %s", {"km", "other"}: "គេលក់គាត់បន្តទៅក្រុមដែលប្រើ %s ។",
		{"th", "phone"}: "นายหน้าอีกคนโทรจาก %s", {"th", "wallet"}: "พวกเขาเรียกค่าไถ่เป็น USDT ไปที่ %s", {"th", "company"}: "สัญญาจ้างกับ %s", {"th", "line"}: "ไลน์ไอดี: %s", {"th", "other"}: "เขาถูกขายต่อให้คนที่ใช้ %s",
		{"vi", "phone"}: "Một người tuyển dụng khác gọi từ số %s.", {"vi", "wallet"}: "Họ đòi tiền chuộc bằng USDT vào ví %s.", {"vi", "company"}: "Hợp đồng ký với %s.", {"vi", "line"}: "LINE ID: %s", {"vi", "other"}: "Sau đó em bị bán sang nhóm khác dùng %s.",
	}
	return fmt.Sprintf(tmpl[key{lang, kind}], v)
}
