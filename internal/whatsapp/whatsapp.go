// Package whatsapp is the WhatsApp adapter of the conversation engine
// (internal/converse), on Meta's WhatsApp Cloud API: Meta verifies the
// webhook once with a GET (hub.mode, hub.verify_token, hub.challenge),
// then POSTs notifications signed with the app secret in
// X-Hub-Signature-256; a user's text, image or document message becomes
// an engine message (media fetched with GET {api}/{media-id}, then its
// url, both with the access token), a reply button's press the command
// it stands for, and the engine's replies go back with POST
// {api}/{phone-number-id}/messages (a text, or an interactive message with
// up to three reply buttons).
//
// There is no copy of Meta's specification in shared/standards: the
// objects, paths and limits here follow the public WhatsApp Cloud API
// reference (developers.facebook.com/docs/whatsapp/cloud-api) as of 2026;
// where a detail is an assumption it says so. Only the fields Vigil reads
// are declared; unknown ones are ignored, as Meta adds fields.
package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigil-project/vigil/internal/converse"
)

// Channel is the name reports filed through WhatsApp carry.
const Channel = "whatsapp"

// WebhookPath is where the server takes Meta's webhook calls (the
// callback URL of the app's WhatsApp webhook).
const WebhookPath = "/whatsapp/webhook"

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the raw
// body keyed with the app secret.
const SignatureHeader = "X-Hub-Signature-256"

// DefaultAPI is the Graph API the Cloud API is part of, at the version
// Vigil was written against.
const DefaultAPI = "https://graph.facebook.com/v21.0"

// MaxBody is the largest notification taken (Meta batches at most a few
// messages in one; a text is at most 4,096 characters).
const MaxBody = 1 << 20

// Notification is a webhook POST's body.
type Notification struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// Entry is one WhatsApp Business Account's changes.
type Entry struct {
	ID      string   `json:"id"`
	Changes []Change `json:"changes"`
}

// Change is one change; field "messages" carries messages and statuses.
type Change struct {
	Field string `json:"field"`
	Value Value  `json:"value"`
}

// Value is a messages change: the business number it came to, the
// senders' contacts and their messages (or statuses of ours, ignored).
type Value struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []Contact        `json:"contacts,omitempty"`
	Messages []Message        `json:"messages,omitempty"`
	Statuses []map[string]any `json:"statuses,omitempty"`
}

// Contact is a sender. WaID is their WhatsApp ID (the phone number); from
// 2026 Meta adds UserID, the business-scoped user ID ("BSUID", such as
// "KH.1349…"), and may leave out the phone number of a user who adopted a
// username.
type Contact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID   string `json:"wa_id,omitempty"`
	UserID string `json:"user_id,omitempty"`
}

// Message is a user's message: text, image, document, interactive (a
// reply button pressed), and kinds Vigil does not take (audio, video,
// sticker, location, reaction, …).
type Message struct {
	From string `json:"from,omitempty"`
	// FromUserID is the sender's BSUID. Assumption: Meta's username
	// changes name it so in messages; the contact's user_id is read too.
	FromUserID string `json:"from_user_id,omitempty"`
	ID         string `json:"id"`
	Timestamp  string `json:"timestamp"`
	Type       string `json:"type"`
	// GroupID is set for a group's message (the Groups API): not taken.
	GroupID     string       `json:"group_id,omitempty"`
	Text        *Text        `json:"text,omitempty"`
	Image       *Media       `json:"image,omitempty"`
	Document    *Media       `json:"document,omitempty"`
	Interactive *Interactive `json:"interactive,omitempty"`
}

// Text is a text message's body.
type Text struct {
	Body string `json:"body"`
}

// Media is an image or document: its media ID (fetch with GET
// {api}/{id}), type, hash and caption.
type Media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// Interactive is the answer to an interactive message: the reply button
// or list row chosen, by the id we gave it.
type Interactive struct {
	Type        string `json:"type"`
	ButtonReply *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"button_reply,omitempty"`
	ListReply *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"list_reply,omitempty"`
}

