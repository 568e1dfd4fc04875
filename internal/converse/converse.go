// Package converse is the channel-neutral conversation engine behind the
// chat-app channels (its adapters: internal/telegram, internal/line,
// internal/whatsapp): a person writes to the organisation's bot, what they
// send builds a draft report, /send files it through intake and answers with the
// tracking code and secret as the web receipt shows them, and /status
// gives the report's status and the staff's new messages. An adapter
// turns its app's updates into Messages, hands them to Engine.Handle, and
// sends the Replies back: their text always says what to type, and their
// Choices are the same commands offered as buttons where the app has them
// (a pressed button comes back as a Message whose Text is the choice's
// Data), so the text-only path and the buttons are one conversation.
//
// What the engine keeps: a draft per chat, sealed with its own data key
// (stored wrapped beside it) and deleted when sent, cancelled or expired
// (Engine.DraftTTL); the chat is known only by a blind index
// (seal.Keyring.BlindIndex), so the database holds no chat or user ID.
// Each chat has a rate limit (Engine.PerMinute): a flood is dropped with
// one warning to the chat and a "flood" log line, never an error, and
// /send has its own, smaller budget (Engine.SendsPerHour).
//
// The engine also keeps which chat filed which report (chat_reports,
// under the same blind index), so that the staff can answer a reporter
// through the bot: when a chat that filed a report writes again, whatever
// it writes, it is first given the staff's messages it has not read; /status
// and /reply then need no tracking code and secret. Nothing is ever sent
// unprompted: a message arriving on a phone that others check can endanger
// the person. /delete (/forget) forgets the chat's reports, and erasing a
// report forgets its chat.
package converse

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/locale"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

//go:embed locales/*.json
var localeFS embed.FS

// Limits of a draft.
const (
	// MaxDraftFiles is how many photos and documents a draft holds.
	MaxDraftFiles = 10
	// MaxFileBytes is the largest file a bot may download (the Bot API's
	// 20 MB); intake's attachment checks apply on top.
	MaxFileBytes = 20 << 20
)

// File is a photo or document a message carries, fetched only when the
// engine keeps it.
type File struct {
	// Ref is the channel's reference to the file (Telegram: file_id).
	Ref  string
	Name string
	// Size is the size the channel announced, 0 if unknown.
	Size int64
}

// Fetcher downloads a file of a message by its reference.
type Fetcher func(ctx context.Context, ref string) ([]byte, error)

// Message is one message a channel received from a private chat.
type Message struct {
	// ID is the message's ID in its channel, if the channel may deliver
	// a message twice (a webhook's redelivery): a message whose ID was
	// handled in the last hour is not handled again. Empty: no check.
	ID string
	// Chat is the chat's ID in its channel. It is never stored: the
	// engine keeps its blind index.
	Chat string
	// Lang is the language the app reports for the user (a BCP 47 tag,
	// may be empty).
	Lang  string
	Text  string
	Files []File
}

// Reply is one message to send to the chat.
type Reply struct {
	Text string
	// Choices are rows of buttons, offered where the channel has them
	// (Telegram's inline keyboard, LINE's quick reply, WhatsApp's reply
	// buttons); Text names the same commands, so a channel may drop them.
	Choices [][]Choice
}

// Choice is a button: its label, and the command it stands for (1–64
// bytes, what the chat would type: "/held yes").
type Choice struct {
	Label string
	Data  string
}

// Texts returns the replies' texts.
func Texts(rs []Reply) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text
	}
	return out
}

// text is a reply without buttons.
func text(s string) Reply { return Reply{Text: s} }

// texts is replies without buttons.
func texts(ss ...string) []Reply {
	out := make([]Reply, len(ss))
	for i, s := range ss {
		out[i] = text(s)
	}
	return out
}

