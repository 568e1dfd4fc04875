// Package spill keeps temporary files of records that a bulk job writes
// once and reads back in order, so that what it computes need not fit in
// memory (a link index or a search index rebuilt at ten million reports).
package spill

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// File is a temporary file of records. Records may hold what is sealed in
// the database (an identifier in plaintext), so the file is encrypted
// (AES-256 in counter mode) under a key that lives only in this process's
// memory, and it is unlinked as soon as it is made (where the system
// allows): a job that dies leaves nothing readable behind. Not safe for
// concurrent use.
type File struct {
	f     *os.File
	block cipher.Block
	iv    []byte
	w     *bufio.Writer
	n     int // records written
}

// bufSize is each file's write and read buffer.
const bufSize = 64 << 10

// maxRecord is the longest record Put takes and Next reads: a length past
// it read back is a damaged file, not a reason to allocate.
const maxRecord = 16 << 20

// New makes a spill file in dir ("": the system's temporary directory,
// which may be a file system in memory: give a directory on disk).
func New(dir string) (*File, error) {
	f, err := os.CreateTemp(dir, "vigil-spill-*")
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	os.Remove(f.Name()) // open, it stays readable; Close removes it where this could not
	key := make([]byte, 32)
	iv := make([]byte, aes.BlockSize)
	rand.Read(key)
	rand.Read(iv)
	block, err := aes.NewCipher(key)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("spill: %w", err)
	}
	sp := &File{f: f, block: block, iv: iv}
	sp.w = bufio.NewWriterSize(&ctrWriter{s: cipher.NewCTR(block, iv), w: f}, bufSize)
	return sp, nil
}

// Put writes one record: its length, then its bytes.
func (sp *File) Put(rec []byte) error {
	if len(rec) > maxRecord {
		return fmt.Errorf("spill: a record of %d bytes (at most %d)", len(rec), maxRecord)
	}
	var n [binary.MaxVarintLen64]byte
	if _, err := sp.w.Write(n[:binary.PutUvarint(n[:], uint64(len(rec)))]); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	if _, err := sp.w.Write(rec); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	sp.n++
	return nil
}

// Len is how many records were written.
func (sp *File) Len() int { return sp.n }

// Read returns a reader of the records written so far, from the first;
// nothing may be written after.
func (sp *File) Read() (*Reader, error) {
	if err := sp.w.Flush(); err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	return &Reader{r: bufio.NewReaderSize(cipher.StreamReader{S: cipher.NewCTR(sp.block, sp.iv), R: sp.f}, bufSize)}, nil
}

// Close closes and removes the file.
func (sp *File) Close() {
	sp.f.Close()
	os.Remove(sp.f.Name()) // where an open file could not be unlinked
}

// ctrWriter encrypts what it writes into a buffer of its own
// (cipher.StreamWriter allocates one a write).
type ctrWriter struct {
	s   cipher.Stream
	w   io.Writer
	buf []byte
}

func (c *ctrWriter) Write(p []byte) (int, error) {
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	b := c.buf[:len(p)]
	c.s.XORKeyStream(b, p)
	return c.w.Write(b)
}

// Reader reads a spill file's records in order.
type Reader struct {
	r   *bufio.Reader
	buf []byte
}

// Next returns the next record, valid until the next call, or io.EOF
// after the last.
func (r *Reader) Next() ([]byte, error) {
	n, err := binary.ReadUvarint(r.r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("spill: %w", err)
	}
	if n > maxRecord {
		return nil, fmt.Errorf("spill: a record of %d bytes: the file is damaged", n)
	}
	if uint64(cap(r.buf)) < n {
		r.buf = make([]byte, n)
	}
	b := r.buf[:n]
	if _, err := io.ReadFull(r.r, b); err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	return b, nil
}
