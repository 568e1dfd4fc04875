package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-project/vigil/internal/store"
)

// ErrBlockedAddress means an endpoint's name resolved to an address Vigil
// does not send to (loopback, private, link-local, …).
var ErrBlockedAddress = errors.New("webhooks: the endpoint's address is not public")

// special are ranges that are not the public internet beyond what net.IP's
// own predicates cover.
var special = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64: may reach a private IPv4 address
	netip.MustParsePrefix("2001:db8::/32"),
}

// blocked says whether ip is an address no endpoint may be at.
func blocked(ip net.IP) bool {
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return true
	}
	a = a.Unmap()
	for _, p := range special {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// newClient is the HTTP client deliveries go out by: no proxy, no
// redirect followed, Timeout per attempt, and (unless allowPrivate) a
// dialer that refuses a blocked address after resolution, so a name that
// resolves to one (or is rebound to one) is refused when it is dialled.
func newClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: Timeout}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
			}
			ip := net.ParseIP(host)
			if ip == nil || blocked(ip) {
				return fmt.Errorf("%w: %s", ErrBlockedAddress, host)
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   Timeout,
		ResponseHeaderTimeout: Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr, Timeout: Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Sign returns the webhook-signature header value of a message: "v1," and
// the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the
// secret's decoded bytes (the part after "whsec_").
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", fmt.Errorf("webhooks: secret: %w", err)
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", id, timestamp)
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// Deliver makes one attempt at a delivery (a jobs.Handler for JobDeliver;
// the subject is the delivery's id) and records it: delivered on a 2xx
// answer; otherwise retried after Schedule by a new job, or failed after
// MaxAttempts. It returns an error only when it could not record the
// attempt (the job is then retried).
func (s *Service) Deliver(ctx context.Context, deliveryID string) error {
	q := s.db.Read()
	d, err := q.GetWebhookDelivery(ctx, deliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.Status != Pending {
		return nil
	}
	e, err := q.GetWebhookEndpoint(ctx, d.EndpointID)
	if err != nil {
		return err
	}
	now := s.Now()
	if e.DeletedAt != 0 || !e.Enabled {
		d.Status, d.LastError, d.UpdatedAt, d.NextAt = Failed, "endpoint disabled", now.UnixMicro(), 0
		return s.db.Tx(ctx, func(q store.Q) error {
			return q.FinishWebhookAttempt(ctx, d, &store.WebhookAttempt{DeliveryID: d.ID, Attempt: d.Attempts + 1, At: now.UnixMicro(), Error: d.LastError})
		})
	}
	secret, err := s.secret(ctx, q, e)
	if err != nil {
		return err
	}
	code, took, sendErr := s.send(ctx, e.URL, secret, d.ID, []byte(d.Payload), now)
	at := &store.WebhookAttempt{DeliveryID: d.ID, Attempt: d.Attempts + 1, At: now.UnixMicro(), StatusCode: code, DurationMS: took.Milliseconds()}
	if sendErr != nil {
		at.Error = truncate(sendErr.Error(), 500)
	}
	d.Attempts++
	d.LastCode, d.LastError, d.UpdatedAt, d.NextAt = code, at.Error, s.Now().UnixMicro(), 0
	var retry *store.Job
	switch {
	case sendErr == nil:
		d.Status = Delivered
	case d.Attempts >= MaxAttempts:
		d.Status = Failed
	default:
		d.NextAt = s.Now().Add(Schedule[d.Attempts-1]).UnixMicro()
		retry = &store.Job{ID: store.NewID(), Kind: JobDeliver, ReportID: d.ID}
	}
	if sendErr != nil {
		s.log.WarnContext(ctx, "webhooks: delivery failed", "delivery", d.ID, "endpoint", e.ID, "attempt", d.Attempts, "status", code, "err", at.Error)
	}
	return s.db.Tx(ctx, func(q store.Q) error {
		if err := q.FinishWebhookAttempt(ctx, d, at); err != nil {
			return err
		}
		if retry != nil {
			return q.PutJobs(ctx, []*store.Job{retry}, d.NextAt)
		}
		return nil
	})
}

// secret opens an endpoint's signing secret.
func (s *Service) secret(ctx context.Context, q store.Q, e *store.WebhookEndpoint) (string, error) {
	wrapped, err := q.GetDataKey(ctx, store.WebhookKeyID(e.ID))
	if err != nil {
		return "", fmt.Errorf("webhooks: endpoint %s key: %w", e.ID, err)
	}
	dk, err := s.keys.Unwrap(store.WebhookKeyID(e.ID), wrapped)
	if err != nil {
		return "", fmt.Errorf("webhooks: endpoint %s key: %w", e.ID, err)
	}
	b, err := dk.Open(e.Secret, secretContext(e.ID))
	if err != nil {
		return "", fmt.Errorf("webhooks: endpoint %s secret: %w", e.ID, err)
	}
	return string(b), nil
}

// send POSTs one signed message; it returns the answer's status (0: none),
// how long it took, and an error unless the answer was 2xx.
func (s *Service) send(ctx context.Context, endpoint, secret, id string, body []byte, now time.Time) (int, time.Duration, error) {
	ts := now.Unix()
	sig, err := Sign(secret, id, ts, body)
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, 0, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Vigil-Webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, AnswerKept))
	took := time.Since(start)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, took, nil
	}
	msg := "HTTP " + strconv.Itoa(resp.StatusCode)
	if t := strings.TrimSpace(strings.ToValidUTF8(string(head), "")); t != "" {
		msg += ": " + t
	}
	return resp.StatusCode, took, errors.New(msg)
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8Start(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return strings.ToValidUTF8(s, "")
}

func utf8Start(b byte) bool { return b < 0x80 || b >= 0xC0 }
