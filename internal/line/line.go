// Package line is the LINE adapter of the conversation engine
// (internal/converse), on the LINE Messaging API: LINE POSTs webhook
// events to the server (Webhook), signed with the channel secret in
// X-Line-Signature; a user's message event becomes an engine message (text,
// or an image or file whose content is fetched from the data API), a
// postback (a quick-reply button) becomes the command it stands for, and
// the engine's replies go back with the reply API (the event's replyToken,
// five messages a call) and, past five or once the token has expired, the
// push API.
//
// There is no copy of LINE's specification in shared/standards: the
// objects, paths and limits here follow LINE's public Messaging API
// reference (developers.line.biz/en/reference/messaging-api/) as of 2026;
// where a detail is an assumption it says so. Only the fields Vigil reads
// are declared; unknown ones are ignored, as LINE adds fields.
package line

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigil-project/vigil/internal/converse"
)

// Channel is the name reports filed through LINE carry.
const Channel = "line"

// WebhookPath is where the server takes LINE's webhook calls (set it as
// the channel's webhook URL in the LINE Developers console).
const WebhookPath = "/line/webhook"

// SignatureHeader carries base64(HMAC-SHA256(channel secret, raw body)).
const SignatureHeader = "X-Line-Signature"

// Default API hosts: the Messaging API and the host of message content.
const (
	DefaultAPI     = "https://api.line.me"
	DefaultDataAPI = "https://api-data.line.me"
)

// MaxBody is the largest webhook body taken. LINE batches events, but a
// batch of text events is far below it (a text message is at most 5,000
// characters).
const MaxBody = 1 << 20

// Callback is a webhook call's body: the bot's user ID and the events.
// An empty events array is LINE's "verify" call from the console.
type Callback struct {
	Destination string  `json:"destination"`
	Events      []Event `json:"events"`
}

// Event is one webhook event. Vigil reads message, postback and follow
// events from a user (one-to-one chat) in active mode.
type Event struct {
	Type      string `json:"type"`
	Mode      string `json:"mode,omitempty"`
	Timestamp int64  `json:"timestamp"`
	Source    Source `json:"source"`
	// WebhookEventID identifies the event; DeliveryContext says whether
	// it is a redelivery.
	WebhookEventID  string `json:"webhookEventId,omitempty"`
	DeliveryContext struct {
		IsRedelivery bool `json:"isRedelivery"`
	} `json:"deliveryContext"`
	ReplyToken string    `json:"replyToken,omitempty"`
	Message    *Message  `json:"message,omitempty"`
	Postback   *Postback `json:"postback,omitempty"`
}

// Source is who sent the event: type user (with userId), group or room.
type Source struct {
	Type    string `json:"type"`
	UserID  string `json:"userId,omitempty"`
	GroupID string `json:"groupId,omitempty"`
	RoomID  string `json:"roomId,omitempty"`
}

// Message is a message event's message: text, image, file (and others
// Vigil does not take: video, audio, location, sticker).
type Message struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	// ContentProvider says where an image's content is: "line" (fetch it
	// from the data API) or "external" (a URL of the sender's; not
	// fetched).
	ContentProvider *struct {
		Type string `json:"type"`
	} `json:"contentProvider,omitempty"`
	FileName string `json:"fileName,omitempty"`
	FileSize int64  `json:"fileSize,omitempty"`
}

// Postback is what a postback action (a quick-reply button) sends back.
type Postback struct {
	Data string `json:"data"`
}

// Sign returns the signature LINE sends with body: base64 of
// HMAC-SHA256 keyed with the channel secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig is body's signature with secret, compared in
// constant time (on the decoded MAC). An empty secret verifies nothing.
func Verify(secret string, body []byte, sig string) bool {
	if secret == "" || sig == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sig))
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// Parse reads a webhook body.
func Parse(body []byte) (*Callback, error) {
	var c Callback
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("line: webhook body: %w", err)
	}
	return &c, nil
}

// Incoming turns an event into the engine's message and the user to
// answer: a text, image or file message, a postback whose data is a
// command, or a follow (the user added the bot: /start), from a user in a
// one-to-one chat, in active mode (standby belongs to another channel's
// module). ok is false for anything else (groups, rooms, stickers,
// unfollows, …). The message's language is left to the caller (the
// profile's).
func Incoming(ev Event) (user string, in converse.Message, ok bool) {
	if ev.Source.Type != "user" || ev.Source.UserID == "" || (ev.Mode != "" && ev.Mode != "active") {
		return "", in, false
	}
	in.Chat = ev.Source.UserID
	// A redelivered event has the same webhookEventId: the engine
	// handles it once.
	in.ID = ev.WebhookEventID
	switch ev.Type {
	case "follow":
		in.Text = "/start"
	case "postback":
		if ev.Postback == nil || !strings.HasPrefix(ev.Postback.Data, "/") || len(ev.Postback.Data) > 64 {
			return "", in, false
		}
		in.Text = ev.Postback.Data
	case "message":
		m := ev.Message
		if m == nil || m.ID == "" {
			return "", in, false
		}
		switch m.Type {
		case "text":
			in.Text = m.Text
		case "image":
			if m.ContentProvider != nil && m.ContentProvider.Type != "line" {
				// An external image is a URL of the sender's: not
				// fetched (it would call their host), not kept.
				return "", in, false
			}
			in.Files = []converse.File{{Ref: m.ID, Name: "photo-" + m.ID + ".jpg"}}
		case "file":
			in.Files = []converse.File{{Ref: m.ID, Name: m.FileName, Size: m.FileSize}}
		default:
			return "", in, false
		}
	default:
		return "", in, false
	}
	return ev.Source.UserID, in, true
}
