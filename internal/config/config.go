// Package config holds Vigil's settings, read once from flags and VIGIL_*
// environment variables and validated before anything starts.
package config

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/clientip"
)

// Config is every setting a Vigil process needs. It is built once in main
// and passed down; nothing reads the environment after that.
type Config struct {
	// Addr is the listen address of the HTTP server.
	Addr string
	// DataDir holds the SQLite file, the master key, the log signing key and
	// attachments (unless AttachmentsS3 keeps them in a bucket).
	DataDir string
	// Database is a PostgreSQL URL (postgres://…) or empty for the SQLite
	// file in DataDir.
	Database string
	// DatabaseReplica is a PostgreSQL URL of a streaming replica of
	// Database, or empty: the public check and the published range read
	// from it (docs/operations.md, "Replicas").
	DatabaseReplica string
	// MasterKeyFile is the file holding the key that wraps every report's
	// data key. It is created with mode 0600 on first run.
	MasterKeyFile string
	// LogKeyFile is the file holding the Ed25519 key that signs ledger
	// checkpoints.
	LogKeyFile string
	// LogOrigin names the ledger in its checkpoints.
	LogOrigin string
	// TLSCert and TLSKey are PEM files of the certificate chain and its
	// private key: when both are set the server speaks HTTPS itself
	// (re-reading them when they change, so a renewed certificate needs no
	// restart). Empty: plain HTTP, for behind a TLS-terminating proxy.
	TLSCert, TLSKey string
	// BodyLimit is the largest request body the API accepts, in bytes.
	BodyLimit int64
	// PublicRate is how many requests a second one client may make to the
	// public endpoints (report, track, check).
	PublicRate float64
	// LogRate is how many requests a second one client may make to the
	// public log (/log/: checkpoint, tiles, proofs).
	LogRate float64
	// SessionTTL is how long a staff session lasts without activity.
	SessionTTL time.Duration
	// SecureCookies marks cookies Secure; off only for plain-HTTP development.
	SecureCookies bool
	// Migrate lets serve bring the schema up to date instead of refusing.
	Migrate bool
	// WebhookAllowPrivate lets webhook endpoints be on loopback and
	// private addresses (plain http on loopback too): for tests and a
	// receiver on the same machine only (VIGIL_WEBHOOK_ALLOW_PRIVATE).
	WebhookAllowPrivate bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed when finding a request's client (see package clientip).
	// Empty: the header is ignored.
	TrustedProxies []netip.Prefix
	// MetricsToken is the bearer token that reads /metrics. Empty: /metrics
	// is not served.
	MetricsToken string
	// PprofAddr, if set, is a loopback address (127.0.0.1:6060) where Go's
	// profiler (net/http/pprof) is served apart from the application, for an
	// operator finding where a server's time goes. Empty: not served.
	PprofAddr string
	// DBMaxConns caps the process's database connections (the PostgreSQL
	// pool, or the SQLite readers). Zero means store.DefaultMaxConns.
	DBMaxConns int
	// HTTPMaxConns caps the server's open connections; those over it are
	// closed at once. Zero means half the file-descriptor limit, at most
	// 4096.
	HTTPMaxConns int
	// HTTPMaxConnsPerClient caps the open connections of one client
	// address (an IPv6 /64); trusted proxies count only in HTTPMaxConns.
	HTTPMaxConnsPerClient int
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout bound
	// how long a connection may take to send its request headers, its
	// whole request, to receive the answer, and how long it may stay open
	// idle between requests.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// AttachClientHourly is how many bytes of attachments one client
	// address (an IPv6 /64) may send through the public form in an hour.
	AttachClientHourly int64
	// AttachHourly is how many bytes of public attachments the server
	// takes in an hour from everyone together.
	AttachHourly int64
	// MinFreeDisk is the free space below which attachments are refused
	// (reports are still taken).
	MinFreeDisk int64
	// SMTPURL is the mail server notifications go out through
	// (VIGIL_SMTP_URL); empty: no e-mail. Validate parses it into SMTP.
	SMTPURL string
	// SMTP is SMTPURL parsed; nil without one.
	SMTP *SMTP
	// SMTPFrom is the sender of notification e-mail (VIGIL_SMTP_FROM).
	SMTPFrom string
	// PublicURL is the address staff open Vigil at (VIGIL_PUBLIC_URL), for
	// the links in e-mail.
	PublicURL string
	// TelegramToken is the Telegram bot's token (VIGIL_TELEGRAM_TOKEN or
	// VIGIL_TELEGRAM_TOKEN_FILE); set, `vigil serve` runs the bot.
	TelegramToken string
	// TelegramAPI is the Bot API server (VIGIL_TELEGRAM_API; default the
	// public one, https://api.telegram.org).
	TelegramAPI string
	// ChatDraftTTL is how long an untouched report draft in a chat app is
	// kept (VIGIL_CHAT_DRAFT_TTL, a Go duration; default 7 days).
	ChatDraftTTL time.Duration
	// Chats are the LINE and WhatsApp adapters' settings.
	Chats
	// AttachmentsS3 is the bucket attachments are kept in; unset, they
	// are files in DataDir/attachments.
	AttachmentsS3 AttachmentsS3
}

