package telegram_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/telegram"
)

// fakeAPI is an in-process Bot API server following the documented
// contract of the methods Vigil calls: POST {api}/bot{token}/{method} with a
// JSON body, every answer in the {"ok", "result" | "error_code",
// "description"} envelope; getUpdates confirms every update below offset
// and long-polls up to timeout seconds; sendMessage needs chat_id and a
// text of 1–4096 characters; getFile answers a file_path to download from
// {api}/file/bot{token}/{file_path}. A wrong token is 401. sendMessage's
// reply_markup, when given, must be an InlineKeyboardMarkup whose buttons
// have a text and a callback_data of 1–64 bytes; a press (press) is a
// callback_query update carrying the bot's message and the button's data,
// and answerCallbackQuery must name a query not answered yet.
type fakeAPI struct {
	token string
	srv   *httptest.Server

	// mu guards everything below; changed is broadcast on a change.
	mu      sync.Mutex
	changed *sync.Cond
	nextID  int64
	queue   []telegram.Update
	sent    []sent
	files   map[string][]byte // file_id → bytes
	calls   map[string]int
	// webhook and secret are what setWebhook set.
	webhook, secret string
	// queries are the button presses sent, true once answered.
	queries map[string]bool
}

type sent struct {
	ChatID    int64
	MessageID int64
	Text      string
	Protect   bool
	Markup    *telegram.InlineKeyboardMarkup
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{token: "123456:TEST-token", nextID: 500, files: map[string][]byte{}, calls: map[string]int{}, queries: map[string]bool{}}
	f.changed = sync.NewCond(&f.mu)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.mu.Lock()
		f.changed.Broadcast()
		f.mu.Unlock()
		f.srv.Close()
	})
	return f
}

func fail(w http.ResponseWriter, code int, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": code, "description": desc})
}

