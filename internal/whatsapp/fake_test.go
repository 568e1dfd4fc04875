package whatsapp_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/whatsapp"
)

// fakeMeta is an in-process Graph API following the documented WhatsApp
// Cloud API: every call needs "Authorization: Bearer {token}" (else 401
// with an OAuthException, code 190); POST /{version}/{phone-number-id}/messages
// takes messaging_product "whatsapp", a "to" (or a BSUID "recipient") and
// a text (body of 1–4,096 characters) or an interactive "button" message
// (body of 1–1,024, 1–3 reply buttons with ids of 1–256 characters and
// distinct titles of 1–20), and answers the message's wamid; GET
// /{version}/{media-id} answers the media's url, mime_type, sha256 and
// file_size; the url answers the bytes, with the token. Notifications are
// POSTed to the bot's webhook signed with the app secret, as Meta does.
type fakeMeta struct {
	token, appSecret, phoneID string
	srv                       *httptest.Server
	hook                      string

	mu    sync.Mutex
	next  int
	media map[string][]byte
	// corrupt makes the media's bytes differ from their sha256.
	corrupt bool
	sent    []metaSent
}

type metaSent struct {
	To, Recipient string
	Text          string
	Buttons       []whatsapp.Button
}

func newFakeMeta(t *testing.T) *fakeMeta {
	f := &fakeMeta{token: "EAAG-test-token", appSecret: "app-secret-0123456789", phoneID: "106540352242922", media: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMeta) api() string { return f.srv.URL + "/v21.0" }

func metaFail(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}})
}

func (f *fakeMeta) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		metaFail(w, http.StatusUnauthorized, 190, "Invalid OAuth access token - Cannot parse access token")
		return
	}
	if id, found := strings.CutPrefix(r.URL.Path, "/media/"); found {
		f.mu.Lock()
		b, has := f.media[id]
		if f.corrupt {
			b = append(bytes.Clone(b), 0)
		}
		f.mu.Unlock()
		if !has {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(b)
		return
	}
	rest, found := strings.CutPrefix(r.URL.Path, "/v21.0/")
	if !found {
		metaFail(w, http.StatusBadRequest, 2500, "Unknown path components")
		return
	}
	if r.Method == http.MethodGet {
		f.mu.Lock()
		b, has := f.media[rest]
		f.mu.Unlock()
		if !has {
			metaFail(w, http.StatusBadRequest, 100, "Unsupported get request. Object with ID '"+rest+"' does not exist")
			return
		}
		sum := sha256.Sum256(b)
		json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "url": f.srv.URL + "/media/" + rest + "?ext=1",
			"mime_type": "image/jpeg", "sha256": hex.EncodeToString(sum[:]), "file_size": fmt.Sprint(len(b)), "id": rest})
		return
	}
	if rest != f.phoneID+"/messages" || r.Method != http.MethodPost {
		metaFail(w, http.StatusBadRequest, 100, "Unsupported post request")
		return
	}
	var m whatsapp.OutMessage
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&m) != nil || m.MessagingProduct != "whatsapp" {
		metaFail(w, http.StatusBadRequest, 100, "Invalid parameter")
		return
	}
	if m.To == "" && m.Recipient == "" {
		metaFail(w, http.StatusBadRequest, 100, "The parameter to is required.")
		return
	}
	s := metaSent{To: m.To, Recipient: m.Recipient}
	switch m.Type {
	case "text":
		if m.Text == nil || m.Text.Body == "" || utf8.RuneCountInString(m.Text.Body) > 4096 {
			metaFail(w, http.StatusBadRequest, 100, "Param text['body'] must be between 1 and 4096 characters")
			return
		}
		s.Text = m.Text.Body
	case "interactive":
		i := m.Interactive
		if i == nil || i.Type != "button" || i.Body.Text == "" || utf8.RuneCountInString(i.Body.Text) > 1024 || len(i.Action.Buttons) < 1 || len(i.Action.Buttons) > 3 {
			metaFail(w, http.StatusBadRequest, 131009, "Parameter value is not valid: interactive")
			return
		}
		titles := map[string]bool{}
		for _, b := range i.Action.Buttons {
			if b.Type != "reply" || b.Reply.ID == "" || len(b.Reply.ID) > 256 || b.Reply.Title == "" || utf8.RuneCountInString(b.Reply.Title) > 20 || titles[b.Reply.Title] {
				metaFail(w, http.StatusBadRequest, 131009, "Parameter value is not valid: buttons")
				return
			}
			titles[b.Reply.Title] = true
		}
		s.Text, s.Buttons = i.Body.Text, i.Action.Buttons
	default:
		metaFail(w, http.StatusBadRequest, 131009, "Parameter value is not valid: type")
		return
	}
	f.mu.Lock()
	f.sent = append(f.sent, s)
	f.next++
	id := f.next
	f.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "contacts": []any{map[string]any{"input": m.To + m.Recipient, "wa_id": m.To}},
		"messages": []any{map[string]any{"id": fmt.Sprintf("wamid.HBgL%010d", id)}}})
}

