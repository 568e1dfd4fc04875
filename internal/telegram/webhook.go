package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// WebhookPath is where the server takes Telegram's webhook calls.
const WebhookPath = "/telegram/webhook"

// SecretHeader is the header Telegram sends the webhook's secret_token in.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// SetWebhook asks Telegram to POST updates to url with secret in
// SecretHeader (secret_token: 1–256 of A-Z a-z 0-9 _ -).
func (c *Client) SetWebhook(ctx context.Context, url, secret string) error {
	return c.call(ctx, "setWebhook", map[string]any{"url": url, "secret_token": secret,
		"allowed_updates": []string{"message", "callback_query"}}, nil)
}

// RunWebhook sets the webhook to url (retrying until Telegram takes it)
// and returns; the updates then arrive at Webhook's handler. It returns
// nil when ctx is done first.
func (b *Bot) RunWebhook(ctx context.Context, url, secret string) error {
	for {
		err := b.client.SetWebhook(ctx, url, secret)
		if err == nil {
			b.log.Info("telegram: webhook set", "url", url)
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		b.log.Error("telegram: set the webhook; retrying", "err", err)
		if !sleep(ctx, b.Retry) {
			return nil
		}
	}
}

// Webhook is the handler of Telegram's webhook calls: one JSON Update per
// POST, with secret in SecretHeader (compared in constant time; anything
// else is 401 and handled not at all). The update is handled before the
// answer, so Telegram retries one that failed to arrive.
func (b *Bot) Webhook(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(SecretHeader)
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var u Update
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		if err := dec.Decode(&u); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "update: not JSON", http.StatusBadRequest)
			return
		}
		io.Copy(io.Discard, r.Body)
		b.Handle(context.WithoutCancel(r.Context()), u)
		w.WriteHeader(http.StatusOK)
	})
}
