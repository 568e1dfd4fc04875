package intake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/invalid"
)

// UploadLimits bound the attachments the public may send, so that nobody
// can fill the disk through the report form.
type UploadLimits struct {
	// ClientHourly is how many bytes of attachments one client may send
	// in an hour (0: no limit).
	ClientHourly int64
	// Hourly is how many bytes of public attachments this server takes in
	// an hour from everyone together (0: no limit).
	Hourly int64
	// MinFreeDisk is the free space, in bytes, below which the attachments
	// directory takes no more files (0: no watermark).
	MinFreeDisk int64
}

// Why an attachment was refused while its report was still taken.
const (
	// RefusedClientQuota: this client sent ClientHourly bytes this hour.
	RefusedClientQuota = "client_quota"
	// RefusedHourlyQuota: the server took Hourly bytes this hour.
	RefusedHourlyQuota = "hourly_quota"
	// RefusedDiskSpace: the disk is below MinFreeDisk.
	RefusedDiskSpace = "disk_space"
)

// RefusedError is an attachment the service would not take now. It is not
// the reporter's fault and not a reason to refuse the report: the report is
// stored without the file, and Reason is shown to the reporter.
type RefusedError struct {
	Reason string
}

func (e *RefusedError) Error() string {
	return "intake: attachment refused: " + e.Reason
}

// AsRefused returns err's *RefusedError, if it is one.
func AsRefused(err error) (*RefusedError, bool) {
	var re *RefusedError
	ok := errors.As(err, &re)
	return re, ok
}

// quota counts public attachment bytes over the last hour, per client and
// in all. It keeps client keys only for an hour, in memory: nothing about
// who sent what reaches the database or outlives a restart.
type quota struct {
	// mu guards clients and all.
	mu      sync.Mutex
	clients map[string][]*use
	all     []*use
}

// use is one upload's bytes, counted from when it started.
type use struct {
	at time.Time
	n  int64
}

func newQuota() *quota { return &quota{clients: map[string][]*use{}} }

// sum drops the uses older than an hour from us and adds up the rest.
func sum(us []*use, now time.Time) ([]*use, int64) {
	keep := us[:0]
	var total int64
	for _, u := range us {
		if now.Sub(u.at) < time.Hour {
			keep = append(keep, u)
			total += u.n
		}
	}
	clear(us[len(keep):])
	return keep, total
}

// start begins counting an upload by client.
func (q *quota) start(client string, now time.Time) *use {
	u := &use{at: now}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.clients[client] = append(q.clients[client], u)
	q.all = append(q.all, u)
	return u
}

// grow adds n bytes to u if both the client's and the server's hourly
// totals stay within l; otherwise it says which would not.
func (q *quota) grow(client string, u *use, n int64, l UploadLimits, now time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	var mine, all int64
	q.clients[client], mine = sum(q.clients[client], now)
	q.all, all = sum(q.all, now)
	if len(q.clients[client]) == 0 {
		delete(q.clients, client)
	}
	switch {
	case l.ClientHourly > 0 && mine+n > l.ClientHourly:
		return &RefusedError{Reason: RefusedClientQuota}
	case l.Hourly > 0 && all+n > l.Hourly:
		return &RefusedError{Reason: RefusedHourlyQuota}
	}
	u.n += n
	return nil
}

// release stops counting u (its file was not stored).
func (q *quota) release(u *use) {
	q.mu.Lock()
	u.n = 0
	q.mu.Unlock()
}

// Upload is one attachment received from the public and checked, held in
// memory until its report is stored. Release it if it is not attached.
type Upload struct {
	Name      string
	MediaType string
	Data      []byte
	use       *use
	q         *quota
}

// Release gives the upload's bytes back to the quotas: its file was not
// stored. Releasing twice, or after attaching, does nothing.
func (u *Upload) Release() {
	if u != nil && u.use != nil {
		u.q.release(u.use)
		u.use = nil
	}
}

// readChunk is how much of an upload is read (and counted against the
// quotas) at a time.
const readChunk = 64 << 10

// ReceiveUpload reads one attachment sent by client (its network address,
// or what stands for it) from r, at most MaxAttachment bytes, counting each
// chunk against the hourly quotas before reading it, and checks its content
// in full. Refusals:
//   - *RefusedError when a quota is spent or the disk is below the
//     watermark: the rest of r is not read, and the report goes on without
//     the file;
//   - *invalid.Error "too_large" (the rest of r is not read), "empty_file",
//     "unsupported_type", "mismatched_content", "image_too_large" or
//     "unreadable": the file is wrong and the reporter should fix it.
func (s *Service) ReceiveUpload(ctx context.Context, client, field, name string, r io.Reader) (*Upload, error) {
	now := time.Now()
	if err := s.checkDisk(MaxAttachment); err != nil {
		return nil, err
	}
	u := &Upload{Name: name, use: s.quota.start(client, now), q: s.quota}
	var buf []byte
	for {
		if err := ctx.Err(); err != nil {
			u.Release()
			return nil, err
		}
		// One chunk at a time, counted as it arrives: a client over its
		// quota holds at most one chunk more than it may.
		buf = slices.Grow(buf, readChunk)
		n, err := io.ReadFull(r, buf[len(buf):len(buf)+readChunk])
		buf = buf[:len(buf)+n]
		if len(buf) > MaxAttachment {
			u.Release()
			return nil, invalid.Field(field, "too_large", "%q is larger than %d bytes", name, MaxAttachment)
		}
		if n > 0 {
			if err := s.quota.grow(client, u.use, int64(n), s.Uploads, now); err != nil {
				u.Release()
				return nil, err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			u.Release()
			return nil, invalid.Field(field, "unreadable", "%q could not be read", name)
		}
	}
	mt, err := s.CheckAttachment(ctx, field, buf)
	if err != nil {
		u.Release()
		return nil, err
	}
	u.MediaType, u.Data = mt, buf
	return u, nil
}

// AttachUpload stores a received upload on the report with code, for its
// reporter who proves it with secret.
func (s *Service) AttachUpload(ctx context.Context, code, secret string, u *Upload) (*AttachmentView, error) {
	v, err := s.AttachWithSecret(ctx, code, secret, u.Name, u.Data)
	if err != nil {
		u.Release()
		return nil, err
	}
	u.use = nil // stays counted for the hour
	return v, nil
}

// checkDisk refuses with RefusedDiskSpace unless the attachments' file
// system keeps MinFreeDisk free after n more bytes and the uploads under
// way. A free space that cannot be read refuses nothing; nor does a
// bucket, whose space is not this machine's disk.
func (s *Service) checkDisk(n int64) error {
	dir, ok := s.Files.(*blob.Dir)
	if s.Uploads.MinFreeDisk <= 0 || !ok {
		return nil
	}
	if err := os.MkdirAll(dir.Path(), 0o700); err != nil {
		return fmt.Errorf("intake: attachments dir: %w", err)
	}
	free, err := s.FreeSpace(dir.Path())
	if err != nil {
		s.log.Warn("intake: free space unknown", "dir", dir.Path(), "err", err)
		return nil
	}
	if free-n < s.Uploads.MinFreeDisk {
		return &RefusedError{Reason: RefusedDiskSpace}
	}
	return nil
}