// Defaults returns the configuration used when nothing is set.
func Defaults() Config {
	return Config{
		Addr:          "127.0.0.1:8080",
		DataDir:       "./vigil-data",
		LogOrigin:     DefaultLogOrigin,
		BodyLimit:     1 << 20,
		PublicRate:    5,
		LogRate:       20,
		SessionTTL:    30 * time.Minute,
		SecureCookies: true,

		HTTPMaxConnsPerClient: 64,
		ReadHeaderTimeout:     5 * time.Second,
		ReadTimeout:           60 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           60 * time.Second,
		AttachClientHourly:    30 << 20,
		AttachHourly:          500 << 20,
		MinFreeDisk:           1 << 30,
		TelegramAPI:           "https://api.telegram.org",
		ChatDraftTTL:          7 * 24 * time.Hour,
		Chats:                 defaultChats(),
	}
}

// Getenv looks up an environment variable; os.Getenv in production.
type Getenv func(string) string

// FromEnv returns Defaults overridden by VIGIL_* variables. Flags registered
// with [Config.Flags] then override these.
func FromEnv(getenv Getenv) (Config, error) {
	c := Defaults()
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	str("VIGIL_ADDR", &c.Addr)
	str("VIGIL_DATA", &c.DataDir)
	str("VIGIL_DATABASE", &c.Database)
	str("VIGIL_DATABASE_REPLICA", &c.DatabaseReplica)
	str("VIGIL_MASTER_KEY_FILE", &c.MasterKeyFile)
	str("VIGIL_LOG_KEY_FILE", &c.LogKeyFile)
	str("VIGIL_LOG_ORIGIN", &c.LogOrigin)
	str("VIGIL_TLS_CERT", &c.TLSCert)
	str("VIGIL_TLS_KEY", &c.TLSKey)
	if v := getenv("VIGIL_LOG_RATE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return c, fmt.Errorf("config: VIGIL_LOG_RATE: %q is not a number", v)
		}
		c.LogRate = f
	}
	str("VIGIL_METRICS_TOKEN", &c.MetricsToken)
	str("VIGIL_PPROF_ADDR", &c.PprofAddr)
	str("VIGIL_SMTP_URL", &c.SMTPURL)
	if f := getenv("VIGIL_SMTP_URL_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return c, fmt.Errorf("config: VIGIL_SMTP_URL_FILE: %w", err)
		}
		c.SMTPURL = strings.TrimSpace(string(b))
	}
	str("VIGIL_SMTP_FROM", &c.SMTPFrom)
	str("VIGIL_PUBLIC_URL", &c.PublicURL)
	str("VIGIL_TELEGRAM_TOKEN", &c.TelegramToken)
	if f := getenv("VIGIL_TELEGRAM_TOKEN_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return c, fmt.Errorf("config: VIGIL_TELEGRAM_TOKEN_FILE: %w", err)
		}
		c.TelegramToken = strings.TrimSpace(string(b))
	}
	str("VIGIL_TELEGRAM_API", &c.TelegramAPI)
	if err := c.Chats.fromEnv(getenv); err != nil {
		return c, err
	}
	if err := c.AttachmentsS3.fromEnv(getenv); err != nil {
		return c, err
	}
	if v := getenv("VIGIL_CHAT_DRAFT_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("config: VIGIL_CHAT_DRAFT_TTL: %q is not a positive duration (such as 72h)", v)
		}
		c.ChatDraftTTL = d
	}
	if f := getenv("VIGIL_METRICS_TOKEN_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return c, fmt.Errorf("config: VIGIL_METRICS_TOKEN_FILE: %w", err)
		}
		c.MetricsToken = strings.TrimSpace(string(b))
	}
	if v := getenv("VIGIL_TRUSTED_PROXIES"); v != "" {
		ps, err := clientip.ParsePrefixes(v)
		if err != nil {
			return c, fmt.Errorf("config: VIGIL_TRUSTED_PROXIES: %w", err)
		}
		c.TrustedProxies = ps
	}
	for name, dst := range map[string]*int{
		"VIGIL_DB_MAX_CONNS":              &c.DBMaxConns,
		"VIGIL_HTTP_MAX_CONNS":            &c.HTTPMaxConns,
		"VIGIL_HTTP_MAX_CONNS_PER_CLIENT": &c.HTTPMaxConnsPerClient,
	} {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return c, fmt.Errorf("config: %s: %q is not a whole number", name, v)
			}
			*dst = n
		}
	}
	for name, dst := range map[string]*int64{"VIGIL_ATTACH_CLIENT_HOURLY": &c.AttachClientHourly, "VIGIL_ATTACH_HOURLY": &c.AttachHourly, "VIGIL_MIN_FREE_DISK": &c.MinFreeDisk} {
		if v := getenv(name); v != "" {
			n, err := ParseBytes(v)
			if err != nil {
				return c, fmt.Errorf("config: %s: %w", name, err)
			}
			*dst = n
		}
	}
	if v := getenv("VIGIL_SECURE_COOKIES"); v != "" {
		switch strings.ToLower(v) {
		case "1", "true", "yes", "on":
			c.SecureCookies = true
		case "0", "false", "no", "off":
			c.SecureCookies = false
		default:
			return c, fmt.Errorf("config: VIGIL_SECURE_COOKIES: %q is not a boolean", v)
		}
	}
	if v := getenv("VIGIL_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		switch strings.ToLower(v) {
		case "1", "true", "yes", "on":
			c.WebhookAllowPrivate = true
		case "0", "false", "no", "off":
			c.WebhookAllowPrivate = false
		default:
			return c, fmt.Errorf("config: VIGIL_WEBHOOK_ALLOW_PRIVATE: %q is not a boolean", v)
		}
	}
	return c, nil
}

