package screen_test

import (
	"testing"

	"github.com/vigil-project/vigil/internal/screen"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Chinese: surname, then the given name joined.
		{"王小明", "wang xiaoming"},
		{"Wang Xiaoming", "wang xiaoming"},
		{"欧阳娜娜", "ouyang nana"},
		{"单田芳", "shan tianfang"},
		{"曾国藩", "zeng guofan"},
		{"吕布", "lu bu"},
		{"汇旺集团有限公司", "hui wang"},
		// Pinyin with tone marks or tone numbers.
		{"Xí Jìnpíng", "xi jinping"},
		{"Xi2 Jin4ping2", "xi jinping"},
		{"Lü3 Bu4", "lu bu"},
		{"A1 Trading", "a1 trading"},
		{"Route 66", "route 66"},
		// Arabic script: a vowel after every consonant without one,
		// the article split off, common words spelled as usual.
		{"محمد بن سلمان", "muhammad bin salaman"},
		{"بشار الأسد", "bashar al asad"},
		{"عبد الله", "abd allah"},
		{"أيمن الظواهري", "aiman al zwahari"},
		{"قاسم سليماني", "qasam salimani"},
		{"محمد، علي", "muhammad ali"},
		// Khmer, after CLDR Khmer-Latin (see khmer.go).
		{"ទ្រី ភាព", "tri pheap"},
		{"ឧកញ៉ា ទ្រី ភាព", "tri pheap"},
		{"ហ៊ុន សែន", "hun sen"},
		{"សុខ", "sok"},
		{"សុខា", "sokha"},
		{"ស្រី", "srei"},
		{"ខ្មែរ", "khmer"},
		{"ចន្ទ", "chan"},
		{"គង់", "kong"},
		{"ព្រះ", "preah"},
		{"ជា", "chea"},
		// Thai, after CLDR Thai-Latin simplified to RTGS (see thai.go).
		{"สมชาย", "somchai"},
		{"นายสมชาย ใจดี", "somchai chaidi"},
		{"ณัฐ รุ่งตะวันคีรี", "nat rungtawankhiri"},
		{"ทักษิณ ชินวัตร", "thaksin chinwat"},
		{"ประยุทธ์ จันทร์โอชา", "prayut chanocha"},
		{"สุเทพ เทือกสุบรรณ", "suthep thueaksuban"},
		{"บริษัท ไทยเบฟ จำกัด", "thaibep"},
		{"เพลง", "phleng"},
		{"เมือง", "mueang"},
		{"สวน", "suan"},
		// Diacritics, Cyrillic, Hangul.
		{"Nguyễn Văn Đức", "nguyen van duc"},
		{"Владимир Путин", "vladimir putin"},
		{"Müller", "muller"},
		{"O'Brien", "obrien"},
		// Titles and legal forms dropped, single letters joined, org words.
		{"Mr. Try Pheap", "try pheap"},
		{"Oknha Try Pheap", "try pheap"},
		{"M.D.S. THMORDA S.E.Z. CO., LTD.", "mds thmorda sez"},
		{"KINGS ROMANS GROUP", "kings romans"},
		{"Prince Holding Group", "prince"},
		{"KK YAMATERU", "yamateru"},
		{"BANCO NACIONAL DE CUBA", "bank national de cuba"},
		{"Co., Ltd.", "co ltd"},
		{"AL-ZAWAHIRI, Ayman", "al zawahiri ayman"},
		{"", ""},
		{"  ,,, ", ""},
	} {
		if got := screen.Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"16 Sep 1952", "1952-09-16"},
		{"Sep 1952", "1952-09"},
		{"1952", "1952"},
		{"circa 1960", "1960"},
		{"1960 to 1962", "1960/1962"},
		{"01 Jan 1960 to 31 Dec 1962", "1960-01-01/1962-12-31"},
		{"1952-09-16", "1952-09-16"},
		{"1952-09-16T00:00:00", "1952-09-16"},
		{"16/09/1952", "1952-09-16"},
		{"soon", ""},
	} {
		if got := screen.ParseDate(tc.in); got != tc.want {
			t.Errorf("ParseDate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{"KH": "KH", "kh": "KH", "Cambodia": "KH", "Korea, North": "KP", "Burma": "MM",
		"Hong Kong": "HK", "Cote d Ivoire": "CI", "Congo, Democratic Republic of the": "CD", "Thai": "TH", "Atlantis": ""} {
		if got := screen.CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
}