// Engine runs the conversations of every channel. Set the exported fields
// before the first Handle.
type Engine struct {
	db     *store.DB
	keys   *seal.Keyring
	intake *intake.Service
	log    *slog.Logger
	texts  map[string]locale.Catalogue

	// DraftTTL is how long an untouched draft is kept (default 7 days).
	DraftTTL time.Duration
	// PerMinute is how many messages a chat may send a minute, in bursts
	// of as many (default 30).
	PerMinute int
	// SendsPerHour is how many reports a chat may file an hour (default 3).
	SendsPerHour int
	// Now is the clock (tests replace it).
	Now func() time.Time

	// mu guards chats and seen.
	mu    sync.Mutex
	chats map[string]*chatLimits
	swept time.Time
	// seen holds the messages handled lately (the blind index of their
	// Message.ID: a WhatsApp message ID encodes the sender's number), with
	// when.
	seen map[string]time.Time
}

// maxSeen bounds the message IDs remembered; past it the oldest hour is
// not kept (a redelivery after that is handled again).
const maxSeen = 100_000

// first reports whether the message k (its ID's blind index) is new, and
// records it.
func (e *Engine) first(k string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.seen[k]; dup {
		return false
	}
	if len(e.seen) >= maxSeen {
		clear(e.seen)
	}
	e.seen[k] = e.Now()
	return true
}

// forget drops a message, so that a redelivery of a message that failed
// is handled.
func (e *Engine) forget(k string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.seen, k)
}

type chatLimits struct {
	msgs, sends *rate.Limiter
	// warned says the chat was told it is throttled; reset when a
	// message gets through again.
	warned bool
	seen   time.Time
}

// New returns an engine filing through in.
func New(db *store.DB, keys *seal.Keyring, in *intake.Service, log *slog.Logger) (*Engine, error) {
	texts, err := locale.Load(localeFS, "locales")
	if err != nil {
		return nil, fmt.Errorf("converse: %w", err)
	}
	return &Engine{db: db, keys: keys, intake: in, log: log, texts: texts,
		DraftTTL: 7 * 24 * time.Hour, PerMinute: 30, SendsPerHour: 3, Now: time.Now, chats: map[string]*chatLimits{}, seen: map[string]time.Time{}}, nil
}

// t returns the text of key in lang, formatted with args.
func (e *Engine) t(lang, key string, args ...any) string {
	s, ok := e.texts[lang][key]
	if !ok {
		s = e.texts[locale.Languages[0]][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// chatIndex is the blind index a chat is kept under.
func (e *Engine) chatIndex(channel, chat string) string {
	return e.keys.BlindIndex("chat:"+channel, chat)
}

// draft is a report being written in a chat, as sealed in chat_drafts.
type draft struct {
	Lang string `json:"lang"`
	// Held is the answer to "is the person still held?": "yes", "no" or
	// "" (not answered).
	Held  string      `json:"held,omitempty"`
	Texts []string    `json:"texts,omitempty"`
	Files []draftFile `json:"files,omitempty"`
}

type draftFile struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// draftContext is the record ID a draft's data key is wrapped for and its
// body sealed under: the store's, so rotating the master key rewraps it.
func draftContext(channel, chat string) string { return store.DraftKeyID(channel, chat) }

// loadDraft returns the chat's draft, an empty one if it has none (or it
// expired).
func (e *Engine) loadDraft(ctx context.Context, channel, chat string) (*draft, error) {
	row, err := e.db.Read().GetChatDraft(ctx, channel, chat, e.Now().UnixMicro())
	if errors.Is(err, store.ErrNotFound) {
		return &draft{}, nil
	}
	if err != nil {
		return nil, err
	}
	dk, err := e.keys.Unwrap(draftContext(channel, chat), row.Wrapped)
	if err != nil {
		// A draft's key is not among the data keys a master-key rotation
		// rewraps: one written before a completed rotation is lost, and
		// the chat starts again rather than failing until it expires.
		e.log.WarnContext(ctx, "converse: a draft's key does not open; the draft is dropped", "channel", channel, "err", err)
		return &draft{}, e.deleteDraft(ctx, channel, chat)
	}
	b, err := dk.Open(row.Body, draftContext(channel, chat))
	if err != nil {
		return nil, fmt.Errorf("converse: open draft: %w", err)
	}
	var d draft
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("converse: read draft: %w", err)
	}
	return &d, nil
}

// saveDraft seals and stores the chat's draft under a fresh data key.
func (e *Engine) saveDraft(ctx context.Context, channel, chat string, d *draft) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("converse: write draft: %w", err)
	}
	dk, wrapped, err := e.keys.NewDataKey(draftContext(channel, chat))
	if err != nil {
		return fmt.Errorf("converse: draft key: %w", err)
	}
	now := e.Now()
	row := &store.ChatDraft{Channel: channel, Chat: chat, Wrapped: wrapped, Body: dk.Seal(b, draftContext(channel, chat)),
		UpdatedAt: now.UnixMicro(), ExpiresAt: now.Add(e.DraftTTL).UnixMicro()}
	return e.db.Tx(ctx, func(q store.Q) error { return q.PutChatDraft(ctx, row) })
}

