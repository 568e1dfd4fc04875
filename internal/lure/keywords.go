package lure

// The keyword tables. Keywords are matched on folded text (lower case,
// full-width folded); Latin keywords only match at word boundaries, keywords
// in scripts without spaces match anywhere. Each list holds English and
// Chinese, then Khmer, Thai, Vietnamese (with and without diacritics where
// people commonly type both) and Indonesian where the phrase exists.
//
// They come from published warnings and case reports about scam-compound
// recruitment (IOM, UNODC, embassy and police notices, NGO intake notes) and
// from ordinary job-board vocabulary. Widening a list is cheap: the
// indicator weights, not the lists, decide the level.

// indicatorKeywords lists the phrases that show each keyword indicator.
var indicatorKeywords = map[string][]string{
	CodeNoExperience: {
		"no experience", "no experience needed", "no experience required", "no experience necessary",
		"experience not required", "experience is not required", "experience not necessary",
		"no prior experience", "no previous experience", "without experience", "zero experience",
		"no qualifications", "no qualification", "no degree required", "no degree needed",
		"no skills required", "no skill required", "no special skills", "no skills needed",
		"anyone can apply", "anyone can do", "beginners welcome", "beginner friendly",
		"fresh graduates welcome", "no cv needed", "no cv required", "no resume needed",
		"only need to know how to type", "just need a phone", "just need a smartphone",
		"无需经验", "无经验", "经验不限", "不需要经验", "不要求经验", "零基础", "小白", "学历不限",
		"无学历要求", "不限学历", "有无经验均可", "会打字即可", "会打字就行", "会上网", "新手可做", "包教包会", "手把手",
		"មិនត្រូវការបទពិសោធន៍", "មិនចាំបាច់មានបទពិសោធន៍", "គ្មានបទពិសោធន៍",
		"ไม่ต้องมีประสบการณ์", "ไม่จำเป็นต้องมีประสบการณ์", "ไม่มีประสบการณ์ก็ได้", "ไม่จำกัดวุฒิ",
		"không cần kinh nghiệm", "không yêu cầu kinh nghiệm", "chưa có kinh nghiệm", "không cần bằng cấp",
		"khong can kinh nghiem", "khong yeu cau kinh nghiem",
		"tanpa pengalaman", "tidak perlu pengalaman", "tidak butuh pengalaman", "tanpa ijazah",
		"pengalaman tidak diperlukan",
	},
	CodeTravelPaid: {
		"free flight", "free flights", "free air ticket", "free air tickets", "free airfare", "free ticket",
		"flight paid", "flights paid", "flight provided", "flights provided", "flight covered",
		"flight tickets covered", "flight ticket provided", "air ticket provided", "air ticket paid",
		"air tickets provided", "airfare provided", "airfare covered", "airfare paid", "ticket provided",
		"tickets provided", "ticket reimbursed", "ticket reimbursement", "reimbursed ticket",
		"visa paid", "visa provided", "visa covered", "free visa", "visa and flight", "flight and visa",
		"flight & visa", "visa & flight", "ticket and visa", "visa and ticket", "visa & ticket", "ticket & visa",
		"we pay for your flight", "company pays the flight", "company pays for the flight",
		"airfare reimbursed", "airfare reimbursement", "flight reimbursed", "flights reimbursed",
		"travel expenses paid", "travel expenses covered", "travel costs covered", "travel paid",
		"all expenses paid", "airport pickup", "airport pick-up", "airport pick up", "pick you up at the airport",
		"报销机票", "机票报销", "包机票", "机票全包", "免费机票", "来回机票", "往返机票", "报销路费", "路费报销",
		"报销车费", "包签证", "签证全包", "包办签证", "公司出机票", "机票公司出", "公司承担机票", "报机票",
		"包路费", "报销来回", "落地接机", "接机", "机场接",
		"សំបុត្រយន្តហោះឥតគិតថ្លៃ", "ចេញថ្លៃសំបុត្រយន្តហោះ", "ធ្វើទិដ្ឋាការជូន",
		"ฟรีตั๋วเครื่องบิน", "ตั๋วเครื่องบินฟรี", "ออกค่าตั๋วเครื่องบิน", "ทำวีซ่าให้", "ฟรีวีซ่า",
		"รับที่สนามบิน", "ออกค่าเดินทาง", "ฟรีค่าเดินทาง",
		"miễn phí vé máy bay", "bao vé máy bay", "hỗ trợ vé máy bay", "chi trả vé máy bay", "lo vé máy bay",
		"bao visa", "lo visa", "miễn phí visa", "đón tại sân bay", "bao chi phí đi lại",
		"mien phi ve may bay", "bao ve may bay", "ho tro ve may bay",
		"tiket pesawat gratis", "gratis tiket pesawat", "tiket ditanggung", "tiket pesawat ditanggung",
		"visa ditanggung", "biaya visa ditanggung", "dijemput di bandara", "semua biaya ditanggung",
	},
	CodeBoardPaid: {
		"free accommodation", "accommodation provided", "accommodation included", "accommodation is provided",
		"free housing", "housing provided", "free room", "free meals", "meals provided", "free food",
		"food and accommodation", "food & accommodation", "accommodation and meals", "room and board",
		"board and lodging", "free dormitory", "dormitory provided", "free lodging", "lodging provided",
		"free board",
		"包吃包住", "包吃住", "包食宿", "包住", "包吃", "提供食宿", "免费住宿", "提供住宿", "免费食宿",
		"吃住全包", "包三餐",
		"ស្នាក់នៅឥតគិតថ្លៃ", "ផ្តល់កន្លែងស្នាក់នៅ", "ផ្ដល់កន្លែងស្នាក់នៅ", "មានកន្លែងស្នាក់នៅ", "អាហារឥតគិតថ្លៃ",
		"ฟรีที่พัก", "มีที่พักให้", "ที่พักฟรี", "ฟรีอาหาร", "อาหารฟรี", "มีอาหารให้",
		"bao ăn ở", "bao ăn", "bao ở", "bao ăn uống", "miễn phí chỗ ở", "hỗ trợ chỗ ở", "ăn ở miễn phí",
		"bao an o", "bao an", "mien phi cho o",
		"mess gratis", "tempat tinggal gratis", "makan gratis", "akomodasi gratis", "disediakan mess",
	},
	CodeTouristVisa: {
		"tourist visa", "visit visa", "visitor visa", "travel visa", "no visa needed", "no visa required",
		"no need visa", "no need for visa", "no need for a visa", "visa not required", "visa not needed",
		"visa on arrival", "visa-free", "visa free", "without visa", "without a visa", "no work permit needed",
		"no work permit required", "without work permit", "without a work permit",
		"旅游签", "落地签", "免签", "不需要签证", "无需签证", "不用签证", "偷渡", "走小路",
		"ទិដ្ឋាការទេសចរណ៍", "មិនត្រូវការទិដ្ឋាការ",
		"วีซ่าท่องเที่ยว", "ไม่ต้องใช้วีซ่า", "ไม่ต้องทำวีซ่า",
		"visa du lịch", "không cần visa", "visa du lich", "khong can visa",
		"visa turis", "visa kunjungan", "visa wisata", "tanpa visa", "tidak perlu visa",
	},
	CodeCompoundArea: {
		"sihanoukville", "sihanouk ville", "sihanouk", "kampong som", "kompong som", "bavet", "poipet",
		"myawaddy", "myawadi", "kk park", "kk garden", "shwe kokko", "shwe koko", "yatai new city",
		"yatai city", "golden triangle", "kings romans", "king romans", "tachileik", "tachilek",
		"mong la", "mongla", "laukkai", "laukkaing", "kokang", "wa state", "boten", "bokeo", "tonpheung",
		"o'smach", "o smach", "osmach", "chrey thom", "thmor da", "koh kong", "mae sot", "hpa lu",
		"moc bai", "mộc bài", "myanmar border", "thai-myanmar border", "thai myanmar border",
		"myanmar-thai border", "缅甸边境", "泰缅边境", "ชายแดนพม่า",
		"西港", "西哈努克", "施亚努", "磅逊", "巴域", "木牌", "波贝", "妙瓦底", "kk园区", "亚太城", "亚太新城",
		"水沟谷", "金三角", "金木棉", "大其力", "勐拉", "缅甸老街", "果敢老街", "果敢", "佤邦", "磨丁", "博胶", "奥斯马",
		"戈公", "湄索", "缅北",
		"ក្រុងព្រះសីហនុ", "ខេត្តព្រះសីហនុ", "ព្រះសីហនុ", "បាវិត", "ប៉ោយប៉ែត", "កោះកុង", "អូរស្មាច់",
		"สีหนุวิลล์", "ปอยเปต", "เมียวดี", "แม่สอด", "ชเวโก๊กโก่", "สามเหลี่ยมทองคำ", "ท่าขี้เหล็ก", "บาเวต",
		"tam giác vàng", "tam giac vang", "xihanouk",
	},
	CodeAbroad: {
		"cambodia", "myanmar", "burma", "laos", "lao pdr", "dubai", "thailand", "philippines",
		"work abroad", "working abroad", "job abroad", "jobs abroad", "work overseas", "overseas job",
		"overseas jobs", "overseas work", "go abroad", "abroad", "overseas",
		"柬埔寨", "缅甸", "老挝", "迪拜", "泰国", "菲律宾", "东南亚", "出国", "海外", "境外", "国外", "出境", "金边",
		"បរទេស", "ក្រៅប្រទេស", "មីយ៉ាន់ម៉ា", "ឌូបៃ",
		"ต่างประเทศ", "กัมพูชา", "เขมร", "พม่า", "เมียนมา", "ดูไบ",
		"campuchia", "cam pu chia", "lào", "thái lan", "nước ngoài", "đi nước ngoài", "nuoc ngoai", "thai lan",
		"kamboja", "luar negeri", "filipina",
	},
	CodeLureRole: {
		"customer service", "customer support", "customer care", "cs staff", "cs agent", "typist",
		"typing job", "typing jobs", "typing work", "data entry", "translator", "interpreter",
		"game promoter", "game promotion", "online sales", "online marketing", "telemarketing",
		"telesales", "chat support", "chat agent", "chat operator", "online chat", "live chat",
		"admin staff", "online admin", "social media operator", "computer operator", "keyboard operator",
		"客服", "打字员", "打字", "录入", "数据录入", "文员", "翻译", "游戏推广", "推广员", "网络推广",
		"网络销售", "网销", "电销", "话务", "聊天", "荷官", "网投", "菠菜", "博彩", "盘口",
		"បម្រើអតិថិជន", "សេវាកម្មអតិថិជន", "វាយអក្សរ", "អ្នកបកប្រែ", "បញ្ចូលទិន្នន័យ", "លក់អនឡាញ",
		"แอดมิน", "พนักงานบริการลูกค้า", "บริการลูกค้า", "คอลเซ็นเตอร์", "พิมพ์งาน", "คีย์ข้อมูล",
		"นักแปล", "ขายออนไลน์", "การตลาดออนไลน์",
		"chăm sóc khách hàng", "cskh", "đánh máy", "nhập liệu", "phiên dịch", "biên dịch",
		"bán hàng online", "sale online", "telesale", "trực page", "cham soc khach hang", "danh may",
		"nhap lieu", "phien dich",
		"admin online", "penerjemah", "entri data", "input data", "pengetik",
	},
	CodeMessenger: {
		"telegram", "whatsapp", "whats app", "wechat", "we chat", "line id", "line app", "viber",
		"tg", "dm me", "inbox me", "pm me", "message me on", "contact me on",
		"飞机号", "纸飞机", "加飞机", "飞机联系", "飞机:", "飞机@", "电报", "微信", "加微", "加v", "vx", "wx",
		"私聊", "私信",
		"តេឡេក្រាម", "តេលេក្រាម",
		"ไลน์", "แอดไลน์", "ทักไลน์", "เทเลแกรม", "วอทส์แอป", "ทักแชท",
		"zalo", "nhắn tin", "liên hệ telegram",
		"hubungi wa", "chat wa", "japri",
	},
	CodeUrgency: {
		"urgent", "urgently", "urgent hiring", "urgently hiring", "start immediately", "start now",
		"immediate start", "start tomorrow", "start today", "no interview", "without interview",
		"without an interview", "no interview needed", "hired on the spot", "limited slots",
		"limited positions", "limited slot", "paid daily", "daily pay", "same-day pay", "same day pay",
		"quick money", "easy money", "fast money", "earn money fast",
		"急招", "急聘", "急需", "日结", "当天入职", "即刻上岗", "立即上岗", "马上上班", "直接上班", "无需面试",
		"免面试", "不用面试", "当天上班", "名额有限", "速来", "轻松赚钱", "快速赚钱", "日赚",
		"បន្ទាន់", "ចូលធ្វើការភ្លាម", "មិនចាំបាច់សម្ភាសន៍",
		"ด่วน", "เริ่มงานทันที", "ไม่ต้องสัมภาษณ์", "รับจำนวนจำกัด", "จ่ายรายวัน",
		"tuyển gấp", "đi làm ngay", "không cần phỏng vấn", "nhận việc ngay", "trả lương hàng ngày",
		"số lượng có hạn", "tuyen gap", "di lam ngay", "khong can phong van",
		"langsung kerja", "tanpa wawancara", "tanpa interview", "dibutuhkan segera", "gaji harian",
	},
	CodeUpfrontFee: {
		"registration fee", "processing fee", "application fee", "training fee", "placement fee",
		"deposit", "visa fee", "medical fee", "uniform fee", "pay a fee", "small fee", "refundable fee",
		"security deposit", "starter kit", "admin fee", "administration fee", "upfront payment",
		"advance payment", "pay for training", "pay for your training",
		"押金", "保证金", "培训费", "报名费", "服装费", "体检费", "中介费", "手续费", "介绍费", "办证费",
		"先交", "预付", "定金",
		"ប្រាក់កក់", "ថ្លៃចុះឈ្មោះ",
		"ค่าสมัคร", "ค่าดำเนินการ", "ค่ามัดจำ", "เงินมัดจำ", "ค่าเอกสาร",
		"phí đăng ký", "phí hồ sơ", "đặt cọc", "tiền cọc", "phí đào tạo", "phí môi giới", "phí xuất cảnh",
		"phi dang ky", "phi ho so", "dat coc",
		"biaya pendaftaran", "biaya administrasi", "uang jaminan", "biaya pelatihan", "biaya proses",
	},
	CodePassport: {
		"passport copy", "copy of passport", "copy of your passport", "send your passport",
		"send passport", "send us your passport", "passport photo", "photo of your passport",
		"passport details", "passport number", "hand over your passport", "keep your passport",
		"hold your passport", "submit your passport", "submit passport", "passport will be kept",
		"护照复印件", "护照照片", "护照拍照", "交护照", "扣护照", "扣押护照", "护照交给", "提供护照", "发护照",
		"护照号",
		"ថតលិខិតឆ្លងដែន", "ផ្ញើលិខិតឆ្លងដែន",
		"ส่งพาสปอร์ต", "สำเนาพาสปอร์ต", "สำเนาหนังสือเดินทาง", "ส่งหนังสือเดินทาง",
		"gửi hộ chiếu", "ảnh hộ chiếu", "bản sao hộ chiếu", "giữ hộ chiếu", "gui ho chieu",
		"kirim paspor", "foto paspor", "fotokopi paspor", "salinan paspor",
	},
}

