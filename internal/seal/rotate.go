package seal

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// RotationStore is what rotating the master key needs of the database.
// *store.DB implements it.
type RotationStore interface {
	Binding
	// SetInstanceValues sets instance settings in one transaction; an
	// empty value removes the setting.
	SetInstanceValues(ctx context.Context, values map[string]string) error
	// DataKeys returns up to n stored data keys with report ids after
	// after, in id order.
	DataKeys(ctx context.Context, after string, n int) (ids []string, wrapped [][]byte, err error)
	// RewrapDataKeys replaces each report's wrapped key old[i] by new[i]
	// in one transaction, leaving a row whose key changed meanwhile (an
	// erasure) alone; it returns how many it replaced.
	RewrapDataKeys(ctx context.Context, ids []string, old, new [][]byte) (int, error)
	// DraftKeys and RewrapDraftKeys do the same for the data keys of
	// reports being written in a chat app, by their key IDs
	// (store.DraftKeyID).
	DraftKeys(ctx context.Context, after string, n int) (ids []string, wrapped [][]byte, err error)
	RewrapDraftKeys(ctx context.Context, ids []string, old, new [][]byte) (int, error)
}

// keySource is one table of wrapped data keys: reports' or drafts'.
type keySource struct {
	name   string
	list   func(ctx context.Context, after string, n int) ([]string, [][]byte, error)
	rewrap func(ctx context.Context, ids []string, old, new [][]byte) (int, error)
}

// RotateOptions tune Rotate.
type RotateOptions struct {
	// Settle is how long Rotate waits after creating the next key, so
	// that running servers (which look for it every refreshEvery) wrap new
	// data keys with it before the sweep. Zero: twice refreshEvery.
	Settle time.Duration
	// Batch is how many data keys one transaction rewraps. Zero: 500.
	Batch int
	// Progress, if set, is told how many keys the sweep has looked at.
	Progress func(done int)
}

// RotateReport says what a rotation did.
type RotateReport struct {
	Old, New string // fingerprints
	// Rewrapped keys were wrapped under the old key; Already were under the
	// new one (a resumed rotation); Unreadable opened under neither.
	Rewrapped, Already, Unreadable int
	// Retired is where the old key file was moved.
	Retired string
}

// Rotate moves the database of the key file path to a new master key
// without rewriting sealed data: every report's (and chat draft's) data key is rewrapped and
// the derivation root (so every index key) is kept. It is safe to run while
// servers on the same machine serve, and to run again after it was
// interrupted at any point; it resumes with the same next key:
//
//  1. the next key is created in path+".next" (or the one there is used);
//  2. the derivation root is recorded sealed under it;
//  3. after Settle, every data key is rewrapped under it, in batches;
//  4. the database is switched to it in one transaction (fingerprint and
//     root), and keys wrapped by servers meanwhile are rewrapped;
//  5. the old key file is moved to path+".retired-FINGERPRINT" and the next
//     key becomes the key file.
//
// Servers opened with the old key learn the next one from its file, so
// they keep unwrapping and wrap new keys under it. On several machines,
// copy the .next file to each before step 3 (see docs/operations.md).
func Rotate(ctx context.Context, path string, db RotationStore, opt RotateOptions) (RotateReport, error) {
	var rep RotateReport
	cur, err := Open(ctx, path, db)
	if err != nil {
		return rep, err
	}
	nextPath := path + nextSuffix
	next, err := Load(nextPath)
	if errors.Is(err, fs.ErrNotExist) {
		next, err = create(nextPath)
	}
	if err != nil {
		return rep, fmt.Errorf("seal: rotate: next key: %w", err)
	}
	nk := next.keks[0]
	rep.New = nk.fp
	switched := cur.fp == nk.fp // an earlier run switched the database
	if !switched {
		rep.Old = cur.fp
		if err := db.SetInstanceValues(ctx, map[string]string{rootNextName: nk.sealRoot(cur.root)}); err != nil {
			return rep, fmt.Errorf("seal: rotate: record the root: %w", err)
		}
		settle := opt.Settle
		if settle == 0 {
			settle = 2 * refreshEvery
		}
		select {
		case <-time.After(settle):
		case <-ctx.Done():
			return rep, ctx.Err()
		}
	}
	// The keys the old and the next file hold, to open what is not yet
	// rewrapped.
	cur.refresh(true)
	if err := sweep(ctx, cur, nk, db, opt, &rep); err != nil {
		return rep, err
	}
	if !switched {
		err := db.SetInstanceValues(ctx, map[string]string{
			fingerprintName: nk.fp,
			rootName:        nk.sealRoot(cur.root),
			rootNextName:    "",
		})
		if err != nil {
			return rep, fmt.Errorf("seal: rotate: switch: %w", err)
		}
		// Servers that had not yet learnt the next key may have wrapped
		// a few keys under the old one since the sweep.
		if err := sweep(ctx, cur, nk, db, opt, &rep); err != nil {
			return rep, err
		}
	}
	return rep, retire(path, nextPath, nk, &rep)
}

