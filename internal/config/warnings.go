package config

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// DefaultLogOrigin is the ledger's placeholder name.
const DefaultLogOrigin = "vigil.example/log"

// Warnings lists what in c is unsafe or a placeholder, each as a sentence
// saying how to mend it; the server logs them at start.
func Warnings(c *Config) []string {
	var ws []string
	if c.LogOrigin == DefaultLogOrigin {
		ws = append(ws, "the ledger's origin is the placeholder "+DefaultLogOrigin+"; it is fixed once the ledger holds an entry: name it before the first report on the setup page or with vigil setup --log-origin (e.g. hotline.example.org/log)")
	}
	if !c.SecureCookies && !loopback(c.Addr) {
		ws = append(ws, "session cookies are sent without Secure (--secure-cookies=false) on "+c.Addr+", an address other machines reach: a sign-in can be read off the network unless TLS is in front; use HTTPS and leave Secure on")
	}
	if dir, err := filepath.Abs(c.DataDir); err == nil && inMemory(dir) {
		ws = append(ws, "the data directory "+dir+" is on tmpfs (memory): every report is lost at the next reboot; use a directory on disk")
	}
	if c.SMTP != nil && c.SMTP.TLS == "off" && !loopback(c.SMTP.Addr()) {
		ws = append(ws, "notification e-mail goes to "+c.SMTP.Addr()+" without TLS (VIGIL_SMTP_URL ?starttls=off), an address off this machine: the SMTP password and the messages cross the network in clear; drop ?starttls=off unless the relay is on a network you trust")
	}
	for _, f := range []string{c.MasterKeyFile, c.LogKeyFile} {
		if fi, err := os.Stat(f); err == nil && fi.Mode().Perm()&0o077 != 0 {
			ws = append(ws, fmt.Sprintf("the key file %s can be read by other users (mode %v); chmod 600 it", f, fi.Mode().Perm()))
		}
	}
	return ws
}

// loopback reports whether addr (host:port) listens on the loopback
// interface only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