// jobWords are the words of job advertising; an ad needs several of them (or
// job indicators) to be read as a job ad at all.
var jobWords = []string{
	"hiring", "we are hiring", "now hiring", "recruiting", "recruitment", "recruit", "vacancy", "vacancies",
	"job", "jobs", "position", "positions", "salary", "wage", "wages", "apply", "applicants", "applicant",
	"candidate", "candidates", "requirements", "responsibilities", "qualifications", "employment",
	"employer", "experience", "full-time", "full time", "part-time", "part time", "work from home",
	"per month", "/month", "benefits", "career", "careers", "title:", "description:", "staff wanted",
	"workers", "employee", "employees", "commission", "interview", "resume", "cv", "job description",
	"招聘", "诚聘", "高薪", "月薪", "薪资", "薪水", "工资", "底薪", "提成", "岗位", "职位", "待遇", "入职",
	"面试", "应聘", "求职", "员工", "福利", "学历", "任职", "简历", "名额", "招",
	"ការងារ", "ជ្រើសរើស", "ប្រាក់ខែ", "បុគ្គលិក", "ដាក់ពាក្យ",
	"รับสมัคร", "สมัครงาน", "เงินเดือน", "ตำแหน่ง", "พนักงาน", "รายได้", "คุณสมบัติ",
	"tuyển", "tuyển dụng", "việc làm", "lương", "công việc", "nhân viên", "ứng tuyển", "thu nhập",
	"tuyen dung", "viec lam", "luong",
	"lowongan", "loker", "gaji", "pekerjaan", "dibutuhkan", "karyawan", "pelamar",
}

