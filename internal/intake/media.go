package intake

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"slices"
	"strings"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/vigil-project/vigil/internal/invalid"
)

// MaxDecodeBytes bounds the memory one image may take once decoded (its
// width × height × bytes per pixel): a 10 MB file can hold a picture of a
// billion pixels. 256 MiB is a 64-megapixel photo.
const MaxDecodeBytes = 256 << 20

// ErrNoCleanCopy means an attachment has no copy without metadata: a PDF, or
// an image that no longer decodes. Only its original can be opened.
var ErrNoCleanCopy = errors.New("intake: this attachment has no copy without metadata; only the original can be opened")

// checkContent checks that data is, in full, the media type mt it was
// sniffed as: the whole image decodes within MaxDecodeBytes, and nothing
// follows the image's end marker (a JPEG that is also a ZIP, a PNG with a
// PDF after IEND); a PDF starts with %PDF-, ends with %%EOF, and carries no
// ZIP directory or HTML where a reader would look for them. A file that is
// two things at once is refused: staff open attachments in other programs.
func checkContent(field, mt string, data []byte) error {
	mismatch := func(format string, args ...any) error {
		return invalid.Field(field, "mismatched_content", "the file is not only a %s: %s", mt, fmt.Sprintf(format, args...))
	}
	var end int
	var err error
	switch mt {
	case "image/jpeg":
		end, err = jpegEnd(data)
		// Cameras put more JPEGs after the first (the Multi-Picture
		// Format's previews) and some pad with zeros; anything else after
		// the end is not part of a photo.
		for err == nil && end < len(data) && !allZero(data[end:]) {
			var n int
			if n, err = jpegEnd(data[end:]); err == nil {
				end += n
			}
		}
		if err == nil {
			end = len(data)
		}
	case "image/png":
		end, err = pngEnd(data)
	case "image/gif":
		var pixels int64
		end, pixels, err = gifEnd(data)
		if err == nil && pixels > MaxDecodeBytes {
			return invalid.Field(field, "image_too_large", "the animation has %d pixels in all; at most %d allowed", pixels, MaxDecodeBytes)
		}
	case "image/webp":
		end, err = webpEnd(data)
	case "application/pdf":
		return checkPDF(field, data)
	default:
		return invalid.Field(field, "unsupported_type", "the file is %s; send a photo (JPEG, PNG, GIF, WebP) or a PDF", mt)
	}
	if err != nil {
		return mismatch("%v", err)
	}
	if end != len(data) {
		return mismatch("%d bytes follow the end of the image", len(data)-end)
	}
	if _, err := decodeImage(field, mt, data); err != nil {
		return err
	}
	return nil
}

// decodeImage decodes a whole image after checking, from its header, that
// it fits in MaxDecodeBytes. A GIF decodes with all its frames.
func decodeImage(field, mt string, data []byte) (any, error) {
	var cfg image.Config
	var err error
	switch mt {
	case "image/webp":
		cfg, err = webp.DecodeConfig(bytes.NewReader(data))
	default:
		cfg, _, err = image.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return nil, invalid.Field(field, "unreadable", "the image cannot be read: %v", err)
	}
	if cost := int64(cfg.Width) * int64(cfg.Height) * bytesPerPixel(cfg.ColorModel); cost > MaxDecodeBytes || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, invalid.Field(field, "image_too_large", "the image is %d×%d pixels; that is too large to open safely", cfg.Width, cfg.Height)
	}
	var img any
	switch mt {
	case "image/jpeg":
		img, err = jpeg.Decode(bytes.NewReader(data))
	case "image/png":
		img, err = png.Decode(bytes.NewReader(data))
	case "image/gif":
		img, err = gif.DecodeAll(bytes.NewReader(data))
	case "image/webp":
		img, err = webp.Decode(bytes.NewReader(data))
	default:
		return nil, ErrNoCleanCopy
	}
	if err != nil {
		return nil, invalid.Field(field, "unreadable", "the image cannot be read: %v", err)
	}
	return img, nil
}

