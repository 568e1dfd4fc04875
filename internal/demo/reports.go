package demo

import "github.com/vigil-project/vigil/internal/intake"

type demoReport struct {
	key string
	sub *intake.Submission
}

// The recruiter in the "golden" reports appears as +855 12 345 678,
// 012345678 (Khmer digits in one report) and +855-12-345-678, and as the
// Telegram handle @golden_job_kh and t.me/golden_job_kh. The ransom wallet
// THkBghJeZtdGBAnWmEMojQGQhvy53ZMDEH is a valid TRON address made up for
// the demo.
func reports() []demoReport {
	return []demoReport{
		{"en-lure", &intake.Submission{
			Language: "en", Channel: "web", Country: "ID",
			Narrative: "My brother Budi answered a Facebook ad for customer service work in Phnom Penh: $1,500 a month, no experience needed, flight and visa paid. " +
				"The recruiter only talked on Telegram (@golden_job_kh) and WhatsApp +855 12 345 678. When he landed they drove him to a compound in Sihanoukville " +
				"with high walls and guards, took his passport and told him he owes $8,000 for the flight and training. He must scam people online 14 hours a day. " +
				"Yesterday he sent a voice message saying they beat a man who refused. He is still inside.",
			IncidentTypes: []string{"deceptive_recruitment", "confinement", "passport_confiscation", "forced_criminality"},
			Reporter:      &intake.Reporter{Name: "Siti Rahayu", Contact: "siti.rahayu.demo@example.org", Relationship: "sister"},
			Victims:       []intake.VictimIn{{Name: "Budi Santoso", Passport: "C1234567", Nationality: "ID", AgeBand: "26_35", Gender: "male", StillHeld: true}},
			Places:        []intake.PlaceIn{{Name: "Sihanoukville"}},
			Subjects:      []intake.SubjectIn{{Name: "Golden Bay Recruitment", Type: "company", Role: "recruiter"}},
			JobAd: "URGENT HIRING - Customer Service (Cambodia)\nSalary: $1,500/month + commission\nNo experience needed, age 18-35\nFree flight ticket, visa, food and accommodation\n" +
				"Start immediately, no interview\nContact HR on Telegram: t.me/golden_job_kh or WhatsApp +855 12 345 678",
		}},
		{"zh-xigang", &intake.Submission{
			Language: "zh", Channel: "web", Country: "CN",
			Narrative: "我是在抖音上看到的招聘广告，说在柬埔寨做客服，月薪3万，包吃包住，报销机票。对方的飞机号是 t.me/golden_job_kh，电话 +855-12-345-678。" +
				"到了西港以后被带进一个园区，护照被收走，每天被逼着做杀猪盘，完不成业绩就被电击。后来他们说要交赎金才放人，让我家里人往这个USDT地址打钱：THkBghJeZtdGBAnWmEMojQGQhvy53ZMDEH。" +
				"我家里凑了两万美金我才出来，同宿舍还有四个人没出来。",
			IncidentTypes: []string{"deceptive_recruitment", "confinement", "forced_criminality", "violence", "extortion_ransom"},
			Reporter:      &intake.Reporter{Name: "李明", Contact: "微信 liming_demo_88"},
			Victims: []intake.VictimIn{
				{Name: "李明", Nationality: "CN", AgeBand: "18_25", Gender: "male", StillHeld: false},
				{Nationality: "CN", AgeBand: "18_25", StillHeld: true},
			},
			Places:   []intake.PlaceIn{{Name: "西港"}},
			Subjects: []intake.SubjectIn{{Name: "金湾园区", Type: "company", Role: "compound"}},
		}},
		{"km-sihanoukville", &intake.Submission{
			Language: "km", Channel: "web", Country: "KH",
			Narrative: "កូនប្រុសខ្ញុំបានទៅធ្វើការនៅក្រុងព្រះសីហនុ តាមការផ្សព្វផ្សាយការងារនៅលើ Facebook ។ មេខ្យល់ម្នាក់ប្រើលេខទូរស័ព្ទ ០១២ ៣៤៥ ៦៧៨ និង Telegram @golden_job_kh ។ " +
				"ឥឡូវនេះគេមិនអនុញ្ញាតឱ្យគាត់ចេញទេ ហើយទាមទារប្រាក់ ៣០០០ ដុល្លារ។ គេនិយាយថាម្ចាស់អគារគឺ ទ្រី ភាព ។",
			IncidentTypes: []string{"deceptive_recruitment", "confinement", "extortion_ransom"},
			Reporter:      &intake.Reporter{Name: "សុខ ចាន់ធា", Contact: "+855 97 000 1111", Relationship: "mother"},
			Victims:       []intake.VictimIn{{Name: "ចាន់ វិចិត្រ", Nationality: "KH", AgeBand: "18_25", Gender: "male", StillHeld: true}},
			Places:        []intake.PlaceIn{{Name: "ក្រុងព្រះសីហនុ"}},
			Subjects:      []intake.SubjectIn{{Name: "ទ្រី ភាព", Type: "person", Role: "owner"}},
		}},
		{"th-poipet", &intake.Submission{
			Language: "th", Channel: "web", Country: "TH",
			Narrative: "น้องสาวของฉันได้รับการชักชวนทางไลน์ให้ไปทำงานแอดมินที่ปอยเปต เงินเดือน 35,000 บาท มีที่พักฟรี ไลน์ไอดี: poipet.admin.job " +
				"เมื่อไปถึงเขายึดหนังสือเดินทางและบังคับให้หลอกลวงคนไทยทางออนไลน์ ตอนนี้เธอยังถูกกักตัวอยู่ในอาคารใกล้คาสิโน",
			IncidentTypes: []string{"deceptive_recruitment", "confinement", "forced_criminality", "passport_confiscation"},
			Reporter:      &intake.Reporter{Name: "สมศรี ใจดี", Contact: "081 234 5678"},
			Victims:       []intake.VictimIn{{Name: "มาลี ใจดี", Nationality: "TH", AgeBand: "18_25", Gender: "female", StillHeld: true}},
			Places:        []intake.PlaceIn{{Name: "ปอยเปต"}},
		}},
		{"vi-myawaddy", &intake.Submission{
			Language: "vi", Channel: "web", Country: "VN",
			Narrative: "Em trai tôi và một người bạn được giới thiệu sang Thái Lan làm phục vụ nhà hàng, lương 1.200 USD. Người môi giới liên lạc qua Telegram @vieclam_thailan_vn " +
				"và số điện thoại 0912 345 678. Sau khi đến Mae Sot, họ bị đưa qua sông sang Myawaddy, vào khu KK Park. Họ bị đánh và bị bắt lừa đảo qua mạng. Cả hai vẫn còn bị giữ.",
			IncidentTypes: []string{"deceptive_recruitment", "trafficking_onward", "confinement", "violence", "forced_criminality"},
			Reporter:      &intake.Reporter{Name: "Nguyễn Thị Hoa", Contact: "hoa.nguyen.demo@example.org", Relationship: "sister"},
			Victims: []intake.VictimIn{
				{Name: "Nguyễn Văn Nam", Nationality: "VN", AgeBand: "18_25", Gender: "male", StillHeld: true},
				{Name: "Trần Văn Minh", Nationality: "VN", AgeBand: "18_25", Gender: "male", StillHeld: true},
			},
			Places: []intake.PlaceIn{{Name: "Mae Sot"}, {Name: "Myawaddy"}, {Name: "KK Park"}},
		}},
		{"blood", &intake.Submission{
			Language: "km", Channel: "phone", Country: "KH",
			Narrative: "ខ្ញុំបានឃើញការផ្សព្វផ្សាយការងារវាយអក្សរ ប្រាក់ខែ ១០០០ ដុល្លារ។ នៅក្នុងអគារនៅក្រុងព្រះសីហនុ គេបានបូមឈាមខ្ញុំរៀងរាល់សប្តាហ៍ ហើយលក់វា។ ខ្ញុំខ្សោយខ្លាំងណាស់។ " +
				"(I saw an ad for typing work, $1,000 a month. In the building in Sihanoukville they drew my blood every week and sold it. I am very weak.)",
			IncidentTypes: []string{"deceptive_recruitment", "confinement", "organ_blood_harvesting", "violence"},
			Reporter:      &intake.Reporter{Name: "ហេង សុភ័ក្រ", Contact: "+855 88 000 2222"},
			Victims:       []intake.VictimIn{{Name: "ហេង សុភ័ក្រ", Nationality: "KH", AgeBand: "18_25", Gender: "male", StillHeld: false}},
			Places:        []intake.PlaceIn{{Name: "Sihanoukville"}},
		}},
		{"en-bavet", &intake.Submission{
			Language: "en", Channel: "email", Country: "KH",
			Narrative: "I worked as a translator in a casino compound in Bavet near the Vietnam border for four months. Everyone there said the compound land belongs to Try Pheap. " +
				"New arrivals came every week from Vietnam and China. Payments to the bosses went to USDT wallet THnbPm4cG4yVM5mzkLRcmzUwqts4Jt6mT8. I left when my contract \"debt\" was paid.",
			IncidentTypes: []string{"forced_criminality", "confinement"},
			Places:        []intake.PlaceIn{{Name: "Bavet"}},
			Subjects:      []intake.SubjectIn{{Name: "Try Pheap", Type: "person", Role: "owner"}},
		}},
		{"id-bavet", &intake.Submission{
			Language: "id", Channel: "chat", Country: "ID",
			Narrative: "Suami saya berangkat ke Kamboja karena lowongan kerja operator komputer, gaji 20 juta rupiah per bulan, tiket pesawat ditanggung. Agennya menghubungi lewat WhatsApp wa.me/85512345678. " +
				"Sekarang dia ditahan di Bavet dan paspornya disita. Mereka minta tebusan 5.000 USDT.",
			IncidentTypes: []string{"deceptive_recruitment", "confinement", "passport_confiscation", "extortion_ransom"},
			Reporter:      &intake.Reporter{Name: "Dewi Lestari", Contact: "+62 812 0000 3333", Relationship: "wife"},
			Victims:       []intake.VictimIn{{Name: "Agus Pratama", Nationality: "ID", AgeBand: "26_35", Gender: "male", StillHeld: true}},
			Places:        []intake.PlaceIn{{Name: "Bavet"}},
		}},
	}
}
