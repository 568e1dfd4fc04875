package extract

import "github.com/vigil-project/vigil/internal/bytetrie"

// kwClass is a set of meanings a keyword has. Keywords are labels that tell
// what the next identifier is ("微信:", "Passport No."), legal forms that make
// a company name, and the words that tell an identifier's role.
type kwClass uint32

const (
	kwPhone kwClass = 1 << iota
	kwWhatsApp
	kwTelegram
	kwLine
	kwWeChat
	kwInstagram
	kwTikTok
	kwOtherSocial // twitter, facebook: an @name after it is not Telegram
	kwPassport
	kwBank
	kwCompanySuffix // "Co., Ltd.", "有限公司": the name comes before
	kwCompanyPrefix // "PT", "Công ty", "ក្រុមហ៊ុន": the name comes after
	kwThaiCompany   // "บริษัท": the name runs to "จำกัด"
	kwRoleRecruiter
	kwRolePayment
	kwRoleVictim
	kwRoleCompound
	kwTracking // "tracking no.", "no resi", "运单号": a parcel's number follows, not a phone
	kwIDCard   // "ID card", "身份证号", "CCCD": an identity card's number follows, not a phone

	kwRoles    = kwRoleRecruiter | kwRolePayment | kwRoleVictim | kwRoleCompound
	kwHandles  = kwWhatsApp | kwTelegram | kwLine | kwWeChat | kwInstagram | kwTikTok | kwOtherSocial
	kwAccounts = kwWhatsApp | kwWeChat | kwLine // labels that make a phone number an account too
	kwLabelled = kwHandles | kwPassport | kwBank
)

