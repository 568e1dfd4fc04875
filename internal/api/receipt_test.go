package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/ledger"
)

// TestTrackReceipt fetches a report's ledger receipt later with its
// tracking code and secret, on both engines: the receipt the submission
// answered with, verifying against the log's key; a wrong code or secret is
// 404, a missing secret 422 naming it.
func TestTrackReceipt(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("home", true, auth.Coordinator)
		res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport)
		if res.status != http.StatusCreated {
			t.Fatalf("submit: %d %s", res.status, res.body)
		}
		var ack struct {
			TrackingCode string          `json:"tracking_code"`
			Secret       string          `json:"secret"`
			Receipt      *ledger.Receipt `json:"receipt"`
		}
		res.decode(t, &ack)
		if ack.Receipt == nil {
			t.Fatalf("the submission answered without a receipt: %s", res.body)
		}
		const route = "/api/v1/track/{code}/receipt"
		path := "/api/v1/track/" + ack.TrackingCode + "/receipt"
		for _, tc := range []struct {
			name, path string
			headers    []string
			status     int
			field      string
		}{
			{"code and secret", path, []string{"X-Tracking-Secret", ack.Secret}, http.StatusOK, ""},
			{"code in lower case", strings.ToLower(path), []string{"X-Tracking-Secret", ack.Secret}, http.StatusOK, ""},
			{"wrong secret", path, []string{"X-Tracking-Secret", "wrong"}, http.StatusNotFound, ""},
			{"unknown code", "/api/v1/track/VG-0000-0000-0000/receipt", []string{"X-Tracking-Secret", ack.Secret}, http.StatusNotFound, ""},
			{"no secret", path, nil, http.StatusUnprocessableEntity, "secret"},
			{"code too long", "/api/v1/track/" + strings.Repeat("X", 41) + "/receipt", []string{"X-Tracking-Secret", ack.Secret}, http.StatusUnprocessableEntity, "code"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := e.do("", "GET", route, tc.path, nil, tc.headers...)
				if res.status != tc.status {
					t.Fatalf("status %d %s, want %d", res.status, res.body, tc.status)
				}
				if tc.field != "" {
					var eb struct{ Error struct{ Field string } }
					res.decode(t, &eb)
					if eb.Error.Field != tc.field {
						t.Errorf("field %q, want %q", eb.Error.Field, tc.field)
					}
				}
				if tc.status != http.StatusOK {
					return
				}
				var rc ledger.Receipt
				res.decode(t, &rc)
				if rc.LeafIndex != ack.Receipt.LeafIndex || rc.Entry != ack.Receipt.Entry || rc.Entry.Kind != ledger.KindStatement {
					t.Errorf("receipt of leaf %d %+v; the submission's was leaf %d %+v", rc.LeafIndex, rc.Entry, ack.Receipt.LeafIndex, ack.Receipt.Entry)
				}
				if _, err := rc.Verify(rc.VerifierKey); err != nil {
					t.Errorf("the receipt does not verify: %v", err)
				}
				if h := res.header.Get("Cache-Control"); h != "no-store" {
					t.Errorf("Cache-Control %q, want no-store", h)
				}
			})
		}
	})
}