// notification wraps messages of a user (phone, or "" and a BSUID) in a
// notification to phoneID.
func (f *fakeMeta) notification(phoneID, phone, bsuid string, msgs ...map[string]any) map[string]any {
	contact := map[string]any{"profile": map[string]any{"name": "A"}}
	if phone != "" {
		contact["wa_id"] = phone
	}
	if bsuid != "" {
		contact["user_id"] = bsuid
	}
	for _, m := range msgs {
		if phone != "" {
			m["from"] = phone
		}
		f.mu.Lock()
		f.next++
		m["id"] = fmt.Sprintf("wamid.IN%010d", f.next)
		f.mu.Unlock()
		m["timestamp"] = "1739321024"
	}
	return map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{"id": "102290129340398",
		"changes": []any{map[string]any{"field": "messages", "value": map[string]any{"messaging_product": "whatsapp",
			"metadata": map[string]any{"display_phone_number": "15550783881", "phone_number_id": phoneID},
			"contacts": []any{contact}, "messages": msgs}}}}}}
}

func text(body string) map[string]any {
	return map[string]any{"type": "text", "text": map[string]any{"body": body}}
}

func (f *fakeMeta) image(caption string, data []byte) map[string]any {
	f.mu.Lock()
	f.next++
	id := fmt.Sprintf("%d", 1013859600285441+f.next)
	f.media[id] = data
	f.mu.Unlock()
	sum := sha256.Sum256(data)
	return map[string]any{"type": "image", "image": map[string]any{"caption": caption, "mime_type": "image/jpeg", "sha256": hex.EncodeToString(sum[:]), "id": id}}
}

// press is the interactive message of the reply button titled title in
// the last message sent to phone.
func (f *fakeMeta) press(t *testing.T, to, title string) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.sent) - 1; i >= 0; i-- {
		s := f.sent[i]
		if s.To+s.Recipient != to {
			continue
		}
		for _, b := range s.Buttons {
			if b.Reply.Title == title {
				return map[string]any{"type": "interactive", "context": map[string]any{"from": "15550783881", "id": "wamid.OUT"},
					"interactive": map[string]any{"type": "button_reply", "button_reply": map[string]any{"id": b.Reply.ID, "title": b.Reply.Title}}}
			}
		}
		t.Fatalf("%s: no button %q in the last message %q", to, title, s.Text)
	}
	t.Fatalf("%s: nothing sent", to)
	return nil
}

// post sends a notification to the webhook signed with secret.
func (f *fakeMeta) post(t *testing.T, secret string, n map[string]any) int {
	t.Helper()
	body, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return f.postRaw(t, body, whatsapp.Sign(secret, body))
}

func (f *fakeMeta) postRaw(t *testing.T, body []byte, sig string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.hook, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(whatsapp.SignatureHeader, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// texts returns what was sent to an address (phone or BSUID).
func (f *fakeMeta) texts(to string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.sent {
		if s.To+s.Recipient == to {
			out = append(out, s.Text)
		}
	}
	return out
}

func jsonBody(t *testing.T, v any) ([]byte, error) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b, nil
}