func (e *Engine) deleteDraft(ctx context.Context, channel, chat string) error {
	return e.db.Tx(ctx, func(q store.Q) error { return q.DeleteChatDraft(ctx, channel, chat) })
}

// JobSweep is the periodic job that deletes expired drafts (Sweep).
const JobSweep = "chat.sweep"

// Sweep deletes expired drafts (a jobs.Handler; the subject is unused).
// An expired draft is never read even before it is swept.
func (e *Engine) Sweep(ctx context.Context, _ string) error {
	return e.db.Tx(ctx, func(q store.Q) error {
		n, err := q.DeleteExpiredChatDrafts(ctx, e.Now().UnixMicro())
		if n > 0 {
			e.log.InfoContext(ctx, "converse: expired drafts deleted", "drafts", n)
		}
		return err
	})
}

// allow spends one message of the chat's budget (and, for a /send, one
// send). It returns whether the message may be handled and whether the
// chat should be told it is throttled (once per episode).
func (e *Engine) allow(chat string, send bool) (ok, warn bool) {
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if now.Sub(e.swept) > 10*time.Minute {
		for k, c := range e.chats {
			if now.Sub(c.seen) > time.Hour {
				delete(e.chats, k)
			}
		}
		for k, t := range e.seen {
			if now.Sub(t) > time.Hour {
				delete(e.seen, k)
			}
		}
		e.swept = now
	}
	c := e.chats[chat]
	if c == nil {
		c = &chatLimits{msgs: rate.NewLimiter(rate.Limit(float64(e.PerMinute)/60), e.PerMinute),
			sends: rate.NewLimiter(rate.Limit(float64(e.SendsPerHour)/3600), e.SendsPerHour)}
		e.chats[chat] = c
	}
	c.seen = now
	ok = c.msgs.AllowN(now, 1) && (!send || c.sends.AllowN(now, 1))
	if ok {
		c.warned = false
		return true, false
	}
	warn = !c.warned
	c.warned = true
	return false, warn
}

