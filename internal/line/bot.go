package line

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/vigil-project/vigil/internal/converse"
)

// Bot runs LINE users' conversations through the engine. It keeps
// nothing of its own: the engine keeps drafts under the user's blind
// index, and the user ID lives only while an event is handled.
type Bot struct {
	client *Client
	engine *converse.Engine
	secret string
	log    *slog.Logger
}

// New returns a bot for the channel with secret and access token, calling
// api and dataAPI (DefaultAPI, DefaultDataAPI when empty).
func New(api, dataAPI, secret, token string, engine *converse.Engine, log *slog.Logger) *Bot {
	if api == "" {
		api = DefaultAPI
	}
	if dataAPI == "" {
		dataAPI = DefaultDataAPI
	}
	return &Bot{client: &Client{API: api, DataAPI: dataAPI, Token: token, HTTP: &http.Client{Timeout: 60 * time.Second}},
		engine: engine, secret: secret, log: log}
}

// Webhook is the handler of LINE's webhook calls: the raw body (at most
// MaxBody) must carry its signature in SignatureHeader, else 401 and
// nothing is handled; a body that is not a webhook object is 400. The
// events are handled in order before the answer, so that one user's
// messages are not reordered; LINE redelivers a call not answered 2xx
// (when redelivery is on in the console).
func (b *Bot) Webhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		if !Verify(b.secret, body, r.Header.Get(SignatureHeader)) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		cb, err := Parse(body)
		if err != nil {
			http.Error(w, "body: not a webhook object", http.StatusBadRequest)
			return
		}
		ctx := context.WithoutCancel(r.Context())
		for _, ev := range cb.Events {
			b.Handle(ctx, ev)
		}
		w.WriteHeader(http.StatusOK)
	})
}

// Handle answers one event: a user's message, button or follow goes
// through the engine and the replies are sent; anything else is ignored.
func (b *Bot) Handle(ctx context.Context, ev Event) {
	user, in, ok := Incoming(ev)
	if !ok {
		return
	}
	if lang, err := b.client.Language(ctx, user); err != nil {
		b.log.WarnContext(ctx, "line: read a profile's language", "err", err)
	} else {
		in.Lang = lang
	}
	fetch := func(ctx context.Context, ref string) ([]byte, error) {
		return b.client.Content(ctx, ref, converse.MaxFileBytes)
	}
	replies, err := b.engine.Handle(ctx, Channel, in, fetch)
	if err != nil {
		b.log.ErrorContext(ctx, "line: handle a message", "err", err)
		replies = []converse.Reply{{Text: b.engine.Failed(in.Lang)}}
	}
	b.send(ctx, user, ev.ReplyToken, Messages(replies))
}

// send sends msgs: the first MaxMessages with the reply token, the rest
// (and all, if the reply failed: its token expired) pushed.
func (b *Bot) send(ctx context.Context, user, replyToken string, msgs []SendMessage) {
	if len(msgs) == 0 {
		return
	}
	if replyToken != "" {
		n := min(len(msgs), MaxMessages)
		err := b.client.Reply(ctx, replyToken, msgs[:n])
		if err == nil {
			msgs = msgs[n:]
		} else {
			b.log.WarnContext(ctx, "line: reply; pushing instead", "err", err)
		}
	}
	for len(msgs) > 0 {
		n := min(len(msgs), MaxMessages)
		if err := b.client.Push(ctx, user, msgs[:n]); err != nil {
			b.log.WarnContext(ctx, "line: push a reply", "err", err)
			return
		}
		msgs = msgs[n:]
	}
}

// Messages turns the engine's replies into LINE text messages: a text
// longer than MaxText is cut in parts; the choices of the last reply
// become its quick-reply buttons (LINE shows quick replies only under the
// last message; the texts name the same commands).
func Messages(replies []converse.Reply) []SendMessage {
	var out []SendMessage
	for _, r := range replies {
		for _, part := range converse.Split(r.Text, MaxText) {
			out = append(out, SendMessage{Type: "text", Text: part})
		}
	}
	if n := len(replies); n > 0 && len(out) > 0 {
		var items []QuickReplyItem
		for _, row := range replies[n-1].Choices {
			for _, c := range row {
				if len(items) == MaxQuickReply {
					break
				}
				items = append(items, QuickReplyItem{Type: "action",
					Action: PostbackAction{Type: "postback", Label: converse.Cut(c.Label, MaxLabel), Data: c.Data, DisplayText: c.Label}})
			}
		}
		if len(items) > 0 {
			out[len(out)-1].QuickReply = &QuickReply{Items: items}
		}
	}
	return out
}
