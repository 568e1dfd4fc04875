package extract_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/extract"
)

// hitString renders a hit with the text it covers, for comparisons.
func hitString(text string, h extract.Hit) string {
	s := fmt.Sprintf("%s:%s@%q", h.Kind, h.Value, text[h.Start:h.End])
	if h.Role != extract.RoleNone {
		s += "/" + string(h.Role)
	}
	return s
}

func TestText(t *testing.T) {
	tests := []struct {
		name, region, text string
		want               []string // hitString of each hit, places excluded
	}{
		{"phone international", "KH", "call +855 12 345 678 now", []string{`phone:+85512345678@"+855 12 345 678"`}},
		{"phone national", "KH", "call 012345678 now", []string{`phone:+85512345678@"012345678"`}},
		{"phone spaced digits", "KH", "call 0 1 2 . 3 4 5 . 6 7 8 now", []string{`phone:+85512345678@"0 1 2 . 3 4 5 . 6 7 8"`}},
		{"phone in words", "KH", "call zero one two three four five six seven eight", []string{`phone:+85512345678@"zero one two three four five six seven eight"`}},
		{"phone words and digits", "KH", "+855-12-three-four-five-678", []string{`phone:+85512345678@"+855-12-three-four-five-678"`}},
		{"phone Chinese numerals", "KH", "电话 零一二三四五六七八", []string{`phone:+85512345678@"零一二三四五六七八"`}},
		{"phone Chinese 〇 and 幺", "", "电话 幺三八〇幺二三四五六七", []string{`phone:+8613801234567@"幺三八〇幺二三四五六七"`}},
		{"phone keycaps", "KH", "WhatsApp 0️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", []string{
			`phone:+85512345678@"0️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣"`, `whatsapp:+85512345678@"0️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣"`}},
		{"phone circled", "KH", "tel ⓪①②③④⑤⑥⑦⑧", []string{`phone:+85512345678@"⓪①②③④⑤⑥⑦⑧"`}},
		{"t dot me", "", "t dot me/recruitjob88 or t . me/hr_team01", []string{
			`telegram:@recruitjob88@"t dot me/recruitjob88"`, `telegram:@hr_team01@"t . me/hr_team01"`}},
		{"Cyrillic look-alikes", "", "t.me/rеcruitjob88 @rеcruіt_job", []string{
			`telegram:@recruitjob88@"t.me/rеcruitjob88"`, `telegram:@recruit_job@"@rеcruіt_job"`}},
		{"real Cyrillic untouched", "", "Москва, привет Ольга", nil},
		{"number words in prose", "KH", "one or two people, maybe three or four; 第一二三期 on 2024 . 12 . 05 for 1 000 000 riel", nil},
		{"short spelled number", "KH", "room one two three, floor 5 6 7", nil},
		{"phone 00", "KH", "call 00855 12 345 678 now", []string{`phone:+85512345678@"00855 12 345 678"`}},
		{"phone full-width", "KH", "电话：０１２３４５６７８", []string{`phone:+85512345678@"０１２３４５６７８"`}},
		{"phone Khmer digits", "KH", "លេខ ០១២ ៣៤៥ ៦៧៨", []string{`phone:+85512345678@"០១២ ៣៤៥ ៦៧៨"`}},
		{"phone Thai digits", "TH", "โทร ๐๘๑ ๒๓๔ ๕๖๗๘", []string{`phone:+66812345678@"๐๘๑ ๒๓๔ ๕๖๗๘"`}},
		{"phone parentheses and dashes", "KH", "(+855) 12-345-678 or (012) 345.678", []string{
			`phone:+85512345678@"+855) 12-345-678"`, `phone:+85512345678@"(012) 345.678"`}},
		{"two phones", "KH", "012345678 098765432", []string{`phone:+85512345678@"012345678"`, `phone:+85598765432@"098765432"`}},
		{"China mobile", "KH", "手机 13812345678", []string{`phone:+8613812345678@"13812345678"`}},
		{"no phone in dates prices times", "KH", "2024-05-12 10:30, 1,250,000 riel, v2.3.14, 12.05.2024, order 20231105-8841", nil},
		{"no phone without region", "", "call 012345678", nil},
		{"email", "", "mail John.Doe@Example.com.", []string{`email:john.doe@example.com@"John.Doe@Example.com"`}},
		{"email obfuscated", "", "hr [at] jobs [dot] net", []string{`email:hr@jobs.net@"hr [at] jobs [dot] net"`}},
		{"email is not a handle", "", "a@b.co and name@gmail.com", []string{`email:a@b.co@"a@b.co"`, `email:name@gmail.com@"name@gmail.com"`}},
		{"url and domain", "", "see https://Jobs.Example.co.uk/a?b=1.", []string{
			`domain:example.co.uk@"https://Jobs.Example.co.uk/a?b=1"`, `url:https://jobs.example.co.uk/a?b=1@"https://Jobs.Example.co.uk/a?b=1"`}},
		{"url obfuscated", "", "hxxps://bad[.]top/x", []string{`domain:bad.top@"hxxps://bad[.]top/x"`, `url:https://bad.top/x@"hxxps://bad[.]top/x"`}},
		{"domain spaced", "", "visit example . com today", []string{`domain:example.com@"example . com"`}},
		{"domain ideographic stop", "", "网站golden888。com", []string{`domain:golden888.com@"golden888。com"`}},
		{"no domain in prose", "", "e.g. the U.S. Mr.Smith said it. Then file.zip and Co.Ltd and 3.14", nil},
		{"telegram forms agree", "", "@HR_Team01 t.me/hr_team01 https://telegram.me/HR_TEAM01", []string{
			`telegram:@hr_team01@"@HR_Team01"`, `telegram:@hr_team01@"t.me/hr_team01"`, `telegram:@hr_team01@"https://telegram.me/HR_TEAM01"`}},
		{"telegram labelled", "", "飞机：kk_boss88", []string{`telegram:@kk_boss88@"kk_boss88"`}},
		{"whatsapp link", "KH", "wa.me/85512345678", []string{`phone:+85512345678@"wa.me/85512345678"`, `whatsapp:+85512345678@"wa.me/85512345678"`}},
		{"whatsapp label", "KH", "WhatsApp: 012 345 678", []string{`phone:+85512345678@"012 345 678"`, `whatsapp:+85512345678@"012 345 678"`}},
		{"line", "", "Line: somchai.k and LINE ID @shop123 and line.me/ti/p/~jobs_th", []string{
			`line:somchai.k@"somchai.k"`, `line:@shop123@"@shop123"`, `line:jobs_th@"line.me/ti/p/~jobs_th"`}},
		{"line in prose", "", "stand in line for hours; deadline abc123", nil},
		{"wechat", "CN", "微信号：wxid_abc123 V信: zhang-san88 vx:lisi_2024", []string{
			`wechat:wxid_abc123@"wxid_abc123"`, `wechat:zhang-san88@"zhang-san88"`, `wechat:lisi_2024@"lisi_2024"`}},
		{"social profiles", "", "facebook.com/jobs.asia instagram.com/asia_jobs https://www.tiktok.com/@asia.jobs", []string{
			`facebook:jobs.asia@"facebook.com/jobs.asia"`, `instagram:@asia_jobs@"instagram.com/asia_jobs"`, `tiktok:@asia.jobs@"https://www.tiktok.com/@asia.jobs"`}},
		{"wallets", "", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", []string{
			`tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t@"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"/payment`,
			`btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2@"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"/payment`,
			`btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4@"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"/payment`,
			`eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed@"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"/payment`}},
		{"bad checksums", "", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", nil},
		{"iban", "", "IBAN GB82 WEST 1234 5698 7654 32.", []string{`iban:GB82WEST12345698765432@"GB82 WEST 1234 5698 7654 32"/payment`}},
		{"passport", "", "护照号码：E12345678", []string{`passport:E12345678@"E12345678"`}},
		{"bank account", "", "Account number: 001 234 567 890", []string{`bank_account:001234567890@"001 234 567 890"/payment`}},
		{"companies", "", "He worked for Golden Fortune Technology Co., Ltd. and 金贝科技有限公司 and PT Maju Jaya.", []string{
			`company:golden fortune technology co ltd@"Golden Fortune Technology Co., Ltd."`,
			`company:金贝科技有限公司@"金贝科技有限公司"`,
			`company:pt maju jaya@"PT Maju Jaya"`}},
		{"roles", "KH", "my brother's number is 012 345 678. The agent uses @agent_kh01. Send USDT to TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t. 我的电话 13812345678", []string{
			`phone:+85512345678@"012 345 678"/victim_contact`,
			`telegram:@agent_kh01@"@agent_kh01"/recruiter`,
			`tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t@"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"/payment`,
			`phone:+8613812345678@"13812345678"/victim_contact`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, h := range extract.Text(tt.text, extract.Options{Region: tt.region, NoPlaces: true}) {
				got = append(got, hitString(tt.text, h))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Text(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestTextPlaces(t *testing.T) {
	text := "They moved him from 西港 to Shwe Kokko; his Telegram is t.me/otres_boss."
	var got []string
	for _, h := range extract.Text(text, extract.Options{}) {
		if h.Kind == extract.KindPlace {
			got = append(got, h.Value+"@"+text[h.Start:h.End])
		}
	}
	want := []string{"sihanoukville@西港", "shwe-kokko@Shwe Kokko"}
	if !slices.Equal(got, want) {
		t.Errorf("places = %q, want %q", got, want)
	}
	for _, h := range extract.Text(text, extract.Options{NoPlaces: true}) {
		if h.Kind == extract.KindPlace {
			t.Errorf("NoPlaces: got %v", h)
		}
	}
}

func TestTextConfidence(t *testing.T) {
	conf := func(text string, kind extract.Kind) float64 {
		for _, h := range extract.Text(text, extract.Options{Region: "KH"}) {
			if h.Kind == kind {
				return h.Confidence
			}
		}
		return 0
	}
	if a, b := conf("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", extract.KindETH), conf("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", extract.KindETH); !(a > b && b > 0) {
		t.Errorf("checksummed ETH %.2f, lower-case %.2f: want checksummed higher", a, b)
	}
	if a, b := conf("https://example.com/a", extract.KindURL), conf("hxxps://example[.]com/a", extract.KindURL); !(a > b && b > 0) {
		t.Errorf("plain URL %.2f, obfuscated %.2f: want plain higher", a, b)
	}
}

func TestTextLargeInput(t *testing.T) {
	text := strings.Repeat("汉字 and 012 345 678 ", 1<<15)
	hits := extract.Text(text, extract.Options{Region: "KH"})
	if len(hits) != 1<<15 {
		t.Errorf("got %d hits, want %d", len(hits), 1<<15)
	}
}

func TestQuery(t *testing.T) {
	tests := []struct {
		q, region string
		kind      extract.Kind
		value     string
	}{
		{"+855 12 345 678", "", extract.KindPhone, "+85512345678"},
		{"012345678", "KH", extract.KindPhone, "+85512345678"},
		{"00855-12-345-678", "", extract.KindPhone, "+85512345678"},
		{"０１２ ３４５ ６７８", "KH", extract.KindPhone, "+85512345678"},
		{"@HR_Team01", "", extract.KindTelegram, "@hr_team01"},
		{"hr_team01", "", extract.KindTelegram, "@hr_team01"},
		{"https://t.me/hr_team01", "", extract.KindTelegram, "@hr_team01"},
		{"t.me/hr_team01", "", extract.KindTelegram, "@hr_team01"},
		{"wa.me/85512345678", "", extract.KindWhatsApp, "+85512345678"},
		{"https://Example.com/Jobs", "", extract.KindURL, "https://example.com/Jobs"},
		{"example.com", "", extract.KindDomain, "example.com"},
		{"Name@Example.com", "", extract.KindEmail, "name@example.com"},
		{"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "", extract.KindTRON, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
		{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "", extract.KindETH, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
		{"GB82 WEST 1234 5698 7654 32", "", extract.KindIBAN, "GB82WEST12345698765432"},
	}
	for _, tt := range tests {
		h, ok := extract.Query(tt.q, tt.region)
		if !ok || h.Kind != tt.kind || h.Value != tt.value {
			t.Errorf("Query(%q, %q) = %s %q, %v; want %s %q", tt.q, tt.region, h.Kind, h.Value, ok, tt.kind, tt.value)
		}
	}
	for _, q := range []string{"", "   ", "hello world", "@ab", "12", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T", strings.Repeat("a", 3000), "\xff\xfe"} {
		if h, ok := extract.Query(q, "KH"); ok {
			t.Errorf("Query(%q) = %s %q, want no identifier", q, h.Kind, h.Value)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		kind      extract.Kind
		q, region string
		value     string
	}{
		{extract.KindPhone, "012 345 678", "KH", "+85512345678"},
		{extract.KindPhone, "081-234-5678", "TH", "+66812345678"},
		{extract.KindWhatsApp, "+62 812 3456 7890", "", "+6281234567890"},
		{extract.KindTelegram, "@Name_One", "", "@name_one"},
		{extract.KindTelegram, "https://t.me/name_one", "", "@name_one"},
		{extract.KindLine, "@Shop123", "", "@shop123"},
		{extract.KindLine, "somchai.k", "", "somchai.k"},
		{extract.KindWeChat, "WXID_abc123", "", "wxid_abc123"},
		{extract.KindWeChat, "13812345678", "CN", "+8613812345678"},
		{extract.KindInstagram, "asia_jobs", "", "@asia_jobs"},
		{extract.KindFacebook, "Jobs.Asia", "", "jobs.asia"},
		{extract.KindBTC, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
		{extract.KindIBAN, "de89 3704 0044 0532 0130 00", "", "DE89370400440532013000"},
		{extract.KindBankAccount, "001-234-567", "", "001234567"},
		{extract.KindPassport, "e12345678", "", "E12345678"},
		{extract.KindCompany, "Golden  Fortune Co., Ltd.", "", "golden fortune co ltd"},
		{extract.KindPlace, "妙瓦底", "", "myawaddy"},
		{extract.KindURL, "hxxp://bad[.]top/x", "", "http://bad.top/x"},
		{extract.KindDomain, "www.Example.co.uk", "", "example.co.uk"},
		{extract.KindEmail, "A@B.com", "", "a@b.com"},
	}
	for _, tt := range tests {
		h, ok := extract.Normalize(tt.kind, tt.q, tt.region)
		if !ok || h.Value != tt.value || h.Kind != tt.kind {
			t.Errorf("Normalize(%s, %q, %q) = %s %q, %v; want %q", tt.kind, tt.q, tt.region, h.Kind, h.Value, ok, tt.value)
		}
	}
	for _, tt := range []struct {
		kind extract.Kind
		q    string
	}{
		{extract.KindPhone, "12345"}, {extract.KindTelegram, "@ab"}, {extract.KindETH, "0x123"},
		{extract.KindTRON, "T123"}, {extract.KindIBAN, "GB00WEST12345698765432"}, {extract.KindPlace, "Paris"},
		{extract.Kind("nonsense"), "abc"},
	} {
		if h, ok := extract.Normalize(tt.kind, tt.q, "KH"); ok {
			t.Errorf("Normalize(%s, %q) = %q, want failure", tt.kind, tt.q, h.Value)
		}
	}
}

// TestProseNamesNoAccount: a messaging label followed in prose by "me",
// "on", "at" or a time is no account name; the same gap before a number or
// a name that looks like an account still names one.
func TestProseNamesNoAccount(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Message me on Telegram at night, not during the day.", nil},
		{"Find us on Telegram on weekends.", nil},
		{"Telegram me tomorrow please", nil},
		{"They contacted her on LINE at work", nil},
		{"Add me on WeChat at lunchtime", nil},
		{"WhatsApp me on zero nine seven, three one eight, two two six four", []string{"phone=+855973182264", "whatsapp=+855973182264"}},
		{"TG at boss_kk88 for the job", []string{"telegram=@boss_kk88"}},
		{"WeChat sếp Trần: boss_tran88", []string{"wechat=boss_tran88"}},
		{"Line manager: John", nil},
		{"My line supervisor: Dara Sok", nil},
		{"LINE manager: somchai", []string{"line=somchai"}},
		{"Line manager: somchai_88", []string{"line=somchai_88"}},
		{"Line: somchai", []string{"line=somchai"}},
		{"Open Telegram > Settings > Privacy and block him", nil},
		{"go to LINE → Home → Settings", nil},
		{"Telegram >> jobkh", []string{"telegram=@jobkh"}},
	} {
		var got []string
		for _, h := range extract.Text(tc.text, extract.Options{Region: "KH"}) {
			if h.Kind != extract.KindPlace {
				got = append(got, string(h.Kind)+"="+h.Value)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Text(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestWaMeNumberInGroups: a wa.me link whose number is written in groups
// gives that number, however the slash is spaced — not a link to wa.me and
// a number read from its tail.
func TestWaMeNumberInGroups(t *testing.T) {
	for _, text := range []string{
		"chat wa.me/62 812 9087 3345 now",
		"chat wa.me/ 62 812 9087 3345 now",
		"chat wa.me / 62 812 9087 3345 now",
		"chat wa . me / 62 812 9087 3345 now",
	} {
		var got []string
		for _, h := range extract.Text(text, extract.Options{Region: "ID"}) {
			got = append(got, string(h.Kind)+"="+h.Value)
		}
		slices.Sort(got)
		if want := []string{"phone=+6281290873345", "whatsapp=+6281290873345"}; !slices.Equal(got, want) {
			t.Errorf("Text(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestDisguisesOfPastedText: what pasted or reposted text carries around an
// identifier to slip it past a filter — HTML tags and character references,
// joiners and spaces of other widths, a pictograph for the at sign, symbols
// between digit groups, a root dot before a path, filler before a number —
// is read through, and ordinary text with '<' and '&' stays as it is.
func TestDisguisesOfPastedText(t *testing.T) {
	for _, tc := range []struct {
		text, region string
		want         []string
	}{
		{"pasted like this: +855 <b>16</b> 58<span>3</span> 902", "KH", []string{"phone=+85516583902"}},
		{"微信同号 186<font color=red>5531</font>0927", "CN", []string{"phone=+8618655310927", "wechat=+8618655310927"}},
		{"Apply by e-mail: admin.hr&#64;mekongstarjobs&#46;com", "KH", []string{"email=admin.hr@mekongstarjobs.com"}},
		{"mail hr&commat;jobs-kh&period;com", "KH", []string{"email=hr@jobs-kh.com"}},
		{"A&B Co pays <5 days late, ask <username>", "KH", nil},
		{"Message @man\u200dila_rec\u200druit on Telegram", "PH", []string{"telegram=@manila_recruit"}},
		{"e-mail hr.desk\u2009@\u2009sunrise-staffing\u2024net today", "KH", []string{"email=hr.desk@sunrise-staffing.net"}},
		{"send CV to recruit.angkorhr🍥gmail.com before Friday", "KH", []string{"email=recruit.angkorhr@gmail.com"}},
		{"I love noodles🍥 and tea.", "KH", nil},
		{"WA 0857 ▪️ 2148 ▪️ 6630", "ID", []string{"phone=+6285721486630", "whatsapp=+6285721486630"}},
		{"watsup : +855 12 /// 604 /// 318", "TH", []string{"phone=+85512604318", "whatsapp=+85512604318"}},
		{"Register at https://kh-jobnow.com./register now", "KH", []string{"domain=kh-jobnow.com", "url=https://kh-jobnow.com/register"}},
		{"watsup:::_+63 917 205 4418 ask for Joy", "PH", []string{"phone=+639172054418", "whatsapp=+639172054418"}},
		{"contact whatsup—>> +60 12-708 3391", "MY", []string{"phone=+60127083391", "whatsapp=+60127083391"}},
		{"register: payroll\u2062-usdt\u2062.cc today", "KH", []string{"domain=payroll-usdt.cc"}},
		{"加微信: jb\u200b-\u200brenshi\u200b88 备注", "CN", []string{"wechat=jb-renshi88"}},
		{"gửi về vieclam.cpc\u200b2025@\u200bgmail.com", "VN", []string{"email=vieclam.cpc2025@gmail.com"}},
		{"apply online: khmer-work\\.asia", "KH", []string{"domain=khmer-work.asia"}},
		{"ដាក់ពាក្យតាមអនឡាញ៖ khmer-work.asia", "KH", []string{"domain=khmer-work.asia"}},
		{"订单号 2024 0518 7731 6620，预计3-5天到货", "CN", nil},
		{"Group rules: no @ mentions of other members", "PH", nil},
		{"find us at facebook dot com slash mekong.talent.page", "KH", []string{"facebook=mekong.talent.page"}},
		{"CV to recruit dot nexus (at) gmail dot com", "PH", []string{"email=recruit.nexus@gmail.com"}},
		{"send to kh . visa . fastpass [at] proton [dot] me", "KH", []string{"email=kh.visa.fastpass@proton.me"}},
		{"Daftar di https :// gacor-kerja88 . site /daftar", "ID", []string{"domain=gacor-kerja88.site", "url=https://gacor-kerja88.site/daftar"}},
		{"IG: cpc . tuyen . dung (có hình)", "VN", []string{"instagram=@cpc.tuyen.dung"}},
		{"WeChat: wxid_kk88. Phone later", "CN", []string{"wechat=wxid_kk88"}},
		{"ទូរស័ព្ទ О78 91З 42О សួរ", "KH", []string{"phone=+85578913420"}},
		{"[10:02] Recruiter: 088\n[10:02] Recruiter: 652\n[10:03] Recruiter: 1937\n[10:03] Recruiter: after 6pm", "KH", []string{"phone=+855886521937"}},
		{"WA admin:\n0\n8\n7\n8\n3\n3\n2\n0\n1\n9\n5\n6", "ID", []string{"phone=+6287833201956", "whatsapp=+6287833201956"}},
		{"SĐT 0️⃣3️⃣8️⃣7️⃣ 🌸215🌸946 gọi", "VN", []string{"phone=+84387215946"}},
		{"[10:01] A: 1500\n[10:02] B: 2000", "KH", nil},
		{"Questions go to hr.mekong©yahoo.com please", "KH", []string{"email=hr.mekong@yahoo.com"}},
		{"mail was rec\u0308ruiter.lin@gm\u0303ail.com", "MM", []string{"email=recruiter.lin@gmail.com"}},
		{"Reply to sţaff.hiring@gmaıl.com only", "KH", []string{"email=staff.hiring@gmail.com"}},
		{"Gọi chị Hà: 0912 345 678", "VN", []string{"phone=+84912345678"}},
		{"Full job list at www dot luckystar-recruit dot com", "KH", []string{"domain=luckystar-recruit.com", "url=http://www.luckystar-recruit.com"}},
		{"hr.angkor (at) NOSPAM gmail (dot) com", "KH", []string{"email=hr.angkor@gmail.com"}},
		{"The page is facebook. com/ laos.jobs.vte - gone", "LA", []string{"facebook=laos.jobs.vte"}},
		{"ទំព័រ៖ FaceBook.Com/KhmerJobs.Abroad", "KH", []string{"facebook=khmerjobs.abroad"}},
		{"We stayed home.Today we left", "KH", nil},
		{"Zalo O335 829 4lO", "VN", []string{"phone=+84335829410"}},
		{"L-i-n-e : kru.aom2024 รับสมัคร", "TH", []string{"line=kru.aom2024"}},
		{"微 信 ： w x _ 8 8 6 6 2 1 （ 字 分 开 写 ）", "CN", []string{"wechat=wx_886621"}},
		{"想去的加V：xg_hr2025（不回就是在忙）", "CN", []string{"wechat=xg_hr2025"}},
		{"联系：186￥7724%0315，不看学历", "CN", []string{"phone=+8618677240315"}},
		{"价格 ¥1380 ¥2000 ¥3000 包邮，增长 15% 30% 45%", "CN", nil},
		{"Add LINE ( n a n _ j o b s 9 9 ) - type it without spaces", "TH", []string{"line=nan_jobs99"}},
		{"The group link: https://t.me/%6Ba%6Fjob_hr", "KH", []string{"telegram=@kaojob_hr"}},
		{"wechat: d#i#n#g#h#r#8#8#9#9", "CN", []string{"wechat=dinghr8899"}},
		{"加\n我\nV\n：\nl\na\nn\ns\nh\na\nn\n_\nk\nf\n6", "CN", []string{"wechat=lanshan_kf6"}},
		{"แอดไลน์ไอดี s.o.m.c.h.a.i.j.o.b (พิมพ์ติดกัน)", "TH", []string{"line=somchaijob"}},
		{"ดูรีวิวที่ไอจี instagram.com/ khun.beauty.job", "TH", []string{"instagram=@khun.beauty.job"}},
		{"Oát xáp: +855 31 664 2819", "KH", []string{"phone=+855316642819", "whatsapp=+855316642819"}},
		{"Hubungi O8l3-9O27-SS6l (Pak Budi)", "ID", []string{"phone=+6281390275561"}},
		{"grup FB: facebook . com / groups / lokerkambojaresmi", "ID", []string{"facebook=groups/lokerkambojaresmi"}},
		{"email: cs.kerjaluar@yahoo titik co titik id", "ID", []string{"email=cs.kerjaluar@yahoo.co.id"}},
		{"TikTok @l\u0303oker\u0302_asia\u0301 (akun resmi)", "ID", []string{"tiktok=@loker_asia"}},
		{"Send passport to kyaw.agent @ g mail . com, ticket paid", "MM", []string{"email=kyaw.agent@gmail.com"}},
		{"Te-le-gram: gtsez_hr (search it, no @)", "LA", []string{"telegram=@gtsez_hr"}},
		{"only answers by email: info *at* khmer-bright *dot* com *dot* kh. They want", "KH", []string{"email=info@khmer-bright.com.kh"}},
		{"a *very* important job, *at* least 1,000 USD", "KH", nil},
		{"加威信 l·y·h·r·0·9·1·7 备注来意", "CN", []string{"wechat=lyhr0917"}},
		{"ไอดีไลน์ s…o…m…s…a…k…8…8 ทักมา", "TH", []string{"line=somsak88"}},
		{"wat sap 0.8.1.2.4.5.3.9.6 សួររកបង", "KH", []string{"phone=+85581245396", "whatsapp=+85581245396"}},
		{"Telegram @$urya_rekrut, chat aja; harga US$100", "ID", []string{"telegram=@surya_rekrut"}},
		{"Send CV to  hiring.desk @ proton . me  before Friday", "KH", []string{"email=hiring.desk@proton.me"}},
		{"vvv.sea-career-link.com/apply is the only official form", "MY", []string{"domain=sea-career-link.com", "url=http://www.sea-career-link.com/apply"}},
		{"客服说号码分开发：\n前面 152\n中间 0378\n后面 4412\n打过去", "CN", []string{"phone=+8615203784412"}},
		{"แอดไลน์ ไอดี nong จุด mai77 งานคีย์ข้อมูล", "TH", []string{"line=nong.mai77"}},
		{"เว็บบริษัท jobthai-overseas*com มีสัญญา", "TH", []string{"domain=jobthai-overseas.com"}},
		{"เมลของน้องคือ kaew.thong2001 at gmail.com ใคร", "TH", []string{"email=kaew.thong2001@gmail.com"}},
		{"we met at gmail.com's office", "KH", []string{"domain=gmail.com"}},
		{"số của anh: 0912\n(tin sau) 447\n(tin sau nữa) 803\nnhớ xoá", "VN", []string{"phone=+84912447803"}},
		{"Info lowongan W.A • 0821•4478•0912 • gaji", "ID", []string{"phone=+6282144780912", "whatsapp=+6282144780912"}},
		{"【薇 信】ganjob_888【备注：应聘客服】", "KH", []string{"wechat=ganjob_888"}},
		{"[群聊] 阿义：我电话177 0452\n[群聊] 阿义：8813 直接打", "CN", []string{"phone=+8617704528813"}},
		{"ចុះឈ្មោះនៅ https:// kh-jobcenter . com / apply ដោយ", "KH", []string{"domain=kh-jobcenter.com", "url=https://kh-jobcenter.com/apply"}},
		{"คนที่ชวนไปใช้ Tele gram: mae_sot_agent", "TH", []string{"telegram=@mae_sot_agent"}},
		{"langsung chat WA081933846021 ya kak", "ID", []string{"phone=+6281933846021", "whatsapp=+6281933846021"}},
		{"buy an iPhone12 or a SHP081933846021 part", "ID", nil},
		{"nomor: 0857 2291\n(lanjutan) 4463 ya", "ID", []string{"phone=+6285722914463"}},
		{"send to this address, in 3 parts:\n[1/3] 0x5aAeb6053F3E94\n[2/3] C9b9A09f33669435\n[3/3] E7Ef1BeAed", "MM", []string{"eth=0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}},
		{"Z a l o: 0 9 8 1 2 2 4 5 6 7 chị Mai", "VN", []string{"phone=+84981224567"}},
		{"W A 0812 4477 9031", "ID", []string{"phone=+6281244779031", "whatsapp=+6281244779031"}},
		{"ម៉ែ៖ លេខកូន\n097\nម៉ែ៖ 551\nម៉ែ៖ 2046", "KH", []string{"phone=+855975512046"}},
		{"số em 091 chấm 442 chấm 7781 nha", "VN", []string{"phone=+84914427781"}},
		{"hubungi 0813 titik 2277 titik 4410", "ID", []string{"phone=+6281322774410"}},
		{"下午3 点 30 集合, version 12 dot 5", "CN", nil},
		{"NIK 3171 0406 9205 0003 dan kartu 4111 1111 1111 1111", "ID", nil},
		{"Hubungi Nik 0812 3456 7890 sekarang", "ID", []string{"phone=+6281234567890"}},
		{"แอดที่ line . me / ti / p / ~joy.work88 นะ", "TH", []string{"line=joy.work88"}},
		{"info grup facebook com/groups/kerja.kamboja88 ya", "ID", []string{"facebook=groups/kerja.kamboja88"}},
		{"私聊我\n薇信\nh\nr\n_\nj\no\nb\n9", "CN", []string{"wechat=hr_job9"}},
		{"高薪，威：kf_zhang66，备注来意", "CN", []string{"wechat=kf_zhang66"}},
		{"小薇：你好，明天见", "CN", nil},
		{"WhatsApp admin Lina 👉 +62 812 4410 2297", "ID", []string{"phone=+6281244102297", "whatsapp=+6281244102297"}},
		{"WhatsApp down, call the office ➡ 012 345 678", "KH", []string{"phone=+85512345678"}},
		{"join t.me/kérja_luàr_88 now", "ID", []string{"telegram=@kerja_luar_88"}},
		{"Hà Nội/TP.HCM và Đà Nẵng", "VN", nil},
		{"邮箱：ｊｏｂ．ｋｈ８８＠ｙａｈｏｏ。ｃｏｍ", "CN", []string{"email=job.kh88@yahoo.com"}},
		{"电话 +855 ⑦⑦ 412 905", "KH", []string{"phone=+85577412905"}},
		{"លេខ៖\n០៩២\n៧៧៨\n៤៥១\nអរគុណ", "KH", []string{"phone=+85592778451"}},
		{"ថ្ងៃ\n១២\n២០២៥", "KH", nil},
		{"CV: hr.desk{{at}}mekongjobs{{dot}}net, no calls", "KH", []string{"email=hr.desk@mekongjobs.net"}},
		{"Wi-Fi: guest@cafe.me@2024, ask staff", "KH", nil},
		{"加威[防封]信 kf_lan88，备注应聘", "CN", []string{"wechat=kf_lan88"}},
		{"我们(注意)公司很好", "CN", nil},
		{"สนใจทักไลน์ @ baanjob88 ได้เลย", "TH", []string{"line=@baanjob88"}},
		{"Số CCCD: 001 203 004 567, gọi 0912 345 678", "VN", []string{"phone=+84912345678"}},
		{"លេខអត្តសញ្ញាណប័ណ្ណ ០១០ ២៣៤ ៥៦៧", "KH", nil},
		{"CV to staff.desk [at] proton [d0t] me", "KH", []string{"email=staff.desk@proton.me"}},
		{"mail hr.ops@NOSPAMgmail.com (delete NOSPAM)", "PH", []string{"email=hr.ops@gmail.com"}},
		{"kirim ke loker.id@yahoo.REMOVEMEcom ya", "ID", []string{"email=loker.id@yahoo.com"}},
		{"Apply: chat kerja_88 di telegram sekarang", "ID", []string{"telegram=@kerja_88"}},
		{"message me on telegram, or my friend on LINE", "PH", nil},
		{"I played game2 on line all night", "PH", nil},
		{"联系我微信\n139 1234 5678\n谢谢", "CN", []string{"phone=+8613912345678", "wechat=+8613912345678"}},
		{"we waited in line\n0812 3456 7890 is my brother's", "ID", []string{"phone=+6281234567890"}},
		{"WA 0812 3456 7890 2024", "ID", []string{"phone=+6281234567890", "whatsapp=+6281234567890"}},
		{"Parcel no. KH 7781 2290 3345 arrived; Tel. TH office closed", "KH", nil},
		{"Đăng ký tại vieclam-cạmpuchia.com/form nhé, gọi anh Hùng", "VN", []string{"domain=vieclam-campuchia.com", "url=http://vieclam-campuchia.com/form"}},
		{"LINE: +66 81\n2345 678 ค่ะ", "TH", []string{"line=+66812345678", "phone=+66812345678"}},
		{"call +63 917\u2062 555\u2062 0192 now", "PH", []string{"phone=+639175550192"}},
		{"电话 ㈠㈧㈥ ㈤㈤㈢㈠ 〇㈨㈡㈦", "CN", []string{"phone=+8618655310927"}},
		{"手机 ㊀㊂㊈ ㊀㊁㊂㊃ ㊄㊅㊆㊇", "CN", []string{"phone=+8613912345678"}},
		{"流程：㈠报名 ㈡面试 ㈢签约 ㈣入职 ㈤上岗 ㈥转正", "CN", nil},
		{"USDT 地址 0 x f B 6 9 1 6 0 9 5 c a 1 d f 6 0 b B 7 9 C e 9 2 c E 3 E a 7 4 c 3 7 c 5 d 3 5 9 到账", "KH", []string{"eth=0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"}},
		{"地址 0 x f b 6 9 1 6 0 9 5 C a 1 d f 6 0 b B 7 9 C e 9 2 c E 3 E a 7 4 c 3 7 c 5 d 3 5 9 错一位", "KH", nil},
		{"地址 0 x f b 6 9 1 6 0 9 5 c a 1 d f 6 0 b b 7 9 c e 9 2 c e 3 e a 7 4 c 3 7 c 5 d 3 5 9 全小写", "KH", nil},
		{"អត្តសញ្ញាណប័ណ្ណលេខ ០១៥៣៣៤៥៦៧ ទូរស័ព្ទ ០១២ ៣៤៥ ៦៧៨", "KH", []string{"phone=+85512345678"}},
		{"អត្តសញ្ញាណប័ណ្ណ លេខ ០៩២ ៧៧៨ ៤៥១ ចេញនៅថ្ងៃទី ០៣", "KH", nil},
		{"បាត់អត្តសញ្ញាណប័ណ្ណ។ លេខទូរស័ព្ទ ០១២ ៣៤៥ ៦៧៨", "KH", []string{"phone=+85512345678"}},
		{"โทร 081-234\n-5678 ค่ะ", "TH", []string{"phone=+66812345678"}},
		{"เงินเดือน 15000\n-2000 ค่าที่พัก", "TH", nil},
		{"Channel resmi: t . m e / kerja_luar88", "ID", []string{"telegram=@kerja_luar88"}},
		{"huruf t . m e saja", "ID", nil},
		{"Form: s . id / daftarkerja (ketik manual)", "ID", []string{"domain=s.id", "url=http://s.id/daftarkerja"}},
		{"Nilai kelas s . Id / nama siswa; pakai kode s . id sampai besok", "ID", nil},
	} {
		var got []string
		for _, h := range extract.Text(tc.text, extract.Options{Region: tc.region}) {
			if h.Kind != extract.KindPlace {
				got = append(got, string(h.Kind)+"="+h.Value)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Text(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
