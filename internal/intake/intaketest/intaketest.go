// Package intaketest makes attachment files for tests: photos with EXIF
// location data, and files that are two formats at once.
package intaketest

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
)

// GPSMarker is what JPEGWithGPS writes as the GPS IFD's area information,
// beside a latitude of 11° 33' 23.04" N: a string a test can search the
// bytes for.
const GPSMarker = "ASCII\x00\x00\x00Boeung Keng Kang, Phnom Penh"

// JPEG returns a w×h JPEG of noise (so it compresses poorly: about 3 bytes
// a pixel at quality 100), from seed.
func JPEG(w, h int, seed uint64) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 100}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// PNG returns a small w×h PNG with a gradient.
func PNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 255 / max(1, w-1)), uint8(y * 255 / max(1, h-1)), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// JPEGWithGPS returns a w×h JPEG whose EXIF (an APP1 segment right after
// the start marker, as phones write it) holds an orientation and a GPS IFD
// with a latitude and GPSMarker. The pixels are red on the left half and
// blue on the right, so a test can tell how the picture was turned.
func JPEGWithGPS(w, h, orientation int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{220, 20, 20, 255}
			if x >= w/2 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, img, &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	exif := exifSegment(orientation)
	out := append([]byte{0xFF, 0xD8}, exif...)
	return append(out, plain.Bytes()[2:]...)
}

// exifSegment builds an APP1 Exif segment: a little-endian TIFF header,
// IFD0 with Orientation and a GPSInfo pointer, and a GPS IFD with
// GPSLatitudeRef, GPSLatitude and GPSAreaInformation.
func exifSegment(orientation int) []byte {
	le := binary.LittleEndian
	var t []byte
	put16 := func(v uint16) { t = le.AppendUint16(t, v) }
	put32 := func(v uint32) { t = le.AppendUint32(t, v) }
	entry := func(tag, typ uint16, count, value uint32) { put16(tag); put16(typ); put32(count); put32(value) }
	t = append(t, 'I', 'I')
	put16(42)
	put32(8) // IFD0 at 8
	// IFD0: 2 entries (8 + 2 + 24 + 4 = 38).
	put16(2)
	entry(0x0112, 3, 1, uint32(orientation)) // Orientation, SHORT
	entry(0x8825, 4, 1, 38)                  // GPSInfo IFD at 38, LONG
	put32(0)
	// GPS IFD at 38: 3 entries (38 + 2 + 36 + 4 = 80), then its data.
	lat := uint32(80)
	area := lat + 24
	put16(3)
	entry(0x0001, 2, 2, uint32('N'))               // GPSLatitudeRef "N\0"
	entry(0x0002, 5, 3, lat)                       // GPSLatitude, 3 RATIONALs
	entry(0x001B, 7, uint32(len(GPSMarker)), area) // GPSAreaInformation, UNDEFINED
	put32(0)
	for _, r := range [][2]uint32{{11, 1}, {33, 1}, {2304, 100}} {
		put32(r[0])
		put32(r[1])
	}
	t = append(t, GPSMarker...)
	payload := append([]byte("Exif\x00\x00"), t...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}

// ZIP is a minimal ZIP archive holding one stored file, note.txt: what a
// polyglot hides after an image or inside a PDF.
func ZIP() []byte {
	name := "note.txt"
	body := []byte("not a photo")
	le := binary.LittleEndian
	var z []byte
	z = le.AppendUint32(z, 0x04034b50) // local file header
	z = append(z, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	z = le.AppendUint32(z, 0) // CRC (not checked by sniffers)
	z = le.AppendUint32(z, uint32(len(body)))
	z = le.AppendUint32(z, uint32(len(body)))
	z = le.AppendUint16(z, uint16(len(name)))
	z = le.AppendUint16(z, 0)
	z = append(z, name...)
	z = append(z, body...)
	cd := len(z)
	z = le.AppendUint32(z, 0x02014b50) // central directory
	z = append(z, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	z = le.AppendUint32(z, 0)
	z = le.AppendUint32(z, uint32(len(body)))
	z = le.AppendUint32(z, uint32(len(body)))
	z = le.AppendUint16(z, uint16(len(name)))
	z = append(z, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	z = le.AppendUint32(z, 0)
	z = append(z, name...)
	end := len(z)
	z = le.AppendUint32(z, 0x06054b50) // end of central directory
	z = append(z, 0, 0, 0, 0, 1, 0, 1, 0)
	z = le.AppendUint32(z, uint32(end-cd))
	z = le.AppendUint32(z, uint32(cd))
	return le.AppendUint16(z, 0)
}

// WebP is a 1×1 lossless WebP.
func WebP() []byte {
	b, err := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	if err != nil {
		panic(err)
	}
	return b
}

// GIF returns a small two-frame GIF with a comment extension.
func GIF() []byte {
	pal := color.Palette{color.Black, color.White}
	var buf bytes.Buffer
	frames := []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 4, 4), pal), image.NewPaletted(image.Rect(0, 0, 4, 4), pal)}
	frames[1].SetColorIndex(1, 1, 1)
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: frames, Delay: []int{10, 10}}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// PDF is a minimal well-formed PDF.
func PDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" +
		"trailer << /Root 1 0 R >>\n%%EOF\n")
}