// Handle answers one message of a chat of channel: it returns the replies
// to send, in order (none when the chat is throttled and was told so
// already, or the message's ID was handled already). fetch downloads the message's files. An error is the
// engine's own failure (the database); the adapter logs it and tells the
// chat to try again.
func (e *Engine) Handle(ctx context.Context, channel string, m Message, fetch Fetcher) (_ []Reply, err error) {
	if m.ID != "" {
		k := e.keys.BlindIndex("message:"+channel, m.ID)
		if !e.first(k) {
			return nil, nil
		}
		defer func() {
			if err != nil {
				e.forget(k)
			}
		}()
	}
	chat := e.chatIndex(channel, m.Chat)
	cmd, args := command(m.Text)
	if ok, warn := e.allow(chat, cmd == "/send"); !ok {
		if !warn {
			return nil, nil
		}
		// Flagged once per episode: the chat is told, the log names
		// the chat by the start of its blind index.
		e.log.WarnContext(ctx, "converse: flood: a chat is throttled", "channel", channel, "chat", chat[:8], "command", cmd)
		return texts(e.t(locale.Match(m.Lang), "throttled")), nil
	}
	d, err := e.loadDraft(ctx, channel, chat)
	if err != nil {
		return nil, err
	}
	lang := locale.Match(m.Lang)
	if d.Lang != "" {
		lang = d.Lang
	}
	// The staff's unread messages come first, whatever the chat wrote;
	// except to /status, which gives them itself, and to /delete, which
	// wants the chat's traces gone, not more of them.
	var first []Reply
	switch cmd {
	case "/status", "/delete", "/forget":
	default:
		if first, err = e.deliver(ctx, channel, chat, lang); err != nil {
			return nil, err
		}
	}
	out, err := e.answer(ctx, channel, chat, lang, cmd, args, m, d, fetch)
	if err != nil && len(first) > 0 {
		// The staff's messages are marked read: they are sent even
		// though the rest failed, with the failure's usual answer.
		e.log.ErrorContext(ctx, "converse: handle a message", "channel", channel, "err", err)
		return append(first, text(e.t(lang, "error"))), nil
	}
	if err != nil {
		return nil, err
	}
	return append(first, out...), nil
}

// answer answers the chat's message (cmd and args its command, d its
// draft, lang the language to answer in).
func (e *Engine) answer(ctx context.Context, channel, chat, lang, cmd, args string, m Message, d *draft, fetch Fetcher) ([]Reply, error) {
	switch cmd {
	case "/start", "/help":
		return []Reply{text(e.t(lang, "safety")), {Text: e.t(lang, "start"), Choices: e.languages()}}, nil
	case "/lang", "/language":
		l := strings.ToLower(strings.TrimSpace(args))
		if l == "" || locale.Match(l) != l {
			return []Reply{{Text: e.t(lang, "lang.choose"), Choices: e.languages()}}, nil
		}
		d.Lang = l
		if err := e.saveDraft(ctx, channel, chat, d); err != nil {
			return nil, err
		}
		return texts(e.t(l, "lang.set")), nil
	case "/held":
		a := strings.ToLower(strings.TrimSpace(args))
		if a != "yes" && a != "no" {
			return []Reply{{Text: e.t(lang, "held.usage"), Choices: e.heldChoices(lang)}}, nil
		}
		d.Lang, d.Held = lang, a
		if err := e.saveDraft(ctx, channel, chat, d); err != nil {
			return nil, err
		}
		return []Reply{{Text: e.t(lang, "held.noted"), Choices: [][]Choice{{{e.t(lang, "btn.review"), "/review"}}}}}, nil
	case "/review", "/summary":
		return e.review(lang, d), nil
	case "/cancel":
		if err := e.deleteDraft(ctx, channel, chat); err != nil {
			return nil, err
		}
		return texts(e.t(lang, "cancelled")), nil
	case "/delete", "/forget":
		return e.forgetChat(ctx, channel, chat, lang)
	case "/status":
		if args == "" {
			return e.chatStatus(ctx, channel, chat, lang)
		}
		return e.status(ctx, lang, args)
	case "/reply":
		// A tracking code first is the old form, even incomplete: its
		// secret must not become the text of a statement.
		if strings.HasPrefix(strings.ToUpper(args), "VG-") {
			return e.reply(ctx, lang, args)
		}
		return e.chatReply(ctx, channel, chat, lang, args)
	case "/send":
		return e.send(ctx, channel, chat, lang, d)
	case "":
	default:
		return texts(e.t(lang, "unknown")), nil
	}
	// Anything else adds to the draft.
	d.Lang = lang
	var replies []Reply
	if t := strings.TrimSpace(m.Text); t != "" {
		d.Texts = append(d.Texts, t)
	}
	for _, f := range m.Files {
		if len(d.Files) >= MaxDraftFiles {
			replies = append(replies, text(e.t(lang, "file.too_many", MaxDraftFiles)))
			break
		}
		if f.Size > MaxFileBytes {
			replies = append(replies, text(e.t(lang, "file.refused")))
			continue
		}
		data, err := fetch(ctx, f.Ref)
		if err != nil {
			e.log.WarnContext(ctx, "converse: fetch a file", "channel", channel, "err", err)
			replies = append(replies, text(e.t(lang, "file.failed")))
			continue
		}
		if _, err := e.intake.CheckAttachment(ctx, "attachment", data); err != nil {
			replies = append(replies, text(e.t(lang, "file.refused")))
			continue
		}
		d.Files = append(d.Files, draftFile{Name: f.Name, Data: data})
	}
	if len(d.Texts) == 0 && len(d.Files) == 0 {
		return append(replies, text(e.t(lang, "start"))), nil
	}
	if err := e.saveDraft(ctx, channel, chat, d); err != nil {
		return nil, err
	}
	added := Reply{Text: e.t(lang, "added", len(d.Texts), len(d.Files))}
	if d.Held == "" && len(d.Texts) > 0 {
		added.Text += "\n" + e.t(lang, "held.ask")
		added.Choices = e.heldChoices(lang)
	}
	added.Choices = append(added.Choices, []Choice{{e.t(lang, "btn.review"), "/review"}})
	return append(replies, added), nil
}