func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// cleanCopy re-encodes an image from its pixels alone, so no metadata
// survives: EXIF (GPS position, camera serial, time), XMP, comments, ICC
// profiles. A JPEG is first turned upright as its EXIF orientation says,
// since the orientation goes with the metadata. A WebP becomes a PNG (there
// is no WebP encoder in the standard library or x/image). It returns the
// copy's media type.
func cleanCopy(mt string, data []byte) (string, []byte, error) {
	if mt == "application/pdf" {
		return "", nil, ErrNoCleanCopy
	}
	img, err := decodeImage("attachment", mt, data)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrNoCleanCopy, err)
	}
	var buf bytes.Buffer
	switch im := img.(type) {
	case *gif.GIF:
		// Comments and application extensions (XMP) are not kept; frames,
		// delays, disposal and the loop count are.
		out := &gif.GIF{Image: im.Image, Delay: im.Delay, LoopCount: im.LoopCount, Disposal: im.Disposal, Config: im.Config, BackgroundIndex: im.BackgroundIndex}
		err = gif.EncodeAll(&buf, out)
	case image.Image:
		if mt == "image/jpeg" {
			err = jpeg.Encode(&buf, orient(im, jpegOrientation(data)), &jpeg.Options{Quality: 92})
		} else {
			mt = "image/png"
			err = png.Encode(&buf, im)
		}
	}
	if err != nil {
		return "", nil, fmt.Errorf("intake: re-encode %s: %w", mt, err)
	}
	return mt, buf.Bytes(), nil
}

// ThumbSize is the longer side of a thumbnail, in pixels.
const ThumbSize = 240

