package telegram_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/telegram"
)

// TestIncoming reads the documented example updates (testdata, from
// shared/standards/telegram-bot-api/examples): what the engine is handed
// of each.
func TestIncoming(t *testing.T) {
	for _, tt := range []struct {
		file      string
		ok        bool
		text      string
		lang      string
		fileRef   string
		fileCount int
	}{
		{"update-message-text.json", true, "/start report", "th", "", 0},
		{"update-message-photo.json", true, "", "th", "AgACAgUAAxkBAAIBOGfExamplePhotoLarge", 1},
		{"update-message-document.json", true, "", "", "", 1},
		{"update-message-forwarded.json", true, "", "", "", 0},
		{"update-message-location.json", true, "", "", "", 0},
		{"update-callback-query.json", false, "", "", "", 0},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		var u telegram.Update
		if err := json.Unmarshal(b, &u); err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		chat, in, ok := telegram.Incoming(u)
		if ok != tt.ok {
			t.Errorf("%s: ok %v, want %v", tt.file, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if chat == 0 || in.Chat == "" {
			t.Errorf("%s: no chat", tt.file)
		}
		if tt.text != "" && in.Text != tt.text {
			t.Errorf("%s: text %q, want %q", tt.file, in.Text, tt.text)
		}
		if tt.lang != "" && in.Lang != tt.lang {
			t.Errorf("%s: language %q, want %q", tt.file, in.Lang, tt.lang)
		}
		if len(in.Files) != tt.fileCount || (tt.fileRef != "" && in.Files[0].Ref != tt.fileRef) {
			t.Errorf("%s: files %+v, want %d (%s)", tt.file, in.Files, tt.fileCount, tt.fileRef)
		}
	}
}

// FuzzIncoming: any update Telegram (or an impostor) sends decodes or is
// refused, and never panics on the way to the engine.
func FuzzIncoming(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "update-*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var u telegram.Update
		if json.Unmarshal(b, &u) != nil {
			return
		}
		if _, in, ok := telegram.Incoming(u); ok && in.Chat == "" {
			t.Error("a message without a chat")
		}
		if chat, in, ok := telegram.Pressed(u); ok && (chat == 0 || in.Chat == "" || !strings.HasPrefix(in.Text, "/")) {
			t.Errorf("a button press without a chat or a command: %+v", in)
		}
	})
}
