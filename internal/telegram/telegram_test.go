package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/converse"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/intake/intaketest"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
	"github.com/vigil-project/vigil/internal/telegram"
)

// env is a bot on a real database, polling a fake Bot API, with a
// hotline that receives public reports and its coordinator.
type env struct {
	db    *store.DB
	keys  *seal.Keyring
	in    *intake.Service
	api   *fakeAPI
	coord auth.Actor
	stop  func()
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	keys, err := seal.New(bytes.Repeat([]byte{5}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	in := intake.New(db, keys, nil, nil, slog.New(slog.DiscardHandler))
	in.Files = blob.NewDir(t.TempDir())
	in.Start()
	t.Cleanup(in.Close)
	st := staff.New(db, 0)
	org, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "hotline", Kind: "ngo", ReceivesPublic: true})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: "c@hotline.test", Name: "C", Role: "coordinator", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, keys: keys, in: in, api: newFakeAPI(t), coord: auth.Actor{UserID: u.ID, OrgID: org.ID, Role: auth.Coordinator}}
	e.start(t)
	return e
}

// start runs a bot (a fresh engine, as after a restart, changed by opts)
// until stop.
func (e *env) start(t *testing.T, opts ...func(*converse.Engine)) *converse.Engine {
	t.Helper()
	eng, err := converse.New(e.db, e.keys, e.in, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(eng)
	}
	b := telegram.New(e.api.srv.URL, e.api.token, e.db, eng, slog.New(slog.DiscardHandler))
	b.PollTimeout, b.Retry = time.Second, 100*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.Run(ctx) }()
	e.stop = func() { cancel(); <-done }
	t.Cleanup(func() { e.stop() })
	return eng
}

