package line_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/line"
)

// fakeLINE is an in-process LINE platform following the documented
// Messaging API: every call needs "Authorization: Bearer {channel access
// token}" (else 401 {"message": …}); POST /v2/bot/message/reply takes a
// replyToken issued with an event, once, and 1–5 messages; POST
// /v2/bot/message/push takes a user ID "to" and 1–5 messages; a text
// message has 1–5,000 characters; a quick reply has 1–13 items of type
// action, each a postback action with a label of 1–20 characters and data
// of 1–300; GET /v2/bot/profile/{userId} answers the profile with its
// language; the data host answers GET /v2/bot/message/{id}/content with
// the content's bytes. Events are POSTed to the bot's webhook signed with
// the channel secret, as LINE does.
type fakeLINE struct {
	token, secret string
	api, data     *httptest.Server
	hook          string

	mu       sync.Mutex
	next     int
	tokens   map[string]string // reply token → user, "" once used
	expired  bool              // every reply token is refused
	langs    map[string]string // user → profile language
	contents map[string][]byte // message ID → content
	sent     []lineSent
	replies  int
	pushes   int
}

type lineSent struct {
	To  string
	Msg line.SendMessage
}

func newFakeLINE(t *testing.T) *fakeLINE {
	f := &fakeLINE{token: "line-channel-access-token", secret: "0123456789abcdef0123456789abcdef",
		tokens: map[string]string{}, langs: map[string]string{}, contents: map[string][]byte{}}
	f.api = httptest.NewServer(http.HandlerFunc(f.serveAPI))
	f.data = httptest.NewServer(http.HandlerFunc(f.serveData))
	t.Cleanup(func() { f.api.Close(); f.data.Close() })
	return f
}

func lineFail(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"message": msg})
}

func (f *fakeLINE) authorised(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		lineFail(w, http.StatusUnauthorized, "Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid.")
		return false
	}
	return true
}

