package extract

import (
	"encoding/hex"
	"strings"
	"testing"
)

// Test vectors of BIP-173 and BIP-350.
var (
	validBech32 = []string{
		"A12UEL5L",
		"a12uel5l",
		"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
		"?1ezyfcl",
	}
	validBech32m = []string{
		"A1LQFN3A",
		"a1lqfn3a",
		"an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
		"abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
		"11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
		"split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
		"?1v759aa",
	}
	invalidBech32 = []string{
		" 1nwldj5", "\x7f1axkwrx", "\x801eym55h",
		"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
		"pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "de1lg7wt\xff", "A1G7SGD8", "10a06t8", "1qzzfhee",
		" 1xj0phk", "\x7f1g6xzxy", "\x801vctc34",
		"an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
		"qyrz8wqd2c9m", "1qyrz8wqd2c9m", "y1b0jsk6g", "lt1igcx5c0", "in1muywd", "mm1crxm3i", "au1s5cgom", "M1VUXWEZ",
		"16plkw9", "1p2gdwpf",
	}
	validSegwit = []struct{ addr, script string }{
		{"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
		{"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
		{"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
		{"BC1SW50QGDZ25J", "6002751e"},
		{"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"},
		{"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
		{"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
		{"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
	}
	invalidSegwit = []string{
		"tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
		"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
		"tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
		"BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
		"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
		"tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
		"bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
		"BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
		"bc1pw5dgrnzv",
		"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
		"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
		"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
		"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
		"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
		"bc1gmk9yu",
	}
)

func TestBech32Vectors(t *testing.T) {
	for _, s := range validBech32 {
		if _, _, c, ok := bech32Decode(s); !ok || c != bech32Const {
			t.Errorf("bech32Decode(%q) = %x, %v; want bech32", s, c, ok)
		}
	}
	for _, s := range validBech32m {
		if _, _, c, ok := bech32Decode(s); !ok || c != bech32mConst {
			t.Errorf("bech32Decode(%q) = %x, %v; want bech32m", s, c, ok)
		}
	}
	for _, s := range append(validBech32, validBech32m...) {
		// Flipping one data character must break the checksum.
		b := []byte(s)
		i := len(s) - 7
		b[i] = bech32Charset[(bech32Index[b[i]]+1)%32]
		if _, _, _, ok := bech32Decode(string(b)); ok {
			t.Errorf("bech32Decode(%q) succeeded after a changed character", b)
		}
	}
	for _, s := range invalidBech32 {
		h, _, c, ok := bech32Decode(s)
		if ok {
			t.Errorf("bech32Decode(%q) = %q, %x; want failure", s, h, c)
		}
	}
}

func TestSegwitVectors(t *testing.T) {
	for _, v := range validSegwit {
		hrp := "bc"
		ver, prog, ok := segwitDecode(hrp, v.addr)
		if !ok {
			hrp = "tb"
			ver, prog, ok = segwitDecode(hrp, v.addr)
		}
		if !ok {
			t.Errorf("segwitDecode(%q) failed", v.addr)
			continue
		}
		op := byte(0)
		if ver > 0 {
			op = byte(ver + 0x50)
		}
		got := hex.EncodeToString(append([]byte{op, byte(len(prog))}, prog...))
		if got != v.script {
			t.Errorf("segwitDecode(%q) script = %s, want %s", v.addr, got, v.script)
		}
		if want := hrp == "bc"; isBTCBech32(v.addr) != want {
			t.Errorf("isBTCBech32(%q) = %v, want %v", v.addr, !want, want)
		}
	}
	for _, s := range invalidSegwit {
		for _, hrp := range []string{"bc", "tb"} {
			if _, _, ok := segwitDecode(hrp, s); ok {
				t.Errorf("segwitDecode(%q, %q) succeeded, want failure", hrp, s)
			}
		}
	}
}

func TestBase58(t *testing.T) {
	valid := []struct {
		addr    string
		version byte
	}{
		{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", versionP2PKH}, // the genesis block's
		{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", versionP2PKH},
		{"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", versionP2SH},
		{"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", versionTRON}, // USDT's TRC-20 contract
	}
	for _, v := range valid {
		got, ok := base58Check(v.addr)
		if !ok || got != v.version {
			t.Errorf("base58Check(%q) = %#x, %v; want %#x", v.addr, got, ok, v.version)
		}
		b, _ := base58Decode(v.addr)
		if enc := base58Encode(b); enc != v.addr {
			t.Errorf("base58Encode(base58Decode(%q)) = %q", v.addr, enc)
		}
		if enc := base58CheckEncode(v.version, b[1:21]); enc != v.addr {
			t.Errorf("base58CheckEncode = %q, want %q", enc, v.addr)
		}
	}
	for _, s := range []string{
		"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", // checksum
		"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0", // '0' is not base58
		"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T",
		"", "1", "11111111111111111111111111111111111",
	} {
		if v, ok := base58Check(s); ok {
			t.Errorf("base58Check(%q) = %#x, want failure", s, v)
		}
	}
	if !isTRON("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t") || isTRON("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2") {
		t.Error("isTRON misjudges")
	}
	if !isBTCBase58("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy") || isBTCBase58("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t") {
		t.Error("isBTCBase58 misjudges")
	}
}

func TestEIP55(t *testing.T) {
	// Examples of EIP-55.
	for _, a := range []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	} {
		if valid, checksummed := ethChecksum(a); !valid || !checksummed {
			t.Errorf("ethChecksum(%q) = %v, %v; want valid, checksummed", a, valid, checksummed)
		}
	}
	for _, a := range []string{
		"0x52908400098527886E0F7030069857D2E4169EE7",
		"0xde709f2102306220921060314715629080e2fb77",
	} {
		if valid, checksummed := ethChecksum(a); !valid || checksummed {
			t.Errorf("ethChecksum(%q) = %v, %v; want valid, one case", a, valid, checksummed)
		}
	}
	for _, a := range []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", // wrong case in one letter
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
		"1x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
	} {
		if valid, _ := ethChecksum(a); valid {
			t.Errorf("ethChecksum(%q) valid, want invalid", a)
		}
	}
}

func TestIBAN(t *testing.T) {
	for _, s := range []string{"GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606", "NL91ABNA0417164300", "GB29NWBK60161331926819"} {
		if !isIBAN(s) {
			t.Errorf("isIBAN(%q) = false", s)
		}
	}
	for _, s := range []string{"GB82WEST12345698765433", "GB82WEST1234569876543", "XX82WEST12345698765432", "DE8937040044053201300O", ""} {
		if isIBAN(s) {
			t.Errorf("isIBAN(%q) = true", s)
		}
	}
}

func TestSpanMap(t *testing.T) {
	src := "a [.] b (dot) c"
	v, m := deobfuscate(src)
	if v != "a.b.c" || m == nil {
		t.Fatalf("deobfuscate(%q) = %q", src, v)
	}
	for _, tt := range []struct{ vs, ve, ss, se int }{
		{0, 5, 0, len(src)},
		{0, 1, 0, 1},
		{1, 2, 1, 6},
		{2, 3, 6, 7},
		{4, 5, 14, 15},
	} {
		if s, e := m.start(tt.vs), m.end(tt.ve); s != tt.ss || e != tt.se {
			t.Errorf("span %d:%d maps to %d:%d, want %d:%d", tt.vs, tt.ve, s, e, tt.ss, tt.se)
		}
	}
}

func TestSpanMapObfuscated(t *testing.T) {
	for _, tt := range []struct{ src, view, word, want string }{
		{"tel 0 1 2 . 3 4 5 . 6 7 8 now", "tel 012345678 now", "012345678", "0 1 2 . 3 4 5 . 6 7 8"},
		{"x 零一二三四五六七八。", "x 012345678。", "012345678", "零一二三四五六七八"},
		{"t dot me/rеcruit ok", "t.me/recruit ok", "recruit", "rеcruit"},
		{"@аbc and ок", "@abc and ок", "abc", "аbc"},
	} {
		v, maps := view(tt.src)
		if v != tt.view {
			t.Errorf("view(%q) = %q, want %q", tt.src, v, tt.view)
			continue
		}
		a := strings.Index(v, tt.word)
		b := a + len(tt.word)
		for j := len(maps) - 1; j >= 0; j-- {
			a, b = maps[j].start(a), maps[j].end(b)
		}
		if got := tt.src[a:b]; got != tt.want {
			t.Errorf("view(%q): %q maps back to %q, want %q", tt.src, tt.word, got, tt.want)
		}
	}
}

func FuzzBase58(f *testing.F) {
	f.Add("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
	f.Add("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
	f.Add("111")
	f.Fuzz(func(t *testing.T, s string) {
		b, ok := base58Decode(s)
		if !ok {
			return
		}
		if enc := base58Encode(b); enc != s {
			t.Fatalf("base58Encode(base58Decode(%q)) = %q", s, enc)
		}
		base58Check(s)
		isTRON(s)
		isBTCBase58(s)
	})
}

func FuzzBech32(f *testing.F) {
	for _, s := range append(validBech32, validBech32m...) {
		f.Add(s)
	}
	for _, v := range validSegwit {
		f.Add(v.addr)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hrp, data, _, ok := bech32Decode(s)
		if ok {
			for _, d := range data {
				if d >= 32 {
					t.Fatalf("bech32Decode(%q): data value %d", s, d)
				}
			}
			if hrp == "" {
				t.Fatalf("bech32Decode(%q): empty hrp", s)
			}
		}
		segwitDecode("bc", s)
		isBTCBech32(s)
		ethChecksum(s)
		isIBAN(s)
	})
}

func FuzzView(f *testing.F) {
	for _, s := range []string{"a [.] b (dot) c", "ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ", "hxxps[:]//x[.]y", "example . com", "a。b", "x [at] y {dot} z",
		"0 1 2 . 3 4 5 . 6 7 8", "zero one two three four five six seven", "零一二三四五六七八", "0️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣",
		"t dot me/x", "t.me/rеcruit", "@rеcruіt_job", "+855-12-three-four-five-678", "ⓐ①𝟎\xd0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, maps := view(s)
		for i := 0; i <= len(v); i++ {
			a, b := i, i
			for j := len(maps) - 1; j >= 0; j-- {
				a, b = maps[j].start(a), maps[j].end(b)
			}
			if a < 0 || a > len(s) || b < 0 || b > len(s) {
				t.Fatalf("view(%q): offset %d maps to %d, %d", s, i, a, b)
			}
		}
		if len(maps) == 0 && v != s {
			t.Fatalf("view(%q) = %q without a map", s, v)
		}
	})
}

func TestEncodedAddressesValidate(t *testing.T) {
	for i := range 50 {
		var h [20]byte
		for j := range h {
			h[j] = byte(i*31 + j*7)
		}
		if a := TRONAddress(h); !isTRON(a) {
			t.Errorf("TRONAddress(%x) = %s, not a valid TRON address", h, a)
		}
		a := ETHAddress(h)
		if valid, checksummed := ethChecksum(a); !valid || !checksummed {
			t.Errorf("ETHAddress(%x) = %s: valid %v, checksummed %v", h, a, valid, checksummed)
		}
	}
}