var codeRE = regexp.MustCompile(`VG-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// receipt reads the tracking code and the secret from the bot's answer to
// /send: the code as the web receipt shows it, the secret alone after
// its label on the next line.
func receipt(t *testing.T, msg string) (code, secret string) {
	t.Helper()
	lines := strings.Split(msg, "\n")
	if len(lines) < 3 {
		t.Fatalf("receipt %q: want code and secret lines", msg)
	}
	code = codeRE.FindString(lines[1])
	f := strings.Fields(lines[2])
	secret = f[len(f)-1]
	if code == "" || !regexp.MustCompile(`^[a-z2-7]{32}$`).MatchString(secret) {
		t.Fatalf("receipt %q: no code or secret", msg)
	}
	return code, secret
}

// TestKhmerReportWithPhoto: a report in Khmer with a photo, from /start
// to the receipt; the report's channel is telegram, its language Khmer,
// the photo its attachment, and every reply protected from forwarding.
func TestKhmerReportWithPhoto(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const chat = 7001
		e.api.text(chat, "km", "/start")
		got := e.api.waitSent(t, chat, 2)
		if !strings.Contains(got[0], "សុវត្ថិភាព") {
			t.Errorf("safety advice = %q, want it in Khmer", got[0])
		}
		e.api.text(chat, "km", "បងប្រុសខ្ញុំត្រូវបានឃុំខ្លួននៅក្នុងបរិវេណមួយនៅក្រុងព្រះសីហនុ ហើយនៅតែត្រូវបានឃុំខ្លួន។")
		e.api.waitSent(t, chat, 3)
		photo := intaketest.JPEG(64, 48, 1)
		e.api.photo(chat, "km", "រូបថតនៃអគារ", photo)
		got = e.api.waitSent(t, chat, 4)
		if !strings.Contains(got[3], "2") || !strings.Contains(got[3], "1") {
			t.Errorf("after the photo: %q, want 2 messages and 1 file in the draft", got[3])
		}
		e.api.text(chat, "km", "/send")
		got = e.api.waitSent(t, chat, 6)
		code, secret := receipt(t, got[4])
		ctx := context.Background()
		if _, err := e.in.Track(ctx, code, secret); err != nil {
			t.Fatalf("track with the bot's receipt: %v", err)
		}
		r, err := db.Read().GetReportByTrackingCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if r.Channel != "telegram" || r.Language != "km" {
			t.Errorf("report channel %q language %q, want telegram km", r.Channel, r.Language)
		}
		as, err := e.in.Attachments(ctx, e.coord, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 1 || as[0].MediaType != "image/jpeg" {
			t.Errorf("attachments = %+v, want the photo", as)
		}
		rv, err := e.in.Get(ctx, e.coord, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if txt := rv.Statements[0].Versions[0].Text; !strings.Contains(txt, "ព្រះសីហនុ") || !strings.Contains(txt, "រូបថតនៃអគារ") {
			t.Errorf("narrative = %q, want the text and the caption", txt)
		}
		if !e.api.allProtected() {
			t.Error("a reply was sent without protect_content")
		}
	})
}

// TestTextOnly: /start, two texts, /send; /cancel discards a draft;
// /delete explains how to clear the chat.
func TestTextOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const chat = 7002
		for _, s := range []string{"/start", "I was promised a job in Bangkok.", "They took my passport in Myawaddy.", "/send"} {
			e.api.text(chat, "en", s)
		}
		got := e.api.waitSent(t, chat, 6)
		code, secret := receipt(t, got[4])
		if !strings.HasPrefix(got[4], "Your report was received.\nTracking code: "+code+"\nSecret: "+secret+"\n") {
			t.Errorf("receipt = %q", got[4])
		}
		ctx := context.Background()
		r, err := db.Read().GetReportByTrackingCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		rv, err := e.in.Get(ctx, e.coord, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if txt := rv.Statements[0].Versions[0].Text; txt != "I was promised a job in Bangkok.\n\nThey took my passport in Myawaddy." {
			t.Errorf("narrative = %q", txt)
		}
		// The draft went with /send: another /send has nothing.
		e.api.text(chat, "en", "/send")
		if got := e.api.waitSent(t, chat, 7); !strings.Contains(got[6], "nothing to send") {
			t.Errorf("second /send: %q, want nothing to send", got[6])
		}
		e.api.text(chat, "en", "a draft to drop")
		e.api.text(chat, "en", "/cancel")
		e.api.text(chat, "en", "/send")
		e.api.text(chat, "en", "/delete")
		got = e.api.waitSent(t, chat, 11)
		if !strings.Contains(got[8], "discarded") || !strings.Contains(got[9], "nothing to send") || !strings.Contains(got[10], "Delete chat") {
			t.Errorf("cancel, send, delete: %q", got[8:])
		}
	})
}

// TestRestartMidDraft: the draft outlives the bot: written before a
// restart, sent after it. The draft is stored sealed, under the chat's
// blind index.
func TestRestartMidDraft(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const chat = 7003
		e.api.text(chat, "th", "ฉันถูกหลอกไปทำงานที่เมียวดี")
		e.api.waitSent(t, chat, 1)
		e.stop()
		d, err := db.Read().GetChatDraft(context.Background(), "telegram", e.keys.BlindIndex("chat:telegram", "7003"), time.Now().UnixMicro())
		if err != nil {
			t.Fatalf("the draft under the chat's blind index: %v", err)
		}
		if bytes.Contains(d.Body, []byte("เมียวดี")) || bytes.Contains(d.Body, []byte("7003")) || strings.Contains(d.Chat, "7003") {
			t.Error("the draft or its chat is stored in clear")
		}
		e.start(t)
		e.api.text(chat, "th", "/send")
		got := e.api.waitSent(t, chat, 3)
		code, secret := receipt(t, got[1])
		st, err := e.in.Track(context.Background(), code, secret)
		if err != nil || st.Status != "received" {
			t.Fatalf("track after restart: %+v %v", st, err)
		}
	})
}

// TestStatusAfterStaffMessage: /status CODE SECRET gives the status and
// the staff's new messages, once; /reply CODE SECRET TEXT answers.
func TestStatusAfterStaffMessage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const chat = 7004
		e.api.text(chat, "en", "My sister is held in Shwe Kokko.")
		e.api.text(chat, "en", "/send")
		got := e.api.waitSent(t, chat, 3)
		code, secret := receipt(t, got[1])
		ctx := context.Background()
		r, err := db.Read().GetReportByTrackingCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.in.WriteToReporter(ctx, e.coord, r.ID, &intake.MessageIn{Text: "Can she reach a phone safely?"}); err != nil {
			t.Fatal(err)
		}
		e.api.text(chat, "en", "/status "+code+" "+secret)
		got = e.api.waitSent(t, chat, 5)
		if !strings.Contains(got[3], "Status: received") || !strings.Contains(got[4], "Can she reach a phone safely?") {
			t.Errorf("status: %q", got[3:])
		}
		e.api.text(chat, "en", "/status "+code+" "+secret)
		e.api.text(chat, "en", "/status "+code+" wrong")
		got = e.api.waitSent(t, chat, 8)
		if !strings.Contains(got[6], "No new messages") || !strings.Contains(got[7], "No report has that") {
			t.Errorf("second status, wrong secret: %q", got[5:])
		}
		// The reporter answers in the chat: a statement of the report,
		// the staff's unread reply.
		e.api.text(chat, "en", "/reply "+code+" "+secret+" She can, at night.")
		if got := e.api.waitSent(t, chat, 9); !strings.Contains(got[8], "sent to the caseworker") {
			t.Errorf("reply: %q", got[8])
		}
		ms, err := e.in.Messages(ctx, e.coord, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 || ms[1].FromStaff || ms[1].Text != "She can, at night." {
			t.Errorf("conversation = %+v, want the staff question and the chat's answer", ms)
		}
	})
}

// TestFlood: 1,000 messages from one chat while five others report; the
// flood is throttled (one warning, at most a minute's budget kept), every
// other chat is answered, and the bot keeps running.
func TestFlood(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// The clock stands still, so the budget does not refill however
		// slowly the machine runs the test.
		e.stop()
		frozen := time.Now()
		e.start(t, func(eng *converse.Engine) { eng.Now = func() time.Time { return frozen } })
		const flooder = 7666
		start := time.Now()
		for i := range 1000 {
			e.api.text(flooder, "en", "spam "+string(rune('a'+i%26)))
			if i%200 == 100 {
				for c := int64(8001); c <= 8005; c++ {
					e.api.text(c, "vi", "Tôi bị giữ ở Bavet.")
				}
			}
		}
		for c := int64(8001); c <= 8005; c++ {
			e.api.text(c, "vi", "/send")
		}
		for c := int64(8001); c <= 8005; c++ {
			got := e.api.waitSent(t, c, 7)
			if !strings.Contains(got[5], "VG-") {
				t.Errorf("chat %d: %q, want a receipt after five messages", c, got[5])
			}
		}
		got := e.api.waitSent(t, flooder, 31)
		warnings := 0
		for _, s := range got {
			if strings.Contains(s, "Too many messages") {
				warnings++
			}
		}
		if warnings != 1 || len(got) != 31 {
			t.Errorf("flooder was sent %d messages with %d warnings, want 30 acknowledgements and 1 warning", len(got), warnings)
		}
		t.Logf("%s: 1,025 messages handled in %v", db.Engine, time.Since(start).Round(time.Millisecond))
	})
}

// TestOnePoller: on PostgreSQL one poller holds the lock at a time.
func TestOnePoller(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	ctx := context.Background()
	l, err := db.TryPollerLock(ctx, telegram.Channel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TryPollerLock(ctx, telegram.Channel); err == nil {
		t.Fatal("a second poller took the lock")
	}
	l.Release()
	l2, err := db.TryPollerLock(ctx, telegram.Channel)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Release()
}

// TestKhmerReportThroughButtons: a user whose app speaks English chooses
// Khmer, answers "still held" and sends the report with the inline
// keyboard's buttons; every press is answered, and the report is in
// Khmer, through telegram, with the photo and a victim still held.
func TestKhmerReportThroughButtons(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const chat = 7005
		e.api.text(chat, "en", "/start")
		e.api.waitSent(t, chat, 2)
		e.api.mu.Lock()
		langs := e.api.sent[len(e.api.sent)-1].Markup
		e.api.mu.Unlock()
		if langs == nil || len(langs.InlineKeyboard) != 2 || len(langs.InlineKeyboard[0])+len(langs.InlineKeyboard[1]) != 5 {
			t.Fatalf("/start's keyboard = %+v, want the five languages", langs)
		}
		e.api.press(t, chat, "en", "ខ្មែរ")
		if got := e.api.waitSent(t, chat, 3); !strings.Contains(got[2], "ខ្មែរ") {
			t.Errorf("after the Khmer button: %q", got[2])
		}
		e.api.text(chat, "en", "បងស្រីខ្ញុំត្រូវបានឃុំនៅបាវិត។")
		if got := e.api.waitSent(t, chat, 4); !strings.Contains(got[3], "/held yes") {
			t.Errorf("after the first text: %q, want the still-held question", got[3])
		}
		e.api.press(t, chat, "en", "បាទ/ចាស")
		e.api.waitSent(t, chat, 5)
		e.api.photo(chat, "en", "", intaketest.JPEG(64, 48, 2))
		e.api.waitSent(t, chat, 6)
		e.api.press(t, chat, "en", "មើលសេចក្តីព្រាង")
		got := e.api.waitSent(t, chat, 7)
		if !strings.Contains(got[6], "បាវិត") || !strings.Contains(got[6], "នៅតែត្រូវបានឃុំខ្លួន៖ បាទ/ចាស") {
			t.Errorf("review: %q", got[6])
		}
		e.api.press(t, chat, "en", "ផ្ញើរបាយការណ៍")
		got = e.api.waitSent(t, chat, 9)
		code, secret := receipt(t, got[7])
		ctx := context.Background()
		if _, err := e.in.Track(ctx, code, secret); err != nil {
			t.Fatalf("track: %v", err)
		}
		r, err := db.Read().GetReportByTrackingCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if r.Channel != "telegram" || r.Language != "km" || len(r.Victims) != 1 || !r.Victims[0].StillHeld {
			t.Errorf("report channel %q language %q victims %+v, want telegram km and one still held", r.Channel, r.Language, r.Victims)
		}
		as, err := e.in.Attachments(ctx, e.coord, r.ID)
		if err != nil || len(as) != 1 {
			t.Errorf("attachments = %+v %v, want the photo", as, err)
		}
		if n := e.api.unanswered(); n != 0 {
			t.Errorf("%d button presses not answered", n)
		}
		if !e.api.allProtected() {
			t.Error("a reply was sent without protect_content")
		}
	})
}

// TestPressed: a press of one of our buttons in a private chat is its
// command; other data, a group's button or a bot's press are not.
func TestPressed(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "update-callback-query.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc telegram.Update
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	cq := func(data, chatType string, bot bool) telegram.Update {
		return telegram.Update{UpdateID: 1, CallbackQuery: &telegram.CallbackQuery{ID: "1", From: telegram.User{ID: 5, IsBot: bot, LanguageCode: "km"},
			Message: &telegram.Message{MessageID: 2, Chat: telegram.Chat{ID: 5, Type: chatType}}, Data: data}}
	}
	for _, tt := range []struct {
		name string
		u    telegram.Update
		ok   bool
		text string
	}{
		{"documented example (not our data)", doc, false, ""},
		{"our button", cq("/held yes", "private", false), true, "/held yes"},
		{"group", cq("/held yes", "group", false), false, ""},
		{"a bot", cq("/send", "private", true), false, ""},
		{"too long", cq("/"+strings.Repeat("x", 64), "private", false), false, ""},
		{"a message", telegram.Update{Message: &telegram.Message{Chat: telegram.Chat{ID: 5, Type: "private"}, Text: "hi"}}, false, ""},
	} {
		chat, in, ok := telegram.Pressed(tt.u)
		if ok != tt.ok || (ok && (chat != 5 || in.Chat != "5" || in.Text != tt.text || in.Lang != "km")) {
			t.Errorf("%s: %d %+v %v", tt.name, chat, in, ok)
		}
	}
}
