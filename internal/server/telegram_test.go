package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/staff"
)

// TestTelegramInServe: with VIGIL_TELEGRAM_TOKEN the server runs the bot
// against VIGIL_TELEGRAM_API (long polling), and a report filed in the
// chat is a report of the server with channel telegram.
func TestTelegramInServe(t *testing.T) {
	const token = "42:serve-test"
	var mu sync.Mutex
	var sent []string
	queue := []string{"/start", "Held in Bavet since May.", "/send"}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p map[string]any
		json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/bot" + token + "/getUpdates":
			offset, _ := p["offset"].(float64)
			var ups []map[string]any
			for i, text := range queue {
				if id := float64(100 + i); id >= offset {
					ups = append(ups, map[string]any{"update_id": id, "message": map[string]any{"message_id": i + 1, "date": 1,
						"chat": map[string]any{"id": 5123456789, "type": "private"}, "from": map[string]any{"id": 5123456789, "is_bot": false, "first_name": "A", "language_code": "en"},
						"text": text}})
				}
			}
			if len(ups) == 0 {
				time.Sleep(100 * time.Millisecond)
			}
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": ups})
		case "/bot" + token + "/sendMessage":
			sent = append(sent, p["text"].(string))
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": map[string]any{"message_id": 1, "date": 1, "chat": map[string]any{"id": 5123456789, "type": "private"}}})
		default:
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": 404, "description": "Not Found"})
		}
	}))
	defer api.Close()
	ctx := context.Background()
	srv, _ := newServer(t, func(c *config.Config) { c.TelegramToken, c.TelegramAPI = token, api.URL })
	if srv.Telegram == nil {
		t.Fatal("no bot with a token set")
	}
	if _, err := srv.Staff.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "Hotline", Kind: "hotline", ReceivesPublic: true}); err != nil {
		t.Fatal(err)
	}
	srv.Start(ctx)
	t.Cleanup(srv.Close)
	var receipt string
	for deadline := time.Now().Add(30 * time.Second); receipt == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		for _, s := range sent {
			if strings.HasPrefix(s, "Your report was received.") {
				receipt = s
			}
		}
		mu.Unlock()
	}
	if receipt == "" {
		t.Fatalf("no receipt; sent %q", sent)
	}
	code := strings.TrimPrefix(strings.Split(receipt, "\n")[1], "Tracking code: ")
	r, err := srv.DB.Read().GetReportByTrackingCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if r.Channel != "telegram" {
		t.Errorf("channel %q, want telegram", r.Channel)
	}
}
