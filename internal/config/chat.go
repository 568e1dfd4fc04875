package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Chats are the settings of the LINE and WhatsApp adapters (package line,
// package whatsapp); with them set, `vigil serve` takes their webhooks.
type Chats struct {
	// LineChannelSecret signs LINE's webhook calls
	// (VIGIL_LINE_CHANNEL_SECRET or VIGIL_LINE_CHANNEL_SECRET_FILE);
	// LineChannelToken is the channel access token
	// (VIGIL_LINE_CHANNEL_TOKEN or …_FILE). Both set: POST /line/webhook.
	LineChannelSecret, LineChannelToken string
	// LineAPI and LineDataAPI are the Messaging API and its content host
	// (VIGIL_LINE_API, VIGIL_LINE_DATA_API; defaults LINE's, for tests).
	LineAPI, LineDataAPI string
	// WhatsAppToken is the Cloud API access token (VIGIL_WHATSAPP_TOKEN or
	// …_FILE), WhatsAppAppSecret the app secret that signs the webhook
	// (VIGIL_WHATSAPP_APP_SECRET or …_FILE), WhatsAppVerifyToken the
	// webhook's verify token (VIGIL_WHATSAPP_VERIFY_TOKEN or …_FILE),
	// WhatsAppPhoneID the business number's ID (VIGIL_WHATSAPP_PHONE_ID).
	// All four set: GET and POST /whatsapp/webhook.
	WhatsAppToken, WhatsAppAppSecret, WhatsAppVerifyToken, WhatsAppPhoneID string
	// WhatsAppAPI is the Graph API with its version (VIGIL_WHATSAPP_API).
	WhatsAppAPI string
}

// Default hosts of the chat APIs.
const (
	DefaultLineAPI     = "https://api.line.me"
	DefaultLineDataAPI = "https://api-data.line.me"
	DefaultWhatsAppAPI = "https://graph.facebook.com/v21.0"
)

// LineOn says the LINE adapter is configured.
func (c *Chats) LineOn() bool { return c.LineChannelSecret != "" && c.LineChannelToken != "" }

// WhatsAppOn says the WhatsApp adapter is configured.
func (c *Chats) WhatsAppOn() bool {
	return c.WhatsAppToken != "" && c.WhatsAppAppSecret != "" && c.WhatsAppVerifyToken != "" && c.WhatsAppPhoneID != ""
}

func defaultChats() Chats {
	return Chats{LineAPI: DefaultLineAPI, LineDataAPI: DefaultLineDataAPI, WhatsAppAPI: DefaultWhatsAppAPI}
}

// fromEnv reads the VIGIL_LINE_* and VIGIL_WHATSAPP_* variables; a
// secret may come from a file named by its _FILE variable.
func (c *Chats) fromEnv(getenv Getenv) error {
	for _, s := range []struct {
		name   string
		dst    *string
		secret bool
	}{
		{"VIGIL_LINE_CHANNEL_SECRET", &c.LineChannelSecret, true},
		{"VIGIL_LINE_CHANNEL_TOKEN", &c.LineChannelToken, true},
		{"VIGIL_LINE_API", &c.LineAPI, false},
		{"VIGIL_LINE_DATA_API", &c.LineDataAPI, false},
		{"VIGIL_WHATSAPP_TOKEN", &c.WhatsAppToken, true},
		{"VIGIL_WHATSAPP_APP_SECRET", &c.WhatsAppAppSecret, true},
		{"VIGIL_WHATSAPP_VERIFY_TOKEN", &c.WhatsAppVerifyToken, true},
		{"VIGIL_WHATSAPP_PHONE_ID", &c.WhatsAppPhoneID, false},
		{"VIGIL_WHATSAPP_API", &c.WhatsAppAPI, false},
	} {
		if v := getenv(s.name); v != "" {
			*s.dst = strings.TrimSpace(v)
		}
		if f := getenv(s.name + "_FILE"); f != "" && s.secret {
			b, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("config: %s_FILE: %w", s.name, err)
			}
			*s.dst = strings.TrimSpace(string(b))
		}
	}
	return nil
}

// validate refuses a half-configured adapter (it would take no webhook
// and say nothing) and API addresses that are not http(s).
func (c *Chats) validate() []error {
	var errs []error
	if (c.LineChannelSecret == "") != (c.LineChannelToken == "") {
		errs = append(errs, errors.New("VIGIL_LINE_CHANNEL_SECRET and VIGIL_LINE_CHANNEL_TOKEN: give both (LINE) or neither"))
	}
	wa := []string{c.WhatsAppToken, c.WhatsAppAppSecret, c.WhatsAppVerifyToken, c.WhatsAppPhoneID}
	set := 0
	for _, v := range wa {
		if v != "" {
			set++
		}
	}
	if set != 0 && set != len(wa) {
		errs = append(errs, errors.New("VIGIL_WHATSAPP_TOKEN, VIGIL_WHATSAPP_APP_SECRET, VIGIL_WHATSAPP_VERIFY_TOKEN and VIGIL_WHATSAPP_PHONE_ID: give all four (WhatsApp) or none"))
	}
	if c.WhatsAppPhoneID != "" && strings.Trim(c.WhatsAppPhoneID, "0123456789") != "" {
		errs = append(errs, fmt.Errorf("VIGIL_WHATSAPP_PHONE_ID: %q is not a phone number ID (digits)", c.WhatsAppPhoneID))
	}
	for name, v := range map[string]string{"VIGIL_LINE_API": c.LineAPI, "VIGIL_LINE_DATA_API": c.LineDataAPI, "VIGIL_WHATSAPP_API": c.WhatsAppAPI} {
		if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
			errs = append(errs, fmt.Errorf("%s: %q is not an http(s) address", name, v))
		}
	}
	return errs
}