// keywordList is every keyword with its meanings. ASCII letters match in
// any case; a keyword that starts (ends) with an ASCII letter or digit must
// start (end) a word.
var keywordList = []struct {
	word  string
	class kwClass
}{
	// Phone labels.
	{"tel", kwPhone}, {"tel.", kwPhone}, {"telp", kwPhone}, {"phone", kwPhone}, {"phone number", kwPhone},
	{"phone no", kwPhone}, {"mobile", kwPhone}, {"mobile number", kwPhone}, {"hotline", kwPhone}, {"call", kwPhone},
	{"cell", kwPhone}, {"contact", kwPhone}, {"number", kwPhone}, {"hp", kwPhone}, {"no hp", kwPhone}, {"no. hp", kwPhone},
	{"nomor", kwPhone}, {"nomor hp", kwPhone}, {"telepon", kwPhone}, {"sđt", kwPhone}, {"sdt", kwPhone},
	{"số điện thoại", kwPhone}, {"điện thoại", kwPhone}, {"gọi", kwPhone}, {"số", kwPhone},
	{"电话", kwPhone}, {"電話", kwPhone}, {"手机", kwPhone}, {"手機", kwPhone}, {"手机号", kwPhone}, {"号码", kwPhone},
	{"联系电话", kwPhone}, {"电话号码", kwPhone}, {"联系方式", kwPhone},
	{"เบอร์", kwPhone}, {"เบอร์โทร", kwPhone}, {"โทร", kwPhone}, {"ทีเอ็ม", kwPhone},
	{"ទូរស័ព្ទ", kwPhone}, {"លេខទូរស័ព្ទ", kwPhone}, {"លេខ", kwPhone},

	// A parcel's tracking number (a delivery-scam text's "tracking JT 7788
	// 0912 3345 6" is no phone number), and an order's number ("订单号 2024
	// 0518 7731 6620").
	{"order no", kwTracking}, {"order number", kwTracking}, {"order id", kwTracking}, {"订单号", kwTracking},
	{"订单编号", kwTracking}, {"訂單號", kwTracking}, {"mã đơn hàng", kwTracking}, {"nomor pesanan", kwTracking},
	{"หมายเลขคำสั่งซื้อ", kwTracking}, {"เลขคำสั่งซื้อ", kwTracking},
	{"tracking", kwTracking}, {"tracking no", kwTracking}, {"tracking number", kwTracking}, {"resi", kwTracking},
	{"no resi", kwTracking}, {"nomor resi", kwTracking}, {"vận đơn", kwTracking}, {"mã vận đơn", kwTracking},
	{"เลขพัสดุ", kwTracking}, {"เลขติดตามพัสดุ", kwTracking}, {"លេខតាមដាន", kwTracking}, {"快递单号", kwTracking},
	{"运单号", kwTracking}, {"物流单号", kwTracking}, {"運單號", kwTracking},

	// An identity card's number right after its label ("លេខអត្តសញ្ញាណប័ណ្ណ
	// ០១០ ២៣៤ ៥៦៧" reads as a Cambodian mobile number; "CCCD 001 203 004
	// 567" as an international one after 00).
	{"id card", kwIDCard}, {"id card no", kwIDCard}, {"id card number", kwIDCard}, {"national id", kwIDCard},
	{"身份证", kwIDCard}, {"身份证号", kwIDCard}, {"身份证号码", kwIDCard}, {"身份證", kwIDCard}, {"身份證號", kwIDCard},
	{"บัตรประชาชน", kwIDCard}, {"เลขบัตรประชาชน", kwIDCard}, {"cccd", kwIDCard}, {"cmnd", kwIDCard},
	{"số cccd", kwIDCard}, {"số cmnd", kwIDCard}, {"căn cước", kwIDCard},
	{"អត្តសញ្ញាណប័ណ្ណ", kwIDCard}, {"លេខអត្តសញ្ញាណប័ណ្ណ", kwIDCard}, {"អត្តសញ្ញាណប័ណ្ណលេខ", kwIDCard}, {"អត្តសញ្ញាណប័ណ្ណ លេខ", kwIDCard},

	// Words that end in a messaging label but are none: "online" in Thai
	// and Khmer ends in the word for LINE (ออนไลน์, អនឡាញ), and Thai and
	// Khmer are written without spaces, so only the longer word tells.
	{"ออนไลน์", 0}, {"អនឡាញ", 0}, {"អ៊ីនធឺណិត", 0},

	// Messaging labels.
	{"whatsapp", kwWhatsApp | kwPhone}, {"whats app", kwWhatsApp | kwPhone}, {"wa", kwWhatsApp | kwPhone},
	{"wasap", kwWhatsApp | kwPhone}, {"watsap", kwWhatsApp | kwPhone}, {"wsp", kwWhatsApp | kwPhone}, {"wsap", kwWhatsApp | kwPhone}, {"ws", kwWhatsApp | kwPhone}, {"whats4pp", kwWhatsApp | kwPhone}, {"whats@pp", kwWhatsApp | kwPhone}, {"what'sapp", kwWhatsApp | kwPhone}, {"what's app", kwWhatsApp | kwPhone},
	{"watsup", kwWhatsApp | kwPhone}, {"whatsup", kwWhatsApp | kwPhone}, {"whats-app", kwWhatsApp | kwPhone}, {"w.a", kwWhatsApp | kwPhone}, {"whatsap", kwWhatsApp | kwPhone}, {"watsapp", kwWhatsApp | kwPhone},
	{"วอทส์แอพ", kwWhatsApp | kwPhone}, {"วอทแอพ", kwWhatsApp | kwPhone}, {"วอทแอป", kwWhatsApp | kwPhone}, {"วัทแอป", kwWhatsApp | kwPhone}, {"oát sáp", kwWhatsApp | kwPhone}, {"oát xáp", kwWhatsApp | kwPhone}, {"wat sap", kwWhatsApp | kwPhone}, {"what sap", kwWhatsApp | kwPhone}, {"wats app", kwWhatsApp | kwPhone}, {"វ៉ាត់អាប់", kwWhatsApp | kwPhone}, {"วอทส์แอป", kwWhatsApp | kwPhone},
	{"វ៉ាត់សាប់", kwWhatsApp | kwPhone}, {"វ៉ាតសាប", kwWhatsApp | kwPhone},
	{"telegram", kwTelegram}, {"tg", kwTelegram}, {"tele", kwTelegram}, {"tele gram", kwTelegram}, {"飞机", kwTelegram}, {"飛機", kwTelegram},
	{"纸飞机", kwTelegram}, {"电报", kwTelegram}, {"เทเลแกรม", kwTelegram}, {"เทเล", kwTelegram}, {"តេឡេក្រាម", kwTelegram}, {"តេឡេ", kwTelegram},
	{"line", kwLine}, {"line id", kwLine}, {"id line", kwLine}, {"ไลน์", kwLine}, {"ไอดีไลน์", kwLine},
	{"ไลน์ไอดี", kwLine}, {"id ไลน์", kwLine}, {"ឡាញ", kwLine}, {"l1ne", kwLine}, {"加賴", kwLine}, {"加赖", kwLine},
	{"wechat", kwWeChat}, {"we chat", kwWeChat}, {"weixin", kwWeChat}, {"wx", kwWeChat}, {"vx", kwWeChat},
	{"v信", kwWeChat}, {"微信", kwWeChat}, {"微信号", kwWeChat}, {"薇信", kwWeChat}, {"威信", kwWeChat},
	{"加微", kwWeChat}, {"加薇", kwWeChat}, {"加薇信", kwWeChat}, {"加微信", kwWeChat}, {"加我微信", kwWeChat}, {"วีแชท", kwWeChat}, {"វីឆាត", kwWeChat}, {"វីចាត", kwWeChat}, {"vi chát", kwWeChat}, {"uy chát", kwWeChat},
	{"微信同号", kwWeChat}, {"同微信", kwWeChat}, {"电话同微信", kwWeChat}, {"手机同微信", kwWeChat},
	{"加v:", kwWeChat}, {"加我v:", kwWeChat}, {"v❤", kwWeChat}, {"v♥", kwWeChat}, {"绿泡泡", kwWeChat}, {"微同号", kwWeChat}, {"v同号", kwWeChat}, {"薇❤", kwWeChat},
	{"instagram", kwInstagram}, {"ig", kwInstagram}, {"insta", kwInstagram}, {"ins", kwInstagram}, {"ไอจี", kwInstagram}, {"អ៊ីនស្តា", kwInstagram},
	{"tiktok", kwTikTok}, {"tik tok", kwTikTok}, {"ติ๊กต๊อก", kwTikTok}, {"ติ๊กต็อก", kwTikTok}, {"tiktod", kwTikTok}, {"tt", kwTikTok}, {"តិកតុក", kwTikTok}, {"ធីកតុក", kwTikTok},
	{"twitter", kwOtherSocial}, {"抖音", kwOtherSocial}, {"douyin", kwOtherSocial}, {"zalo", kwOtherSocial}, {"za lô", kwOtherSocial}, {"facebook", kwOtherSocial}, {"fb", kwOtherSocial}, {"เฟสบุ๊ค", kwOtherSocial}, {"เฟสบุ๊ก", kwOtherSocial}, {"phây búc", kwOtherSocial},

	// Documents and accounts.
	{"passport", kwPassport}, {"passport no", kwPassport}, {"passport number", kwPassport}, {"护照", kwPassport},
	{"護照", kwPassport}, {"护照号", kwPassport}, {"护照号码", kwPassport}, {"លិខិតឆ្លងដែន", kwPassport},
	{"หนังสือเดินทาง", kwPassport}, {"hộ chiếu", kwPassport}, {"ho chieu", kwPassport}, {"paspor", kwPassport},
	{"nomor paspor", kwPassport},
	{"account number", kwBank | kwRolePayment}, {"account no", kwBank | kwRolePayment},
	{"acc no", kwBank | kwRolePayment}, {"acct", kwBank | kwRolePayment}, {"a/c", kwBank | kwRolePayment},
	{"bank account", kwBank | kwRolePayment}, {"账号", kwBank}, {"帐号", kwBank}, {"银行卡", kwBank | kwRolePayment},
	{"银行卡号", kwBank | kwRolePayment}, {"卡号", kwBank | kwRolePayment}, {"银行账户", kwBank | kwRolePayment},
	{"เลขบัญชี", kwBank | kwRolePayment}, {"บัญชี", kwBank | kwRolePayment},
	{"số tài khoản", kwBank | kwRolePayment}, {"stk", kwBank | kwRolePayment}, {"tài khoản", kwBank | kwRolePayment},
	{"rekening", kwBank | kwRolePayment}, {"no rek", kwBank | kwRolePayment}, {"norek", kwBank | kwRolePayment},
	{"no. rek", kwBank | kwRolePayment}, {"nomor rekening", kwBank | kwRolePayment},
	{"លេខគណនី", kwBank | kwRolePayment}, {"គណនី", kwBank | kwRolePayment},

	// Companies.
	{"co., ltd", kwCompanySuffix}, {"co.,ltd", kwCompanySuffix}, {"co. ltd", kwCompanySuffix},
	{"co ltd", kwCompanySuffix}, {"co. ,ltd", kwCompanySuffix}, {"company limited", kwCompanySuffix},
	{"company ltd", kwCompanySuffix}, {"limited", kwCompanySuffix}, {"ltd", kwCompanySuffix},
	{"group", kwCompanySuffix}, {"inc", kwCompanySuffix}, {"corporation", kwCompanySuffix},
	{"corp", kwCompanySuffix}, {"llc", kwCompanySuffix}, {"pte ltd", kwCompanySuffix}, {"pte. ltd", kwCompanySuffix},
	{"sdn bhd", kwCompanySuffix}, {"plc", kwCompanySuffix},
	{"有限公司", kwCompanySuffix}, {"有限責任公司", kwCompanySuffix}, {"有限责任公司", kwCompanySuffix},
	{"集团", kwCompanySuffix}, {"集團", kwCompanySuffix},
	{"pt", kwCompanyPrefix}, {"pt.", kwCompanyPrefix}, {"cv", kwCompanyPrefix}, {"công ty", kwCompanyPrefix},
	{"ក្រុមហ៊ុន", kwCompanyPrefix}, {"บริษัท", kwThaiCompany},

	// Roles: recruiter.
	{"recruiter", kwRoleRecruiter}, {"recruiting", kwRoleRecruiter}, {"recruitment", kwRoleRecruiter},
	{"agent", kwRoleRecruiter}, {"agents", kwRoleRecruiter}, {"agency", kwRoleRecruiter}, {"broker", kwRoleRecruiter},
	{"hr", kwRoleRecruiter}, {"human resources", kwRoleRecruiter}, {"contact us", kwRoleRecruiter | kwPhone},
	{"apply", kwRoleRecruiter}, {"job", kwRoleRecruiter}, {"jobs", kwRoleRecruiter}, {"việc làm", kwRoleRecruiter},
	{"ការងារ", kwRoleRecruiter}, {"岗位", kwRoleRecruiter}, {"apply now", kwRoleRecruiter}, {"hiring", kwRoleRecruiter},
	{"vacancy", kwRoleRecruiter}, {"interview", kwRoleRecruiter}, {"job offer", kwRoleRecruiter},
	{"招聘", kwRoleRecruiter}, {"中介", kwRoleRecruiter}, {"人事", kwRoleRecruiter}, {"应聘", kwRoleRecruiter},
	{"高薪", kwRoleRecruiter}, {"招人", kwRoleRecruiter}, {"诚聘", kwRoleRecruiter}, {"联系我们", kwRoleRecruiter},
	{"咨询", kwRoleRecruiter}, {"蛇头", kwRoleRecruiter},
	{"ฝ่ายบุคคล", kwRoleRecruiter}, {"สมัครงาน", kwRoleRecruiter}, {"รับสมัคร", kwRoleRecruiter},
	{"นายหน้า", kwRoleRecruiter}, {"สนใจติดต่อ", kwRoleRecruiter},
	{"tuyển dụng", kwRoleRecruiter}, {"tuyển", kwRoleRecruiter}, {"môi giới", kwRoleRecruiter}, {"sếp", kwRoleRecruiter},
	{"ứng tuyển", kwRoleRecruiter}, {"lowongan", kwRoleRecruiter}, {"loker", kwRoleRecruiter},
	{"agen", kwRoleRecruiter}, {"perekrut", kwRoleRecruiter}, {"calo", kwRoleRecruiter}, {"sponsor", kwRoleRecruiter},
	{"ជ្រើសរើស", kwRoleRecruiter}, {"ភ្នាក់ងារ", kwRoleRecruiter}, {"មេខ្យល់", kwRoleRecruiter},

	// Roles: payment.
	{"usdt", kwRolePayment}, {"ransom", kwRolePayment}, {"pay", kwRolePayment}, {"paid", kwRolePayment},
	{"payment", kwRolePayment}, {"deposit", kwRolePayment}, {"transfer", kwRolePayment}, {"send", kwRolePayment},
	{"wallet", kwRolePayment}, {"bitcoin", kwRolePayment}, {"btc", kwRolePayment}, {"trc20", kwRolePayment},
	{"trc-20", kwRolePayment}, {"erc20", kwRolePayment}, {"erc-20", kwRolePayment}, {"fee", kwRolePayment},
	{"赎金", kwRolePayment}, {"贖金", kwRolePayment}, {"转账", kwRolePayment}, {"打款", kwRolePayment},
	{"付款", kwRolePayment}, {"钱包", kwRolePayment}, {"汇款", kwRolePayment}, {"交钱", kwRolePayment},
	{"赔偿", kwRolePayment}, {"赔钱", kwRolePayment}, {"转到", kwRolePayment}, {"打到", kwRolePayment},
	{"ค่าไถ่", kwRolePayment}, {"โอนเงิน", kwRolePayment}, {"โอน", kwRolePayment}, {"กระเป๋าเงิน", kwRolePayment},
	{"จ่าย", kwRolePayment},
	{"tiền chuộc", kwRolePayment}, {"chuyển khoản", kwRolePayment}, {"chuyển tiền", kwRolePayment},
	{"chuyển", kwRolePayment}, {"ví", kwRolePayment}, {"trả", kwRolePayment},
	{"tebusan", kwRolePayment}, {"bayar", kwRolePayment}, {"tebus", kwRolePayment}, {"dompet", kwRolePayment},
	{"kirim", kwRolePayment},
	{"លុយលោះ", kwRolePayment}, {"ផ្ទេរប្រាក់", kwRolePayment}, {"បង់ប្រាក់", kwRolePayment}, {"ផ្ញើលុយ", kwRolePayment},
	{"បង់", kwRolePayment}, {"ផ្ទេរ", kwRolePayment},

	// Roles: the victim's or the family's own contact.
	{"my brother", kwRoleVictim}, {"my sister", kwRoleVictim}, {"my son", kwRoleVictim},
	{"my daughter", kwRoleVictim}, {"my husband", kwRoleVictim}, {"my wife", kwRoleVictim},
	{"my father", kwRoleVictim}, {"my mother", kwRoleVictim}, {"my cousin", kwRoleVictim},
	{"my nephew", kwRoleVictim}, {"my niece", kwRoleVictim}, {"my friend", kwRoleVictim},
	{"my number", kwRoleVictim}, {"my phone", kwRoleVictim}, {"my whatsapp", kwRoleVictim | kwWhatsApp | kwPhone},
	{"my telegram", kwRoleVictim | kwTelegram}, {"my line", kwRoleVictim}, {"my email", kwRoleVictim},
	{"my e-mail", kwRoleVictim}, {"my mom", kwRoleVictim}, {"my dad", kwRoleVictim},
	{"reach me", kwRoleVictim}, {"call me", kwRoleVictim | kwPhone}, {"contact me", kwRoleVictim | kwPhone},
	{"我的电话", kwRoleVictim | kwPhone}, {"我的手机", kwRoleVictim | kwPhone}, {"我的微信", kwRoleVictim | kwWeChat},
	{"我的号码", kwRoleVictim | kwPhone}, {"我弟弟", kwRoleVictim}, {"我哥哥", kwRoleVictim}, {"我儿子", kwRoleVictim},
	{"我女儿", kwRoleVictim}, {"我老公", kwRoleVictim}, {"我丈夫", kwRoleVictim}, {"我妻子", kwRoleVictim},
	{"我老婆", kwRoleVictim}, {"我妹妹", kwRoleVictim}, {"我姐姐", kwRoleVictim}, {"家人", kwRoleVictim},
	{"联系我", kwRoleVictim}, {"我爸", kwRoleVictim}, {"我妈", kwRoleVictim}, {"我表弟", kwRoleVictim},
	{"我朋友", kwRoleVictim}, {"我侄子", kwRoleVictim},
	{"น้องชาย", kwRoleVictim}, {"พี่ชาย", kwRoleVictim}, {"ลูกชาย", kwRoleVictim}, {"ลูกสาว", kwRoleVictim},
	{"สามี", kwRoleVictim}, {"ภรรยา", kwRoleVictim}, {"น้องสาว", kwRoleVictim}, {"พี่สาว", kwRoleVictim},
	{"เบอร์ของฉัน", kwRoleVictim | kwPhone}, {"เบอร์ผม", kwRoleVictim | kwPhone}, {"เบอร์ฉัน", kwRoleVictim | kwPhone},
	{"ติดต่อฉัน", kwRoleVictim}, {"ติดต่อผม", kwRoleVictim}, {"ครอบครัว", kwRoleVictim},
	{"em trai", kwRoleVictim}, {"anh trai", kwRoleVictim}, {"con trai", kwRoleVictim}, {"con gái", kwRoleVictim},
	{"chồng tôi", kwRoleVictim}, {"vợ tôi", kwRoleVictim}, {"em gái", kwRoleVictim}, {"chị gái", kwRoleVictim},
	{"số của tôi", kwRoleVictim | kwPhone}, {"số tôi", kwRoleVictim | kwPhone}, {"liên hệ tôi", kwRoleVictim},
	{"gia đình", kwRoleVictim}, {"bố tôi", kwRoleVictim}, {"mẹ tôi", kwRoleVictim}, {"cháu tôi", kwRoleVictim},
	{"adik saya", kwRoleVictim}, {"kakak saya", kwRoleVictim}, {"anak saya", kwRoleVictim},
	{"suami saya", kwRoleVictim}, {"istri saya", kwRoleVictim}, {"nomor saya", kwRoleVictim | kwPhone},
	{"hubungi saya", kwRoleVictim | kwPhone}, {"keluarga", kwRoleVictim}, {"ibu saya", kwRoleVictim},
	{"ayah saya", kwRoleVictim}, {"sepupu saya", kwRoleVictim},
	{"ប្អូនប្រុស", kwRoleVictim}, {"បងប្រុស", kwRoleVictim}, {"កូនប្រុស", kwRoleVictim}, {"កូនស្រី", kwRoleVictim},
	{"ប្តី", kwRoleVictim}, {"ប្រពន្ធ", kwRoleVictim}, {"ប្អូនស្រី", kwRoleVictim}, {"លេខខ្ញុំ", kwRoleVictim | kwPhone},
	{"គ្រួសារ", kwRoleVictim}, {"ម្តាយ", kwRoleVictim},

	// Roles: the compound and its people.
	{"compound", kwRoleCompound}, {"boss", kwRoleCompound}, {"the boss", kwRoleCompound},
	{"manager", kwRoleCompound}, {"supervisor", kwRoleCompound}, {"guard", kwRoleCompound},
	{"guards", kwRoleCompound}, {"team leader", kwRoleCompound},
	{"园区", kwRoleCompound}, {"園區", kwRoleCompound}, {"老板", kwRoleCompound}, {"主管", kwRoleCompound},
	{"组长", kwRoleCompound}, {"保安", kwRoleCompound}, {"ศูนย์", kwRoleCompound}, {"เจ้านาย", kwRoleCompound},
	{"หัวหน้า", kwRoleCompound}, {"ตึก", kwRoleCompound}, {"ông chủ", kwRoleCompound}, {"quản lý", kwRoleCompound},
	{"khu", kwRoleCompound}, {"bos", kwRoleCompound}, {"mandor", kwRoleCompound}, {"ថៅកែ", kwRoleCompound},
	{"មេក្រុម", kwRoleCompound}, {"អគារ", kwRoleCompound},
}

