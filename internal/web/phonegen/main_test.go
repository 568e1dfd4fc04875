package main

import (
	"bytes"
	"os"
	"testing"
)

// TestCommitted checks that the committed table is what the generator
// writes from the phonenumbers module in go.mod.
func TestCommitted(t *testing.T) {
	want, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../static/phonemeta.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("internal/web/static/phonemeta.js is stale: run go generate ./internal/web")
	}
	for _, r := range []string{`"KH": {"cc":855`, `"TW": {"cc":886`, `"PK": {"cc":92`} {
		if !bytes.Contains(got, []byte(r)) {
			t.Errorf("table lacks %s", r)
		}
	}
}