// companyWords show a named, checkable employer: a company field or legal
// form, a web site, an address.
var companyWords = []string{
	"company:", "company profile", "about us", "about the company", "co., ltd", "co.,ltd", "co. ltd",
	"co ltd", "ltd", "ltd.", "limited", "inc", "inc.", "llc", "plc", "corporation", "corp.", "gmbh",
	"pte", "sdn bhd", "www.", "http://", "https://", "#url_", "website", "address:", "head office",
	"address", "located at", "our office", "公司介绍", "公司名称", "有限公司", "集团", "注册地址", "注册资本",
	"地址", "公司规模",
	"ក្រុមហ៊ុន", "บริษัท", "công ty", "cong ty", "perusahaan",
}

// Pairs: a travel or board word and a word of paying for it in the same
// clause make travel_paid or board_paid, however the ad phrases it ("the
// company pays your flight", "visa arranged", "free room and food").
var (
	travelNouns = []string{
		"flight", "air ticket", "airfare", "air fare", "plane ticket", "ticket", "visa", "travel", "travel costs",
		"机票", "签证", "路费", "车费", "往返",
		"សំបុត្រយន្តហោះ", "ទិដ្ឋាការ", "ตั๋วเครื่องบิน", "วีซ่า", "vé máy bay", "ve may bay", "tiket pesawat",
	}
	boardNouns = []string{
		"accommodation", "housing", "room", "dormitory", "dorm", "hostel", "lodging", "food", "meal",
		"board", "食宿", "住宿", "宿舍", "三餐", "吃住",
		"កន្លែងស្នាក់នៅ", "ที่พัก", "อาหาร", "chỗ ở", "cho o", "tempat tinggal", "mess",
	}
	payWords = []string{
		"paid", "pay", "pays", "free", "covered", "covers", "cover", "provided", "provide", "provides",
		"arranged", "arrange", "arranges", "reimbursed", "reimburse", "included", "sponsored", "on us",
		"包", "报销", "免费", "承担", "公司出", "提供", "全包", "负责",
		"ឥតគិតថ្លៃ", "ផ្តល់", "ฟรี", "ออกให้", "miễn phí", "bao", "hỗ trợ", "gratis", "ditanggung", "disediakan",
	}
)

// ageCues announce an age limit when a plausible age follows or precedes.
var ageCues = []string{
	"age", "aged", "ages", "years old", "yrs old", "age limit", "maximum age", "not older than",
	"年龄", "岁", "周岁", "អាយុ", "อายุ", "tuổi", "tuoi", "usia", "umur",
}

// telegramCues make a bare @handle a Telegram handle.
var telegramCues = []string{"telegram", "tg", "t.me/", "飞机", "电报", "តេឡេក្រាម", "เทเลแกรม"}

// negators cancel a fee or passport phrase in the same clause: "不收取任何
// 押金", "no deposit required", "không thu phí".
var negators = []string{
	"no", "not", "never", "without", "free of", "don't", "do not", "won't", "zero", "none",
	"不", "无", "免", "没有", "非", "零", "拒绝",
	"មិន", "គ្មាន", "ឥតគិតថ្លៃ",
	"ไม่", "ฟรี",
	"không", "khong", "miễn",
	"tidak", "tanpa", "bebas", "gratis",
}
