package extract_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/extract"
)

// TestNoQuadraticBlowUp feeds Text large inputs made of one pattern repeated,
// the shape an attacker would send to make a worker spin: each must take
// about linear time. The bound is generous so that a loaded machine passes;
// a quadratic scan of a megabyte takes minutes.
func TestNoQuadraticBlowUp(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	patterns := []string{
		"wx:abc123 ", "A Ltd ", "account 1111111111 ", "https://x.com/TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t ",
		"@aaaaa ", "a.b.", "1-1-1-", "[.](.)", "a", "0", "０", "a@", "@a", "Line: ", "บริษัท ",
		"012 345 678 ", "my brother ", "ID ", "Co., Ltd. ", "西港", "+855 ", "hxxp://a[.]com/ ",
		"one ", "one-", "0 ", "0 . ", "零", "0️⃣", "①", "t dot me/a ", "t . ", "rе", "аa", "е", "@rеc ",
		"a ", "@ a . ", "x at a dot ", "a艾特", "double ", "nol ", "ប្រាំ", "ศูนย์", "★1", "t . me / ", "a _ ", "a 点 ", "www点a", "O9l", "t dot me slash a ",
		"1\n", "12-\n", "a\u200bb", "\u200b", "bc1q ", "TR7NHq ", "x dot com slash a ", "012 (wa) ", "wa ➡️ ",
		"j.", "a.", "a-", "w w w . a ", "a garis bawah ", "enam puluh ", "x#gmail.", "a @ b . com ", "(1)", "𝐚", "Line/WA/", "แอท a ขีดล่าง ",
		"⁸", "₆ ", "🇳 ", "b̲", "ᴀ", "a•com ", "【.】", "0 (có whatsapp) ", "TEcav3S76HK / ", "0xb4f2BC4FDC - ", "1BQ5e-", "ⓐ", "ⓓⓐ", "⁄", "48Z-", "tele → ", "www . a ", "a • com ", "a(underscore)", "(ขีดล่าง)", "a @ g m a i l . c o m ",
		"l", "0ll", "a下划线", "a(a)", "a\u00ad", "WeChat sếp ", "WeChat aa aa aa aa ", "WeChat aa: ", "❤", "whats@pp ", "x . com / @ ",
		"0x ", "0x", "a dot ", "a dot b at c dot co dot id ", "⋅", "加一", "二十", "a.\u200b", "7\u20e3", "a7\ufe0f\u20e3", "7\ufe0f\u20e3", "ไอดี: a๙",
		"h ", "h t t p s : / / ", "wa.me/1 ", "wa . me / 1 2 ", "wa.me/ 1 2 ", "wa.me / 1 2 ", "О9", "З", "a\u200b-", "微\u200b", "tracking 1 ", "ᴬ", "ˢ", "0_1_", "x-nospam@a.com ",
		",", "a1,com ", "www,", "a-b ; c o m ", "a ; ", "a\\_", "a\\/", "a.c0m ", "օ", "aօ",
		"<b>1</b>", "<span ", "<font color=red", "<", "&#64;", "&#", "&a", "&", "a\u200d", "1 ▪️ ", "1 /// ", "a🍥gmail.", "🍥", "\u2009", "a\u2024",
		"a @ b-", "_+1 ", "_", "w.a ", "watsup:::_", "https://a.com./", "https://a.com.", " ", "  at",
		"[1] a: 1\n", "a:\n1", "[", "a\u2062", "a\u3164", "https :// ", "IG: a . ", "a\\.", "a (at) ", "a . b (at) ", "О7", "0️⃣ 🌸1", "@ a ", "a-\u200b",
		"a©gmail.", "ä.b@c ", "aı.b_", "ä", "www dot a dot com ", "(at) NOSPAM ", "a. com/ ", "A.Com/", "4lO", "L-i-", "微 ", "微 信 ", "加v:", "1￥2", "1%2",
		"a\n", "加\n", "/%6B", "%6", "a/ ", "a.com/ ", "d#i#", "a.com / b / ", "SS", "S", "[1/3] 0x5a\n", "x@a titik ", "LINE ( a", "国公",
		"a @ g mail ", "@g mail.", "Te-le-", "a-b-", " *at* ", "*", "a·b·", "a…", "·", "@$a", "$", "wat sap ",
		"a @ proton . ", "vvv.", "v", "前面 1\n", "(a) 1\n", "ไอดี a จุด ", "IG: a dot ", "a*com ", "a at gmail.", "W.A • ", "1433 ab ",
		"【a 】", "话1234567\n[a] b：1", "https:// ", "tele gram: ", "WA1", "wa0", "12345678\n(a) 1\n",
		"Z a l o ", "a b ", "បង៖ 1\n", "បង៖", "090 chấm 31 ", "12 dot 34 dot ", "12 ", "1111 ", "line . me / a / ", "a / ~b / ",
		"facebook com/a ", "facebook com", "微\na\n", "薇:a", "薇：1 ", ":",
		"wa a ➡ ", "a ➡", "t.me/ö", "a.com/ö/", "ｇ。", "ａ。ｂ", "1 ⑨ ", "+1 ⑨ 2 ", "០\n", "០៦ ០\n",
		"a{{at}}b{{dot}}com ", "{{", "((", "a@b.cc@", "加微[a]信", "微[", "微[a]", "LINE @ a ", "@ a ", "CCCD 1 ", "身份证 1 ",
		"a [D0T] ", "a@NOSPAMb.com ", "a@b.REMOVEMEcom ", "nospam", "a_1 on telegram ", "on telegram ", "微信\n1\n", "WA\n0",
		"no. PH ", "ọ", "aọ.b ", "gọi ", "1\u2062 1", "+1 2\n1234567 ", "+1\n",
		"㈠", "㊀ ", "0 x ", "0 x 5 a ", "0 x\n", "1\n-", "12-\n-1", "12\n-12\n-", "អត្តសញ្ញាណប័ណ្ណលេខ 1 ", "t . m e / a ", "t . m e ", "s . id / a ", "s . id ", "s . ",
	}
	for _, p := range patterns {
		text := strings.Repeat(p, (1<<20)/len(p))
		start := time.Now()
		hits := extract.Text(text, extract.Options{Region: "KH"})
		if d := time.Since(start); d > 15*time.Second {
			t.Errorf("Text(%q × %d) took %v (%d hits)", p, len(text)/len(p), d, len(hits))
		}
	}
}
