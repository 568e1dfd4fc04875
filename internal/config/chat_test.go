package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/config"
)

// TestChats: LINE and WhatsApp are off by default with the public APIs;
// the variables (and _FILE for secrets) set them; a half-configured
// adapter or a bad address is refused, naming the variables.
func TestChats(t *testing.T) {
	c, err := config.FromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.LineOn() || c.WhatsAppOn() || c.LineAPI != "https://api.line.me" || c.LineDataAPI != "https://api-data.line.me" || c.WhatsAppAPI != "https://graph.facebook.com/v21.0" {
		t.Errorf("defaults: %+v", c.Chats)
	}
	secret := filepath.Join(t.TempDir(), "line.secret")
	if err := os.WriteFile(secret, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"VIGIL_LINE_CHANNEL_SECRET_FILE": secret, "VIGIL_LINE_CHANNEL_TOKEN": "tok", "VIGIL_LINE_API": "http://127.0.0.1:9", "VIGIL_LINE_DATA_API": "http://127.0.0.1:10",
		"VIGIL_WHATSAPP_TOKEN": "wa", "VIGIL_WHATSAPP_APP_SECRET": "as", "VIGIL_WHATSAPP_VERIFY_TOKEN": "vt", "VIGIL_WHATSAPP_PHONE_ID": "106540352242922",
	}
	c, err = config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !c.LineOn() || !c.WhatsAppOn() || c.LineChannelSecret != "from-a-file" || c.LineDataAPI != "http://127.0.0.1:10" {
		t.Errorf("from the environment: %+v", c.Chats)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid: %v", err)
	}
	for _, tt := range []struct{ unset, set, value, want string }{
		{"VIGIL_LINE_CHANNEL_TOKEN", "", "", "VIGIL_LINE_CHANNEL_SECRET and VIGIL_LINE_CHANNEL_TOKEN"},
		{"VIGIL_WHATSAPP_VERIFY_TOKEN", "", "", "give all four"},
		{"", "VIGIL_WHATSAPP_PHONE_ID", "+1 555", "VIGIL_WHATSAPP_PHONE_ID"},
		{"", "VIGIL_WHATSAPP_API", "graph.facebook.com", "VIGIL_WHATSAPP_API"},
	} {
		e := map[string]string{}
		for k, v := range env {
			e[k] = v
		}
		delete(e, tt.unset)
		if tt.set != "" {
			e[tt.set] = tt.value
		}
		c, err := config.FromEnv(func(k string) string { return e[k] })
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("unset %s, %s=%q: %v, want %q", tt.unset, tt.set, tt.value, err, tt.want)
		}
	}
}
