package extract_test

import (
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/extract"
)

var fuzzSeeds = []string{
	"Call +855 12 345 678 or 012345678 or 00855 12 345 678",
	"微信：zhang_88，电话：１３８１２３４５６７８ 我在西港",
	"hxxps://asia-careers[.]top/apply hr [at] jobs [dot] net example . com",
	"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
	"Line: @shop.th LINE ID somchai t.me/+AbCdEf123 wa.me/85512345678 facebook.com/profile.php?id=1000123",
	"លេខ ០១២ ៣៤៥ ៦៧៨ โทร ๐๘๑ ๒๓๔ ๕๖๗๘ (+855) 12-345-678)",
	"GB82 WEST 1234 5698 7654 32 Passport No. E1234567 บริษัท ABC จำกัด Công ty TNHH Ánh Dương",
	"call zero one two three four five six seven eight 电话 零一二三四五六七八 0️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",
	"t dot me/rеcruitjob88 @rеcruіt_job +855-12-three-four-five-678 0 1 2 . 3 4 5 . 6 7 8",
	"\xff\xfe[.](dot)@@..//::", "a[", "(", "hxxp", "０", "。", "\u3000\u3000",
}

func checkHits(t *testing.T, text string, hits []extract.Hit) {
	t.Helper()
	for i, h := range hits {
		if h.Start < 0 || h.End > len(text) || h.Start >= h.End {
			t.Fatalf("Text(%q): hit %d %+v has a bad span", text, i, h)
		}
		if i > 0 && hits[i-1].Start > h.Start {
			t.Fatalf("Text(%q): hits not ordered by Start", text)
		}
		if h.Value == "" || !utf8.ValidString(h.Value) {
			t.Fatalf("Text(%q): hit %+v has an empty or invalid value", text, h)
		}
		if !slices.Contains(extract.Kinds(), h.Kind) {
			t.Fatalf("Text(%q): hit %+v has an unknown kind", text, h)
		}
		if h.Confidence <= 0 || h.Confidence > 1 {
			t.Fatalf("Text(%q): hit %+v has confidence out of (0, 1]", text, h)
		}
		switch h.Role {
		case extract.RoleNone, extract.RoleRecruiter, extract.RoleCompound, extract.RolePayment, extract.RoleVictimContact:
		default:
			t.Fatalf("Text(%q): hit %+v has an unknown role", text, h)
		}
		if utf8.ValidString(text) && !utf8.ValidString(text[h.Start:h.End]) {
			t.Fatalf("Text(%q): hit %+v splits a character", text, h)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "KH")
	}
	f.Add("081-234-5678", "TH")
	f.Add("13812345678", "")
	f.Fuzz(func(t *testing.T, text, region string) {
		checkHits(t, text, extract.Text(text, extract.Options{Region: region}))
	})
}

func FuzzQuery(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "KH")
	}
	for _, s := range []string{"@name_one", "name_one", "+855 12 345 678", "t.me/x_y_z_1", "０１２３４５６７８"} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, q, region string) {
		h, ok := extract.Query(q, region)
		if !ok {
			return
		}
		if h.Value == "" || !utf8.ValidString(h.Value) || !slices.Contains(extract.Kinds(), h.Kind) {
			t.Fatalf("Query(%q) = %+v", q, h)
		}
		// A normalised value reads back as itself.
		again, ok := extract.Normalize(h.Kind, h.Value, region)
		if ok && again.Value != h.Value && h.Kind != extract.KindURL {
			t.Fatalf("Query(%q) = %s %q, but Normalize of that gives %q", q, h.Kind, h.Value, again.Value)
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, k := range extract.Kinds() {
		f.Add(string(k), "012 345 678")
		f.Add(string(k), "@name_one")
	}
	f.Add("btc", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
	f.Add("eth", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
	f.Add("iban", "GB82 WEST 1234 5698 7654 32")
	f.Fuzz(func(t *testing.T, kind, q string) {
		h, ok := extract.Normalize(extract.Kind(kind), q, "KH")
		if ok && (h.Value == "" || !utf8.ValidString(h.Value) || h.Kind != extract.Kind(kind)) {
			t.Fatalf("Normalize(%q, %q) = %+v", kind, q, h)
		}
	})
}
