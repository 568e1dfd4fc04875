package ingest_test

import (
	"image"
	"image/color"
	"image/png"
	"io"
)

func encodePNG(w io.Writer) error {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{200, 10, 10, 255})
	}
	return png.Encode(w, img)
}