func ok(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if rest, found := strings.CutPrefix(r.URL.Path, "/file/bot"+f.token+"/"); found {
		f.mu.Lock()
		b, has := f.files[strings.TrimPrefix(rest, "photos/")]
		f.mu.Unlock()
		if !has {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
		return
	}
	rest, found := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	if !found || token != f.token {
		fail(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		fail(w, http.StatusBadRequest, "Bad Request: this fake takes JSON POSTs only")
		return
	}
	var p map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		fail(w, http.StatusBadRequest, "Bad Request: "+err.Error())
		return
	}
	f.mu.Lock()
	f.calls[strings.ToLower(method)]++
	f.mu.Unlock()
	switch strings.ToLower(method) {
	case "getupdates":
		var offset int64
		var timeout int
		json.Unmarshal(p["offset"], &offset)
		json.Unmarshal(p["timeout"], &timeout)
		ok(w, f.updates(r, offset, time.Duration(timeout)*time.Second))
	case "sendmessage":
		var chatID int64
		var text string
		var protect bool
		if json.Unmarshal(p["chat_id"], &chatID) != nil || chatID == 0 {
			fail(w, http.StatusBadRequest, "Bad Request: chat_id is empty")
			return
		}
		json.Unmarshal(p["protect_content"], &protect)
		if json.Unmarshal(p["text"], &text) != nil || text == "" || len([]rune(text)) > 4096 {
			fail(w, http.StatusBadRequest, "Bad Request: message text is empty or too long")
			return
		}
		var markup *telegram.InlineKeyboardMarkup
		if raw, has := p["reply_markup"]; has {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if dec.Decode(&markup) != nil || markup == nil || len(markup.InlineKeyboard) == 0 {
				fail(w, http.StatusBadRequest, "Bad Request: can't parse reply keyboard markup JSON object")
				return
			}
			for _, row := range markup.InlineKeyboard {
				for _, b := range row {
					if b.Text == "" || len(b.CallbackData) < 1 || len(b.CallbackData) > 64 {
						fail(w, http.StatusBadRequest, "Bad Request: BUTTON_DATA_INVALID")
						return
					}
				}
			}
		}
		f.mu.Lock()
		f.nextID++
		id := f.nextID
		f.sent = append(f.sent, sent{chatID, id, text, protect, markup})
		f.changed.Broadcast()
		f.mu.Unlock()
		ok(w, map[string]any{"message_id": id, "date": time.Now().Unix(), "chat": map[string]any{"id": chatID, "type": "private"}, "text": text, "reply_markup": markup})
	case "getfile":
		var id string
		json.Unmarshal(p["file_id"], &id)
		f.mu.Lock()
		b, has := f.files[id]
		f.mu.Unlock()
		if !has {
			fail(w, http.StatusBadRequest, "Bad Request: invalid file_id")
			return
		}
		ok(w, telegram.File{FileID: id, FileUniqueID: "u" + id, FileSize: int64(len(b)), FilePath: "photos/" + id})
	case "answercallbackquery":
		var id string
		json.Unmarshal(p["callback_query_id"], &id)
		f.mu.Lock()
		answered, known := f.queries[id]
		f.queries[id] = true
		f.mu.Unlock()
		if !known || answered {
			fail(w, http.StatusBadRequest, "Bad Request: query is too old and response timeout expired or query ID is invalid")
			return
		}
		ok(w, true)
	case "setwebhook":
		var url, secret string
		json.Unmarshal(p["url"], &url)
		json.Unmarshal(p["secret_token"], &secret)
		if !strings.HasPrefix(url, "http") || !regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`).MatchString(secret) {
			fail(w, http.StatusBadRequest, "Bad Request: bad webhook: url or secret_token")
			return
		}
		f.mu.Lock()
		f.webhook, f.secret = url, secret
		f.mu.Unlock()
		ok(w, true)
	default:
		fail(w, http.StatusNotFound, "Not Found: method not found")
	}
}

// updates confirms the updates below offset and returns the rest, waiting
// up to timeout for one.
func (f *fakeAPI) updates(r *http.Request, offset int64, timeout time.Duration) []telegram.Update {
	deadline := time.Now().Add(timeout)
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		i := 0
		for i < len(f.queue) && f.queue[i].UpdateID < offset {
			i++
		}
		f.queue = f.queue[i:]
		if len(f.queue) > 0 || time.Now().After(deadline) || r.Context().Err() != nil {
			n := min(len(f.queue), 100)
			return append([]telegram.Update(nil), f.queue[:n]...)
		}
		// Wake up at least every 50 ms to notice the deadline.
		go func() {
			time.Sleep(50 * time.Millisecond)
			f.mu.Lock()
			f.changed.Broadcast()
			f.mu.Unlock()
		}()
		f.changed.Wait()
	}
}

// push queues a private chat's message from a user with a language.
func (f *fakeAPI) push(chat int64, lang string, fill func(m *telegram.Message)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	m := &telegram.Message{MessageID: f.nextID, Date: time.Now().Unix(), Chat: telegram.Chat{ID: chat, Type: "private"},
		From: &telegram.User{ID: chat, FirstName: "U", LanguageCode: lang}}
	fill(m)
	f.queue = append(f.queue, telegram.Update{UpdateID: f.nextID, Message: m})
	f.changed.Broadcast()
}

func (f *fakeAPI) text(chat int64, lang, text string) {
	f.push(chat, lang, func(m *telegram.Message) { m.Text = text })
}

// photo queues a photo (three sizes, the largest the real one) with a
// caption.
func (f *fakeAPI) photo(chat int64, lang, caption string, data []byte) {
	f.mu.Lock()
	id := fmt.Sprintf("AgACPhoto%d", len(f.files))
	f.files[id] = data
	f.mu.Unlock()
	f.push(chat, lang, func(m *telegram.Message) {
		m.Caption = caption
		m.Photo = []telegram.PhotoSize{
			{FileID: "thumb-missing-1", FileUniqueID: "t1", Width: 90, Height: 60, FileSize: 100},
			{FileID: "thumb-missing-2", FileUniqueID: "t2", Width: 320, Height: 240, FileSize: 1000},
			{FileID: id, FileUniqueID: "u" + id, Width: 64, Height: 48, FileSize: int64(len(data))},
		}
	})
}

// waitSent waits until chat has been sent n messages and returns them.
func (f *fakeAPI) waitSent(t *testing.T, chat int64, n int) []string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		var out []string
		for _, s := range f.sent {
			if s.ChatID == chat {
				out = append(out, s.Text)
			}
		}
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("chat %d was sent %d messages, want %d: %q", chat, len(out), n, out)
		}
		go func() {
			time.Sleep(50 * time.Millisecond)
			f.mu.Lock()
			f.changed.Broadcast()
			f.mu.Unlock()
		}()
		f.changed.Wait()
	}
}

// press presses the button labelled label under the last message sent to
// chat that has one: a callback_query update with the bot's message and
// the button's callback_data, from a user with a language.
func (f *fakeAPI) press(t *testing.T, chat int64, lang, label string) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.sent) - 1; i >= 0; i-- {
		s := f.sent[i]
		if s.ChatID != chat || s.Markup == nil {
			continue
		}
		for _, row := range s.Markup.InlineKeyboard {
			for _, b := range row {
				if b.Text != label {
					continue
				}
				f.nextID++
				id := fmt.Sprintf("cq%d", f.nextID)
				f.queries[id] = false
				from := telegram.User{ID: chat, FirstName: "U", LanguageCode: lang}
				f.queue = append(f.queue, telegram.Update{UpdateID: f.nextID, CallbackQuery: &telegram.CallbackQuery{ID: id, From: from,
					Message:      &telegram.Message{MessageID: s.MessageID, Date: time.Now().Unix(), Chat: telegram.Chat{ID: chat, Type: "private"}, Text: s.Text},
					ChatInstance: "-4128374650012345678", Data: b.CallbackData}})
				f.changed.Broadcast()
				return
			}
		}
		t.Fatalf("chat %d: no button %q under the last keyboard (%q)", chat, label, s.Text)
	}
	t.Fatalf("chat %d: no message with buttons", chat)
}

// unanswered counts the button presses not answered.
func (f *fakeAPI) unanswered() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, a := range f.queries {
		if !a {
			n++
		}
	}
	return n
}

func (f *fakeAPI) allProtected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.sent {
		if !s.Protect {
			return false
		}
	}
	return true
}
