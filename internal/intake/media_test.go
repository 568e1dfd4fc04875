package intake_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"log/slog"
	"testing"

	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/intake/intaketest"
	"github.com/vigil-project/vigil/internal/invalid"
)

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestCheckAttachment: a file is taken only if it is, in full, the type its
// content starts as: polyglots (an image or PDF with another format after
// or inside it) are refused, and so are pictures too large to decode
// safely.
func TestCheckAttachment(t *testing.T) {
	svc := intake.New(nil, nil, nil, nil, slog.New(slog.DiscardHandler))
	jpg := intaketest.JPEG(16, 16, 1)
	pdf := intaketest.PDF()
	// 10 000 × 10 000 in a tiny PNG: the header says what it would take.
	huge := intaketest.PNG(1, 1)
	copy(huge[16:24], []byte{0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10})
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	tests := []struct {
		name string
		data []byte
		mt   string // want this media type, or
		code string // this refusal
	}{
		{"jpeg", jpg, "image/jpeg", ""},
		{"jpeg with exif", intaketest.JPEGWithGPS(8, 8, 6), "image/jpeg", ""},
		{"jpeg with a second jpeg (camera preview)", cat(jpg, intaketest.JPEG(4, 4, 2)), "image/jpeg", ""},
		{"jpeg padded with zeros", cat(jpg, make([]byte, 64)), "image/jpeg", ""},
		{"png", intaketest.PNG(8, 8), "image/png", ""},
		{"gif", intaketest.GIF(), "image/gif", ""},
		{"webp", intaketest.WebP(), "image/webp", ""},
		{"pdf", pdf, "application/pdf", ""},
		{"jpeg then pdf", cat(jpg, pdf), "", "mismatched_content"},
		{"jpeg then zip", cat(jpg, intaketest.ZIP()), "", "mismatched_content"},
		{"jpeg cut short", jpg[:len(jpg)/2], "", "mismatched_content"},
		{"png then zip", cat(intaketest.PNG(8, 8), intaketest.ZIP()), "", "mismatched_content"},
		{"gif then html", cat(intaketest.GIF(), []byte("<html><script>alert(1)</script>")), "", "mismatched_content"},
		{"webp then zip", cat(intaketest.WebP(), intaketest.ZIP()), "", "mismatched_content"},
		{"pdf then zip", cat(pdf, intaketest.ZIP()), "", "mismatched_content"},
		{"pdf with zip inside before %%EOF", cat(pdf[:len(pdf)-6], intaketest.ZIP(), []byte("\n%%EOF\n")), "", "mismatched_content"},
		{"pdf with html up front", cat([]byte("%PDF-1.4\n<html><script>x</script>\n"), pdf[9:]), "", "mismatched_content"},
		{"pdf without %%EOF", pdf[:len(pdf)-6], "", "mismatched_content"},
		{"png too large to decode", huge, "", "image_too_large"},
		{"script", []byte("#!/bin/sh\necho hi\n"), "", "unsupported_type"},
		{"empty", nil, "", "empty_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt, err := svc.CheckAttachment(context.Background(), "attachment", tt.data)
			if tt.code == "" {
				if err != nil || mt != tt.mt {
					t.Fatalf("CheckAttachment = %q, %v; want %q", mt, err, tt.mt)
				}
				return
			}
			fe, ok := invalid.As(err)
			if !ok || fe.Code != tt.code || fe.Field != "attachment" {
				t.Fatalf("CheckAttachment = %q, %v; want refusal %q of field attachment", mt, err, tt.code)
			}
		})
	}
}
