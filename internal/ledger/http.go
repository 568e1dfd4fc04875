package ledger

import (
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/store"
)

// Cache lifetimes of the public read API. Tiles and entry bundles (full or
// partial) never change once they can be served, so they are immutable; the
// checkpoint changes with every batch.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheCheckpoint = "public, max-age=2"
	cacheKey        = "public, max-age=3600"
	cacheNone       = "no-store"
)

// Handler serves the log's public read API in the C2SP tlog-tiles layout:
// GET /log/checkpoint, /log/tile/<L>/<N>[.p/<W>], /log/tile/entries/<N>[.p/<W>]
// and the note verifier key as plain text at /log/vkey (during a key
// change, /log/vkeys lists the next key after it). Mount it at /log/.
// Only what the latest checkpoint covers is served.
func (l *Log) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /log/checkpoint", l.serveCheckpoint)
	mux.HandleFunc("GET /log/vkey", l.serveVerifierKey)
	mux.HandleFunc("GET /log/vkeys", l.serveVerifierKeys)
	mux.HandleFunc("GET /log/tile/{path...}", l.serveTile)
	return mux
}

func (l *Log) serveCheckpoint(w http.ResponseWriter, r *http.Request) {
	h, err := l.latest(r.Context(), 0)
	if err != nil {
		plainError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", cacheCheckpoint)
	w.Write([]byte(h.note))
}

func (l *Log) serveVerifierKey(w http.ResponseWriter, r *http.Request) {
	l.refreshKey(r.Context())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", cacheKey)
	w.Write([]byte(l.VerifierKey() + "\n"))
}

// serveVerifierKeys lists the keys that sign the log's checkpoints now, one
// per line: the log's key, then, during a key change, the next one.
func (l *Log) serveVerifierKeys(w http.ResponseWriter, r *http.Request) {
	l.refreshKey(r.Context())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", cacheKey)
	w.Write([]byte(strings.Join(l.VerifierKeys(), "\n") + "\n"))
}

func (l *Log) serveTile(w http.ResponseWriter, r *http.Request) {
	t, err := ParseTilePath("tile/" + r.PathValue("path"))
	if err != nil {
		w.Header().Set("Cache-Control", cacheNone)
		http.Error(w, "malformed tile path", http.StatusNotFound)
		return
	}
	h, err := l.latest(r.Context(), 0)
	if err != nil {
		plainError(w, err)
		return
	}
	if tileWidthAt(t.Level, t.Index, h.size) < t.Width {
		w.Header().Set("Cache-Control", cacheNone)
		http.Error(w, "no such tile in the latest checkpoint", http.StatusNotFound)
		return
	}
	var body []byte
	if t.Level == EntriesLevel {
		body, err = l.entryBundle(r, t)
	} else {
		body, err = l.hashTile(r, t)
	}
	if err != nil {
		l.log.Error("ledger: serve tile", "path", t.Path(), "err", err)
		plainError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", cacheImmutable)
	if t.Level == EntriesLevel {
		w.Header().Set("Vary", "Accept-Encoding")
		if answer.AcceptsGzip(r) {
			w.Header().Set("Content-Encoding", "gzip")
			gz := gzip.NewWriter(w)
			gz.Write(body)
			gz.Close()
			return
		}
	}
	w.Write(body)
}

// hashTile returns the first t.Width hashes of the stored tile.
func (l *Log) hashTile(r *http.Request, t Tile) ([]byte, error) {
	id := store.LedgerTileID{Level: t.Level, Index: t.Index}
	tiles, err := l.readTiles(r.Context(), map[store.LedgerTileID]int{id: t.Width})
	if err != nil {
		return nil, err
	}
	return tiles[id].data[:t.Width*HashSize], nil
}

// entryBundle encodes entries [N·256, N·256+W) as big-endian uint16
// length-prefixed records.
func (l *Log) entryBundle(r *http.Request, t Tile) ([]byte, error) {
	start := t.Index * TileWidth
	leaves, err := l.db.Read().LedgerLeaves(r.Context(), start, start+int64(t.Width))
	if err != nil {
		return nil, err
	}
	var b []byte
	for _, leaf := range leaves {
		if len(leaf.Entry) > 0xFFFF {
			return nil, fmt.Errorf("ledger: entry %d is %d bytes, too long for a bundle", leaf.Index, len(leaf.Entry))
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(leaf.Entry)))
		b = append(b, leaf.Entry...)
	}
	return b, nil
}

// plainError answers a failure of the plain-text routes: 404 for what does
// not exist (yet), 500 otherwise.
func plainError(w http.ResponseWriter, err error) {
	w.Header().Set("Cache-Control", cacheNone)
	a := answer.Of(err)
	if a.RetryAfter != "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	http.Error(w, a.Message, a.Status)
}

// ProofResponse is the JSON answer of the proof routes. Proof hashes are
// base64. Checkpoint is the signed checkpoint when the proof is against the
// latest tree size.
type ProofResponse struct {
	Index      *int64   `json:"index,omitempty"`
	Size       *int64   `json:"size,omitempty"`
	From       *int64   `json:"from,omitempty"`
	To         *int64   `json:"to,omitempty"`
	Proof      [][]byte `json:"proof"`
	Checkpoint string   `json:"checkpoint,omitempty"`
}

// InclusionHandler serves GET ?index=I[&size=N]: the inclusion proof of
// leaf I in the tree of size N (default: the latest checkpoint's). Malformed
// parameters answer 400; a leaf or size beyond the latest checkpoint 404.
func (l *Log) InclusionHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, index, h, ok := l.proofArgs(w, r, "index")
		if !ok {
			return
		}
		size, ok := treeSize(w, q, "size", h)
		if !ok {
			return
		}
		if index >= size {
			jsonError(w, http.StatusNotFound, "not_found", fmt.Sprintf("leaf %d is not in the tree of size %d", index, size), "index")
			return
		}
		p, err := l.InclusionProof(r.Context(), index, size)
		l.answerProof(w, "inclusion", ProofResponse{Index: &index, Size: &size}, p, err, size, h)
	})
}

