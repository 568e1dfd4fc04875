package invalid_test

import (
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/invalid"
)

// TestText: one free-text check for every service (issue 12: intake refused
// NUL, casework and staff did not — PostgreSQL then answered a 500).
func TestText(t *testing.T) {
	for _, tt := range []struct {
		name     string
		s        string
		required bool
		code     string // "" for accepted
	}{
		{"plain", "Safe Ret", true, ""},
		{"Khmer", "ព្រះសីហនុ", true, ""},
		{"blank, required", "  ", true, "required"},
		{"blank, optional", "", false, ""},
		{"NUL", "Ana\x00", false, "invalid"},
		{"bad UTF-8", "\xff\xfe", false, "invalid_utf8"},
		{"ten characters (30 bytes) within ten", strings.Repeat("ក", 10), true, ""},
		{"eleven characters", strings.Repeat("a", 11), true, "too_long"},
	} {
		err := invalid.Text("name", tt.s, 10, tt.required)
		fe, ok := invalid.As(err)
		switch {
		case tt.code == "" && err != nil:
			t.Errorf("%s: %v, want accepted", tt.name, err)
		case tt.code != "" && (!ok || fe.Code != tt.code || fe.Field != "name"):
			t.Errorf("%s: %v, want %s on name", tt.name, err, tt.code)
		}
	}
	if err := invalid.Enum("kind", "ngo", []string{"ngo", "hotline"}); err != nil {
		t.Error(err)
	}
	if fe, ok := invalid.As(invalid.Enum("kind", "boss", []string{"ngo"})); !ok || fe.Code != "invalid_value" {
		t.Errorf("an unknown kind: %v", fe)
	}
}

// TestLine: a one-line field takes what Text takes but no control
// character.
func TestLine(t *testing.T) {
	for _, tt := range []struct {
		name, s, code string
	}{
		{"plain", "Held, urgent", ""},
		{"Thai", "ปอยเปต ด่วน", ""},
		{"a line break", "urgent\nheld", "invalid_value"},
		{"a tab", "urgent\theld", "invalid_value"},
		{"an escape", "\x1b[31mred", "invalid_value"},
		{"DEL", "a\x7fb", "invalid_value"},
		{"too long", strings.Repeat("a", 21), "too_long"},
	} {
		err := invalid.Line("name", tt.s, 20, true)
		fe, ok := invalid.As(err)
		switch {
		case tt.code == "" && err != nil:
			t.Errorf("%s: %v, want accepted", tt.name, err)
		case tt.code != "" && (!ok || fe.Code != tt.code || fe.Field != "name"):
			t.Errorf("%s: %v, want %s on name", tt.name, err, tt.code)
		}
	}
}
