package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/vigil-project/vigil/internal/store"
)

// Receipt proves that an entry is in the log: the entry, its leaf index, a
// signed checkpoint and the inclusion proof against it. It can be checked
// offline with only the log's verifier key ([Receipt.Verify]). Nothing in it
// identifies a person.
type Receipt struct {
	// Origin names the log.
	Origin string `json:"origin"`
	// LeafIndex is the entry's position in the log.
	LeafIndex int64 `json:"leaf_index"`
	// Entry is the committed entry; its canonical encoding
	// ([Entry.Marshal]) is the leaf data.
	Entry Entry `json:"entry"`
	// Checkpoint is the signed checkpoint note the proof leads to.
	Checkpoint string `json:"checkpoint"`
	// InclusionProof is the RFC 6962 audit path, base64 in JSON.
	InclusionProof [][]byte `json:"inclusion_proof"`
	// VerifierKey is the log's note verifier key. It is a convenience: pin
	// the key from an independent source rather than trusting the copy in
	// the receipt.
	VerifierKey string `json:"vkey"`
}

// Errors from receipt checks.
var (
	// ErrBadProof means the inclusion proof does not lead from the entry to
	// the checkpoint's root.
	ErrBadProof = errors.New("inclusion proof does not match the checkpoint")
	// ErrContentMismatch means the given content and salt are not what the
	// entry commits to.
	ErrContentMismatch = errors.New("content and salt do not match the entry's commitment")
)

// maxReceiptSize bounds what ParseReceipt reads.
const maxReceiptSize = 64 << 10

// ParseReceipt decodes a receipt strictly: unknown fields, trailing data and
// malformed values are errors. A JSON object that carries the receipt in a
// "receipt" field (such as the intake answer) is accepted too.
func ParseReceipt(b []byte) (*Receipt, error) {
	if len(b) > maxReceiptSize {
		return nil, fmt.Errorf("ledger: receipt is larger than %d bytes", maxReceiptSize)
	}
	var outer struct {
		Receipt json.RawMessage `json:"receipt"`
	}
	if json.Unmarshal(b, &outer) == nil && len(outer.Receipt) > 0 && !bytes.Equal(outer.Receipt, []byte("null")) {
		b = outer.Receipt
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var r Receipt
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("ledger: parse receipt: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("ledger: parse receipt: trailing data after the receipt")
	}
	switch {
	case r.Origin == "":
		return nil, errors.New("ledger: parse receipt: no origin")
	case r.LeafIndex < 0:
		return nil, errors.New("ledger: parse receipt: negative leaf index")
	case r.Checkpoint == "":
		return nil, errors.New("ledger: parse receipt: no checkpoint")
	case len(r.InclusionProof) > 64:
		return nil, errors.New("ledger: parse receipt: inclusion proof longer than 64 hashes")
	}
	for i, h := range r.InclusionProof {
		if len(h) != HashSize {
			return nil, fmt.Errorf("ledger: parse receipt: proof hash %d is %d bytes, want %d", i, len(h), HashSize)
		}
	}
	return &r, nil
}

// Verify checks r offline with the log's verifier key vkey: the checkpoint
// is signed by that key for r.Origin, and the entry's leaf hash at
// r.LeafIndex leads through the inclusion proof to the checkpoint's root. It
// returns the verified checkpoint.
func (r *Receipt) Verify(vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: verifier key: %w", err)
	}
	if v.Name() != r.Origin {
		return Checkpoint{}, fmt.Errorf("ledger: receipt is from log %q, the verifier key is for %q", r.Origin, v.Name())
	}
	cp, err := OpenCheckpoint([]byte(r.Checkpoint), v)
	if err != nil {
		return Checkpoint{}, err
	}
	if r.Entry.V != EntryVersion {
		return Checkpoint{}, fmt.Errorf("ledger: entry version %d: this build knows version %d", r.Entry.V, EntryVersion)
	}
	if r.LeafIndex >= cp.Size {
		return Checkpoint{}, fmt.Errorf("ledger: leaf %d is outside the checkpoint's tree of size %d: %w", r.LeafIndex, cp.Size, ErrBadProof)
	}
	leaf := LeafHash(r.Entry.Marshal())
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(r.LeafIndex), uint64(cp.Size), leaf, r.InclusionProof, cp.Root); err != nil {
		var mismatch proof.RootMismatchError
		if errors.As(err, &mismatch) {
			return Checkpoint{}, fmt.Errorf("ledger: leaf %d in tree of size %d: %w", r.LeafIndex, cp.Size, ErrBadProof)
		}
		return Checkpoint{}, fmt.Errorf("ledger: leaf %d in tree of size %d: %w (%v)", r.LeafIndex, cp.Size, ErrBadProof, err)
	}
	return cp, nil
}

