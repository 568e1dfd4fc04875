package whatsapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Limits of the Messages API used here.
const (
	// MaxText is the longest text message body, in characters.
	MaxText = 4096
	// MaxButtonBody is the longest body of an interactive message;
	// MaxButtons how many reply buttons it has, MaxTitle the longest
	// button title.
	MaxButtonBody = 1024
	MaxButtons    = 3
	MaxTitle      = 20
)

// APIError is a Graph API call answered with an error: {"error":
// {"message", "type", "code", "error_subcode", "fbtrace_id"}}.
type APIError struct {
	Path    string
	Status  int
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("whatsapp: %s: HTTP %d, code %d: %s", e.Path, e.Status, e.Code, e.Message)
}

// Client calls the Cloud API at API for the business number PhoneID with
// the access token.
type Client struct {
	API     string
	PhoneID string
	Token   string
	HTTP    *http.Client
}

// do sends a request with the bearer token to u and returns the response
// of a 2xx status; any other is an APIError. The token is never part of an
// error.
func (c *Client) do(ctx context.Context, method, u, what string, body any) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("whatsapp: %s: %w", what, err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %s: bad address", what)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %s: %w", what, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var e struct {
			Error struct {
				Message string `json:"message"`
				Code    int    `json:"code"`
			} `json:"error"`
		}
		json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e)
		return nil, &APIError{Path: what, Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	return resp, nil
}

func (c *Client) api(path string) string { return strings.TrimRight(c.API, "/") + "/" + path }

// OutMessage is a Messages API request: a text, or an interactive
// message with reply buttons.
type OutMessage struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type"`
	To               string `json:"to,omitempty"`
	// Recipient is a BSUID, for a user whose phone number Meta does not
	// give (used only without To).
	Recipient   string          `json:"recipient,omitempty"`
	Type        string          `json:"type"`
	Text        *OutText        `json:"text,omitempty"`
	Interactive *OutInteractive `json:"interactive,omitempty"`
}

// OutText is a text message's body, links not previewed (a preview would
// have Meta fetch the page).
type OutText struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

// OutInteractive is a reply-buttons message: type "button", a body and
// 1–3 buttons.
type OutInteractive struct {
	Type string `json:"type"`
	Body struct {
		Text string `json:"text"`
	} `json:"body"`
	Action struct {
		Buttons []Button `json:"buttons"`
	} `json:"action"`
}

// Button is a reply button: its id (≤ 256 characters) comes back in the
// user's interactive message, its title (≤ 20) is shown.
type Button struct {
	Type  string `json:"type"`
	Reply struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"reply"`
}

// Send sends a message (POST {api}/{phone-number-id}/messages).
func (c *Client) Send(ctx context.Context, m *OutMessage) error {
	resp, err := c.do(ctx, http.MethodPost, c.api(url.PathEscape(c.PhoneID)+"/messages"), "messages", m)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.Body.Close()
}

// Download fetches a user's media: GET {api}/{media-id} gives a URL
// (valid for minutes) and its sha256, then GET that URL with the token;
// more than max bytes, or bytes whose hash is not the one given, are
// refused.
func (c *Client) Download(ctx context.Context, mediaID string, max int64) ([]byte, error) {
	resp, err := c.do(ctx, http.MethodGet, c.api(url.PathEscape(mediaID)), "media", nil)
	if err != nil {
		return nil, err
	}
	var m struct {
		URL    string `json:"url"`
		SHA256 string `json:"sha256"`
		// FileSize is a number or a string of digits (Meta's examples
		// show both).
		FileSize json.Number `json:"file_size"`
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&m)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("whatsapp: media: %w", err)
	}
	if n, err := m.FileSize.Int64(); err == nil && n > max {
		return nil, fmt.Errorf("whatsapp: media of %d bytes: more than %d", n, max)
	}
	if u, err := url.Parse(m.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("whatsapp: media: no download URL")
	}
	resp, err = c.do(ctx, http.MethodGet, m.URL, "media download", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("whatsapp: media download: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("whatsapp: media download: more than %d bytes", max)
	}
	if m.SHA256 != "" {
		sum := sha256.Sum256(b)
		if !strings.EqualFold(m.SHA256, hex.EncodeToString(sum[:])) {
			return nil, fmt.Errorf("whatsapp: media download: the bytes do not match their sha256")
		}
	}
	return b, nil
}
