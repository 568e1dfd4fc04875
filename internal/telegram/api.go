// Package telegram is the Telegram adapter of the conversation engine
// (internal/converse): it reads updates from the Bot API by long polling
// (getUpdates), hands each private chat's message to the engine, downloads
// photos and documents (getFile, then {api}/file/bot{token}/{file_path}),
// and sends the engine's replies (sendMessage, with protect_content so
// they cannot be forwarded or saved). Only the methods and objects Vigil
// uses are declared here, with their wire names; unknown fields are
// ignored, as Telegram adds fields every release.
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/converse"
)

// DefaultAPI is the public Bot API server.
const DefaultAPI = "https://api.telegram.org"

// Update is one incoming update; exactly one optional field is set. Vigil
// reads message (and ignores the others).
type Update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	EditedMessage *Message       `json:"edited_message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
}

// Message is a message; Vigil reads its chat, sender, text or caption,
// photo and document.
type Message struct {
	MessageID int64       `json:"message_id"`
	Date      int64       `json:"date"`
	Chat      Chat        `json:"chat"`
	From      *User       `json:"from,omitempty"`
	Text      string      `json:"text,omitempty"`
	Caption   string      `json:"caption,omitempty"`
	Photo     []PhotoSize `json:"photo,omitempty"`
	Document  *Document   `json:"document,omitempty"`
}

// User is a Telegram user.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LanguageCode string `json:"language_code,omitempty"`
}

// Chat is a chat; its ID can exceed 32 bits.
type Chat struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

// PhotoSize is one size of a photo; a photo message carries several,
// smallest first.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// Document is a general file.
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// CallbackQuery is a press of an inline keyboard's button. Message is the
// bot's message that carried the button (an inaccessible one has only
// chat, message_id and date 0); Data is the button's callback_data.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance,omitempty"`
	Data         string   `json:"data,omitempty"`
}

// InlineKeyboardMarkup is the buttons under a message: rows of buttons.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]InlineKeyboardButton `json:"inline_keyboard"`
}

// InlineKeyboardButton is a button that sends callback_data (1–64 bytes)
// back in a CallbackQuery when pressed.
type InlineKeyboardButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
}

// File is a file ready to download from {api}/file/bot{token}/{file_path}.
type File struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int64  `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

// envelope is every Bot API response.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters,omitempty"`
}

// APIError is a Bot API call answered with ok false.
type APIError struct {
	Method      string
	Code        int
	Description string
	// RetryAfter is how long to wait before calling again (429).
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("telegram: %s: %d %s", e.Method, e.Code, e.Description)
}

// Client calls the Bot API at API with Token.
type Client struct {
	API   string
	Token string
	HTTP  *http.Client
}

// call POSTs params as JSON to {api}/bot{token}/{method} and decodes the
// result into out. The token is never part of an error.
func (c *Client) call(ctx context.Context, method string, params, out any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.API, "/")+"/bot"+c.Token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("telegram: %s: bad API address", method)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, redact(err, c.Token))
	}
	defer resp.Body.Close()
	var env envelope
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&env); err != nil {
		return fmt.Errorf("telegram: %s: read the answer (HTTP %d): %w", method, resp.StatusCode, err)
	}
	if !env.OK {
		e := &APIError{Method: method, Code: env.ErrorCode, Description: env.Description}
		if env.Parameters != nil {
			e.RetryAfter = time.Duration(env.Parameters.RetryAfter) * time.Second
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(env.Result, out); err != nil {
			return fmt.Errorf("telegram: %s: read the result: %w", method, err)
		}
	}
	return nil
}

// redact removes the token from an error (a URL error names the URL).
func redact(err error, token string) error {
	if token == "" {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), token, "<token>"))
}

// GetUpdates long-polls for updates from offset, waiting up to timeout.
func (c *Client) GetUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]Update, error) {
	var out []Update
	err := c.call(ctx, "getUpdates", map[string]any{"offset": offset, "limit": 100, "timeout": int(timeout / time.Second),
		"allowed_updates": []string{"message", "callback_query"}}, &out)
	return out, err
}

// SendMessage sends text to a chat, protected from forwarding and saving,
// with the buttons of markup (nil: none). A text longer than Telegram's
// 4096 characters is sent in parts, the buttons under the last.
func (c *Client) SendMessage(ctx context.Context, chatID int64, text string, markup *InlineKeyboardMarkup) error {
	parts := converse.Split(text, 4096)
	for i, part := range parts {
		p := map[string]any{"chat_id": chatID, "text": part, "protect_content": true}
		if markup != nil && i == len(parts)-1 {
			p["reply_markup"] = markup
		}
		if err := c.call(ctx, "sendMessage", p, nil); err != nil {
			return err
		}
	}
	return nil
}

// AnswerCallbackQuery stops the spinner of a pressed button.
func (c *Client) AnswerCallbackQuery(ctx context.Context, id string) error {
	return c.call(ctx, "answerCallbackQuery", map[string]any{"callback_query_id": id}, nil)
}

// GetFile returns a file's download path.
func (c *Client) GetFile(ctx context.Context, fileID string) (*File, error) {
	var f File
	if err := c.call(ctx, "getFile", map[string]any{"file_id": fileID}, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Download fetches a file by its file_id (getFile, then the file URL),
// refusing more than max bytes.
func (c *Client) Download(ctx context.Context, fileID string, max int64) ([]byte, error) {
	f, err := c.GetFile(ctx, fileID)
	if err != nil {
		return nil, err
	}
	if f.FilePath == "" {
		return nil, fmt.Errorf("telegram: getFile: no file_path")
	}
	if f.FileSize > max {
		return nil, fmt.Errorf("telegram: file of %d bytes: more than %d", f.FileSize, max)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.API, "/")+"/file/bot"+c.Token+"/"+f.FilePath, nil)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: bad file path")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", redact(err, c.Token))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("telegram: download: HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("telegram: download: more than %d bytes", max)
	}
	return b, nil
}
