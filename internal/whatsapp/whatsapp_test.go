package whatsapp_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	"github.com/vigil-project/vigil/internal/whatsapp"
)

const verifyToken = "vigil-verify-token-42"

// env is a WhatsApp bot on a real database behind its webhook, calling a
// fake Graph API, with a hotline that receives public reports.
type env struct {
	db    *store.DB
	keys  *seal.Keyring
	in    *intake.Service
	meta  *fakeMeta
	coord auth.Actor
	hook  *httptest.Server
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	keys, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
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
	e := &env{db: db, keys: keys, in: in, meta: newFakeMeta(t), coord: auth.Actor{UserID: u.ID, OrgID: org.ID, Role: auth.Coordinator}}
	e.start(t)
	return e
}

// start puts a fresh bot and engine (as after a restart) behind the
// webhook.
func (e *env) start(t *testing.T) {
	t.Helper()
	eng, err := converse.New(e.db, e.keys, e.in, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	b := whatsapp.New(whatsapp.Config{API: e.meta.api(), Token: e.meta.token, AppSecret: e.meta.appSecret, VerifyToken: verifyToken, PhoneID: e.meta.phoneID},
		eng, slog.New(slog.DiscardHandler))
	if e.hook != nil {
		e.hook.Close()
	}
	e.hook = httptest.NewServer(b.Webhook())
	t.Cleanup(e.hook.Close)
	e.meta.hook = e.hook.URL + whatsapp.WebhookPath
}

// say posts a user's messages and returns what they were sent since.
func (e *env) say(t *testing.T, phone string, msgs ...map[string]any) []string {
	t.Helper()
	before := len(e.meta.texts(phone))
	if code := e.meta.post(t, e.meta.appSecret, e.meta.notification(e.meta.phoneID, phone, "", msgs...)); code != http.StatusOK {
		t.Fatalf("webhook: %d", code)
	}
	return e.meta.texts(phone)[before:]
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

// TestReportThroughWhatsApp: the verify handshake, then a Cambodian
// number writes (Khmer, guessed from +855), answers with the reply
// buttons, sends a photo, the server restarts, and the report is sent:
// channel whatsapp, language Khmer, the photo its attachment, the caption
// in the narrative, the draft sealed under the number's blind index.
func TestReportThroughWhatsApp(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const phone = "85512345678"
		got := e.say(t, phone, text("ប្អូនប្រុសខ្ញុំត្រូវបានឃុំនៅក្រុងព្រះសីហនុ"))
		if len(got) != 1 || !strings.Contains(got[0], "/held yes") {
			t.Fatalf("text: %q", got)
		}
		e.say(t, phone, e.meta.press(t, phone, "បាទ/ចាស"))
		if got := e.say(t, phone, e.meta.image("រូបថតនៃអគារ", intaketest.JPEG(64, 48, 4))); len(got) != 1 || !strings.Contains(got[0], "2") {
			t.Fatalf("image: %q", got)
		}
		d, err := db.Read().GetChatDraft(context.Background(), "whatsapp", e.keys.BlindIndex("chat:whatsapp", phone), time.Now().UnixMicro())
		if err != nil {
			t.Fatalf("the draft under the number's blind index: %v", err)
		}
		if bytes.Contains(d.Body, []byte("ព្រះសីហនុ")) || bytes.Contains(d.Body, []byte(phone)) || strings.Contains(d.Chat, phone) {
			t.Error("the draft or the number is stored in clear")
		}
		e.start(t)
		got = e.say(t, phone, e.meta.press(t, phone, "មើលសេចក្តីព្រាង"))
		if len(got) != 1 || !strings.Contains(got[0], "ព្រះសីហនុ") {
			t.Fatalf("review: %q", got)
		}
		got = e.say(t, phone, e.meta.press(t, phone, "ផ្ញើរបាយការណ៍"))
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
		if r.Channel != "whatsapp" || r.Language != "km" || len(r.Victims) != 1 || !r.Victims[0].StillHeld {
			t.Errorf("report channel %q language %q victims %+v, want whatsapp km and one still held", r.Channel, r.Language, r.Victims)
		}
		as, err := e.in.Attachments(ctx, e.coord, r.ID)
		if err != nil || len(as) != 1 || as[0].MediaType != "image/jpeg" {
			t.Errorf("attachments = %+v %v, want the photo", as, err)
		}
		rv, err := e.in.Get(ctx, e.coord, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if txt := rv.Statements[0].Versions[0].Text; !strings.Contains(txt, "រូបថតនៃអគារ") {
			t.Errorf("narrative = %q, want the caption", txt)
		}
	})
}

// TestTextOnly: typed commands alone, from a number with no language
// guess (English); a photo whose bytes do not match their hash is not
// kept; a user known only by a BSUID is answered at it.
func TestTextOnly(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	const phone = "4915112345678"
	got := e.say(t, phone, text("/start"), text("They took my passport in Myawaddy."), e.meta.image("", intaketest.JPEG(8, 8, 1)))
	if len(got) != 4 || !strings.Contains(got[0], "Your safety first") {
		t.Fatalf("start, text: %q", got)
	}
	e.meta.mu.Lock()
	e.meta.corrupt = true
	e.meta.mu.Unlock()
	if got := e.say(t, phone, e.meta.image("", intaketest.JPEG(8, 8, 2))); len(got) != 2 || !strings.Contains(got[0], "could not be downloaded") {
		t.Errorf("a corrupt photo: %q", got)
	}
	got = e.say(t, phone, text("/held no"), text("/send"))
	if len(got) != 3 {
		t.Fatalf("held, send: %q", got)
	}
	code, _ := receipt(t, got[1])
	r, err := db.Read().GetReportByTrackingCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	as, _ := e.in.Attachments(context.Background(), e.coord, r.ID)
	if r.Channel != "whatsapp" || r.Language != "en" || len(as) != 1 {
		t.Errorf("report %q %q with %d attachments, want whatsapp en and the one good photo", r.Channel, r.Language, len(as))
	}
	// Meta delivering a notification twice: its messages are handled once
	// (/delete: how to clear the chat, and that the bot forgot it).
	before := len(e.meta.texts(phone))
	n := e.meta.notification(e.meta.phoneID, phone, "", text("/delete"))
	for range 2 {
		if code := e.meta.post(t, e.meta.appSecret, n); code != http.StatusOK {
			t.Fatal(code)
		}
	}
	if got := e.meta.texts(phone)[before:]; len(got) != 2 || !strings.Contains(got[0], "Delete chat") || !strings.Contains(got[1], "forgotten") {
		t.Errorf("a notification delivered twice: %q", got)
	}
	const bsuid = "KH.13491208655302741918"
	if code := e.meta.post(t, e.meta.appSecret, e.meta.notification(e.meta.phoneID, "", bsuid, text("/delete"))); code != http.StatusOK {
		t.Fatal(code)
	}
	if got := e.meta.texts(bsuid); len(got) != 1 || !strings.Contains(got[0], "លុប") {
		t.Errorf("a BSUID-only user (Khmer from KH): %q", got)
	}
}

// TestWebhookRefusals: the verify handshake answers only the configured
// token; a POST without Meta's signature of its body with the app secret
// is 401 and handled not at all; a notification for another number of the
// app, or with statuses only, is taken and ignored.
func TestWebhookRefusals(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	get := func(q url.Values) (int, string) {
		resp, err := http.Get(e.meta.hook + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tt := range []struct {
		mode, token string
		want        int
	}{
		{"subscribe", verifyToken, http.StatusOK},
		{"subscribe", "wrong", http.StatusForbidden},
		{"subscribe", "", http.StatusForbidden},
		{"unsubscribe", verifyToken, http.StatusForbidden},
		{"", verifyToken, http.StatusForbidden},
	} {
		code, body := get(url.Values{"hub.mode": {tt.mode}, "hub.verify_token": {tt.token}, "hub.challenge": {"1158201444"}})
		if code != tt.want || (code == http.StatusOK && body != "1158201444") || (code != http.StatusOK && strings.Contains(body, "1158201444")) {
			t.Errorf("verify %q %q: %d %q, want %d", tt.mode, tt.token, code, body, tt.want)
		}
	}
	const phone = "66812345678"
	n := e.meta.notification(e.meta.phoneID, phone, "", text("/start"))
	body, _ := jsonBody(t, n)
	good := whatsapp.Sign(e.meta.appSecret, body)
	for _, tt := range []struct {
		name string
		body []byte
		sig  string
		want int
	}{
		{"no signature", body, "", http.StatusUnauthorized},
		{"no sha256= prefix", body, strings.TrimPrefix(good, "sha256="), http.StatusUnauthorized},
		{"not hex", body, "sha256=zz", http.StatusUnauthorized},
		{"another secret", body, whatsapp.Sign("another", body), http.StatusUnauthorized},
		{"another body", append(bytes.Clone(body), ' '), good, http.StatusUnauthorized},
		{"signed, not JSON", []byte("nope"), whatsapp.Sign(e.meta.appSecret, []byte("nope")), http.StatusBadRequest},
		{"too large", bytes.Repeat([]byte(" "), whatsapp.MaxBody+1), good, http.StatusRequestEntityTooLarge},
	} {
		if got := e.meta.postRaw(t, tt.body, tt.sig); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := e.meta.texts(phone); len(got) != 0 {
		t.Errorf("a refused call was handled: %q", got)
	}
	if got := e.meta.post(t, e.meta.appSecret, e.meta.notification("999", phone, "", text("/start"))); got != http.StatusOK || len(e.meta.texts(phone)) != 0 {
		t.Errorf("another number's message: %d, sent %q", got, e.meta.texts(phone))
	}
	if got := e.meta.postRaw(t, body, strings.ToUpper(good[:7])+strings.ToUpper(good[7:])); got != http.StatusUnauthorized {
		// "SHA256=" is not Meta's prefix.
		t.Errorf("upper-case prefix: %d", got)
	}
	if got := e.meta.postRaw(t, body, "sha256="+strings.ToUpper(good[7:])); got != http.StatusOK || len(e.meta.texts(phone)) != 2 {
		t.Errorf("the signed call (upper-case hex): %d, sent %q", got, e.meta.texts(phone))
	}
	req, _ := http.NewRequest(http.MethodPut, e.meta.hook, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %v %v", resp, err)
	}
}

// TestIncoming: what the engine is handed of each message of a
// documented-shape notification.
func TestIncoming(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "notification.json"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := whatsapp.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	got := whatsapp.Incoming(n, "106540352242922")
	want := []struct {
		to, recipient, chat, lang, text string
		files                           int
	}{
		{"85512345678", "", "85512345678", "km", "My brother is held in Sihanoukville", 0},
		{"85512345678", "", "85512345678", "km", "the building", 1},
		{"85512345678", "", "85512345678", "km", "contract", 1},
		{"85512345678", "", "85512345678", "km", "/held yes", 0},
		{"", "TH.13491208655302741918", "TH.13491208655302741918", "th", "no phone number", 0},
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Addr.To != w.to || g.Addr.Recipient != w.recipient || g.Msg.Chat != w.chat || g.Msg.Lang != w.lang || g.Msg.Text != w.text || len(g.Msg.Files) != w.files {
			t.Errorf("message %d: %+v, want %+v", i, g, w)
		}
	}
	if got[2].Msg.Files[0].Name != "contract.pdf" || got[1].Msg.Files[0].Ref != "2754859441498128" {
		t.Errorf("files: %+v %+v", got[1].Msg.Files, got[2].Msg.Files)
	}
	if len(whatsapp.Incoming(n, "")) != 0 {
		t.Error("messages taken without a business number")
	}
}

// TestMessages: one to three choices are reply buttons; more, or a long
// text, are plain text that names the commands.
func TestMessages(t *testing.T) {
	addr := whatsapp.Address{To: "66812345678"}
	ms := whatsapp.Messages(addr, []converse.Reply{
		{Text: "a", Choices: [][]converse.Choice{{{Label: "Yes", Data: "/held yes"}, {Label: "No", Data: "/held no"}}, {{Label: strings.Repeat("ร", 30), Data: "/review"}}}},
		{Text: "b", Choices: [][]converse.Choice{{{Label: "1", Data: "/lang en"}, {Label: "2", Data: "/lang zh"}}, {{Label: "3", Data: "/lang km"}, {Label: "4", Data: "/lang th"}}}},
		{Text: strings.Repeat("x", 4097)},
	})
	if len(ms) != 4 || ms[0].Type != "interactive" || len(ms[0].Interactive.Action.Buttons) != 3 || ms[1].Type != "text" || ms[2].Type != "text" || len(ms[2].Text.Body) != 4096 {
		t.Fatalf("messages = %+v", ms)
	}
	if bt := ms[0].Interactive.Action.Buttons[2]; len([]rune(bt.Reply.Title)) != 20 || bt.Reply.ID != "/review" || ms[0].To != addr.To {
		t.Errorf("third button = %+v", bt)
	}
}

// FuzzWebhook: any notification Meta (or an impostor with the app
// secret) sends parses or is refused, and never panics on the way to the
// engine.
func FuzzWebhook(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "notification.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},"messages":[{"type":"image"},{"type":"interactive","interactive":{}}]}}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := whatsapp.Parse(b)
		if err != nil {
			return
		}
		for _, in := range whatsapp.Incoming(n, "106540352242922") {
			if in.Msg.Chat == "" || in.Addr.To+in.Addr.Recipient == "" {
				t.Errorf("a message without a sender: %+v", in)
			}
		}
	})
}