// sweep rewraps under nk every data key, of reports and of chat drafts,
// that it does not open.
func sweep(ctx context.Context, k *Keyring, nk *kek, db RotationStore, opt RotateOptions, rep *RotateReport) error {
	done := 0
	for _, src := range []keySource{
		{"data keys", db.DataKeys, db.RewrapDataKeys},
		{"draft keys", db.DraftKeys, db.RewrapDraftKeys},
	} {
		if err := sweepSource(ctx, k, nk, src, opt, rep, &done); err != nil {
			return err
		}
	}
	return nil
}

// sweepSource rewraps the keys of one source, counting them in done.
func sweepSource(ctx context.Context, k *Keyring, nk *kek, src keySource, opt RotateOptions, rep *RotateReport, done *int) error {
	batch := opt.Batch
	if batch <= 0 {
		batch = 500
	}
	after := ""
	for {
		ids, wrapped, err := src.list(ctx, after, batch)
		if err != nil {
			return fmt.Errorf("seal: rotate: read %s: %w", src.name, err)
		}
		if len(ids) == 0 {
			return nil
		}
		var rids []string
		var olds, news [][]byte
		for i, id := range ids {
			ad := []byte("datakey:" + id)
			if _, err := openWith(nk.aead, wrapped[i], ad); err == nil {
				rep.Already++
				continue
			}
			raw, _, err := k.unwrap(id, wrapped[i])
			if err != nil {
				rep.Unreadable++
				continue
			}
			rids, olds, news = append(rids, id), append(olds, wrapped[i]), append(news, sealWith(nk.aead, raw, ad))
		}
		if len(rids) > 0 {
			n, err := src.rewrap(ctx, rids, olds, news)
			if err != nil {
				return fmt.Errorf("seal: rotate: rewrap %s: %w", src.name, err)
			}
			rep.Rewrapped += n
		}
		*done += len(ids)
		if opt.Progress != nil {
			opt.Progress(*done)
		}
		after = ids[len(ids)-1]
	}
}

// retire moves the old key file aside and the next key file into its
// place. Run again after a crash, it finds the work done.
func retire(path, nextPath string, nk *kek, rep *RotateReport) error {
	if _, err := os.Stat(nextPath); errors.Is(err, fs.ErrNotExist) {
		return nil // done by an earlier run
	}
	if old, err := readKey(path); err == nil {
		if ok, err := newKEK(old); err == nil && ok.fp != nk.fp {
			rep.Retired = path + ".retired-" + ok.fp
			if err := os.Rename(path, rep.Retired); err != nil {
				return fmt.Errorf("seal: rotate: retire the old key: %w", err)
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("seal: rotate: %w", err)
	}
	if err := os.Rename(nextPath, path); err != nil {
		return fmt.Errorf("seal: rotate: install the new key: %w", err)
	}
	return nil
}

// CheckReport says what Check found.
type CheckReport struct {
	Fingerprint string
	// OK data keys opened; Destroyed ones were erased; Failed ones did not
	// open (up to ten of their report ids in FailedIDs).
	OK, Destroyed, Failed int
	FailedIDs             []string
}

// Check opens every stored data key with the master key in path and the
// database's derivation root.
func Check(ctx context.Context, path string, db RotationStore) (CheckReport, error) {
	var rep CheckReport
	k, err := Open(ctx, path, db)
	if err != nil {
		return rep, err
	}
	rep.Fingerprint = k.fp
	after := ""
	for {
		ids, wrapped, err := db.DataKeys(ctx, after, 1000)
		if err != nil {
			return rep, fmt.Errorf("seal: check: %w", err)
		}
		if len(ids) == 0 {
			return rep, nil
		}
		for i, id := range ids {
			switch _, err := k.Unwrap(id, wrapped[i]); {
			case err == nil:
				rep.OK++
			case errors.Is(err, ErrDestroyed):
				rep.Destroyed++
			default:
				rep.Failed++
				if len(rep.FailedIDs) < 10 {
					rep.FailedIDs = append(rep.FailedIDs, id)
				}
			}
		}
		after = ids[len(ids)-1]
	}
}
