package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/web"
)

// benchUpload posts the public report form with large attachments from one
// address, as fast as the server takes them, and reports the status codes,
// what the receipts said about the files, and how much the data directory
// grew.
func benchUpload(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench upload")
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of a running vigil serve")
	dir := fs.String("data", "", "the server's data directory, to measure how much it grows (optional)")
	posts := fs.Int("posts", 40, "how many reports to post")
	files := fs.Int("files", web.MaxAttachments, "files per report")
	sizeFlag := fs.String("file-size", "10MiB", "size of each file (a JPEG of noise just under this)")
	clients := fs.Int("clients", 4, "posts in flight at once (all from this machine's one address)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	size, err := config.ParseBytes(*sizeFlag)
	if err != nil {
		return fmt.Errorf("bench upload: --file-size: %w: %w", errUsage, err)
	}
	photos := make([][]byte, *files)
	for i := range photos {
		photos[i] = noiseJPEG(size, uint64(i+1))
	}
	body, ctype := uploadBody(photos)
	fmt.Fprintf(e.stdout, "posting %d reports of %d files (%d bytes each), %.1f MiB a post, %d at a time\n",
		*posts, *files, len(photos[0]), float64(len(body))/(1<<20), *clients)
	var before int64
	if *dir != "" {
		if before, err = diskUsage(*dir); err != nil {
			return fmt.Errorf("bench upload: %w", err)
		}
	}
	client := &http.Client{Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var mu sync.Mutex
	codes := map[string]int{}
	reasons := map[string]int{}
	work := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	for range max(1, *clients) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				code, reason := postUpload(ctx, client, *base, body, ctype)
				mu.Lock()
				codes[code]++
				if reason != "" {
					reasons[reason]++
				}
				mu.Unlock()
			}
		}()
	}
	for range *posts {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Fprintf(e.stdout, "%d posts (%.0f MiB sent) in %.1f s\n", *posts, float64(*posts)*float64(len(body))/(1<<20), elapsed.Seconds())
	fmt.Fprintf(e.stdout, "status codes: %s\n", counts(codes))
	fmt.Fprintf(e.stdout, "receipts: files refused (%s)\n", counts(reasons))
	if *dir != "" {
		after, err := diskUsage(*dir)
		if err != nil {
			return fmt.Errorf("bench upload: %w", err)
		}
		fmt.Fprintf(e.stdout, "data directory %s: %.1f MB before, %.1f MB after: grew %.1f MB\n", *dir, float64(before)/1e6, float64(after)/1e6, float64(after-before)/1e6)
	}
	return nil
}

// postUpload posts one report and returns the status (or the transport
// error) and, for a filed report, why its files were refused ("" if they
// were stored), as the one-time receipt cookie carries it.
func postUpload(ctx context.Context, c *http.Client, base string, body []byte, ctype string) (string, string) {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/report", bytes.NewReader(body))
	if err != nil {
		return "error", ""
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := c.Do(req)
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		// The server answered and closed without reading the body (a
		// refusal before the body) while this side was still sending it.
		return "reset before the body was read", ""
	}
	if err != nil {
		return "error: " + err.Error(), ""
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	reason := ""
	for _, ck := range resp.Cookies() {
		if ck.Name == "vigil_receipt" {
			v, _ := url.QueryUnescape(ck.Value)
			parts := strings.SplitN(v, "|", 3)
			if len(parts) == 3 && parts[2] != "" {
				reason = parts[2]
			}
		}
	}
	if resp.StatusCode == http.StatusSeeOther && reason == "" {
		reason = "none"
	}
	return fmt.Sprint(resp.StatusCode), reason
}

// uploadBody is the report form with photos, as a browser sends it.
func uploadBody(photos [][]byte) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("narrative", "Load test: photos of the compound, sent from one address.")
	mw.WriteField("place", "Bavet")
	for i, p := range photos {
		w, _ := mw.CreateFormFile("attachment", fmt.Sprintf("photo-%d.jpg", i+1))
		w.Write(p)
	}
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// noiseJPEG returns a JPEG of noise a little under size bytes: a real photo
// as far as the server can tell, that does not compress.
func noiseJPEG(size int64, seed uint64) []byte {
	encode := func(side int) []byte {
		img := image.NewRGBA(image.Rect(0, 0, side, side))
		r := rand.New(rand.NewPCG(seed, 0))
		for i := range img.Pix {
			img.Pix[i] = byte(r.Uint32())
		}
		var buf bytes.Buffer
		jpeg.Encode(&buf, img, &jpeg.Options{Quality: 100})
		return buf.Bytes()
	}
	perPixel := float64(len(encode(256))) / (256 * 256)
	side := int(math.Sqrt(float64(size) * 0.98 / perPixel))
	for {
		b := encode(side)
		if int64(len(b)) <= size || side < 16 {
			return b
		}
		side = side * 99 / 100
	}
}

// diskUsage is the space the files under dir take on disk, as du counts
// it (allocated blocks, not apparent sizes).
func diskUsage(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			total += st.Blocks * 512
		} else {
			total += info.Size()
		}
		return nil
	})
	return total, err
}

func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
