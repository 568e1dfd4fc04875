package intake

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// MaxAttachment is the largest attachment accepted, in bytes.
const MaxAttachment = 10 << 20

// AttachmentTypes are the media types accepted, as detected from the
// content (never from the name or the client's claim).
var AttachmentTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}

// AttachmentView describes an attachment without its content.
type AttachmentView struct {
	ID string `json:"id"`
	// Name is the file's name as it was sent (sealed with the report's
	// data key; empty once the report is erased).
	Name      string    `json:"name"`
	MediaType string    `json:"type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	// Clean says whether a copy without metadata can be opened (images;
	// not PDFs).
	Clean bool `json:"clean"`
	// Original says whether the actor who listed it may open the original,
	// metadata and all.
	Original bool `json:"original"`
}

// CheckAttachment checks an attachment before anything is stored: its
// size, its type as detected from the content (never from the name or the
// client's claim), and that the whole file is that type and nothing else.
// It returns the media type.
func (s *Service) CheckAttachment(ctx context.Context, field string, data []byte) (string, error) {
	if len(data) == 0 {
		return "", invalid.Field(field, "empty_file", "the file is empty")
	}
	if len(data) > MaxAttachment {
		return "", invalid.Field(field, "too_large", "the file is %d bytes; at most %d allowed", len(data), MaxAttachment)
	}
	mt := sniff(data)
	if !accepted(mt) {
		return "", invalid.Field(field, "unsupported_type", "the file is %s; send a photo (JPEG, PNG, GIF, WebP) or a PDF", mt)
	}
	release, err := s.decodeSlot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	if err := checkContent(field, mt, data); err != nil {
		return "", err
	}
	return mt, nil
}

// decodeSlot waits for one of the slots images are decoded in.
func (s *Service) decodeSlot(ctx context.Context) (func(), error) {
	select {
	case s.decoding <- struct{}{}:
		return func() { <-s.decoding }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func attachmentContext(id, part string) string { return "attachment:" + id + ":" + part }

// AttachWithSecret adds a file to a report for its reporter, who proves it
// with the tracking code and secret.
func (s *Service) AttachWithSecret(ctx context.Context, code, secret, name string, data []byte) (*AttachmentView, error) {
	if _, err := s.Track(ctx, code, secret); err != nil {
		return nil, err
	}
	r, err := s.db.Read().GetReportByTrackingCode(ctx, code)
	if err != nil {
		return nil, err
	}
	return s.attach(ctx, auth.Actor{}, r.ID, "attachment", name, data)
}

// AddAttachment adds a file staff received (by chat, by post, on a visit)
// to a report, for an actor who may add statements to it (its own
// organisation's coordinators, investigators and intake staff). The file
// is read from r, at most MaxAttachment bytes, and goes through the
// public form's checks (CheckAttachment: size, type from the content,
// nothing else in it), sealing and ledger entry; errors name field. Staff
// files count against no public quota, but the disk watermark holds.
func (s *Service) AddAttachment(ctx context.Context, a auth.Actor, reportID, field, name string, r io.Reader) (*AttachmentView, error) {
	if _, _, _, err := s.load(ctx, s.db.Read(), a, reportID, auth.AddStatement); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	if name == "" || name == "." || name == "/" {
		return nil, invalid.Field(field, "required", "choose a file")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxAttachment+1))
	if err != nil {
		return nil, invalid.Field(field, "unreadable", "%q could not be read", name)
	}
	if len(data) > MaxAttachment {
		return nil, invalid.Field(field, "too_large", "%q is larger than %d bytes", name, MaxAttachment)
	}
	return s.attach(ctx, a, reportID, field, name, data)
}

// attach seals the file with the report's data key, stores it under the
// attachment's ID, and stores its record and ledger entry in one
// transaction. The file is stored (durably) first, so a committed record
// always has its file; if the transaction fails the file is deleted.
func (s *Service) attach(ctx context.Context, a auth.Actor, reportID, field, name string, data []byte) (*AttachmentView, error) {
	mt, err := s.CheckAttachment(ctx, field, data)
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(name) || len(name) > 255 {
		name = "attachment"
	}
	if s.Files == nil {
		return nil, errors.New("intake: no attachment store configured")
	}
	q := s.db.Read()
	dk, err := s.writeKey(ctx, q, reportID)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	id := store.NewID()
	sum := sha256.Sum256(data)
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("intake: random salt: %w", err)
	}
	sealed := dk.Seal(data, attachmentContext(id, "file"))
	if err := s.checkDisk(int64(len(sealed))); err != nil {
		return nil, err
	}
	if err := s.Files.Put(ctx, id, sealed); err != nil {
		return nil, fmt.Errorf("intake: store attachment: %w", err)
	}
	e := ledger.AttachmentEntry(id, salt, data, now)
	rec := &store.Attachment{ID: id, ReportID: reportID, SHA256: hex.EncodeToString(sum[:]), MediaType: mt, Size: int64(len(data)),
		Name: dk.Seal([]byte(name), attachmentContext(id, "name")), Salt: dk.Seal(salt, attachmentContext(id, "salt")), CreatedAt: now.UnixMicro()}
	err = s.db.Tx(ctx, func(q store.Q) error {
		if err := q.PutAttachment(ctx, rec); err != nil {
			return err
		}
		if err := q.PutLedgerEntry(ctx, &store.LedgerEntry{ID: store.NewID(), Kind: e.Kind, RecordID: id, Version: 1, Entry: e.Marshal(), ReceivedAt: now.UnixMicro()}); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "attachment.add", "report", reportID, map[string]any{"attachment": id, "media_type": mt, "size": len(data)})
	})
	if err != nil {
		// A fresh context: the request's may be what ended the
		// transaction, and the orphan file should go all the same.
		if derr := s.Files.Delete(context.WithoutCancel(ctx), id); derr != nil {
			s.log.Warn("intake: attachment left without its record", "attachment", id, "err", derr)
		}
		return nil, err
	}
	if s.ledger != nil {
		s.ledger.Notify()
	}
	return &AttachmentView{ID: id, Name: name, MediaType: mt, Size: rec.Size, SHA256: rec.SHA256, CreatedAt: now, Clean: mt != "application/pdf"}, nil
}

// Attachments lists a report's attachments: none for a partner whose
// referral does not share statements (it may open none of them).
func (s *Service) Attachments(ctx context.Context, a auth.Actor, reportID string) ([]AttachmentView, error) {
	q := s.db.Read()
	r, res, _, err := s.load(ctx, q, a, reportID, auth.ReadReport)
	if err != nil {
		return nil, err
	}
	if a.Role == auth.Partner && !slices.Contains(res.Shared, ShareStatements) {
		return []AttachmentView{}, nil
	}
	return s.attachmentViews(ctx, q, a, r)
}

// attachmentViews lists an authorised report's attachments with their
// names opened (empty after erasure).
func (s *Service) attachmentViews(ctx context.Context, q store.Q, a auth.Actor, r *store.Report) ([]AttachmentView, error) {
	as, err := q.ListAttachments(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	out := []AttachmentView{}
	if len(as) == 0 {
		return out, nil
	}
	dk, err := s.dataKey(ctx, q, r.ID)
	if err != nil && !errors.Is(err, seal.ErrDestroyed) {
		return nil, err
	}
	for _, at := range as {
		v := attachmentView(at)
		v.Original = mayOpenOriginal(a, r)
		if dk != nil && at.Name != nil {
			name, err := dk.Open(at.Name, attachmentContext(at.ID, "name"))
			if err != nil {
				return nil, fmt.Errorf("intake: open attachment %s name: %w", at.ID, err)
			}
			v.Name = string(name)
		}
		out = append(out, v)
	}
	return out, nil
}

func attachmentView(at *store.Attachment) AttachmentView {
	return AttachmentView{ID: at.ID, MediaType: at.MediaType, Size: at.Size, SHA256: at.SHA256, CreatedAt: store.Time(at.CreatedAt),
		Clean: at.MediaType != "application/pdf"}
}

// mayOpenOriginal says whether a may open r's attachments as received,
// metadata and all: a photo's EXIF can hold where it was taken, so this is
// as sensitive as the sealed fields. Only the owning organisation's staff
// who may reveal those (coordinators and investigators) may; a partner
// never, whatever the referral shares.
func mayOpenOriginal(a auth.Actor, r *store.Report) bool {
	return a.Role != auth.Partner && auth.Can(a, auth.RevealSealed, auth.Resource{OrgID: r.OrgID})
}

// OpenAttachment returns a copy of an attachment without its metadata, for
// an actor who may read its report (partners only when the referral shares
// statements). Images are re-encoded from their pixels; a PDF has no such
// copy (ErrNoCleanCopy). Each opening is audited.
func (s *Service) OpenAttachment(ctx context.Context, a auth.Actor, reportID, id string) (*AttachmentView, []byte, error) {
	at, data, err := s.openAttachment(ctx, a, reportID, id, "attachment.read")
	if err != nil {
		return nil, nil, err
	}
	release, err := s.decodeSlot(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	mt, clean, err := cleanCopy(at.MediaType, data)
	if err != nil {
		return nil, nil, err
	}
	at.MediaType, at.Size = mt, int64(len(clean))
	return at, clean, nil
}

// OpenOriginal returns an attachment exactly as it was received and
// sealed, metadata included, to the owning organisation's coordinators and
// investigators; it is audited as such.
func (s *Service) OpenOriginal(ctx context.Context, a auth.Actor, reportID, id string) (*AttachmentView, []byte, error) {
	return s.openAttachment(ctx, a, reportID, id, "attachment.read_original")
}

// Thumbnail returns a small JPEG of an image attachment (at most ThumbSize
// pixels on its longer side), drawn from the sealed file's pixels, so it
// carries no metadata; for whoever may open the clean copy, and audited as
// attachment.thumbnail. A PDF has none (ErrNoCleanCopy).
func (s *Service) Thumbnail(ctx context.Context, a auth.Actor, reportID, id string) ([]byte, error) {
	at, data, err := s.openAttachment(ctx, a, reportID, id, "attachment.thumbnail")
	if err != nil {
		return nil, err
	}
	release, err := s.decodeSlot(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return thumbnail(at.MediaType, data)
}

// openAttachment opens an attachment for a who may read its report and
// records action: attachment.read_original opens the original (for
// mayOpenOriginal only); the others need a clean copy to exist.
func (s *Service) openAttachment(ctx context.Context, a auth.Actor, reportID, id, action string) (*AttachmentView, []byte, error) {
	original := action == "attachment.read_original"
	q := s.db.Read()
	r, res, _, err := s.load(ctx, q, a, reportID, auth.ReadReport)
	if err != nil {
		return nil, nil, err
	}
	if a.Role == auth.Partner && !slices.Contains(res.Shared, ShareStatements) {
		return nil, nil, auth.ErrForbidden
	}
	if original && !mayOpenOriginal(a, r) {
		return nil, nil, auth.ErrForbidden
	}
	as, err := q.ListAttachments(ctx, reportID)
	if err != nil {
		return nil, nil, err
	}
	idx := slices.IndexFunc(as, func(x *store.Attachment) bool { return x.ID == id })
	if idx < 0 {
		return nil, nil, fmt.Errorf("attachment %s: %w", id, store.ErrNotFound)
	}
	at := attachmentView(as[idx])
	at.Original = mayOpenOriginal(a, r)
	if !original && !at.Clean {
		return nil, nil, ErrNoCleanCopy
	}
	dk, err := s.dataKey(ctx, q, reportID)
	if err != nil {
		if errors.Is(err, seal.ErrDestroyed) {
			return nil, nil, fmt.Errorf("attachment %s was erased: %w", id, store.ErrNotFound)
		}
		return nil, nil, err
	}
	sealed, err := s.Files.Get(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("intake: read attachment %s: %w", id, err)
	}
	data, err := dk.Open(sealed, attachmentContext(id, "file"))
	if err != nil {
		return nil, nil, fmt.Errorf("intake: open attachment %s: %w", id, err)
	}
	if err := s.db.Tx(ctx, func(q store.Q) error {
		return audit.Record(ctx, q, a, action, "report", reportID, map[string]string{"attachment": id})
	}); err != nil {
		return nil, nil, err
	}
	return &at, data, nil
}