// Flags registers the settings shared by every subcommand that touches the
// database (--data, --db-max-conns) on fs.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (env VIGIL_DATA)")
	fs.IntVar(&c.DBMaxConns, "db-max-conns", c.DBMaxConns, "most database connections this process opens (env VIGIL_DB_MAX_CONNS; default 4 per core, at least 4)")
}

// ServeFlags registers the settings only the server uses on fs.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env VIGIL_ADDR)")
	fs.Int64Var(&c.BodyLimit, "body-limit", c.BodyLimit, "largest request body in bytes")
	fs.Float64Var(&c.PublicRate, "public-rate", c.PublicRate, "requests per second per client on public endpoints")
	fs.Float64Var(&c.LogRate, "log-rate", c.LogRate, "requests per second per client on the public log /log/ (env VIGIL_LOG_RATE)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "mark cookies Secure (env VIGIL_SECURE_COOKIES)")
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "PEM certificate chain: serve HTTPS with --tls-key (env VIGIL_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "PEM private key of --tls-cert (env VIGIL_TLS_KEY)")
	fs.BoolVar(&c.Migrate, "migrate", c.Migrate, "migrate the schema on start instead of refusing a stale one")
	fs.IntVar(&c.HTTPMaxConns, "http-max-conns", c.HTTPMaxConns, "most open HTTP connections (env VIGIL_HTTP_MAX_CONNS; default half the file-descriptor limit, at most 4096)")
	fs.IntVar(&c.HTTPMaxConnsPerClient, "http-max-conns-per-client", c.HTTPMaxConnsPerClient, "most open HTTP connections from one client address (env VIGIL_HTTP_MAX_CONNS_PER_CLIENT)")
	fs.Func("trusted-proxies", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (env VIGIL_TRUSTED_PROXIES)", func(s string) error {
		ps, err := clientip.ParsePrefixes(s)
		c.TrustedProxies = ps
		return err
	})
}

// ParseBytes reads a size: a whole number of bytes, optionally followed by
// KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024).
func ParseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is not a size (e.g. 30MiB, 1GiB or a number of bytes)", s)
	}
	return n * mult, nil
}