// thumbnail draws an image's first frame (upright, for a JPEG) at most
// ThumbSize pixels on its longer side, on white, as a JPEG.
func thumbnail(mt string, data []byte) ([]byte, error) {
	if mt == "application/pdf" {
		return nil, ErrNoCleanCopy
	}
	img, err := decodeImage("attachment", mt, data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoCleanCopy, err)
	}
	var src image.Image
	switch im := img.(type) {
	case *gif.GIF:
		if len(im.Image) == 0 {
			return nil, ErrNoCleanCopy
		}
		src = im.Image[0]
	case image.Image:
		src = im
		if mt == "image/jpeg" {
			src = orient(im, jpegOrientation(data))
		}
	default:
		return nil, ErrNoCleanCopy
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	switch {
	case w >= h && w > ThumbSize:
		w, h = ThumbSize, max(1, h*ThumbSize/w)
	case h > w && h > ThumbSize:
		w, h = max(1, w*ThumbSize/h), ThumbSize
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("intake: encode thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

var errTruncated = errors.New("the file ends before the image does")

// jpegEnd returns the offset just past the EOI marker of the JPEG at the
// start of b, walking its segments and entropy-coded scans.
func jpegEnd(b []byte) (int, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0, errors.New("no JPEG start marker")
	}
	i := 2
	for {
		if i >= len(b) {
			return 0, errTruncated
		}
		if b[i] != 0xFF {
			return 0, fmt.Errorf("no JPEG marker at byte %d", i)
		}
		for i < len(b) && b[i] == 0xFF {
			i++
		}
		if i >= len(b) {
			return 0, errTruncated
		}
		m := b[i]
		i++
		switch {
		case m == 0xD9: // EOI
			return i, nil
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // TEM, RSTn: no length
			continue
		case m == 0xD8 || m == 0x00:
			return 0, fmt.Errorf("unexpected JPEG marker %#x at byte %d", m, i-1)
		}
		if i+2 > len(b) {
			return 0, errTruncated
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return 0, errTruncated
		}
		i += n
		if m != 0xDA { // SOS: entropy-coded data follows
			continue
		}
		for {
			j := bytes.IndexByte(b[i:], 0xFF)
			if j < 0 || i+j+1 >= len(b) {
				return 0, errTruncated
			}
			i += j
			next := b[i+1]
			if next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF {
				i++ // a stuffed byte, a restart marker or fill: still in the scan
				if next != 0xFF {
					i++
				}
				continue
			}
			break
		}
	}
}

// pngEnd returns the offset just past the IEND chunk.
func pngEnd(b []byte) (int, error) {
	const sig = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(b, []byte(sig)) {
		return 0, errors.New("no PNG signature")
	}
	i := len(sig)
	for {
		if i+12 > len(b) {
			return 0, errTruncated
		}
		n := int64(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		end := int64(i) + 12 + n
		if end > int64(len(b)) {
			return 0, errTruncated
		}
		i = int(end)
		if typ == "IEND" {
			return i, nil
		}
	}
}

// gifEnd returns the offset just past the GIF trailer and the pixels of all
// its frames together.
func gifEnd(b []byte) (int, int64, error) {
	if len(b) < 13 || (string(b[:6]) != "GIF87a" && string(b[:6]) != "GIF89a") {
		return 0, 0, errors.New("no GIF header")
	}
	i := 13
	if b[10]&0x80 != 0 {
		i += 3 << (int(b[10]&7) + 1)
	}
	var pixels int64
	subBlocks := func() error {
		for {
			if i >= len(b) {
				return errTruncated
			}
			n := int(b[i])
			i += 1 + n
			if n == 0 {
				return nil
			}
		}
	}
	for {
		if i >= len(b) {
			return 0, 0, errTruncated
		}
		switch b[i] {
		case 0x3B: // trailer
			return i + 1, pixels, nil
		case 0x21: // extension: label, then sub-blocks
			i += 2
			if err := subBlocks(); err != nil {
				return 0, 0, err
			}
		case 0x2C: // image descriptor, local colour table, LZW code size, data
			if i+10 > len(b) {
				return 0, 0, errTruncated
			}
			w, h := binary.LittleEndian.Uint16(b[i+5:]), binary.LittleEndian.Uint16(b[i+7:])
			pixels += int64(w) * int64(h)
			packed := b[i+9]
			i += 10
			if packed&0x80 != 0 {
				i += 3 << (int(packed&7) + 1)
			}
			i++ // LZW minimum code size
			if err := subBlocks(); err != nil {
				return 0, 0, err
			}
		default:
			return 0, 0, fmt.Errorf("unexpected GIF block %#x at byte %d", b[i], i)
		}
	}
}

// webpEnd returns the end of the RIFF container the WebP is in.
func webpEnd(b []byte) (int, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return 0, errors.New("no WebP header")
	}
	end := 8 + int64(binary.LittleEndian.Uint32(b[4:]))
	if end > int64(len(b)) {
		return 0, errTruncated
	}
	return int(end), nil
}

// checkPDF checks a PDF's header and end, and that no other format hides in
// it where that format's readers look: a ZIP's central directory at the end,
// HTML within the first kilobyte (where browsers sniff).
func checkPDF(field string, data []byte) error {
	mismatch := func(msg string) error {
		return invalid.Field(field, "mismatched_content", "the file is not only a PDF: %s", msg)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return mismatch("it does not start with %PDF-")
	}
	tail := data[max(0, len(data)-1024):]
	k := bytes.LastIndex(tail, []byte("%%EOF"))
	if k < 0 || len(bytes.TrimRight(tail[k+5:], "\r\n\t \x00")) != 0 {
		return mismatch("it does not end with %%EOF")
	}
	// A ZIP's end-of-central-directory record sits in its last 64 KiB.
	if bytes.Contains(data[max(0, len(data)-(65535+22)):], []byte("PK\x05\x06")) {
		return mismatch("it ends with a ZIP archive's directory")
	}
	head := strings.ToLower(string(data[:min(len(data), 1024)]))
	for _, tag := range []string{"<html", "<script", "<!doctype", "<svg", "<body", "<iframe"} {
		if strings.Contains(head, tag) {
			return mismatch("its first kilobyte holds HTML")
		}
	}
	return nil
}

// sniff detects data's media type from its content, never from a name or
// a claim.
func sniff(data []byte) string {
	mt, _, _ := strings.Cut(http.DetectContentType(data), ";")
	return mt
}

// accepted reports whether mt is an attachment type Vigil takes.
func accepted(mt string) bool { return slices.Contains(AttachmentTypes, mt) }

// jpegOrientation reads the EXIF orientation (1–8) of a JPEG; 1 when there
// is none.
func jpegOrientation(b []byte) int {
	i := 2
	for i+4 <= len(b) && b[i] == 0xFF {
		m := b[i+1]
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if m == 0xDA || n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		i += 2 + n
		if m != 0xE1 || !bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			continue
		}
		t := seg[6:]
		if len(t) < 8 {
			return 1
		}
		var bo binary.ByteOrder
		switch string(t[:2]) {
		case "II":
			bo = binary.LittleEndian
		case "MM":
			bo = binary.BigEndian
		default:
			return 1
		}
		off := int64(bo.Uint32(t[4:]))
		if off+2 > int64(len(t)) {
			return 1
		}
		count := int64(bo.Uint16(t[off:]))
		for e := off + 2; e+12 <= int64(len(t)) && e < off+2+count*12; e += 12 {
			if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
				if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
					return o
				}
			}
		}
		return 1
	}
	return 1
}

// orient turns img as EXIF orientation o says (1 is as stored).
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			copy(dst.Pix[dst.PixOffset(x, y):][:4], src.Pix[src.PixOffset(sx, sy):][:4])
		}
	}
	return dst
}