// keyword is one keyword occurrence in the view.
type keyword struct {
	start, end int
	class      kwClass
	entry      int32 // index in keywordList
}

// word returns the keyword as listed (lower case).
func (k keyword) word() string { return keywordList[k.entry].word }

// kwTrie is a byte trie over the lower-cased keywords. The root's children
// are in a table because every word start probes it.
type kwTrie struct {
	*bytetrie.Trie                      // entries index keywordList
	pairs          pairSet              // the first two bytes of every Latin keyword
	wide           [1 << 16 / 64]uint64 // bit set for a hash of the first six bytes of every other keyword
}

// mayStart reports cheaply whether a keyword can start at t[i].
func (k *kwTrie) mayStart(t string, i int) bool {
	if t[i] >= 0x80 {
		if i+6 > len(t) {
			return false
		}
		h := bytetrie.Hash6(t[i:])
		return k.wide[h/64]&(1<<(h%64)) != 0
	}
	return k.pairs.has(t, i)
}

// A pairSet is a set of two-byte beginnings of lower-case words, ASCII
// letters matching in either case. It is kept small so that it stays in
// the first-level cache — it is probed at nearly every word start of a
// text: rows[row[c0]] is the set of second bytes after the first byte c0,
// row 0 the empty one.
type pairSet struct {
	row  [256]uint8
	rows [][4]uint64
}

