package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
)

// SMTP is the mail server notifications go out through, parsed from
// VIGIL_SMTP_URL: smtp://[user[:password]@]host[:port][?starttls=off] or
// smtps://… for TLS from the first byte.
type SMTP struct {
	Host               string
	Port               int
	Username, Password string
	// TLS is "starttls" (required: a server that does not offer it is not
	// sent to), "implicit" (smtps) or "off" (?starttls=off, for a local
	// relay).
	TLS string
}

// ParseSMTPURL parses VIGIL_SMTP_URL.
func ParseSMTPURL(s string) (*SMTP, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("not a URL")
	}
	out := &SMTP{Host: u.Hostname(), TLS: "starttls", Port: 587}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		out.TLS, out.Port = "implicit", 465
	default:
		return nil, fmt.Errorf("scheme %q: want smtp:// or smtps://", u.Scheme)
	}
	if out.Host == "" {
		return nil, fmt.Errorf("no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %q is not from 1 to 65535", p)
		}
		out.Port = n
	}
	if u.User != nil {
		out.Username = u.User.Username()
		out.Password, _ = u.User.Password()
	}
	for k, v := range u.Query() {
		switch {
		case k == "starttls" && len(v) == 1 && (v[0] == "off" || v[0] == "on"):
			if v[0] == "off" {
				if out.TLS == "implicit" {
					return nil, fmt.Errorf("starttls=off with smtps://")
				}
				out.TLS = "off"
			}
		default:
			return nil, fmt.Errorf("unknown parameter %q (only starttls=off or starttls=on)", k)
		}
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("unexpected path %q", u.Path)
	}
	return out, nil
}

// Addr is host:port.
func (s *SMTP) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// validateMail checks the mail settings: a parsable VIGIL_SMTP_URL, a
// sender address, and the public URL the messages link to.
func (c *Config) validateMail() []error {
	if c.SMTPURL == "" {
		if c.SMTPFrom != "" {
			return []error{fmt.Errorf("VIGIL_SMTP_FROM: set without VIGIL_SMTP_URL")}
		}
		return nil
	}
	var errs []error
	s, err := ParseSMTPURL(c.SMTPURL)
	if err != nil {
		errs = append(errs, fmt.Errorf("VIGIL_SMTP_URL: %q: %w", redact(c.SMTPURL), err))
	}
	c.SMTP = s
	if c.SMTPFrom == "" {
		errs = append(errs, fmt.Errorf("VIGIL_SMTP_FROM: required with VIGIL_SMTP_URL (the sender, e.g. vigil@example.org)"))
	} else if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
		errs = append(errs, fmt.Errorf("VIGIL_SMTP_FROM: %q is not an e-mail address", c.SMTPFrom))
	}
	if c.PublicURL == "" {
		errs = append(errs, fmt.Errorf("VIGIL_PUBLIC_URL: required with VIGIL_SMTP_URL (messages link to it, e.g. https://vigil.example.org)"))
	} else if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("VIGIL_PUBLIC_URL: %q is not an http(s) address like https://vigil.example.org", c.PublicURL))
	}
	return errs
}
