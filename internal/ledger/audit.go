package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"

	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// AuditOptions is what Audit needs besides the database.
type AuditOptions struct {
	// Keyring opens the records' data keys.
	Keyring *seal.Keyring
	// Verifier is the log's key; the stored checkpoint must verify with it.
	Verifier note.Verifier
	// Files holds the attachment files, sealed and stored by their ID.
	Files Files
	// Checkpoints are signed checkpoints seen earlier (by a mirror, a
	// witness, a reporter's receipt); the stored tree must agree with each.
	Checkpoints [][]byte
}

// Files is what Audit needs of the attachment store (blob.Store).
type Files interface {
	// Get returns the sealed file of an attachment.
	Get(ctx context.Context, id string) ([]byte, error)
}

// AuditReport is the outcome of Audit.
type AuditReport struct {
	// Size, Root and Checkpoint describe the latest stored checkpoint.
	Size       int64
	Root       []byte
	Checkpoint string
	// Checked counts record versions whose commitment was recomputed and
	// matched; Erased those whose data key was destroyed (nothing left to
	// recompute); Pending entries not integrated yet.
	Checked, Erased, Pending int
	// Failures names every record or tree check that failed.
	Failures []AuditFailure
}

// OK reports whether the audit found nothing wrong.
func (r *AuditReport) OK() bool { return len(r.Failures) == 0 }

// AuditFailure is one failed check. Kind is a record kind, or "tree" for the
// Merkle tree and checkpoints.
type AuditFailure struct {
	Kind      string
	RecordID  string
	Version   int
	LeafIndex int64
	Reason    string
}

// String names the record (or the tree) and says what failed.
func (f AuditFailure) String() string {
	if f.Kind == "tree" {
		return "tree: " + f.Reason
	}
	s := f.Kind + " " + f.RecordID + " v" + strconv.Itoa(f.Version)
	if f.LeafIndex >= 0 {
		s += " (leaf " + strconv.FormatInt(f.LeafIndex, 10) + ")"
	}
	return s + ": " + f.Reason
}

