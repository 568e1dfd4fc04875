package zone_test

import (
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/zone"
)

func TestResolve(t *testing.T) {
	for _, c := range []struct {
		own, org, country, want string
	}{
		{"Asia/Tokyo", "Asia/Bangkok", "KH", "Asia/Tokyo"},
		{"", "Asia/Bangkok", "KH", "Asia/Bangkok"},
		{"", "", "kh", "Asia/Phnom_Penh"},
		{"", "", "MM", "Asia/Yangon"},
		{"", "", "", "UTC"},
		{"", "", "ZZ", "UTC"},
		{"Not/AZone", "", "VN", "Asia/Ho_Chi_Minh"},
	} {
		if got := zone.Resolve(c.own, c.org, c.country).String(); got != c.want {
			t.Errorf("Resolve(%q, %q, %q) = %s, want %s", c.own, c.org, c.country, got, c.want)
		}
	}
}

func TestCheck(t *testing.T) {
	for name, ok := range map[string]bool{
		"Asia/Phnom_Penh": true, "UTC": true, "Europe/London": true,
		"": false, "Local": false, "Asia/Atlantis": false, "../../etc/passwd": false, "+07:00": false,
	} {
		if err := zone.Check(name); (err == nil) != ok {
			t.Errorf("Check(%q) = %v, want ok %v", name, err, ok)
		}
	}
}

func TestAbbrev(t *testing.T) {
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	for name, want := range map[string]string{
		"Asia/Phnom_Penh": "UTC+7", "Asia/Kolkata": "IST", "Asia/Kathmandu": "UTC+5:45",
		"Europe/London": "BST", "UTC": "UTC", "America/New_York": "EDT",
	} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := zone.Abbrev(at.In(loc)); got != want {
			t.Errorf("Abbrev in %s = %s, want %s", name, got, want)
		}
	}
}

func TestMidnight(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Phnom_Penh")
	// 20:00 UTC on 5 December is 03:00 on 6 December in Phnom Penh.
	got := zone.Midnight(time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC), loc)
	if want := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Midnight = %s, want %s", got.UTC(), want)
	}
}

// FuzzCheck: any text is refused or accepted, never a panic, and an
// accepted one loads.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"Asia/Bangkok", "", "UTC", "../x", "Etc/GMT+7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if zone.Check(s) == nil {
			if _, err := time.LoadLocation(s); err != nil {
				t.Errorf("Check(%q) accepted a zone that does not load: %v", s, err)
			}
		}
	})
}
