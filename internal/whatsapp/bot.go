package whatsapp

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/vigil-project/vigil/internal/converse"
)

// Config is what the adapter needs of the app and the business number.
type Config struct {
	// API is the Graph API base with its version (DefaultAPI when
	// empty).
	API string
	// Token is the access token (a system user's, for the business
	// number); AppSecret signs the webhook's POSTs; VerifyToken is the
	// token set with the webhook, which Meta's GET handshake repeats;
	// PhoneID is the business number's phone number ID.
	Token, AppSecret, VerifyToken, PhoneID string
}

// Bot runs WhatsApp users' conversations through the engine. It keeps
// nothing of its own: the engine keeps drafts under the user's blind
// index; the phone number lives only while a message is handled.
type Bot struct {
	client *Client
	engine *converse.Engine
	cfg    Config
	log    *slog.Logger
}

// New returns a bot for cfg.
func New(cfg Config, engine *converse.Engine, log *slog.Logger) *Bot {
	if cfg.API == "" {
		cfg.API = DefaultAPI
	}
	return &Bot{client: &Client{API: cfg.API, PhoneID: cfg.PhoneID, Token: cfg.Token, HTTP: &http.Client{Timeout: 60 * time.Second}},
		engine: engine, cfg: cfg, log: log}
}

// Webhook is the handler of Meta's webhook calls. GET is the
// verification handshake: hub.mode "subscribe" and hub.verify_token equal
// to the configured one (constant time) are answered with hub.challenge,
// anything else 403. POST is a notification: the raw body (at most
// MaxBody) must carry its signature in SignatureHeader, else 401 and
// nothing is handled; a signed body that is not JSON is 400. The
// messages are handled in order before the 200, so Meta retries a call
// that failed to arrive.
func (b *Bot) Webhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			b.verify(w, r)
		case http.MethodPost:
			b.notify(w, r)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

func (b *Bot) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	if b.cfg.VerifyToken == "" || q.Get("hub.mode") != "subscribe" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(b.cfg.VerifyToken)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, q.Get("hub.challenge"))
}

func (b *Bot) notify(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if !Verify(b.cfg.AppSecret, body, r.Header.Get(SignatureHeader)) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	n, err := Parse(body)
	if err != nil {
		http.Error(w, "body: not a webhook notification", http.StatusBadRequest)
		return
	}
	ctx := context.WithoutCancel(r.Context())
	for _, in := range Incoming(n, b.cfg.PhoneID) {
		b.Handle(ctx, in)
	}
	w.WriteHeader(http.StatusOK)
}

// Handle answers one user's message through the engine.
func (b *Bot) Handle(ctx context.Context, in Inbound) {
	fetch := func(ctx context.Context, ref string) ([]byte, error) {
		return b.client.Download(ctx, ref, converse.MaxFileBytes)
	}
	replies, err := b.engine.Handle(ctx, Channel, in.Msg, fetch)
	if err != nil {
		b.log.ErrorContext(ctx, "whatsapp: handle a message", "err", err)
		replies = []converse.Reply{{Text: b.engine.Failed(in.Msg.Lang)}}
	}
	for _, m := range Messages(in.Addr, replies) {
		if err := b.client.Send(ctx, m); err != nil {
			b.log.WarnContext(ctx, "whatsapp: send a reply", "err", err)
			return
		}
	}
}

// Messages turns the engine's replies into Messages API requests to addr:
// a reply with one to three choices and a short enough text becomes an
// interactive message with reply buttons; any other is text (cut at
// MaxText), its choices dropped, as its text names the same commands
// (five languages need a list message, which Vigil does not send).
func Messages(addr Address, replies []converse.Reply) []*OutMessage {
	var out []*OutMessage
	base := func() *OutMessage {
		return &OutMessage{MessagingProduct: "whatsapp", RecipientType: "individual", To: addr.To, Recipient: addr.Recipient}
	}
	for _, r := range replies {
		var choices []converse.Choice
		for _, row := range r.Choices {
			choices = append(choices, row...)
		}
		if len(choices) > 0 && len(choices) <= MaxButtons && len([]rune(r.Text)) <= MaxButtonBody {
			m := base()
			m.Type = "interactive"
			m.Interactive = &OutInteractive{Type: "button"}
			m.Interactive.Body.Text = r.Text
			for _, c := range choices {
				var bt Button
				bt.Type = "reply"
				bt.Reply.ID, bt.Reply.Title = c.Data, converse.Cut(c.Label, MaxTitle)
				m.Interactive.Action.Buttons = append(m.Interactive.Action.Buttons, bt)
			}
			out = append(out, m)
			continue
		}
		for _, part := range converse.Split(r.Text, MaxText) {
			m := base()
			m.Type = "text"
			m.Text = &OutText{Body: part}
			out = append(out, m)
		}
	}
	return out
}