// Sign returns the X-Hub-Signature-256 value of body with the app secret.
func Sign(appSecret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is body's signature with the app secret
// ("sha256=" and lower- or upper-case hex), compared in constant time. An
// empty secret verifies nothing.
func Verify(appSecret string, body []byte, header string) bool {
	h, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if appSecret == "" || !ok {
		return false
	}
	got, err := hex.DecodeString(h)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// Parse reads a webhook body.
func Parse(body []byte) (*Notification, error) {
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, fmt.Errorf("whatsapp: webhook body: %w", err)
	}
	return &n, nil
}

// Address is where to answer a user: their phone number (the Messages
// API's "to") or, when Meta gives none, their BSUID ("recipient").
type Address struct {
	To, Recipient string
}

// Inbound is one user's message for the engine and the address to answer.
type Inbound struct {
	Addr Address
	Msg  converse.Message
}

// Incoming returns the messages of a notification sent to phoneID (the
// business number this server answers; others are ignored) from users in
// one-to-one chats, in order: a text, an image or document (with its
// caption as text), or a reply button's command. The engine's chat key is
// the user's BSUID when Meta gives one (it stays when the phone number is
// hidden), else the phone number; the language is guessed from the
// country of either (WhatsApp does not say the app's language).
func Incoming(n *Notification, phoneID string) []Inbound {
	if n == nil || n.Object != "whatsapp_business_account" {
		return nil
	}
	var out []Inbound
	for _, e := range n.Entry {
		for _, c := range e.Changes {
			v := c.Value
			if c.Field != "messages" || v.Metadata.PhoneNumberID == "" || v.Metadata.PhoneNumberID != phoneID {
				continue
			}
			for _, m := range v.Messages {
				if in, ok := incoming(m, v.Contacts); ok {
					out = append(out, in)
				}
			}
		}
	}
	return out
}

func incoming(m Message, contacts []Contact) (Inbound, bool) {
	var in Inbound
	if m.GroupID != "" {
		return in, false
	}
	phone, bsuid := m.From, m.FromUserID
	for _, c := range contacts {
		if (phone != "" && c.WaID == phone) || (bsuid != "" && c.UserID == bsuid) || len(contacts) == 1 {
			if phone == "" {
				phone = c.WaID
			}
			if bsuid == "" {
				bsuid = c.UserID
			}
			break
		}
	}
	in.Addr = Address{To: phone}
	if phone == "" {
		in.Addr.Recipient = bsuid
	}
	in.Msg.Chat = bsuid
	if in.Msg.Chat == "" {
		in.Msg.Chat = phone
	}
	if in.Msg.Chat == "" {
		return in, false
	}
	in.Msg.Lang = language(phone, bsuid)
	// Meta may deliver a notification more than once: the engine handles
	// a message ID once.
	in.Msg.ID = m.ID
	switch m.Type {
	case "text":
		if m.Text == nil {
			return in, false
		}
		in.Msg.Text = m.Text.Body
	case "image", "document":
		md := m.Image
		name := ""
		if m.Type == "document" {
			md = m.Document
		}
		if md == nil || md.ID == "" {
			return in, false
		}
		if m.Type == "image" {
			name = "photo-" + md.ID + extension(md.MimeType)
		} else {
			name = md.Filename
		}
		in.Msg.Text = md.Caption
		in.Msg.Files = []converse.File{{Ref: md.ID, Name: name}}
	case "interactive":
		i := m.Interactive
		var id string
		switch {
		case i == nil:
		case i.ButtonReply != nil:
			id = i.ButtonReply.ID
		case i.ListReply != nil:
			id = i.ListReply.ID
		}
		if !strings.HasPrefix(id, "/") || len(id) > 64 {
			return in, false
		}
		in.Msg.Text = id
	default:
		return in, false
	}
	return in, true
}

// extension is a photo's file extension by its media type.
func extension(mime string) string {
	switch mime {
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	default:
		return ".jpg"
	}
}

// language guesses the language of a user from the country of their
// phone number (E.164 digits without "+") or of their BSUID (an ISO
// country code and a dot). A guess only: /lang changes it.
func language(phone, bsuid string) string {
	if cc, _, ok := strings.Cut(bsuid, "."); ok && phone == "" {
		switch strings.ToUpper(cc) {
		case "KH":
			return "km"
		case "TH":
			return "th"
		case "VN":
			return "vi"
		case "CN", "TW", "HK", "MO":
			return "zh"
		}
		return ""
	}
	for _, p := range []struct{ prefix, lang string }{
		{"855", "km"}, {"66", "th"}, {"84", "vi"}, {"86", "zh"}, {"852", "zh"}, {"853", "zh"}, {"886", "zh"},
	} {
		if strings.HasPrefix(phone, p.prefix) {
			return p.lang
		}
	}
	return ""
}