// add puts the first two bytes of w in the set, both cases of an ASCII
// letter among them.
func (ps *pairSet) add(w string) {
	if w[0] >= 'A' && w[0] <= 'Z' || w[1] >= 'A' && w[1] <= 'Z' {
		panic("extract: pairSet word " + w + " is not lower case")
	}
	if ps.rows == nil {
		ps.rows = make([][4]uint64, 1) // the empty row
	}
	for _, c0 := range bothCases(w[0]) {
		if ps.row[c0] == 0 {
			if len(ps.rows) == 256 {
				panic("extract: pairSet has too many first bytes")
			}
			ps.row[c0] = uint8(len(ps.rows))
			ps.rows = append(ps.rows, [4]uint64{})
		}
		r := &ps.rows[ps.row[c0]]
		for _, c1 := range bothCases(w[1]) {
			r[c1/64] |= 1 << (c1 % 64)
		}
	}
}

// bothCases returns c and, for an ASCII letter, its other case.
func bothCases(c byte) []byte {
	if isLetter(c) {
		return []byte{c | 0x20, c &^ 0x20}
	}
	return []byte{c}
}

// has reports whether s[i:i+2], ASCII letters folded to lower case, is in
// the set.
func (ps *pairSet) has(s string, i int) bool {
	if i+1 >= len(s) {
		return false
	}
	r := ps.row[s[i]]
	if r == 0 {
		return false
	}
	c1 := s[i+1]
	return ps.rows[r][c1/64]&(1<<(c1%64)) != 0
}

