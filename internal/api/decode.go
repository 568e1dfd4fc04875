package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/answer"
)

// decodeJSON reads r's body into dst strictly: at most limit bytes, UTF-8,
// one JSON value, no unknown fields, the right types. Every refusal names
// the field it is about.
func decodeJSON(r *http.Request, limit int64, dst any) error {
	// Only JSON: a form or text/plain body is what a page on another site
	// can send without asking (curl -d needs -H 'Content-Type:
	// application/json').
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return answer.Refuse(http.StatusUnsupportedMediaType, "unsupported_media_type", "", "send the body as application/json (Content-Type: application/json)")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return answer.Refuse(http.StatusBadRequest, "unreadable_body", "", "the request body could not be read")
	}
	if int64(len(body)) > limit {
		return answer.Refuse(http.StatusRequestEntityTooLarge, "too_large", "", fmt.Sprintf("the request body is larger than %d bytes", limit))
	}
	return decodeBytes(body, dst)
}

// decodeBytes is decodeJSON after the body is read; fuzzed directly.
func decodeBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return answer.Refuse(http.StatusBadRequest, "empty_body", "", "the request body is empty; send a JSON object")
	}
	if !utf8.Valid(body) {
		off := invalidUTF8Offset(body)
		return answer.Refuse(http.StatusBadRequest, "invalid_utf8", pathAt(body, off), fmt.Sprintf("the body is not valid UTF-8 (byte %d)", off))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(body, err)
	}
	if dec.More() {
		return answer.Refuse(http.StatusBadRequest, "malformed_json", "", "the body holds more than one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return answer.Refuse(http.StatusBadRequest, "malformed_json", "", "unexpected data after the JSON value")
	}
	return nil
}

func jsonError(body []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return answer.Refuse(http.StatusBadRequest, "malformed_json", pathAt(body, int(syn.Offset)), fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, syn.Error()))
	case errors.As(err, &typ):
		// The decoder's own field path has no array indexes; the path at
		// the offending value's offset does.
		field := typ.Field
		if field != "" {
			field = pathAt(body, int(typ.Offset)-1)
		}
		return answer.Refuse(http.StatusBadRequest, "wrong_type", field, fmt.Sprintf("%s: got a JSON %s, want %s", orBody(field), typ.Value, jsonType(typ.Type.Kind().String())))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return answer.Refuse(http.StatusBadRequest, "malformed_json", "", "the JSON value ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return answer.Refuse(http.StatusBadRequest, "unknown_field", name, fmt.Sprintf("unknown field %q", name))
	}
	return answer.Refuse(http.StatusBadRequest, "malformed_json", "", "the body is not valid JSON for this request: "+err.Error())
}

func orBody(field string) string {
	if field == "" {
		return "body"
	}
	return field
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	}
	return kind
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// pathAt returns the JSON path (e.g. "victims[0].name") of the value that
// contains byte offset off, as far as the JSON before it can be read.
func pathAt(body []byte, off int) string {
	type frame struct {
		array bool
		index int
		key   string
	}
	var stack []frame
	i := 0
	skipSpace := func() {
		for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r') {
			i++
		}
	}
	render := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&b, "[%d]", f.index)
			} else if f.key != "" {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	// readString returns the string starting at body[i] (a quote) and moves
	// past it.
	readString := func() string {
		start := i
		i++
		for i < len(body) && body[i] != '"' {
			if body[i] == '\\' {
				i++
			}
			i++
		}
		i++
		if i > len(body) {
			i = len(body)
		}
		s, err := strconv.Unquote(string(body[start:i]))
		if err != nil {
			return string(body[start+1 : max(start+1, i-1)])
		}
		return s
	}
	expectKey := false
	for i < len(body) && i <= off {
		skipSpace()
		if i >= len(body) || i > off {
			break
		}
		c := body[i]
		switch {
		case c == '{':
			stack = append(stack, frame{})
			expectKey = true
			i++
		case c == '[':
			stack = append(stack, frame{array: true})
			expectKey = false
			i++
		case c == '}' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			i++
		case c == ',':
			if n := len(stack); n > 0 {
				if stack[n-1].array {
					stack[n-1].index++
				} else {
					expectKey = true
				}
			}
			i++
		case c == ':':
			i++
		case c == '"':
			start := i
			s := readString()
			if expectKey && len(stack) > 0 && !stack[len(stack)-1].array {
				stack[len(stack)-1].key = s
				expectKey = false
			} else if off >= start && off < i {
				return render()
			}
		default:
			i++
		}
	}
	return render()
}
