package line_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
	"github.com/vigil-project/vigil/internal/line"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// env is a LINE bot on a real database behind its webhook, calling a fake
// LINE platform, with a hotline that receives public reports.
type env struct {
	db    *store.DB
	keys  *seal.Keyring
	in    *intake.Service
	line  *fakeLINE
	coord auth.Actor
	hook  *httptest.Server
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	keys, err := seal.New(bytes.Repeat([]byte{6}, seal.KeySize))
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
	e := &env{db: db, keys: keys, in: in, line: newFakeLINE(t), coord: auth.Actor{UserID: u.ID, OrgID: org.ID, Role: auth.Coordinator}}
	e.start(t)
	return e
}

// start puts a fresh bot and engine (as after a restart, changed by
// opts) behind the webhook.
func (e *env) start(t *testing.T, opts ...func(*converse.Engine)) {
	t.Helper()
	eng, err := converse.New(e.db, e.keys, e.in, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(eng)
	}
	b := line.New(e.line.api.URL, e.line.data.URL, e.line.secret, e.line.token, eng, slog.New(slog.DiscardHandler))
	if e.hook != nil {
		e.hook.Close()
	}
	e.hook = httptest.NewServer(b.Webhook())
	t.Cleanup(e.hook.Close)
	e.line.hook = e.hook.URL + line.WebhookPath
}

// say posts events and returns everything user was sent since.
func (e *env) say(t *testing.T, user string, events ...line.Event) []string {
	t.Helper()
	before := len(e.line.texts(user))
	if code := e.line.post(t, e.line.secret, events...); code != http.StatusOK {
		t.Fatalf("webhook: %d", code)
	}
	return e.line.texts(user)[before:]
}

