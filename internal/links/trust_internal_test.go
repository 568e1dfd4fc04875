package links

import (
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/store"
)

// TestAssess: which unverified reports are independent enough to show,
// and which bursts are held.
func TestAssess(t *testing.T) {
	day := int64(24 * time.Hour / time.Microsecond)
	hour := int64(time.Hour / time.Microsecond)
	t0 := 1000 * day
	anon := func(at int64, channel string) *store.ReportSignal {
		return &store.ReportSignal{ReceivedAt: at, Channel: channel, Language: "en"}
	}
	staffed := func(at int64, by string) *store.ReportSignal {
		return &store.ReportSignal{ReceivedAt: at, Channel: "phone", Language: "km", CreatedBy: by}
	}
	verified := func(r *store.ReportSignal) *store.ReportSignal { r.Verified = true; return r }
	for _, tc := range []struct {
		name     string
		rs       []*store.ReportSignal
		verified int
		sources  int
		shown    bool
		held     bool
	}{
		{"none", nil, 0, 0, false, false},
		{"two anonymous on two days: too few", []*store.ReportSignal{anon(t0, "web"), anon(t0+3*day, "web")}, 0, 2, false, false},
		{"three anonymous in an hour: a held burst", []*store.ReportSignal{anon(t0, "web"), anon(t0+hour/2, "web"), anon(t0+hour, "web")}, 0, 1, false, true},
		{"three anonymous in a day, two channels: still a burst", []*store.ReportSignal{anon(t0, "web"), anon(t0+5*hour, "api"), anon(t0+20*hour, "web")}, 0, 3, false, true},
		{"three anonymous on three days", []*store.ReportSignal{anon(t0, "web"), anon(t0+2*day, "web"), anon(t0+5*day, "web")}, 0, 3, true, false},
		{"five anonymous sources over weeks: many", []*store.ReportSignal{anon(t0, "web"), anon(t0+2*day, "web"), anon(t0+5*day, "web"), anon(t0+9*day, "api"), anon(t0+20*day, "web")}, 0, 5, true, false},
		{"a flood in one sitting, then one more: two sources, but a burst", []*store.ReportSignal{anon(t0, "web"), anon(t0+10, "web"), anon(t0+20, "web"), anon(t0+3*day, "web")}, 0, 2, false, true},
		{"a burst beside a verified report is not held", []*store.ReportSignal{verified(anon(t0-10*day, "web")), anon(t0, "web"), anon(t0+hour/2, "web"), anon(t0+2*day, "web")}, 1, 2, true, false},
		{"staff-entered reports by two people on one day, one channel", []*store.ReportSignal{staffed(t0, "u1"), staffed(t0+10, "u2"), staffed(t0+20, "u1")}, 0, 2, false, false},
		{"staff-entered reports on two days", []*store.ReportSignal{staffed(t0, "u1"), staffed(t0+10, "u2"), staffed(t0+day+10, "u1")}, 0, 3, true, false},
		{"verified only", []*store.ReportSignal{verified(anon(t0, "web")), verified(anon(t0+10, "web")), verified(anon(t0+20, "web"))}, 3, 0, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := assess(tc.rs)
			if got.verified != tc.verified || got.sources != tc.sources || got.shown != tc.shown || got.held != tc.held {
				t.Errorf("assess = verified %d, sources %d, shown %v, held %v; want %d, %d, %v, %v",
					got.verified, got.sources, got.shown, got.held, tc.verified, tc.sources, tc.shown, tc.held)
			}
		})
	}
}