// Validate checks the configuration once and fills paths derived from
// DataDir.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data: must not be empty"))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr: %q is not host:port", c.Addr))
	}
	switch {
	case (c.TLSCert == "") != (c.TLSKey == ""):
		errs = append(errs, errors.New("--tls-cert and --tls-key: give both (HTTPS) or neither (plain HTTP)"))
	case c.TLSCert != "":
		if _, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey); err != nil {
			errs = append(errs, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", c.TLSCert, c.TLSKey, err))
		}
	}
	if c.Database != "" && !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") && !strings.HasPrefix(c.Database, "sqlite:") {
		errs = append(errs, fmt.Errorf("VIGIL_DATABASE: want postgres://… or sqlite:PATH, got %q", redact(c.Database)))
	}
	if r := c.DatabaseReplica; r != "" && (!strings.HasPrefix(c.Database, "postgres") || !strings.HasPrefix(r, "postgres://") && !strings.HasPrefix(r, "postgresql://")) {
		errs = append(errs, fmt.Errorf("VIGIL_DATABASE_REPLICA: want postgres://… of a replica of VIGIL_DATABASE, which must be PostgreSQL too; got %q", redact(r)))
	}
	if c.BodyLimit < 1024 {
		errs = append(errs, fmt.Errorf("--body-limit: %d is below 1024 bytes", c.BodyLimit))
	}
	if c.PublicRate <= 0 {
		errs = append(errs, fmt.Errorf("--public-rate: must be positive"))
	}
	if c.LogRate <= 0 {
		errs = append(errs, fmt.Errorf("--log-rate: must be positive"))
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 32 {
		errs = append(errs, fmt.Errorf("VIGIL_METRICS_TOKEN: %d characters is too short to guess-proof; use at least 32 (e.g. openssl rand -hex 32)", len(c.MetricsToken)))
	}
	if c.PprofAddr != "" && !loopback(c.PprofAddr) {
		errs = append(errs, fmt.Errorf("VIGIL_PPROF_ADDR: %q is not a loopback address with a port (127.0.0.1:6060 or [::1]:6060): the profiler is never served to the network", c.PprofAddr))
	}
	if c.DBMaxConns < 0 || c.DBMaxConns > 10000 {
		errs = append(errs, fmt.Errorf("--db-max-conns: %d is not from 1 to 10000 (0: the default)", c.DBMaxConns))
	}
	if c.HTTPMaxConns < 0 {
		errs = append(errs, fmt.Errorf("--http-max-conns: %d is negative", c.HTTPMaxConns))
	}
	if c.HTTPMaxConnsPerClient < 1 {
		errs = append(errs, fmt.Errorf("--http-max-conns-per-client: %d is below 1", c.HTTPMaxConnsPerClient))
	}
	for _, d := range []time.Duration{c.ReadHeaderTimeout, c.ReadTimeout, c.WriteTimeout, c.IdleTimeout} {
		if d <= 0 {
			errs = append(errs, errors.New("HTTP timeouts must be positive"))
			break
		}
	}
	if c.AttachClientHourly < 0 || c.AttachHourly < 0 || c.MinFreeDisk < 0 {
		errs = append(errs, errors.New("VIGIL_ATTACH_CLIENT_HOURLY, VIGIL_ATTACH_HOURLY, VIGIL_MIN_FREE_DISK: must not be negative"))
	}
	errs = append(errs, c.validateMail()...)
	errs = append(errs, c.Chats.validate()...)
	errs = append(errs, c.AttachmentsS3.validate()...)
	if c.MasterKeyFile == "" {
		c.MasterKeyFile = filepath.Join(c.DataDir, "master.key")
	}
	if c.LogKeyFile == "" {
		c.LogKeyFile = filepath.Join(c.DataDir, "log.key")
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// DSN is the database to open: the PostgreSQL URL, or the SQLite file in the
// data directory.
func (c *Config) DSN() string {
	if c.Database != "" {
		return c.Database
	}
	return "sqlite:" + filepath.Join(c.DataDir, "vigil.db")
}

// redact hides a password in a database URL before it is shown.
func redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return dsn[:scheme+3] + userinfo[:i] + ":***" + dsn[at:]
	}
	return dsn
}

// Redacted returns the DSN with any password hidden, for logs.
func (c *Config) Redacted() string { return redact(c.DSN()) }