// Audit recomputes the commitment of every stored statement version,
// recantation link and attachment from the sealed record and checks it
// against the record's ledger entry; reports entries whose record is gone;
// and recomputes the Merkle tree from the stored leaves, checking it against
// the stored tiles, the latest signed checkpoint and any checkpoints given.
// Records whose data key was destroyed count as erased, not as failures. The
// error is for an audit that could not run; findings are in the report.
func Audit(ctx context.Context, db *store.DB, opts AuditOptions) (*AuditReport, error) {
	if opts.Keyring == nil || opts.Verifier == nil || opts.Files == nil {
		return nil, errors.New("ledger: audit: keyring, verifier and attachment files are required")
	}
	rep := &AuditReport{}
	if err := auditTree(ctx, db, opts, rep); err != nil {
		return nil, err
	}
	a := &recordAuditor{opts: opts, rep: rep}
	for _, kind := range []string{KindStatement, KindRecantation, KindAttachment} {
		err := db.Read().EachLedgerAuditRecord(ctx, kind, func(r *store.LedgerAuditRecord) error {
			a.check(ctx, r)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("ledger: audit: %w", err)
		}
	}
	orphans, err := db.Read().OrphanLedgerEntries(ctx)
	if err != nil {
		return nil, fmt.Errorf("ledger: audit: %w", err)
	}
	for _, e := range orphans {
		rep.fail(e.Kind, e.RecordID, e.Version, e.LeafIndex, "the ledger has an entry for this record, but the record is gone from the database")
	}
	sort.SliceStable(rep.Failures, func(i, j int) bool {
		a, b := rep.Failures[i], rep.Failures[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.RecordID != b.RecordID {
			return a.RecordID < b.RecordID
		}
		return a.Version < b.Version
	})
	return rep, nil
}

// AuditTree runs the tree half of [Audit] alone: it recomputes the Merkle
// tree from the stored leaves and checks it against the stored tiles, the
// latest signed checkpoint and any checkpoints given. It needs the log's
// verifier key but not the master key, so a restored backup can be checked
// before its keys are back; Keyring and Files are not used.
func AuditTree(ctx context.Context, db *store.DB, opts AuditOptions) (*AuditReport, error) {
	if opts.Verifier == nil {
		return nil, errors.New("ledger: audit: a verifier is required")
	}
	rep := &AuditReport{}
	if err := auditTree(ctx, db, opts, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

func (r *AuditReport) fail(kind, recordID string, version int, leaf int64, reason string) {
	r.Failures = append(r.Failures, AuditFailure{Kind: kind, RecordID: recordID, Version: version, LeafIndex: leaf, Reason: reason})
}

func (r *AuditReport) treeFail(format string, args ...any) {
	r.fail("tree", "", 0, -1, fmt.Sprintf(format, args...))
}

// recordAuditor checks records one by one, unwrapping each report's data
// key once (rows come ordered by report).
type recordAuditor struct {
	opts AuditOptions
	rep  *AuditReport

	reportID string
	dk       *seal.DataKey
	dkErr    error
}

func (a *recordAuditor) dataKey(r *store.LedgerAuditRecord) (*seal.DataKey, error) {
	if r.ReportID != a.reportID {
		a.reportID = r.ReportID
		a.dk, a.dkErr = a.opts.Keyring.Unwrap(r.ReportID, r.WrappedKey)
	}
	return a.dk, a.dkErr
}

func (a *recordAuditor) check(ctx context.Context, r *store.LedgerAuditRecord) {
	fail := func(reason string) { a.rep.fail(r.Kind, r.RecordID, r.Version, r.LeafIndex, reason) }
	if r.EntryID == "" {
		fail("no ledger entry for this record version")
		return
	}
	e, err := ParseEntry(r.Entry)
	if err != nil {
		fail("the stored ledger entry is malformed: " + err.Error())
		return
	}
	if e.Kind != r.Kind || e.RecordID != r.RecordID || e.Version != r.Version {
		fail(fmt.Sprintf("the ledger entry names %s %s v%d", e.Kind, e.RecordID, e.Version))
		return
	}
	if r.LeafIndex < 0 {
		a.rep.Pending++
	}
	dk, err := a.dataKey(r)
	if errors.Is(err, seal.ErrDestroyed) {
		a.rep.Erased++
		return
	}
	if err != nil {
		fail("the report's data key does not open: " + err.Error())
		return
	}
	var saltCtx, content []byte
	switch r.Kind {
	case KindStatement, KindRecantation:
		saltCtx = []byte("statement:" + r.RecordID + ":v" + strconv.Itoa(r.Version) + ":salt")
		if r.Kind == KindRecantation {
			saltCtx = []byte("statement:" + r.RecordID + ":v1:salt")
		}
	case KindAttachment:
		saltCtx = []byte("attachment:" + r.RecordID + ":salt")
	}
	if r.Salt == nil {
		fail("the record's salt is missing")
		return
	}
	salt, err := dk.Open(r.Salt, string(saltCtx))
	if err != nil {
		fail("the sealed salt does not open (altered or moved ciphertext)")
		return
	}
	switch r.Kind {
	case KindStatement:
		content, err = dk.Open(r.Text, "statement:"+r.RecordID+":v"+strconv.Itoa(r.Version)+":text")
		if err != nil {
			fail("the sealed statement text does not open (altered or moved ciphertext)")
			return
		}
	case KindRecantation:
		content = RecantationContent(r.RecantsID)
	case KindAttachment:
		if !validSHA256Name(r.SHA256) {
			fail(fmt.Sprintf("the attachment's file name %q is not a SHA-256", r.SHA256))
			return
		}
		// Files are sealed with the report's data key and stored by the
		// attachment's ID; the record keeps the plaintext's SHA-256.
		sealedFile, err := a.opts.Files.Get(ctx, r.RecordID)
		if err != nil {
			fail("the attachment's file cannot be read: " + err.Error())
			return
		}
		content, err = dk.Open(sealedFile, "attachment:"+r.RecordID+":file")
		if err != nil {
			fail("the sealed attachment file does not open (altered or replaced)")
			return
		}
		if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != r.SHA256 {
			fail("the attachment's content does not match its recorded SHA-256")
			return
		}
	}
	if Commit(salt, content) != e.Commitment {
		fail("the stored record no longer matches its ledger commitment (altered after it was logged)")
		return
	}
	a.rep.Checked++
}

func validSHA256Name(s string) bool {
	if len(s) != 2*HashSize {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// auditTree checks the signed checkpoint, recomputes the tree from every
// stored leaf, and compares roots and tiles.
func auditTree(ctx context.Context, db *store.DB, opts AuditOptions, rep *AuditReport) error {
	st, err := db.Read().GetLedgerState(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil // nothing logged yet
	}
	if err != nil {
		return fmt.Errorf("ledger: audit: %w", err)
	}
	rep.Size, rep.Root, rep.Checkpoint = st.Size, st.Root, st.Checkpoint
	cp, err := OpenCheckpoint([]byte(st.Checkpoint), opts.Verifier)
	if err != nil {
		rep.treeFail("the stored checkpoint does not verify: %v", err)
	} else if cp.Size != st.Size || !sameRoot(cp.Root, st.Root) {
		rep.treeFail("the stored checkpoint (size %d) does not describe the stored tree state (size %d)", cp.Size, st.Size)
	}
	// Earlier checkpoints the tree must still contain.
	want := map[int64][]byte{}
	for i, b := range opts.Checkpoints {
		c, err := OpenCheckpoint(b, opts.Verifier)
		if err != nil {
			rep.treeFail("checkpoint %d given to the audit does not verify: %v", i+1, err)
			continue
		}
		if c.Size > st.Size {
			rep.treeFail("a checkpoint of size %d was given, but the stored tree has only %d leaves (leaves were removed, or the log forked)", c.Size, st.Size)
			continue
		}
		want[c.Size] = c.Root
	}
	checkRoot := func(rng *compact.Range) {
		if root, ok := want[int64(rng.End())]; ok {
			got, err := rootOf(rng)
			if err == nil && !sameRoot(got, root) {
				rep.treeFail("the stored leaves give a different root at size %d than a checkpoint given to the audit: the log forked or was rewritten", rng.End())
			}
		}
	}

	tc := &tileChecker{db: db, rep: rep}
	rng := rangeFactory.NewEmptyRange(0)
	checkRoot(rng)
	var visitErr error
	visit := func(id compact.NodeID, hash []byte) {
		if id.Level%TileHeight == 0 && visitErr == nil {
			visitErr = tc.add(ctx, int(id.Level/TileHeight), int64(id.Index), hash)
		}
	}
	err = db.Read().EachLedgerLeaf(ctx, 0, st.Size, func(leaf store.LedgerLeaf) error {
		if err := rng.Append(LeafHash(leaf.Entry), visit); err != nil {
			return err
		}
		checkRoot(rng)
		return visitErr
	})
	if errors.Is(err, store.ErrNotFound) {
		rep.treeFail("stored leaves are missing below the checkpoint's size %d: %v", st.Size, err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("ledger: audit: %w", err)
	}
	if err := tc.finish(ctx); err != nil {
		return fmt.Errorf("ledger: audit: %w", err)
	}
	root, err := rootOf(rng)
	if err != nil {
		return fmt.Errorf("ledger: audit: %w", err)
	}
	if !sameRoot(root, st.Root) {
		rep.treeFail("the stored leaves give root %x at size %d, the checkpoint says %x: leaves were altered", root, st.Size, st.Root)
	}
	// Leaves beyond the checkpoint would have been integrated without one.
	after, err := db.Read().GetLedgerState(ctx)
	if err != nil {
		return fmt.Errorf("ledger: audit: %w", err)
	}
	extra, err := db.Read().LedgerLeaves(ctx, after.Size, after.Size+1)
	if err == nil && len(extra) > 0 {
		rep.treeFail("leaf %d exists beyond the latest checkpoint (size %d)", after.Size, after.Size)
	}
	return nil
}

// tileChecker compares recomputed tile hashes with the stored tiles, a few
// dozen tiles per query.
type tileChecker struct {
	db  *store.DB
	rep *AuditReport
	// building is the tile being recomputed per level; done the completed
	// ones waiting for comparison.
	building map[int]*store.LedgerTile
	done     []store.LedgerTile
}

func (c *tileChecker) add(ctx context.Context, level int, index int64, hash []byte) error {
	if c.building == nil {
		c.building = map[int]*store.LedgerTile{}
	}
	t := c.building[level]
	if t == nil || t.Index != index/TileWidth {
		t = &store.LedgerTile{Level: level, Index: index / TileWidth}
		c.building[level] = t
	}
	t.Hashes = append(t.Hashes, hash...)
	if len(t.Hashes) == TileWidth*HashSize {
		c.done = append(c.done, *t)
		delete(c.building, level)
		if len(c.done) >= 64 {
			return c.compare(ctx)
		}
	}
	return nil
}

func (c *tileChecker) finish(ctx context.Context) error {
	for _, t := range c.building {
		c.done = append(c.done, *t)
	}
	c.building = nil
	return c.compare(ctx)
}

func (c *tileChecker) compare(ctx context.Context) error {
	if len(c.done) == 0 {
		return nil
	}
	ids := make([]store.LedgerTileID, len(c.done))
	for i, t := range c.done {
		ids[i] = store.LedgerTileID{Level: t.Level, Index: t.Index}
	}
	stored, err := c.db.Read().GetLedgerTiles(ctx, ids)
	if err != nil {
		return err
	}
	for _, t := range c.done {
		got := stored[store.LedgerTileID{Level: t.Level, Index: t.Index}]
		if len(got) < len(t.Hashes) || !bytes.Equal(got[:len(t.Hashes)], t.Hashes) {
			c.rep.treeFail("stored tile %d/%d does not match the tree recomputed from the leaves", t.Level, t.Index)
		}
	}
	c.done = c.done[:0]
	return nil
}