// languages are the buttons that switch the language, each labelled in
// its own.
func (e *Engine) languages() [][]Choice {
	var row []Choice
	for _, l := range locale.Languages {
		row = append(row, Choice{e.t(l, "lang.name"), "/lang " + l})
	}
	// Two rows: five buttons in one are too narrow on a phone.
	return [][]Choice{row[:3], row[3:]}
}

func (e *Engine) heldChoices(lang string) [][]Choice {
	return [][]Choice{{{e.t(lang, "btn.yes"), "/held yes"}, {e.t(lang, "btn.no"), "/held no"}}}
}

// review is the draft's summary with the choice to send or discard it.
func (e *Engine) review(lang string, d *draft) []Reply {
	if len(d.Texts) == 0 {
		return texts(e.t(lang, "send.empty"))
	}
	held := d.Held
	if held == "" {
		held = "unknown"
	}
	begin := []rune(d.Texts[0])
	if len(begin) > 80 {
		begin = append(begin[:80], '…')
	}
	return []Reply{{Text: e.t(lang, "review", len(d.Texts), len(d.Files), e.t(lang, "review.held."+held), string(begin)),
		Choices: [][]Choice{{{e.t(lang, "btn.send"), "/send"}, {e.t(lang, "btn.discard"), "/cancel"}}}}}
}

// command splits a message into its command ("/send"; "" for none) and
// the rest. A bot's name after the command (/send@VigilBot) is dropped.
func command(text string) (cmd, args string) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	cmd, args, _ = strings.Cut(text, " ")
	cmd, _, _ = strings.Cut(cmd, "@")
	return strings.ToLower(cmd), strings.TrimSpace(args)
}

