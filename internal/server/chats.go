package server

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/line"
	"github.com/vigil-project/vigil/internal/whatsapp"
)

// mountChats builds the LINE and WhatsApp adapters that are configured
// and mounts their webhooks beside Telegram's, outside the API: they are
// called by LINE's and Meta's servers, authenticated by the signature of
// each body (the adapters check it, take at most a MiB, and the engine
// limits each chat's rate).
func (s *Server) mountChats(mux *http.ServeMux) {
	c := &s.Cfg.Chats
	if c.LineOn() {
		s.Line = line.New(c.LineAPI, c.LineDataAPI, c.LineChannelSecret, c.LineChannelToken, s.Converse, s.Log)
		mux.Handle("POST "+line.WebhookPath, s.Line.Webhook())
	}
	if c.WhatsAppOn() {
		s.WhatsApp = whatsapp.New(whatsapp.Config{API: c.WhatsAppAPI, Token: c.WhatsAppToken, AppSecret: c.WhatsAppAppSecret,
			VerifyToken: c.WhatsAppVerifyToken, PhoneID: c.WhatsAppPhoneID}, s.Converse, s.Log)
		h := s.WhatsApp.Webhook()
		mux.Handle("GET "+whatsapp.WebhookPath, h)
		mux.Handle("POST "+whatsapp.WebhookPath, h)
	}
}