var codeRE = regexp.MustCompile(`VG-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)

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

// TestReportThroughLINE: a Thai user adds the bot, writes, answers with
// the quick-reply buttons, sends a photo, the server restarts, and the
// report is sent: channel line, language Thai (the profile's), the photo
// its attachment, the draft kept sealed under the user's blind index.
func TestReportThroughLINE(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		user := e.line.user(1, "th")
		got := e.say(t, user, e.line.event(user, "follow"))
		if len(got) != 2 || !strings.Contains(got[0], "ความปลอดภัย") {
			t.Fatalf("follow: %q, want the safety advice and the start in Thai", got)
		}
		got = e.say(t, user, e.line.text(user, "น้องชายของฉันถูกกักตัวที่เมียวดี"))
		if len(got) != 1 || !strings.Contains(got[0], "/held yes") {
			t.Fatalf("text: %q", got)
		}
		e.say(t, user, e.line.press(t, user, "ใช่"))
		photo := intaketest.JPEG(64, 48, 3)
		if got := e.say(t, user, e.line.image(user, photo)); len(got) != 1 || !strings.Contains(got[0], "1") {
			t.Fatalf("image: %q", got)
		}
		// A restart: the draft is in the database, sealed, under the
		// user's blind index.
		d, err := db.Read().GetChatDraft(context.Background(), "line", e.keys.BlindIndex("chat:line", user), time.Now().UnixMicro())
		if err != nil {
			t.Fatalf("the draft under the user's blind index: %v", err)
		}
		if bytes.Contains(d.Body, []byte("เมียวดี")) || bytes.Contains(d.Body, []byte(user)) || strings.Contains(d.Chat, user) {
			t.Error("the draft or its user is stored in clear")
		}
		e.start(t)
		got = e.say(t, user, e.line.press(t, user, "ดูร่าง"))
		if len(got) != 1 || !strings.Contains(got[0], "เมียวดี") || !strings.Contains(got[0], "1 ไฟล์") {
			t.Fatalf("review: %q", got)
		}
		got = e.say(t, user, e.line.press(t, user, "ส่งรายงาน"))
		if len(got) != 2 {
			t.Fatalf("send: %q", got)
		}
		code, secret := receipt(t, got[0])
		ctx := context.Background()
		if _, err := e.in.Track(ctx, code, secret); err != nil {
			t.Fatalf("track: %v", err)
		}
		r, err := db.Read().GetReportByTrackingCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if r.Channel != "line" || r.Language != "th" || len(r.Victims) != 1 || !r.Victims[0].StillHeld {
			t.Errorf("report channel %q language %q victims %+v, want line th and one still held", r.Channel, r.Language, r.Victims)
		}
		as, err := e.in.Attachments(ctx, e.coord, r.ID)
		if err != nil || len(as) != 1 || as[0].MediaType != "image/jpeg" {
			t.Errorf("attachments = %+v %v, want the photo", as, err)
		}
		e.line.mu.Lock()
		defer e.line.mu.Unlock()
		if e.line.pushes != 0 {
			t.Errorf("%d pushes, want every answer a reply", e.line.pushes)
		}
	})
}

// TestTextOnlyAndStatus: the typed commands alone; /status after a staff
// message answers more than five messages (a reply and a push).
func TestTextOnlyAndStatus(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	user := e.line.user(2, "en")
	got := e.say(t, user, e.line.text(user, "I was promised a job in Bangkok."), e.line.text(user, "/held no"), e.line.text(user, "/send"))
	if len(got) != 4 {
		t.Fatalf("three events: %q", got)
	}
	code, secret := receipt(t, got[2])
	ctx := context.Background()
	r, err := db.Read().GetReportByTrackingCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Victims) != 1 || r.Victims[0].StillHeld {
		t.Errorf("victims %+v, want one not held", r.Victims)
	}
	for i := range 6 {
		if _, err := e.in.WriteToReporter(ctx, e.coord, r.ID, &intake.MessageIn{Text: "Question " + string(rune('A'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	got = e.say(t, user, e.line.text(user, "/status "+code+" "+secret))
	if len(got) != 7 || !strings.Contains(got[0], "Status: received") || !strings.Contains(got[6], "Question F") {
		t.Errorf("status: %q", got)
	}
	e.line.mu.Lock()
	if e.line.pushes != 1 {
		t.Errorf("%d pushes, want the two messages past five pushed once", e.line.pushes)
	}
	e.line.mu.Unlock()
	// A redelivered event (same webhookEventId) is handled once.
	ev := e.line.text(user, "/delete")
	e.say(t, user, ev)
	ev.DeliveryContext.IsRedelivery = true
	if got := e.say(t, user, ev); len(got) != 0 {
		t.Errorf("a redelivery was answered again: %q", got)
	}
	// An expired reply token: everything is pushed.
	e.line.mu.Lock()
	e.line.expired = true
	e.line.mu.Unlock()
	if got := e.say(t, user, e.line.text(user, "/delete")); len(got) != 1 || !strings.Contains(got[0], "Delete chat") {
		t.Errorf("/delete with an expired token: %q", got)
	}
}

// TestSignature: a call without LINE's signature of its body with the
// channel secret is 401 and handled not at all; the console's verify call
// (no events) is 200; a signed body that is not a webhook object is 400; a
// body over the limit is 413.
func TestSignature(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	user := e.line.user(3, "en")
	body, _ := json.Marshal(line.Callback{Events: []line.Event{e.line.text(user, "/start")}})
	good := line.Sign(e.line.secret, body)
	for _, tt := range []struct {
		name string
		body []byte
		sig  string
		want int
	}{
		{"no signature", body, "", http.StatusUnauthorized},
		{"not base64", body, "%%%", http.StatusUnauthorized},
		{"another secret", body, line.Sign("another secret", body), http.StatusUnauthorized},
		{"another body", append(bytes.Clone(body), ' '), good, http.StatusUnauthorized},
		{"hex instead of base64", body, "a1b2c3", http.StatusUnauthorized},
		{"verify call", []byte(`{"destination":"U1","events":[]}`), line.Sign(e.line.secret, []byte(`{"destination":"U1","events":[]}`)), http.StatusOK},
		{"signed, not JSON", []byte("nope"), line.Sign(e.line.secret, []byte("nope")), http.StatusBadRequest},
		{"too large", bytes.Repeat([]byte(" "), line.MaxBody+1), "x", http.StatusRequestEntityTooLarge},
	} {
		if got := e.line.postRaw(t, tt.body, tt.sig); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := e.line.texts(user); len(got) != 0 {
		t.Errorf("a refused call was handled: %q", got)
	}
	if got := e.line.postRaw(t, body, good); got != http.StatusOK || len(e.line.texts(user)) != 2 {
		t.Errorf("the signed call: %d, sent %q", got, e.line.texts(user))
	}
}

// TestIncoming: what the engine is handed of each kind of event.
func TestIncoming(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "webhook.json"))
	if err != nil {
		t.Fatal(err)
	}
	cb, err := line.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		ok    bool
		text  string
		files int
	}{
		{true, "Hello, world", 0}, // text
		{true, "", 1},             // image from LINE
		{false, "", 0},            // image from an external provider
		{true, "/held yes", 0},    // postback
		{false, "", 0},            // postback that is not a command
		{true, "/start", 0},       // follow
		{false, "", 0},            // group message
		{false, "", 0},            // sticker
		{false, "", 0},            // standby mode
		{true, "", 1},             // file
		{false, "", 0},            // unfollow
	}
	if len(cb.Events) != len(want) {
		t.Fatalf("%d events, want %d", len(cb.Events), len(want))
	}
	for i, w := range want {
		user, in, ok := line.Incoming(cb.Events[i])
		if ok != w.ok || (ok && (user == "" || in.Chat != user || in.Text != w.text || len(in.Files) != w.files)) {
			t.Errorf("event %d (%s): %q %+v %v, want %+v", i, cb.Events[i].Type, user, in, ok, w)
		}
	}
}

// TestMessages: long texts are cut; the last reply's choices are its
// quick reply, labels cut to 20 characters.
func TestMessages(t *testing.T) {
	ms := line.Messages([]converse.Reply{
		{Text: strings.Repeat("ก", 5001), Choices: [][]converse.Choice{{{Label: "dropped", Data: "/x"}}}},
		{Text: "last", Choices: [][]converse.Choice{{{Label: strings.Repeat("ឃ", 25), Data: "/held yes"}}, {{Label: "No", Data: "/held no"}}}},
	})
	if len(ms) != 3 || len([]rune(ms[0].Text)) != 5000 || ms[0].QuickReply != nil || ms[1].QuickReply != nil {
		t.Fatalf("messages = %+v", ms)
	}
	q := ms[2].QuickReply
	if q == nil || len(q.Items) != 2 || len([]rune(q.Items[0].Action.Label)) != 20 || q.Items[0].Action.Data != "/held yes" || q.Items[1].Action.Type != "postback" {
		t.Errorf("quick reply = %+v", q)
	}
}

// FuzzWebhook: any body LINE (or an impostor who has the secret) sends
// parses or is refused, and never panics on the way to the engine.
func FuzzWebhook(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "webhook.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"events":[{"type":"message","source":{"type":"user","userId":"U1"},"message":{"type":"image","id":"1"}}]}`))
	f.Add([]byte(`{"events":[{"type":"postback","source":{"type":"user"},"postback":null}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cb, err := line.Parse(b)
		if err != nil {
			return
		}
		for _, ev := range cb.Events {
			if user, in, ok := line.Incoming(ev); ok && (user == "" || in.Chat == "") {
				t.Error("a message without a user")
			}
		}
	})
}

// TestFlood: 1,000 messages from one LINE user, in webhook calls of 100
// events, while five others report: the flood is throttled (one warning, a
// minute's budget kept), every other user is answered.
func TestFlood(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		frozen := time.Now()
		e.start(t, func(eng *converse.Engine) { eng.Now = func() time.Time { return frozen } })
		flooder := e.line.user(100, "en")
		var others []string
		for i := range 5 {
			others = append(others, e.line.user(200+i, "vi"))
		}
		start := time.Now()
		for call := range 10 {
			var evs []line.Event
			for i := range 100 {
				evs = append(evs, e.line.text(flooder, "spam "+string(rune('a'+i%26))))
			}
			if call%2 == 0 {
				for _, u := range others {
					evs = append(evs, e.line.text(u, "Tôi bị giữ ở Bavet."))
				}
			}
			if code := e.line.post(t, e.line.secret, evs...); code != http.StatusOK {
				t.Fatalf("call %d: %d", call, code)
			}
		}
		var evs []line.Event
		for _, u := range others {
			evs = append(evs, e.line.text(u, "/send"))
		}
		if code := e.line.post(t, e.line.secret, evs...); code != http.StatusOK {
			t.Fatal(code)
		}
		elapsed := time.Since(start)
		for _, u := range others {
			got := e.line.texts(u)
			if len(got) != 7 || !strings.Contains(got[5], "VG-") {
				t.Errorf("%s: %q, want five acknowledgements and a receipt", u, got)
			}
		}
		got := e.line.texts(flooder)
		warnings := 0
		for _, s := range got {
			if strings.Contains(s, "Too many messages") {
				warnings++
			}
		}
		if warnings != 1 || len(got) != 31 {
			t.Errorf("flooder was sent %d messages with %d warnings, want 30 acknowledgements and 1 warning", len(got), warnings)
		}
		t.Logf("%s: 1,030 LINE events in 11 webhook calls handled in %v", db.Engine, elapsed.Round(time.Millisecond))
	})
}