// CheckContent reports whether content with salt is what r's entry commits
// to: SHA-256(salt ‖ content).
func (r *Receipt) CheckContent(salt, content []byte) error {
	if Commit(salt, content) != r.Entry.Commitment {
		return fmt.Errorf("ledger: %w", ErrContentMismatch)
	}
	return nil
}

// receiptPoll bounds how long Receipt sleeps between looks at the database
// when no local publish wakes it (another process is the sequencer).
const receiptPoll = 20 * time.Millisecond

// Receipt waits, bounded by ctx, until the entry with entryID is integrated
// and covered by a published checkpoint, and returns its receipt. The error
// wraps store.ErrNotFound for an unknown entry and ctx's error on timeout.
//
// Intake asks right after its commit, and the entry is then nearly always
// integrated by this process's sequencer, which notes each leaf it
// integrates (recentLeaf) and wakes the waiters when it publishes. So the
// database is read only once receiptPoll has passed since the wait began or
// since the last read — for an entry another process integrated, or one
// integrated before this process started — and, while this process's
// sequencer is publishing, only every receiptRecheck. Read at once and
// then every receiptPoll, it was several reads a report under intake
// (a receipt waits 100 ms and more for the one writer), and on SQLite
// each began by emptying its connection's page cache: with the public
// organisation's read, a tenth of the server's CPU.
func (l *Log) Receipt(ctx context.Context, entryID string) (*Receipt, error) {
	lastRead := time.Now()
	return l.waitReceipt(ctx, func() (*store.LedgerEntry, error) {
		if leaf, ok := l.recentLeaf(entryID); ok {
			return &store.LedgerEntry{ID: leaf.ID, Entry: leaf.Entry, LeafIndex: leaf.Index}, nil
		}
		if since := time.Since(lastRead); since < receiptPoll || since < receiptRecheck && l.publishedWithin(receiptRecheck) {
			return &store.LedgerEntry{ID: entryID, LeafIndex: -1}, nil
		}
		lastRead = time.Now()
		return l.db.Read().GetLedgerEntry(ctx, entryID)
	})
}

// receiptRecheck is how often Receipt reads the database for an entry
// while this process's sequencer is publishing (and so will integrate the
// entry and wake it), in case another process integrated it.
const receiptRecheck = 250 * time.Millisecond

// ReceiptForRecord returns the receipt of the entry for version of a record
// of kind (KindStatement, KindAttachment or KindRecantation: a recanting
// statement has both a statement and a recantation entry), waiting like
// Receipt while it is pending.
func (l *Log) ReceiptForRecord(ctx context.Context, kind, recordID string, version int) (*Receipt, error) {
	return l.waitReceipt(ctx, func() (*store.LedgerEntry, error) {
		return l.db.Read().FindLedgerEntry(ctx, kind, recordID, version)
	})
}

func (l *Log) waitReceipt(ctx context.Context, get func() (*store.LedgerEntry, error)) (*Receipt, error) {
	var t *time.Timer
	for {
		published := l.publishedChan()
		e, err := get()
		if err != nil {
			return nil, fmt.Errorf("ledger: receipt: %w", err)
		}
		if e.LeafIndex >= 0 {
			h, err := l.latest(ctx, e.LeafIndex+1)
			if err != nil {
				return nil, fmt.Errorf("ledger: receipt for %s: %w", e.ID, err)
			}
			if h.size > e.LeafIndex {
				return l.buildReceipt(ctx, e, h)
			}
		}
		if t == nil {
			t = time.NewTimer(receiptPoll)
			defer t.Stop()
		} else {
			t.Reset(receiptPoll)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("ledger: receipt for %s: not integrated yet: %w", e.ID, ctx.Err())
		case <-published:
		case <-t.C:
		}
	}
}

func (l *Log) buildReceipt(ctx context.Context, e *store.LedgerEntry, h *head) (*Receipt, error) {
	entry, err := ParseEntry(e.Entry)
	if err != nil {
		return nil, fmt.Errorf("ledger: receipt for %s: %w", e.ID, err)
	}
	p, err := l.InclusionProof(ctx, e.LeafIndex, h.size)
	if err != nil {
		return nil, fmt.Errorf("ledger: receipt for %s: %w", e.ID, err)
	}
	if p == nil {
		p = [][]byte{}
	}
	return &Receipt{
		Origin:         l.Origin(),
		LeafIndex:      e.LeafIndex,
		Entry:          entry,
		Checkpoint:     h.note,
		InclusionProof: p,
		VerifierKey:    l.VerifierKey(),
	}, nil
}
