package server

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certFiles serves the certificate in a PEM certificate file and key file,
// read again when either file changes (a renewal by certbot or another
// ACME client needs no restart). A renewal that cannot be read is logged
// and the certificate in use is kept.
type certFiles struct {
	certFile, keyFile string
	log               *slog.Logger
	// every is how often the files' modification times are looked at.
	every time.Duration

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string // both files' modification times when cert was read
	checked time.Time
}

func newCertFiles(certFile, keyFile string, log *slog.Logger) (*certFiles, error) {
	c := &certFiles{certFile: certFile, keyFile: keyFile, log: log, every: 10 * time.Second}
	if _, err := c.get(nil); err != nil {
		return nil, err
	}
	return c, nil
}

// stampOf is the files' modification times, which change when a renewal
// replaces them.
func (c *certFiles) stampOf() (string, error) {
	var stamp string
	for _, f := range []string{c.certFile, c.keyFile} {
		fi, err := os.Stat(f)
		if err != nil {
			return "", err
		}
		stamp += fi.ModTime().UTC().Format(time.RFC3339Nano) + fmt.Sprint(fi.Size()) + " "
	}
	return stamp, nil
}

// get is tls.Config.GetCertificate.
func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.cert != nil && now.Sub(c.checked) < c.every {
		return c.cert, nil
	}
	c.checked = now
	stamp, err := c.stampOf()
	if err == nil && stamp == c.stamp {
		return c.cert, nil
	}
	var cert tls.Certificate
	if err == nil {
		cert, err = tls.LoadX509KeyPair(c.certFile, c.keyFile)
	}
	if err != nil {
		if c.cert == nil {
			return nil, fmt.Errorf("server: TLS certificate %s, key %s: %w", c.certFile, c.keyFile, err)
		}
		c.log.Warn("vigil: the TLS certificate files changed but cannot be read; still serving the certificate read before", "cert", c.certFile, "key", c.keyFile, "err", err)
		return c.cert, nil
	}
	if c.cert != nil {
		c.log.Info("vigil: TLS certificate read again", "cert", c.certFile)
	}
	c.cert, c.stamp = &cert, stamp
	return c.cert, nil
}
