package api_test

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigil-project/vigil/internal/api"
)

// docURL is where the schema compiler files the OpenAPI document. Nothing is
// fetched from it: the document is added as a resource.
const docURL = "https://vigil.invalid/api/openapi.json"

// contract is the OpenAPI document with every schema in it compiled. It is
// read-only once built, so parallel tests may share it.
type contract struct {
	doc map[string]any
	// schemas maps the JSON pointer of each schema in doc (e.g.
	// "/components/schemas/Ack") to its compiled form.
	schemas map[string]*jsonschema.Schema
}

// loadContract compiles the embedded document once per test binary.
var loadContract = sync.OnceValues(func() (*contract, error) { return compileContract(api.OpenAPI()) })

// compileContract parses an OpenAPI 3.1 document and compiles every schema
// in it as JSON Schema 2020-12, with format assertions on (date-time, uuid,
// email, …), resolving $ref within the document.
func compileContract(raw []byte) (*contract, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("openapi: parse: %w", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapi: the document is a %T, not an object", v)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, doc); err != nil {
		return nil, fmt.Errorf("openapi: add document: %w", err)
	}
	ct := &contract{doc: doc, schemas: map[string]*jsonschema.Schema{}}
	for _, ptr := range schemaPointers(doc) {
		sch, err := c.Compile(docURL + "#" + strings.ReplaceAll(ptr, "%", "%25"))
		if err != nil {
			return nil, fmt.Errorf("openapi: compile %s: %w", ptr, err)
		}
		ct.schemas[ptr] = sch
	}
	return ct, nil
}

// schemaPointers returns the JSON pointer of every schema in an OpenAPI
// document: each components/schemas entry and each "schema" member of a
// parameter, header or media type, wherever it is.
func schemaPointers(doc map[string]any) []string {
	var out []string
	if comps, ok := doc["components"].(map[string]any); ok {
		if schemas, ok := comps["schemas"].(map[string]any); ok {
			for name := range schemas {
				out = append(out, "/components/schemas/"+escapePointer(name))
			}
		}
	}
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				p := ptr + "/" + escapePointer(k)
				if p == "/components/schemas" {
					continue
				}
				if k == "schema" {
					out = append(out, p)
					continue
				}
				walk(child, p)
			}
		case []any:
			for i, child := range v {
				walk(child, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "")
	slices.Sort(out)
	return out
}

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// lookup returns the value at a JSON pointer in doc.
func lookup(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	v := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			child, ok := x[tok]
			if !ok {
				return nil, false
			}
			v = child
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// resolve follows a local $ref (one that starts with "#") at ptr, as often
// as needed, and returns the pointer and value it ends at.
func resolve(doc any, ptr string) (string, map[string]any, error) {
	for range 10 {
		v, ok := lookup(doc, ptr)
		if !ok {
			return "", nil, fmt.Errorf("nothing at %s", ptr)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return "", nil, fmt.Errorf("%s is a %T, not an object", ptr, v)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return ptr, m, nil
		}
		if !strings.HasPrefix(ref, "#") {
			return "", nil, fmt.Errorf("%s: $ref %q is not local to the document", ptr, ref)
		}
		ptr = ref[1:]
	}
	return "", nil, fmt.Errorf("%s: $ref chain too long", ptr)
}

// openAPIPath turns a ServeMux pattern's path into an OpenAPI path template:
// "{rest...}" becomes "{rest}" and a trailing "{$}" goes.
func openAPIPath(pattern string) string {
	return strings.ReplaceAll(strings.TrimSuffix(pattern, "{$}"), "...}", "}")
}

// operationPointer is the JSON pointer of the operation for method and a
// ServeMux pattern path.
func operationPointer(method, pattern string) string {
	return "/paths/" + escapePointer(openAPIPath(pattern)) + "/" + strings.ToLower(method)
}

// isJSON reports whether a media type is JSON.
func isJSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// validateResponse checks a response against the OpenAPI document: the
// route (method and ServeMux pattern, as in the route table) must be
// documented, with this status; the content type must be one documented for
// it; a JSON body must validate against the documented schema, and a
// response documented without content must have no body. A 500 always
// fails: no route may answer it.
func validateResponse(t testing.TB, method, pattern string, status int, contentType string, body []byte) {
	t.Helper()
	ct, err := loadContract()
	if err != nil {
		t.Errorf("OpenAPI document: %v", err)
		return
	}
	route := method + " " + pattern
	if status == http.StatusInternalServerError {
		t.Errorf("%s: status 500 (%s); no route may answer 500", route, clip(body))
		return
	}
	opPtr := operationPointer(method, pattern)
	if _, ok := lookup(ct.doc, opPtr); !ok {
		t.Errorf("%s is not in the OpenAPI document (no %s)", route, opPtr)
		return
	}
	resPtr, res, err := resolve(ct.doc, opPtr+"/responses/"+strconv.Itoa(status))
	if err != nil {
		t.Errorf("%s: status %d is not documented (%v); body %s", route, status, err, clip(body))
		return
	}
	content, _ := res["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) != 0 {
			t.Errorf("%s: status %d is documented without a body, got %s", route, status, clip(body))
		}
		return
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Errorf("%s: status %d: content type %q: %v", route, status, contentType, err)
		return
	}
	if _, ok := content[mt]; !ok {
		t.Errorf("%s: status %d: content type %q is not documented (want one of %v)", route, status, mt, keys(content))
		return
	}
	if !isJSON(mt) {
		return
	}
	schPtr := resPtr + "/content/" + escapePointer(mt) + "/schema"
	sch, ok := ct.schemas[schPtr]
	if !ok {
		t.Errorf("%s: status %d: no schema at %s", route, status, schPtr)
		return
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: status %d: the body is not JSON (%v): %s", route, status, err, clip(body))
		return
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s: status %d: the body does not match the OpenAPI document: %v\nbody: %s", route, status, err, clip(body))
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// clip shortens a body for a failure message.
func clip(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