var keywords = func() *kwTrie {
	t := &kwTrie{Trie: bytetrie.New()}
	for i, k := range keywordList {
		w := lowerASCII(k.word)
		if e := t.Insert(w, int32(i)); e >= 0 {
			panic("extract: duplicate keyword " + k.word + " / " + keywordList[e].word)
		}
		switch {
		case w[0] < 0x80:
			t.pairs.add(w)
		case len(w) >= 6:
			h := bytetrie.Hash6(w)
			t.wide[h/64] |= 1 << (h % 64)
		case len(w) == 5:
			// "加v:": every sixth byte, and ASCII letters in both cases
			// (the hash reads the text as written).
			for _, v := range caseVariants(w) {
				for c := range 256 {
					h := bytetrie.Hash6(v + string([]byte{byte(c)}))
					t.wide[h/64] |= 1 << (h % 64)
				}
			}
		default:
			panic("extract: keyword " + k.word + " is too short")
		}
	}
	return t
}()

// caseVariants returns w with its ASCII letters in every mix of cases.
func caseVariants(w string) []string {
	out := []string{""}
	for i := 0; i < len(w); i++ {
		var next []string
		for _, p := range out {
			for _, c := range bothCases(w[i]) {
				next = append(next, p+string([]byte{c}))
			}
		}
		out = next
	}
	return out
}