// ConsistencyHandler serves GET ?from=A[&to=B]: the consistency proof from
// the tree of size A to the tree of size B (default: the latest
// checkpoint's). Malformed or reversed sizes answer 400; a size beyond the
// latest checkpoint 404.
func (l *Log) ConsistencyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, from, h, ok := l.proofArgs(w, r, "from")
		if !ok {
			return
		}
		to, ok := treeSize(w, q, "to", h)
		if !ok {
			return
		}
		if from > to {
			jsonError(w, http.StatusBadRequest, "invalid", fmt.Sprintf("from (%d) is larger than to (%d)", from, to), "from")
			return
		}
		p, err := l.ConsistencyProof(r.Context(), from, to)
		l.answerProof(w, "consistency", ProofResponse{From: &from, To: &to}, p, err, to, h)
	})
}

// proofArgs reads a proof request's required parameter first and the
// latest checkpoint (false: answered with the error).
func (l *Log) proofArgs(w http.ResponseWriter, r *http.Request, first string) (url.Values, int64, *head, bool) {
	q := r.URL.Query()
	n, ok := sizeParam(w, q.Get(first), first, true)
	if !ok {
		return nil, 0, nil, false
	}
	h, err := l.latest(r.Context(), 0)
	if err != nil {
		jsonFailure(w, err)
		return nil, 0, nil, false
	}
	return q, n, h, true
}

// treeSize reads the tree size a proof is asked for from the query
// parameter field: the latest checkpoint's when absent, 400 when malformed,
// 404 when beyond the latest checkpoint (false: answered).
func treeSize(w http.ResponseWriter, q url.Values, field string, h *head) (int64, bool) {
	if q.Get(field) == "" {
		return h.size, true
	}
	size, ok := sizeParam(w, q.Get(field), field, false)
	if !ok {
		return 0, false
	}
	if size > h.size {
		jsonError(w, http.StatusNotFound, "not_found", fmt.Sprintf("tree size %d is beyond the latest checkpoint (%d)", size, h.size), field)
		return 0, false
	}
	return size, true
}

// answerProof writes resp with proof p (of kind what) in the tree of size
// (with the checkpoint when it is the latest), or the failure err.
func (l *Log) answerProof(w http.ResponseWriter, what string, resp ProofResponse, p [][]byte, err error, size int64, h *head) {
	if err != nil {
		l.log.Error("ledger: "+what+" proof", "size", size, "err", err)
		jsonFailure(w, err)
		return
	}
	resp.Proof = nonNilProof(p)
	if size == h.size {
		resp.Checkpoint = h.note
	}
	writeJSON(w, http.StatusOK, resp)
}

func nonNilProof(p [][]byte) [][]byte {
	if p == nil {
		return [][]byte{}
	}
	return p
}

// sizeParam parses a non-negative decimal query parameter, answering 400 and
// returning false when it is malformed (or missing and required).
func sizeParam(w http.ResponseWriter, s, field string, required bool) (int64, bool) {
	if s == "" {
		if required {
			jsonError(w, http.StatusBadRequest, "invalid", field+" is required", field)
			return 0, false
		}
		return 0, true
	}
	n, ok := canonicalUint(s, 1<<63-1)
	if !ok {
		jsonError(w, http.StatusBadRequest, "invalid", field+" must be a non-negative decimal integer", field)
		return 0, false
	}
	return int64(n), true
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func jsonError(w http.ResponseWriter, status int, code, message, field string) {
	w.Header().Set("Cache-Control", cacheNone)
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: message, Field: field}})
}

// jsonFailure answers a failure of the proof routes as package answer
// decides for the API (503 with Retry-After while the database is down).
func jsonFailure(w http.ResponseWriter, err error) {
	a := answer.Of(err)
	if a.Code == "not_found" {
		a.Message = "no checkpoint published yet"
	}
	if a.RetryAfter != "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	jsonError(w, a.Status, a.Code, a.Message, a.Field)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
