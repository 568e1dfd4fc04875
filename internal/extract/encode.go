package extract

import "encoding/hex"

// TRONAddress returns the TRON address of a 20-byte account hash, as a
// wallet shows it (base58check, "T…"). For generated data sets and tests.
func TRONAddress(hash [20]byte) string {
	return base58CheckEncode(versionTRON, hash[:])
}

// ETHAddress returns the EIP-55 checksummed Ethereum address of a 20-byte
// account hash ("0x…"). For generated data sets and tests.
func ETHAddress(hash [20]byte) string {
	return "0x" + eip55(hex.EncodeToString(hash[:]))
}