func (f *fakeLINE) serveData(w http.ResponseWriter, r *http.Request) {
	if !f.authorised(w, r) {
		return
	}
	id, found := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v2/bot/message/"), "/content")
	f.mu.Lock()
	b, has := f.contents[id]
	f.mu.Unlock()
	if r.Method != http.MethodGet || !found || !has {
		lineFail(w, http.StatusNotFound, "Not found")
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(b)
}

func (f *fakeLINE) serveAPI(w http.ResponseWriter, r *http.Request) {
	if !f.authorised(w, r) {
		return
	}
	if user, found := strings.CutPrefix(r.URL.Path, "/v2/bot/profile/"); found && r.Method == http.MethodGet {
		f.mu.Lock()
		lang, has := f.langs[user]
		f.mu.Unlock()
		if !has {
			lineFail(w, http.StatusNotFound, "Not found")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"displayName": "A", "userId": user, "language": lang})
		return
	}
	var p struct {
		ReplyToken string             `json:"replyToken"`
		To         string             `json:"to"`
		Messages   []line.SendMessage `json:"messages"`
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&p) != nil {
		lineFail(w, http.StatusBadRequest, "The request body has 1 error(s)")
		return
	}
	if len(p.Messages) < 1 || len(p.Messages) > 5 {
		lineFail(w, http.StatusBadRequest, "messages: Size must be between 1 and 5")
		return
	}
	for _, m := range p.Messages {
		if m.Type != "text" || m.Text == "" || utf8.RuneCountInString(m.Text) > 5000 {
			lineFail(w, http.StatusBadRequest, "messages[].text: Length must be between 1 and 5000")
			return
		}
		if q := m.QuickReply; q != nil {
			if len(q.Items) < 1 || len(q.Items) > 13 {
				lineFail(w, http.StatusBadRequest, "quickReply.items: Size must be between 1 and 13")
				return
			}
			for _, it := range q.Items {
				a := it.Action
				if it.Type != "action" || a.Type != "postback" || a.Label == "" || utf8.RuneCountInString(a.Label) > 20 || a.Data == "" || len(a.Data) > 300 || utf8.RuneCountInString(a.DisplayText) > 300 {
					lineFail(w, http.StatusBadRequest, "quickReply.items[].action: invalid")
					return
				}
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/v2/bot/message/reply":
		user := f.tokens[p.ReplyToken]
		if user == "" || f.expired {
			lineFail(w, http.StatusBadRequest, "Invalid reply token")
			return
		}
		f.tokens[p.ReplyToken] = ""
		f.replies++
		p.To = user
	case "/v2/bot/message/push":
		if _, known := f.langs[p.To]; !known {
			lineFail(w, http.StatusBadRequest, "The property, 'to', in the request body is invalid")
			return
		}
		f.pushes++
	default:
		lineFail(w, http.StatusNotFound, "Not found")
		return
	}
	for _, m := range p.Messages {
		f.sent = append(f.sent, lineSent{p.To, m})
	}
	w.Write([]byte("{}"))
}

// user registers a LINE user with a profile language.
func (f *fakeLINE) user(n int, lang string) string {
	u := fmt.Sprintf("U%032x", n)
	f.mu.Lock()
	f.langs[u] = lang
	f.mu.Unlock()
	return u
}

// event builds a one-to-one chat event of user with a fresh reply token.
func (f *fakeLINE) event(user, typ string) line.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	tok := fmt.Sprintf("rt%08d", f.next)
	f.tokens[tok] = user
	ev := line.Event{Type: typ, Mode: "active", Timestamp: time.Now().UnixMilli(), Source: line.Source{Type: "user", UserID: user},
		WebhookEventID: fmt.Sprintf("01H%023d", f.next), ReplyToken: tok}
	return ev
}

func (f *fakeLINE) text(user, text string) line.Event {
	ev := f.event(user, "message")
	ev.Message = &line.Message{ID: fmt.Sprint(468789577898262530 + ev.Timestamp%1000), Type: "text", Text: text}
	return ev
}

func (f *fakeLINE) image(user string, data []byte) line.Event {
	ev := f.event(user, "message")
	f.mu.Lock()
	id := fmt.Sprintf("4687895778982%05d", f.next)
	f.contents[id] = data
	f.mu.Unlock()
	ev.Message = &line.Message{ID: id, Type: "image"}
	ev.Message.ContentProvider = &struct {
		Type string `json:"type"`
	}{"line"}
	return ev
}

// press is a postback of the quick-reply button labelled label under the
// last message sent to user.
func (f *fakeLINE) press(t *testing.T, user, label string) line.Event {
	t.Helper()
	f.mu.Lock()
	var data string
	for i := len(f.sent) - 1; i >= 0 && data == ""; i-- {
		s := f.sent[i]
		if s.To != user {
			continue
		}
		if s.Msg.QuickReply == nil {
			f.mu.Unlock()
			t.Fatalf("%s: the last message %q has no quick reply", user, s.Msg.Text)
		}
		for _, it := range s.Msg.QuickReply.Items {
			if it.Action.Label == label {
				data = it.Action.Data
			}
		}
		if data == "" {
			f.mu.Unlock()
			t.Fatalf("%s: no button %q under %q", user, label, s.Msg.Text)
		}
	}
	f.mu.Unlock()
	ev := f.event(user, "postback")
	ev.Postback = &line.Postback{Data: data}
	return ev
}

// post sends events to the webhook as LINE does, signed with secret, and
// returns the status.
func (f *fakeLINE) post(t *testing.T, secret string, events ...line.Event) int {
	t.Helper()
	body, err := json.Marshal(line.Callback{Destination: "U0000000000000000000000000000bot0", Events: events})
	if err != nil {
		t.Fatal(err)
	}
	return f.postRaw(t, body, line.Sign(secret, body))
}

func (f *fakeLINE) postRaw(t *testing.T, body []byte, sig string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.hook, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(line.SignatureHeader, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// texts returns what user was sent.
func (f *fakeLINE) texts(user string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.sent {
		if s.To == user {
			out = append(out, s.Msg.Text)
		}
	}
	return out
}
