package config_test

import (
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/config"
)

// TestMailSettings: VIGIL_SMTP_URL is parsed into host, port, credentials
// and TLS (STARTTLS required unless ?starttls=off); a bad one is refused
// naming the variable and never showing the password; a sender and the
// public address are required with it.
func TestMailSettings(t *testing.T) {
	base := map[string]string{"VIGIL_SMTP_FROM": "vigil@example.org", "VIGIL_PUBLIC_URL": "https://vigil.example.org"}
	for _, tc := range []struct {
		url  string
		want config.SMTP
	}{
		{"smtp://user:s3cret@mail.example.org:587", config.SMTP{Host: "mail.example.org", Port: 587, Username: "user", Password: "s3cret", TLS: "starttls"}},
		{"smtp://mail.example.org", config.SMTP{Host: "mail.example.org", Port: 587, TLS: "starttls"}},
		{"smtp://127.0.0.1:2525?starttls=off", config.SMTP{Host: "127.0.0.1", Port: 2525, TLS: "off"}},
		{"smtps://u:p@mail.example.org", config.SMTP{Host: "mail.example.org", Port: 465, Username: "u", Password: "p", TLS: "implicit"}},
	} {
		env := map[string]string{"VIGIL_SMTP_URL": tc.url}
		for k, v := range base {
			env[k] = v
		}
		c, err := config.FromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if *c.SMTP != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.url, *c.SMTP, tc.want)
		}
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"VIGIL_SMTP_URL": "http://user:s3cret@mail.example.org"}, "VIGIL_SMTP_URL"},
		{map[string]string{"VIGIL_SMTP_URL": "smtp://user:s3cret@:587"}, "VIGIL_SMTP_URL"},
		{map[string]string{"VIGIL_SMTP_URL": "smtp://user:s3cret@mail.example.org:99999"}, "VIGIL_SMTP_URL"},
		{map[string]string{"VIGIL_SMTP_URL": "smtp://user:s3cret@mail.example.org?starttls=maybe"}, "VIGIL_SMTP_URL"},
		{map[string]string{"VIGIL_SMTP_URL": "smtps://user:s3cret@mail.example.org?starttls=off"}, "VIGIL_SMTP_URL"},
		{map[string]string{"VIGIL_SMTP_URL": "smtp://mail.example.org", "VIGIL_SMTP_FROM": ""}, "VIGIL_SMTP_FROM"},
		{map[string]string{"VIGIL_SMTP_URL": "smtp://mail.example.org", "VIGIL_SMTP_FROM": "not an address"}, "VIGIL_SMTP_FROM"},
		{map[string]string{"VIGIL_SMTP_URL": "smtp://mail.example.org", "VIGIL_PUBLIC_URL": ""}, "VIGIL_PUBLIC_URL"},
		{map[string]string{"VIGIL_SMTP_URL": "smtp://mail.example.org", "VIGIL_PUBLIC_URL": "vigil.example.org"}, "VIGIL_PUBLIC_URL"},
		{map[string]string{"VIGIL_SMTP_URL": "", "VIGIL_SMTP_FROM": "vigil@example.org"}, "VIGIL_SMTP_FROM"},
	} {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for k, v := range tc.env {
			env[k] = v
		}
		c, err := config.FromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%v: the error shows the password: %v", tc.env, err)
		}
	}
	// Without a mail server nothing is required.
	c, _ := config.FromEnv(func(string) string { return "" })
	if err := c.Validate(); err != nil || c.SMTP != nil {
		t.Errorf("no mail: %v, %+v", err, c.SMTP)
	}
}

// TestMailWarning: mail without TLS to another machine is warned about at
// start; to a relay on this machine it is not.
func TestMailWarning(t *testing.T) {
	for url, want := range map[string]bool{
		"smtp://relay.example.org:25?starttls=off": true,
		"smtp://127.0.0.1:25?starttls=off":         false,
		"smtp://relay.example.org:587":             false,
	} {
		env := map[string]string{"VIGIL_SMTP_URL": url, "VIGIL_SMTP_FROM": "vigil@example.org", "VIGIL_PUBLIC_URL": "https://vigil.example.org"}
		c, err := config.FromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(strings.Join(config.Warnings(&c), "\n"), "without TLS")
		if got != want {
			t.Errorf("%s: warned %v, want %v", url, got, want)
		}
	}
}