// send files the draft and answers with the receipt.
func (e *Engine) send(ctx context.Context, channel, chat, lang string, d *draft) ([]Reply, error) {
	if len(d.Texts) == 0 {
		return texts(e.t(lang, "send.empty")), nil
	}
	sub := &intake.Submission{Language: lang, Narrative: strings.Join(d.Texts, "\n\n")}
	if d.Held != "" {
		// The person the report is about, as far as the chat said.
		sub.Victims = []intake.VictimIn{{StillHeld: d.Held == "yes"}}
	}
	ack, err := e.intake.SubmitFrom(ctx, channel, sub)
	if err != nil {
		if r := answer.Of(err); r.Status >= 400 && r.Status < 500 || r.Status == 503 {
			return texts(e.t(lang, "send.refused")), nil
		}
		return nil, err
	}
	// The report is filed: the draft goes whatever happens to its files,
	// and the chat is linked to the report. Without the link the reporter
	// still has the code and secret.
	if err := e.deleteDraft(ctx, channel, chat); err != nil {
		e.log.ErrorContext(ctx, "converse: delete a sent draft", "channel", channel, "err", err)
	}
	if err := e.db.Tx(ctx, func(q store.Q) error {
		return q.PutChatReport(ctx, &store.ChatReport{Channel: channel, Chat: chat, ReportID: ack.ID, CreatedAt: e.Now().UnixMicro()})
	}); err != nil {
		e.log.ErrorContext(ctx, "converse: link a chat to its report", "channel", channel, "report", ack.ID, "err", err)
	}
	replies := []string{}
	refused := 0
	for _, f := range d.Files {
		if _, err := e.intake.AttachWithSecret(ctx, ack.TrackingCode, ack.Secret, f.Name, f.Data); err != nil {
			e.log.WarnContext(ctx, "converse: attach a file", "channel", channel, "report", ack.ID, "err", err)
			refused++
		}
	}
	replies = append(replies, e.t(lang, "sent", ack.TrackingCode, ack.Secret))
	if refused > 0 {
		replies = append(replies, e.t(lang, "sent.files_refused", refused))
	}
	return texts(append(replies, e.t(lang, "sent.next"))...), nil
}

// reply answers /reply CODE SECRET TEXT: the reporter's message to the
// staff, a statement of the report (intake.Reply).
func (e *Engine) reply(ctx context.Context, lang, args string) ([]Reply, error) {
	f := strings.Fields(args)
	if len(f) < 3 {
		return texts(e.t(lang, "reply.usage")), nil
	}
	code, secret := strings.ToUpper(f[0]), f[1]
	text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(args, f[0])), f[1]))
	if len(code) > 40 || len(secret) > 100 {
		return texts(e.t(lang, "status.not_found")), nil
	}
	_, err := e.intake.Reply(ctx, code, secret, &intake.MessageIn{Text: text, Language: lang})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return texts(e.t(lang, "status.not_found")), nil
	case err != nil && answer.Of(err).Status == 429:
		return texts(e.t(lang, "reply.too_many")), nil
	case err != nil && answer.Of(err).Status < 500:
		return texts(e.t(lang, "reply.refused")), nil
	case err != nil:
		return nil, err
	}
	return texts(e.t(lang, "reply.sent")), nil
}

// status answers /status CODE SECRET: the report's status and the staff's
// messages not read yet.
func (e *Engine) status(ctx context.Context, lang, args string) ([]Reply, error) {
	f := strings.Fields(args)
	if len(f) != 2 {
		return texts(e.t(lang, "status.usage")), nil
	}
	code, secret := strings.ToUpper(f[0]), f[1]
	if len(code) > 40 || len(secret) > 100 {
		return texts(e.t(lang, "status.not_found")), nil
	}
	st, err := e.intake.Track(ctx, code, secret)
	if errors.Is(err, store.ErrNotFound) {
		return texts(e.t(lang, "status.not_found")), nil
	}
	if err != nil {
		return nil, err
	}
	ms, err := e.intake.Conversation(ctx, code, secret, true)
	if err != nil {
		return nil, err
	}
	out := []string{e.t(lang, "status", e.t(lang, "status."+st.Status), st.LastAction)}
	for _, m := range ms {
		out = append(out, e.t(lang, "status.message", m.CreatedAt.UTC().Format("2006-01-02 15:04"), m.Text))
	}
	if len(ms) == 0 {
		out = append(out, e.t(lang, "status.no_messages"))
	}
	return texts(out...), nil
}

// Failed is what a chat is told when Handle failed (in the language the
// app reports for the user).
func (e *Engine) Failed(lang string) string { return e.t(locale.Match(lang), "error") }

// chatReports are the reports the chat filed, newest first, with their
// counts of unread staff messages.
func (e *Engine) chatReports(ctx context.Context, channel, chat string) ([]*store.ChatReport, error) {
	return e.db.Read().ListChatReports(ctx, channel, chat)
}

// filedOn is the date a chat filed a report, which tells the chat's
// reports apart without their tracking codes.
func filedOn(l *store.ChatReport) string { return store.Time(l.CreatedAt).Format("2006-01-02") }