// keywords finds keyword occurrences in the view, leftmost-longest.
func (s *scanner) keywords() {
	t := s.t
	for i := 0; i < len(t); {
		for i < len(t) && kwPass[t[i]] {
			i++
		}
		if i == len(t) {
			break
		}
		c := t[i]
		if c >= 0x80 && c < 0xC0 {
			i++
			continue
		}
		if isAlnum(c) && i > 0 && (isAlnum(t[i-1]) || t[i-1] == '_') {
			i++
			continue
		}
		if !keywords.mayStart(t, i) {
			if c >= 0xE0 {
				i = pastChar3(t, i) // its continuation bytes start nothing
			} else {
				i = pastWord(t, i)
			}
			continue
		}
		end, entry := keywords.longest(t, i)
		if entry < 0 {
			i = pastWord(t, i)
			continue
		}
		k := keywordList[entry]
		if s.kws == nil {
			s.kws = make([]keyword, 0, shortKeywords)
		}
		s.kws = append(s.kws, keyword{start: i, end: end, class: k.class, entry: int32(entry)})
		i = end
	}
}

// kwPass marks the bytes the keyword scan passes over one at a time
// without a look-up: UTF-8 continuation bytes, and the ASCII bytes that
// are not letters or digits and start no keyword's first two bytes (the
// scan's test there fails, and pastWord moves on by one).
var kwPass = func() (t [256]bool) {
	for c := 0x80; c < 0xC0; c++ {
		t[c] = true
	}
	for c := 0; c < 0x80; c++ {
		t[c] = !isAlnum(byte(c)) && keywords.pairs.row[c] == 0
	}
	return t
}()

