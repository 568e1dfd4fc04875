package extract

import (
	"crypto/sha256"
	"math/big"
	"strings"

	"golang.org/x/crypto/sha3"
)

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Index maps an ASCII byte to its base58 digit, or -1.
var base58Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = int8(i)
	}
	return t
}()

// base58Decode decodes s, keeping one zero byte for each leading '1'.
func base58Decode(s string) ([]byte, bool) {
	if len(s) == 0 || len(s) > 128 {
		return nil, false
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// Big-endian base-256 number in buf[len(buf)-used:]; log(58)/log(256)
	// bounds its size.
	buf := make([]byte, (len(s)-zeros)*733/1000+1)
	used := 0
	for i := zeros; i < len(s); i++ {
		d := base58Index[s[i]]
		if d < 0 {
			return nil, false
		}
		carry := int(d)
		j := len(buf) - 1
		for ; j >= len(buf)-used || carry != 0; j-- {
			carry += int(buf[j]) * 58
			buf[j] = byte(carry)
			carry >>= 8
		}
		used = len(buf) - 1 - j
	}
	out := make([]byte, zeros+used)
	copy(out[zeros:], buf[len(buf)-used:])
	return out, true
}

// base58Encode encodes b, writing a '1' for each leading zero byte.
func base58Encode(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	n := new(big.Int).SetBytes(b)
	var digits []byte
	base, mod := big.NewInt(58), new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		digits = append(digits, base58Alphabet[mod.Int64()])
	}
	out := make([]byte, 0, zeros+len(digits))
	for range zeros {
		out = append(out, '1')
	}
	for i := len(digits) - 1; i >= 0; i-- {
		out = append(out, digits[i])
	}
	return string(out)
}

func doubleSHA256(b []byte) [32]byte {
	h := sha256.Sum256(b)
	return sha256.Sum256(h[:])
}

// base58Check decodes a base58check string of a 20-byte hash with a one-byte
// version and reports the version.
func base58Check(s string) (version byte, ok bool) {
	b, ok := base58Decode(s)
	if !ok || len(b) != 25 {
		return 0, false
	}
	sum := doubleSHA256(b[:21])
	if [4]byte(sum[:4]) != [4]byte(b[21:]) {
		return 0, false
	}
	return b[0], true
}

// base58CheckEncode encodes a version byte and a 20-byte payload.
func base58CheckEncode(version byte, payload []byte) string {
	b := append([]byte{version}, payload...)
	sum := doubleSHA256(b)
	return base58Encode(append(b, sum[:4]...))
}

// Bitcoin mainnet address versions and TRON's.
const (
	versionP2PKH byte = 0x00
	versionP2SH  byte = 0x05
	versionTRON  byte = 0x41
)

// isBTCBase58 reports whether s is a valid legacy (P2PKH) or P2SH address.
func isBTCBase58(s string) bool {
	if len(s) < 26 || len(s) > 35 || (s[0] != '1' && s[0] != '3') {
		return false
	}
	v, ok := base58Check(s)
	return ok && (v == versionP2PKH && s[0] == '1' || v == versionP2SH && s[0] == '3')
}

// isTRON reports whether s is a valid TRON base58check address.
func isTRON(s string) bool {
	if len(s) != 34 || s[0] != 'T' {
		return false
	}
	v, ok := base58Check(s)
	return ok && v == versionTRON
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var bech32Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(bech32Charset); i++ {
		c := bech32Charset[i]
		t[c] = int8(i)
		if c >= 'a' && c <= 'z' {
			t[c-'a'+'A'] = int8(i)
		}
	}
	return t
}()

// Checksum constants of BIP-173 (bech32) and BIP-350 (bech32m).
const (
	bech32Const  = 1
	bech32mConst = 0x2bc830a3
)

