package telegram

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/converse"
	"github.com/vigil-project/vigil/internal/store"
)

// Channel is the name reports filed through Telegram carry.
const Channel = "telegram"

// Bot polls the Bot API and runs each private chat's conversation through
// the engine. One Bot polls at a time across the servers sharing a
// PostgreSQL database (store.TryPollerLock); where it stopped is kept in
// chat_cursors, and Telegram itself forgets an update only when a later
// getUpdates asks past it, so a restart loses none.
type Bot struct {
	client *Client
	engine *converse.Engine
	db     *store.DB
	log    *slog.Logger

	// PollTimeout is getUpdates' long-polling timeout (default 50 s).
	PollTimeout time.Duration
	// Retry is the wait after a failed call or while another server
	// polls (default 5 s).
	Retry time.Duration
}

// New returns a bot for token at api (DefaultAPI when empty).
func New(api, token string, db *store.DB, engine *converse.Engine, log *slog.Logger) *Bot {
	if api == "" {
		api = DefaultAPI
	}
	return &Bot{client: &Client{API: api, Token: token, HTTP: &http.Client{Timeout: 90 * time.Second}},
		engine: engine, db: db, log: log, PollTimeout: 50 * time.Second, Retry: 5 * time.Second}
}

// Run polls until ctx is done; it returns nil then. Errors are logged and
// retried.
func (b *Bot) Run(ctx context.Context) error {
	for {
		err := b.runLocked(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !errors.Is(err, store.ErrConflict) {
			b.log.Error("telegram: polling stopped; retrying", "err", err)
		}
		if !sleep(ctx, b.Retry) {
			return nil
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// runLocked polls while this process holds the poller lock.
func (b *Bot) runLocked(ctx context.Context) error {
	lock, err := b.db.TryPollerLock(ctx, Channel)
	if err != nil {
		return err
	}
	defer lock.Release()
	offset, err := b.db.Read().ChatCursor(ctx, Channel)
	if err != nil {
		return err
	}
	b.log.Info("telegram: polling for updates")
	for ctx.Err() == nil {
		ups, err := b.client.GetUpdates(ctx, offset, b.PollTimeout)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ae *APIError
			if errors.As(err, &ae) && ae.RetryAfter > 0 {
				sleep(ctx, ae.RetryAfter)
				continue
			}
			return err
		}
		for _, u := range ups {
			if ctx.Err() != nil {
				break
			}
			b.Handle(ctx, u)
			offset = u.UpdateID + 1
		}
		if len(ups) > 0 {
			// Recorded even when stopping, so that a restart does not
			// handle again what was handled (a crash may: at most one
			// batch).
			wctx := context.WithoutCancel(ctx)
			if err := b.db.Tx(wctx, func(q store.Q) error { return q.SetChatCursor(wctx, Channel, offset) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// Handle answers one update: a private chat's message goes through the
// engine and its replies are sent; a button press is answered
// (answerCallbackQuery) and its command goes through the engine as if
// typed; anything else is ignored.
func (b *Bot) Handle(ctx context.Context, u Update) {
	if cq := u.CallbackQuery; cq != nil {
		if err := b.client.AnswerCallbackQuery(ctx, cq.ID); err != nil {
			b.log.WarnContext(ctx, "telegram: answer a button", "err", err)
		}
	}
	chat, in, ok := Incoming(u)
	if !ok {
		chat, in, ok = Pressed(u)
	}
	if !ok {
		return
	}
	fetch := func(ctx context.Context, ref string) ([]byte, error) {
		return b.client.Download(ctx, ref, converse.MaxFileBytes)
	}
	replies, err := b.engine.Handle(ctx, Channel, in, fetch)
	if err != nil {
		b.log.ErrorContext(ctx, "telegram: handle a message", "err", err)
		replies = []converse.Reply{{Text: b.engine.Failed(in.Lang)}}
	}
	for _, r := range replies {
		b.send(ctx, chat, r.Text, keyboard(r.Choices))
	}
}

// keyboard is the inline keyboard of an engine reply's choices, nil for
// none.
func keyboard(choices [][]converse.Choice) *InlineKeyboardMarkup {
	if len(choices) == 0 {
		return nil
	}
	m := &InlineKeyboardMarkup{}
	for _, row := range choices {
		var r []InlineKeyboardButton
		for _, c := range row {
			r = append(r, InlineKeyboardButton{Text: c.Label, CallbackData: c.Data})
		}
		m.InlineKeyboard = append(m.InlineKeyboard, r)
	}
	return m
}

// Pressed turns a button press into the engine's message and the chat to
// answer: the button's command (its callback_data, which is what the chat
// would type) from a person in a private chat. ok is false for anything
// else, such as data that is not a command.
func Pressed(u Update) (chat int64, in converse.Message, ok bool) {
	cq := u.CallbackQuery
	if cq == nil || cq.From.IsBot || !strings.HasPrefix(cq.Data, "/") || len(cq.Data) > 64 {
		return 0, in, false
	}
	// In a private chat the chat's ID is the user's; the message may be
	// inaccessible (too old) but still names its chat.
	chat = cq.From.ID
	if m := cq.Message; m != nil {
		if m.Chat.Type != "" && m.Chat.Type != "private" {
			return 0, in, false
		}
		if m.Chat.ID != 0 {
			chat = m.Chat.ID
		}
	}
	if chat == 0 {
		return 0, in, false
	}
	return chat, converse.Message{Chat: strconv.FormatInt(chat, 10), Lang: cq.From.LanguageCode, Text: cq.Data}, true
}

// Incoming turns an update into the engine's message and the chat to
// answer: a message in a private chat from a person (not a bot), its text
// or caption, the largest size of its photo and its document. ok is false
// for anything else.
func Incoming(u Update) (chat int64, in converse.Message, ok bool) {
	m := u.Message
	if m == nil || m.Chat.Type != "private" || (m.From != nil && m.From.IsBot) {
		return 0, in, false
	}
	in = converse.Message{Chat: strconv.FormatInt(m.Chat.ID, 10), Text: m.Text}
	if m.From != nil {
		in.Lang = m.From.LanguageCode
	}
	if in.Text == "" {
		in.Text = m.Caption
	}
	if n := len(m.Photo); n > 0 {
		p := m.Photo[n-1] // the largest
		in.Files = append(in.Files, converse.File{Ref: p.FileID, Name: "photo-" + p.FileUniqueID + ".jpg", Size: p.FileSize})
	}
	if d := m.Document; d != nil {
		in.Files = append(in.Files, converse.File{Ref: d.FileID, Name: d.FileName, Size: d.FileSize})
	}
	return m.Chat.ID, in, true
}

// send sends a reply, waiting once as asked if Telegram says too many.
func (b *Bot) send(ctx context.Context, chat int64, text string, markup *InlineKeyboardMarkup) {
	err := b.client.SendMessage(ctx, chat, text, markup)
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 && ae.RetryAfter <= time.Minute && sleep(ctx, ae.RetryAfter) {
		err = b.client.SendMessage(ctx, chat, text, markup)
	}
	if err != nil {
		b.log.WarnContext(ctx, "telegram: send a reply", "err", err)
	}
}
