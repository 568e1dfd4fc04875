package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/converse"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
	"github.com/vigil-project/vigil/internal/telegram"
)

// TestWebhook: setWebhook with a secret token; Telegram's POSTs with the
// secret header are handled, any other is 401 and not handled.
func TestWebhook(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	e.stop() // no poller: the updates come by webhook
	eng, err := converse.New(db, e.keys, e.in, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	b := telegram.New(e.api.srv.URL, e.api.token, db, eng, slog.New(slog.DiscardHandler))
	const secret = "s3cret_token-XYZ"
	hook := httptest.NewServer(b.Webhook(secret))
	defer hook.Close()
	if err := b.RunWebhook(context.Background(), hook.URL+telegram.WebhookPath, secret); err != nil {
		t.Fatal(err)
	}
	e.api.mu.Lock()
	if e.api.webhook != hook.URL+telegram.WebhookPath || e.api.secret != secret {
		t.Errorf("setWebhook got %q %q", e.api.webhook, e.api.secret)
	}
	e.api.mu.Unlock()

	post := func(header string, u telegram.Update) int {
		body, _ := json.Marshal(u)
		req, _ := http.NewRequest(http.MethodPost, hook.URL+telegram.WebhookPath, bytes.NewReader(body))
		if header != "" {
			req.Header.Set(telegram.SecretHeader, header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	msg := func(chat int64, text string) telegram.Update {
		return telegram.Update{UpdateID: 1, Message: &telegram.Message{MessageID: 1, Chat: telegram.Chat{ID: chat, Type: "private"}, Text: text,
			From: &telegram.User{ID: chat, FirstName: "U", LanguageCode: "km"}}}
	}
	for _, tt := range []struct {
		header string
		chat   int64
		want   int
	}{
		{"", 9001, http.StatusUnauthorized},
		{"wrong", 9002, http.StatusUnauthorized},
		{secret + "x", 9003, http.StatusUnauthorized},
		{secret, 9004, http.StatusOK},
	} {
		if got := post(tt.header, msg(tt.chat, "/start")); got != tt.want {
			t.Errorf("secret %q: %d, want %d", tt.header, got, tt.want)
		}
	}
	if got := e.api.waitSent(t, 9004, 2); !strings.Contains(got[0], "សុវត្ថិភាព") {
		t.Errorf("webhook /start answered %q", got)
	}
	e.api.mu.Lock()
	defer e.api.mu.Unlock()
	for _, s := range e.api.sent {
		if s.ChatID != 9004 {
			t.Errorf("a refused call was handled: chat %d was sent %q", s.ChatID, s.Text)
		}
	}
}