// pastWord returns where the keyword scan goes on after finding no
// keyword at t[i]: past the letters and digits that follow an ASCII letter
// or digit there, which cannot start one (a keyword starting with a letter
// or digit starts a word), else at i+1.
func pastWord(t string, i int) int {
	if !isAlnum(t[i]) {
		return i + 1
	}
	for i++; i < len(t) && isAlnum(t[i]); i++ {
	}
	return i
}

func (t *kwTrie) longest(text string, start int) (end, entry int) {
	end, entry = -1, -1
	n := int32(0)
	for i := start; i < len(text); i++ {
		c := text[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		n = t.Next(n, c)
		if n == 0 {
			break
		}
		e := t.Entry(n)
		if e < 0 {
			continue
		}
		if (isAlnum(text[i]) || isLetter(keywordList[e].word[0])) && i+1 < len(text) && (isAlnum(text[i+1]) || text[i+1] == '_') {
			continue // ends inside a word
		}
		if i+1 < len(text) && text[i+1] >= 0x80 && text[i+1] < 0xC0 {
			continue // ends inside a character
		}
		end, entry = i+1, int(e)
	}
	return end, entry
}

// kwBefore returns the keyword of class c nearest before pos that ends no
// more than gap bytes before it, with only the bytes allowed by sep between.
func (s *scanner) kwBefore(pos int, c kwClass, gap int, sep func(from, to int) bool) (keyword, bool) {
	for i := s.kwIndexBefore(pos); i >= 0; i-- {
		k := s.kws[i]
		if pos-k.end > gap {
			break
		}
		if k.class&c != 0 && (sep == nil || sep(k.end, pos)) {
			return k, true
		}
	}
	return keyword{}, false
}

// kwIndexBefore returns the index of the last keyword ending at or before
// pos, or -1. Keywords do not overlap, so they end in order. As in
// claimsBefore, the search starts from the last answer, a few steps
// either way, since the scanners ask about places near the last one, and
// falls back to a binary search.
func (s *scanner) kwIndexBefore(pos int) int {
	k := s.kws
	i := min(s.kwHint, len(k)) // the number of keywords ending at or before pos
	for n := 0; n < 4; n++ {
		switch {
		case i < len(k) && k[i].end <= pos:
			i++
		case i > 0 && k[i-1].end > pos:
			i--
		default:
			s.kwHint = i
			return i - 1
		}
	}
	lo, hi := 0, len(k)
	for lo < hi {
		m := (lo + hi) / 2
		if k[m].end <= pos {
			lo = m + 1
		} else {
			hi = m
		}
	}
	s.kwHint = lo
	return lo - 1
}
