package line

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Limits of the Messaging API used here.
const (
	// MaxMessages is how many messages one reply or push call carries.
	MaxMessages = 5
	// MaxText is the longest text message, in characters.
	MaxText = 5000
	// MaxQuickReply is how many quick-reply buttons a message has, and
	// MaxLabel the longest label, in characters.
	MaxQuickReply = 13
	MaxLabel      = 20
)

// SendMessage is a message object sent by the reply and push APIs: a text
// with, optionally, quick-reply buttons (shown under the last message of
// a call).
type SendMessage struct {
	Type       string      `json:"type"`
	Text       string      `json:"text"`
	QuickReply *QuickReply `json:"quickReply,omitempty"`
}

// QuickReply is the buttons under a message.
type QuickReply struct {
	Items []QuickReplyItem `json:"items"`
}

// QuickReplyItem is one button: type "action" with a postback action
// (label ≤ 20 characters, data ≤ 300 characters, displayText shown in the
// chat as the user's message when pressed).
type QuickReplyItem struct {
	Type   string         `json:"type"`
	Action PostbackAction `json:"action"`
}

// PostbackAction sends its data back in a postback event.
type PostbackAction struct {
	Type        string `json:"type"`
	Label       string `json:"label"`
	Data        string `json:"data"`
	DisplayText string `json:"displayText,omitempty"`
}

// APIError is a Messaging API call answered with an error status; LINE's
// body is {"message": …, "details": [{"message", "property"}]}.
type APIError struct {
	Path    string
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("line: %s: HTTP %d %s", e.Path, e.Status, e.Message)
}

// Client calls the Messaging API at API (and message content at DataAPI)
// with the channel access token.
type Client struct {
	API, DataAPI string
	Token        string
	HTTP         *http.Client
}

// do sends a request with the bearer token and returns the response of a
// 2xx status; any other is an APIError. The token is never in an error.
func (c *Client) do(ctx context.Context, method, base, path string, body any) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("line: %s: %w", path, err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+path, r)
	if err != nil {
		return nil, fmt.Errorf("line: %s: bad API address", path)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("line: %s: %w", path, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var e struct {
			Message string `json:"message"`
		}
		json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e)
		return nil, &APIError{Path: path, Status: resp.StatusCode, Message: e.Message}
	}
	return resp, nil
}

// call sends a JSON request and discards the answer.
func (c *Client) call(ctx context.Context, path string, body any) error {
	resp, err := c.do(ctx, http.MethodPost, c.API, path, body)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.Body.Close()
}

// Reply answers an event with up to MaxMessages messages (POST
// /v2/bot/message/reply). A reply token is used once and expires (LINE
// documents no fixed time; about a minute in practice), so a failed reply
// may still be pushed.
func (c *Client) Reply(ctx context.Context, replyToken string, msgs []SendMessage) error {
	return c.call(ctx, "/v2/bot/message/reply", map[string]any{"replyToken": replyToken, "messages": msgs})
}

// Push sends up to MaxMessages messages to a user (POST
// /v2/bot/message/push); it counts against the channel's monthly
// message quota, where replies do not.
func (c *Client) Push(ctx context.Context, to string, msgs []SendMessage) error {
	return c.call(ctx, "/v2/bot/message/push", map[string]any{"to": to, "messages": msgs})
}

// Content downloads a message's content (GET {data
// api}/v2/bot/message/{messageId}/content), refusing more than max bytes.
func (c *Client) Content(ctx context.Context, messageID string, max int64) ([]byte, error) {
	path := "/v2/bot/message/" + url.PathEscape(messageID) + "/content"
	resp, err := c.do(ctx, http.MethodGet, c.DataAPI, path, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusAccepted {
		// 202: LINE is still preparing the content (documented for video
		// and audio); an image is ready at once.
		return nil, errors.New("line: content not ready yet")
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("line: content: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("line: content: more than %d bytes", max)
	}
	return b, nil
}

// Language returns the user's language from their profile (GET
// /v2/bot/profile/{userId}: a BCP 47 tag; absent until the user has
// agreed to LINE's privacy policy). Nothing else of the profile is kept.
func (c *Client) Language(ctx context.Context, userID string) (string, error) {
	resp, err := c.do(ctx, http.MethodGet, c.API, "/v2/bot/profile/"+url.PathEscape(userID), nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var p struct {
		Language string `json:"language"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&p); err != nil {
		return "", fmt.Errorf("line: profile: %w", err)
	}
	return p.Language, nil
}