func bech32Polymod(hrp string, data []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	step := func(v byte) {
		b := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := range 5 {
			if (b>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	for i := 0; i < len(hrp); i++ {
		step(hrp[i] >> 5)
	}
	step(0)
	for i := 0; i < len(hrp); i++ {
		step(hrp[i] & 31)
	}
	for _, v := range data {
		step(v)
	}
	return chk
}

// bech32Decode decodes a bech32 or bech32m string (BIP-173, BIP-350) into its
// lower-case human-readable part, its 5-bit data without checksum, and the
// checksum constant that matched.
func bech32Decode(s string) (hrp string, data []byte, constant uint32, ok bool) {
	if len(s) < 8 || len(s) > 90 {
		return "", nil, 0, false
	}
	lower, upper := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 {
			return "", nil, 0, false
		}
		lower = lower || c >= 'a' && c <= 'z'
		upper = upper || c >= 'A' && c <= 'Z'
	}
	if lower && upper {
		return "", nil, 0, false
	}
	s = strings.ToLower(s)
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 || sep+7 > len(s) {
		return "", nil, 0, false
	}
	hrp = s[:sep]
	data = make([]byte, 0, len(s)-sep-1)
	for i := sep + 1; i < len(s); i++ {
		d := bech32Index[s[i]]
		if d < 0 {
			return "", nil, 0, false
		}
		data = append(data, byte(d))
	}
	constant = bech32Polymod(hrp, data)
	if constant != bech32Const && constant != bech32mConst {
		return "", nil, 0, false
	}
	return hrp, data[:len(data)-6], constant, true
}

// convertBits regroups 5-bit groups into bytes, rejecting non-zero padding.
func convertBits5to8(data []byte) ([]byte, bool) {
	var acc uint32
	bits := 0
	out := make([]byte, 0, len(data)*5/8)
	for _, v := range data {
		acc = acc<<5 | uint32(v)
		bits += 5
		for bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	if bits >= 5 || (acc<<(8-bits))&0xff != 0 {
		return nil, false
	}
	return out, true
}

// segwitDecode decodes a segregated witness address for the given
// human-readable part ("bc" for Bitcoin mainnet), per BIP-173 and BIP-350.
func segwitDecode(hrp, addr string) (version int, program []byte, ok bool) {
	h, data, constant, ok := bech32Decode(addr)
	if !ok || h != hrp || len(data) < 1 {
		return 0, nil, false
	}
	version = int(data[0])
	if version > 16 {
		return 0, nil, false
	}
	program, ok = convertBits5to8(data[1:])
	if !ok || len(program) < 2 || len(program) > 40 {
		return 0, nil, false
	}
	if version == 0 && len(program) != 20 && len(program) != 32 {
		return 0, nil, false
	}
	if version == 0 && constant != bech32Const || version != 0 && constant != bech32mConst {
		return 0, nil, false
	}
	return version, program, true
}

// isBTCBech32 reports whether s is a valid Bitcoin mainnet segwit address.
func isBTCBech32(s string) bool {
	if len(s) < 14 || len(s) > 74 || !strings.EqualFold(s[:3], "bc1") {
		return false
	}
	_, _, ok := segwitDecode("bc", s)
	return ok
}

// ethChecksum reports how an Ethereum address (0x + 40 hex digits) stands:
// valid and mixed case (EIP-55 checksum correct), valid but all one case (no
// checksum to check), or invalid.
func ethChecksum(s string) (valid, checksummed bool) {
	if len(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return false, false
	}
	hex := s[2:]
	lower, upper := false, false
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f':
			lower = true
		case c >= 'A' && c <= 'F':
			upper = true
		default:
			return false, false
		}
	}
	if !lower || !upper {
		return true, false
	}
	return hex == eip55(strings.ToLower(hex)), true
}

// eip55 returns the EIP-55 mixed-case form of 40 lower-case hex digits.
func eip55(lowerHex string) string {
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(lowerHex))
	sum := h.Sum(nil)
	out := []byte(lowerHex)
	for i, c := range out {
		if c >= 'a' && c <= 'f' {
			nibble := sum[i/2]
			if i%2 == 0 {
				nibble >>= 4
			}
			if nibble&0x0f >= 8 {
				out[i] = c - 'a' + 'A'
			}
		}
	}
	return string(out)
}

// ibanLengths gives the length of an IBAN per country (SWIFT IBAN registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// isIBAN reports whether s (compact, upper case) is an IBAN of the right
// length for its country with a valid ISO 13616 mod-97 check.
func isIBAN(s string) bool {
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	if n, ok := ibanLengths[s[:2]]; !ok || n != len(s) {
		return false
	}
	if s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9' {
		return false
	}
	rem := 0
	for i := range len(s) {
		c := s[(i+4)%len(s)]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}
