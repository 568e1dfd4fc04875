package extract

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestParsePhoneFastAgrees checks the fast path against phonenumbers.Parse.
func TestParsePhoneFastAgrees(t *testing.T) {
	nums := []struct{ num, region string }{
		{"+85512345678", ""}, {"+855012345678", ""}, {"012345678", "KH"}, {"0977654321", "KH"}, {"+855977654321", ""},
		{"+66812345678", ""}, {"0812345678", "TH"}, {"021234567", "TH"}, {"+84912345678", ""}, {"0912345678", "VN"},
		{"+959791234567", ""}, {"09791234567", "MM"}, {"+8562055123456", ""}, {"02055123456", "LA"},
		{"13812345678", "CN"}, {"+8613812345678", ""}, {"01012345678", "CN"}, {"+6281234567890", ""},
		{"081234567890", "ID"}, {"0123456789", "MY"}, {"+60123456789", ""}, {"09171234567", "PH"},
		{"012345", "KH"}, {"0000000000", "TH"}, {"+8550000000", ""}, {"+85599999999999", ""}, {"12345678", "KH"},
		{"20240512", "KH"}, {"05122024", "KH"}, {"0123456789012", "TH"}, {"+66", ""}, {"+8551", ""},
	}
	for _, n := range nums {
		fast, fok, done := parsePhoneFast(n.num, n.region)
		if !done {
			continue
		}
		var slow string
		sok := false
		if pn, err := phonenumbers.Parse(n.num, n.region); err == nil && phonenumbers.IsValidNumber(pn) {
			slow, sok = phonenumbers.Format(pn, phonenumbers.E164), true
		}
		if fast != slow || fok != sok {
			t.Errorf("parsePhoneFast(%q, %q) = %q, %v; phonenumbers says %q, %v", n.num, n.region, fast, fok, slow, sok)
		}
	}
}

// TestValidatorsAgree compares the compiled validators with
// phonenumbers.IsValidNumber on many national numbers of every region
// they cover.
func TestValidatorsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	valid := 0
	for cc, region := range trunkZero {
		v := validators()[region]
		if v == nil {
			t.Fatalf("no validator for %s", region)
		}
		for range 3000 {
			// Lengths and first digits near those of real numbers, so that
			// many are valid.
			n := 7 + rng.IntN(6)
			b := make([]byte, n)
			b[0] = byte('1' + rng.IntN(9))
			for i := 1; i < n; i++ {
				b[i] = byte('0' + rng.IntN(10))
			}
			national := string(b)
			nn, _ := strconv.ParseUint(national, 10, 64)
			c := cc
			want := phonenumbers.IsValidNumber(&phonenumbers.PhoneNumber{CountryCode: &c, NationalNumber: &nn})
			if want {
				valid++
			}
			if got := v.valid(national); got != want {
				t.Errorf("%s %s: valid = %v, phonenumbers says %v", region, national, got, want)
			}
		}
	}
	if valid < 500 {
		t.Errorf("only %d of the numbers were valid: the test does not cover valid numbers", valid)
	}
}

// TestIntlInvalidAgrees checks that every international number intlInvalid
// turns down is one phonenumbers turns down too: random digits after '+',
// led by every calling code the library knows, then by random digits, and
// a few written cases.
func TestIntlInvalidAgrees(t *testing.T) {
	var codes []int
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		codes = append(codes, cc)
	}
	slices.Sort(codes)
	rng := rand.New(rand.NewPCG(7, 8))
	nums := []string{"+0012345678", "+050000", "+12", "+1", "+12345678", "+1099012345", "+34567890", "+2025550123", "+999123456"}
	for _, cc := range codes {
		for range 40 {
			b := []byte("+" + strconv.Itoa(cc))
			for n := rng.IntN(14); n > 0; n-- {
				b = append(b, byte('0'+rng.IntN(10)))
			}
			nums = append(nums, string(b))
		}
	}
	for range 5000 {
		b := []byte("+")
		for n := 1 + rng.IntN(16); n > 0; n-- {
			b = append(b, byte('0'+rng.IntN(10)))
		}
		nums = append(nums, string(b))
	}
	// Valid numbers: the library's examples of every type in every region,
	// and the same with a digit changed, added or cut.
	valid := 0
	for region := range phonenumbers.GetSupportedRegions() {
		for typ := phonenumbers.FIXED_LINE; typ <= phonenumbers.VOICEMAIL; typ++ {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			num := phonenumbers.Format(ex, phonenumbers.E164)
			nums = append(nums, num)
			valid++
			k := 2 + rng.IntN(len(num)-2)
			c := string(rune('0' + rng.IntN(10)))
			nums = append(nums, num[:k]+c+num[k+1:], num[:k]+c+num[k:], num[:k]+num[k+1:])
		}
	}
	if valid < 500 {
		t.Fatalf("only %d example numbers", valid)
	}
	rejected := 0
	for _, num := range nums {
		if !intlInvalid(num[1:]) {
			continue
		}
		rejected++
		if pn, err := phonenumbers.Parse(num, ""); err == nil && phonenumbers.IsValidNumber(pn) {
			t.Errorf("intlInvalid(%q) is true, but phonenumbers reads it as valid", num)
		}
	}
	if rejected < len(nums)/4 {
		t.Errorf("intlInvalid turned down only %d of %d numbers: the test does not exercise it", rejected, len(nums))
	}
	for _, num := range []string{"+0012345678", "+123456", "+34567890", "+12", "+12345678", "+1099012345", "+55551234"} {
		if !intlInvalid(num[1:]) {
			t.Errorf("intlInvalid(%q) = false, want true", num)
		}
	}
	for _, num := range []string{"+12025550123", "+441234567890", "+8613812345678", "+5511987654321", "+12a"} {
		if intlInvalid(num[1:]) {
			t.Errorf("intlInvalid(%q) = true, want false", num)
		}
	}
}
