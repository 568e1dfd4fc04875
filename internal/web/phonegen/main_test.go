package main

import (
	"bytes"
	"os"
	"testing"
)

// TestCommitted checks that the committed tables are what the generator
// writes from the phonenumbers module in go.mod and the extractor.
func TestCommitted(t *testing.T) {
	for _, tc := range []struct {
		path   string
		render func() ([]byte, error)
	}{{"../static/phonemeta.js", Render}, {"../static/mailhosts.js", RenderMailHosts}} {
		want, err := tc.render()
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./internal/web", tc.path)
		}
	}
	got, err := os.ReadFile("../static/phonemeta.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{`"KH": {"cc":855`, `"TW": {"cc":886`, `"PK": {"cc":92`} {
		if !bytes.Contains(got, []byte(r)) {
			t.Errorf("table lacks %s", r)
		}
	}
}
