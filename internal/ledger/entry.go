// Package ledger is Vigil's testimony ledger: an append-only RFC 6962 Merkle
// log of commitments to every statement version, attachment and recantation
// link. The log holds commitments, never content.
package ledger

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"
)

// Entry kinds.
const (
	KindStatement   = "statement"
	KindAttachment  = "attachment"
	KindRecantation = "recantation"
)

// EntryVersion is the version of the entry encoding.
const EntryVersion = 1

// Entry is what one leaf of the log commits to. Nothing in it identifies a
// person: the record ID is a random UUID and the commitment is salted.
type Entry struct {
	V          int    `json:"v"`
	Kind       string `json:"kind"`
	RecordID   string `json:"record"`
	Version    int    `json:"version"`
	Commitment string `json:"commitment"` // hex SHA-256(salt ‖ content)
	Received   string `json:"received"`   // RFC 3339, UTC, second precision
}

// Commit returns SHA-256(salt ‖ content), hex-encoded.
func Commit(salt, content []byte) string {
	h := sha256.New()
	h.Write(salt)
	h.Write(content)
	return fmt.Sprintf("%x", h.Sum(nil))
}

// NewEntry builds the entry for version of record.
func NewEntry(kind, recordID string, version int, salt, content []byte, received time.Time) Entry {
	return Entry{
		V:          EntryVersion,
		Kind:       kind,
		RecordID:   recordID,
		Version:    version,
		Commitment: Commit(salt, content),
		Received:   received.UTC().Truncate(time.Second).Format(time.RFC3339),
	}
}

// Marshal returns the canonical encoding of e: compact JSON with the fields
// in the order declared above. This is the leaf data hashed into the tree.
func (e Entry) Marshal() []byte {
	b, err := json.Marshal(e)
	if err != nil {
		// Entry has only strings and ints; Marshal cannot fail.
		panic(fmt.Sprintf("ledger: marshal entry: %v", err))
	}
	return b
}

// ParseEntry decodes a canonical entry and checks it re-encodes to the same
// bytes.
func ParseEntry(b []byte) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return Entry{}, fmt.Errorf("ledger: parse entry: %w", err)
	}
	if string(e.Marshal()) != string(b) {
		return Entry{}, fmt.Errorf("ledger: entry is not in canonical form")
	}
	return e, nil
}

// StatementEntry is the entry for version of a statement: the content is
// the statement text's UTF-8 bytes exactly as stored, the salt the version's
// random salt.
func StatementEntry(statementID string, version int, salt, text []byte, received time.Time) Entry {
	return NewEntry(KindStatement, statementID, version, salt, text, received)
}

// RecantationContent is what a recantation link commits to: the recanted
// statement's ID.
func RecantationContent(recantedID string) []byte {
	return []byte("recants:" + recantedID)
}

// RecantationEntry is the entry linking the recanting statement to the one
// it recants, salted with the recanting statement's version-1 salt.
func RecantationEntry(statementID, recantedID string, salt []byte, received time.Time) Entry {
	return NewEntry(KindRecantation, statementID, 1, salt, RecantationContent(recantedID), received)
}

// AttachmentEntry is the entry for an attachment: the content is the file's
// bytes, the salt the attachment's random salt.
func AttachmentEntry(attachmentID string, salt, content []byte, received time.Time) Entry {
	return NewEntry(KindAttachment, attachmentID, 1, salt, content, received)
}
