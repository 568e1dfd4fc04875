package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/line"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/whatsapp"
)

// TestChatsInServe: with VIGIL_LINE_* set the server takes LINE's webhook
// and a report filed there has channel line; with VIGIL_WHATSAPP_* set it
// answers Meta's verify handshake; unsigned calls are refused; without
// the settings neither webhook is served.
func TestChatsInServe(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v2/bot/profile/") {
			io.WriteString(w, `{"displayName":"A","userId":"U1","language":"en"}`)
			return
		}
		var p struct {
			Messages []struct{ Text string } `json:"messages"`
		}
		json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		for _, m := range p.Messages {
			sent = append(sent, m.Text)
		}
		mu.Unlock()
		io.WriteString(w, "{}")
	}))
	defer api.Close()
	const secret = "line-secret"
	srv, _ := newServer(t, func(c *config.Config) {
		c.LineChannelSecret, c.LineChannelToken, c.LineAPI, c.LineDataAPI = secret, "line-token", api.URL, api.URL
		c.WhatsAppToken, c.WhatsAppAppSecret, c.WhatsAppVerifyToken, c.WhatsAppPhoneID = "wa", "app-secret", "verify-me", "1065"
	})
	ctx := context.Background()
	if _, err := srv.Staff.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "Hotline", Kind: "hotline", ReceivesPublic: true}); err != nil {
		t.Fatal(err)
	}
	srv.Start(ctx)
	t.Cleanup(srv.Close)
	h := srv.Handler()
	do := func(method, target string, body []byte, header, value string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, bytes.NewReader(body))
		if header != "" {
			req.Header.Set(header, value)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	ev := func(typ, text string) line.Event {
		e := line.Event{Type: typ, Mode: "active", ReplyToken: "rt-" + text, Source: line.Source{Type: "user", UserID: "U1"}}
		if typ == "message" {
			e.Message = &line.Message{ID: "1", Type: "text", Text: text}
		}
		return e
	}
	body, _ := json.Marshal(line.Callback{Events: []line.Event{ev("message", "Held in Bavet since May."), ev("message", "/send")}})
	if w := do(http.MethodPost, line.WebhookPath, body, line.SignatureHeader, line.Sign("wrong", body)); w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned LINE call: %d", w.Code)
	}
	if w := do(http.MethodPost, line.WebhookPath, body, line.SignatureHeader, line.Sign(secret, body)); w.Code != http.StatusOK {
		t.Fatalf("LINE call: %d %s", w.Code, w.Body)
	}
	mu.Lock()
	var receipt string
	for _, s := range sent {
		if strings.HasPrefix(s, "Your report was received.") {
			receipt = s
		}
	}
	mu.Unlock()
	if receipt == "" {
		t.Fatalf("no receipt; sent %q", sent)
	}
	code := strings.TrimPrefix(strings.Split(receipt, "\n")[1], "Tracking code: ")
	r, err := srv.DB.Read().GetReportByTrackingCode(ctx, code)
	if err != nil || r.Channel != "line" {
		t.Fatalf("report %s: %+v %v, want channel line", code, r, err)
	}
	if w := do(http.MethodGet, whatsapp.WebhookPath+"?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=42", nil, "", ""); w.Code != http.StatusOK || w.Body.String() != "42" {
		t.Errorf("WhatsApp handshake: %d %q", w.Code, w.Body)
	}
	if w := do(http.MethodPost, whatsapp.WebhookPath, []byte(`{}`), whatsapp.SignatureHeader, "sha256=00"); w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned WhatsApp call: %d", w.Code)
	}

	plain, _ := newServer(t, nil)
	for _, p := range []string{line.WebhookPath, whatsapp.WebhookPath} {
		req := httptest.NewRequest(http.MethodPost, p, bytes.NewReader(body))
		w := httptest.NewRecorder()
		plain.Handler().ServeHTTP(w, req)
		if w.Code/100 == 2 || w.Code == http.StatusUnauthorized {
			t.Errorf("unconfigured %s: %d", p, w.Code)
		}
	}
}