// deliver returns the staff's messages the chat's reporter has not read
// yet, oldest report first, and marks them read.
func (e *Engine) deliver(ctx context.Context, channel, chat, lang string) ([]Reply, error) {
	ls, err := e.chatReports(ctx, channel, chat)
	if err != nil {
		return nil, err
	}
	var out []Reply
	for i := len(ls) - 1; i >= 0; i-- {
		l := ls[i]
		if l.Unread == 0 {
			continue
		}
		ms, err := e.intake.ChatConversation(ctx, l.ReportID, true)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if len(ls) == 1 {
				out = append(out, text(e.t(lang, "staff.wrote", m.Text)))
			} else {
				out = append(out, text(e.t(lang, "staff.wrote.report", filedOn(l), m.Text)))
			}
		}
	}
	return out, nil
}

// chatStatusShown is how many of a chat's reports /status lists (the
// newest; an older one with new messages is listed too).
const chatStatusShown = 10

// chatStatus answers /status without a code and secret: the status of
// each report the chat filed and the staff's messages not read yet.
func (e *Engine) chatStatus(ctx context.Context, channel, chat, lang string) ([]Reply, error) {
	ls, err := e.chatReports(ctx, channel, chat)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return texts(e.t(lang, "status.usage")), nil
	}
	var out []string
	news := 0
	for i := len(ls) - 1; i >= 0; i-- {
		l := ls[i]
		if i >= chatStatusShown && l.Unread == 0 {
			continue
		}
		st, err := e.intake.ChatTrack(ctx, l.ReportID)
		if err != nil {
			return nil, err
		}
		if len(ls) == 1 {
			out = append(out, e.t(lang, "status", e.t(lang, "status."+st.Status), st.LastAction))
		} else {
			out = append(out, e.t(lang, "status.report", filedOn(l), e.t(lang, "status."+st.Status), st.LastAction))
		}
		if l.Unread == 0 {
			continue
		}
		ms, err := e.intake.ChatConversation(ctx, l.ReportID, true)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			out = append(out, e.t(lang, "status.message", m.CreatedAt.UTC().Format("2006-01-02 15:04"), m.Text))
		}
		news += len(ms)
	}
	if news == 0 {
		out = append(out, e.t(lang, "status.no_messages"))
	}
	return texts(out...), nil
}

// chatReply answers /reply TEXT: the reporter's message to the staff
// about the newest report the chat filed (intake.ChatReply).
func (e *Engine) chatReply(ctx context.Context, channel, chat, lang, msg string) ([]Reply, error) {
	ls, err := e.chatReports(ctx, channel, chat)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return texts(e.t(lang, "reply.usage")), nil
	}
	if msg == "" {
		return texts(e.t(lang, "reply.usage.chat")), nil
	}
	_, err = e.intake.ChatReply(ctx, ls[0].ReportID, &intake.MessageIn{Text: msg, Language: lang})
	switch {
	case err != nil && answer.Of(err).Status == 429:
		return texts(e.t(lang, "reply.too_many")), nil
	case err != nil && answer.Of(err).Status < 500:
		return texts(e.t(lang, "reply.refused")), nil
	case err != nil:
		return nil, err
	}
	return texts(e.t(lang, "reply.sent")), nil
}

// forgetChat answers /delete (/forget): how to clear the chat, after
// forgetting which reports it filed; from then on only the tracking code
// and secret reach them.
func (e *Engine) forgetChat(ctx context.Context, channel, chat, lang string) ([]Reply, error) {
	var n int64
	if err := e.db.Tx(ctx, func(q store.Q) error {
		var err error
		n, err = q.DeleteChatReports(ctx, channel, chat)
		return err
	}); err != nil {
		return nil, err
	}
	out := []string{e.t(lang, "delete")}
	if n > 0 {
		out = append(out, e.t(lang, "delete.forgot"))
	}
	return texts(out...), nil
}
