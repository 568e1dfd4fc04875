// Package screen screens the people and companies named in reports against
// sanctions and watch lists: the OFAC SDN list (CSV and XML), the UN
// consolidated list (XML), OpenSanctions FollowTheMoney JSON lines and an
// organisation's own CSV list.
//
// Names reach Vigil in Chinese characters, pinyin (with tone marks or
// numbers), Khmer, Thai, Vietnamese, Cyrillic, Arabic-script and English
// spellings, in any order, with or without titles and legal suffixes.
// [Normalize] brings every spelling to one romanised form (see normalize.go,
// khmer.go, thai.go, cyrillic.go, arabic.go); an in-memory [Index] built from the
// database retrieves candidates through an inverted index over the list's
// token vocabulary (exact, phonetic and one-edit phonetic keys, joined and
// split tokens, acronyms) and scores them by a weighted token alignment with
// Jaro–Winkler similarity, adjusted by entity type, date of birth and
// country. Every score carries an explanation.
//
// A [Service] owns the lists (versioned in the database, diffed on every
// re-import), screens a report's subjects into stored hits, and records an
// investigator's decision on each hit. A dismissed hit stays dismissed until
// the list entry it points at changes.
package screen
