package converse_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/converse"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

func TestCommand(t *testing.T) {
	for _, tt := range []struct{ in, cmd, args string }{
		{"/start", "/start", ""},
		{"  /SEND  ", "/send", ""},
		{"/send@VigilHotlineBot", "/send", ""},
		{"/status VG-AAAA-BBBB-CCCC  secret ", "/status", "VG-AAAA-BBBB-CCCC  secret"},
		{"hello /send", "", ""},
		{"", "", ""},
		{"/", "/", ""},
	} {
		cmd, args := converse.Command(tt.in)
		if cmd != tt.cmd || args != tt.args {
			t.Errorf("command(%q) = %q, %q; want %q, %q", tt.in, cmd, args, tt.cmd, tt.args)
		}
	}
}

func FuzzCommand(f *testing.F) {
	for _, s := range []string{"/start", "/status VG-1 s", "/send@bot", "ស្វាគមន៍", "/lang km"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmd, args := converse.Command(s)
		if cmd != "" && !strings.HasPrefix(cmd, "/") {
			t.Errorf("command %q of %q does not start with /", cmd, s)
		}
		if cmd == "" && args != "" {
			t.Errorf("arguments %q without a command in %q", args, s)
		}
	})
}

// newEngine is an engine on a fresh database with a hotline that
// receives public reports, its clock set by the returned pointer.
func newEngine(t *testing.T, db *store.DB) (*converse.Engine, *time.Time) {
	t.Helper()
	keys, err := seal.New(bytes.Repeat([]byte{3}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	in := intake.New(db, keys, nil, nil, slog.New(slog.DiscardHandler))
	in.Start()
	t.Cleanup(in.Close)
	if _, err := staff.New(db, 0).CreateOrg(context.Background(), staff.System, &staff.OrgIn{Name: "hotline", Kind: "ngo", ReceivesPublic: true}); err != nil {
		t.Fatal(err)
	}
	e, err := converse.New(db, keys, in, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	e.Now = func() time.Time { return now }
	e.DraftTTL = time.Hour
	return e, &now
}

func noFetch(context.Context, string) ([]byte, error) { panic("no file expected") }

// TestDraftExpires: a draft untouched for longer than DraftTTL is gone
// (not read, then swept).
func TestDraftExpires(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, now := newEngine(t, db)
		say := func(text string) string {
			t.Helper()
			r, err := e.Handle(ctx, "telegram", converse.Message{Chat: "42", Lang: "en", Text: text}, noFetch)
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(converse.Texts(r), "\n")
		}
		say("held in Bavet")
		*now = now.Add(2 * time.Hour)
		if got := say("/send"); !strings.Contains(got, "nothing to send") {
			t.Errorf("/send after expiry: %q", got)
		}
		if err := e.Sweep(ctx, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Read().GetChatDraft(ctx, "telegram", "x", 0); err == nil {
			t.Error("a draft is left")
		}
	})
}

// TestLanguage: the app's language, switched by /lang and kept with the
// draft; an unknown language is refused.
func TestLanguage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, _ := newEngine(t, db)
		for _, tt := range []struct{ lang, text, want string }{
			{"th-TH", "/delete", "ลบแชต"},
			{"zz", "/start", "Your safety first."},
			{"en", "/lang vi", "tiếng Việt"},
			{"en", "/cancel", "Bản nháp"},
			{"en", "/lang xx", "Choose a language"},
		} {
			r, err := e.Handle(ctx, "telegram", converse.Message{Chat: "43", Lang: tt.lang, Text: tt.text}, noFetch)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(converse.Texts(r), "\n"); !strings.Contains(got, tt.want) {
				t.Errorf("%s %q: %q, want %q", tt.lang, tt.text, got, tt.want)
			}
		}
	})
}

// TestSendLimit: a chat files at most SendsPerHour reports an hour.
func TestSendLimit(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	e, _ := newEngine(t, db)
	e.SendsPerHour = 2
	sent := 0
	for range 4 {
		for _, text := range []string{"my report", "/send"} {
			r, err := e.Handle(ctx, "telegram", converse.Message{Chat: "44", Lang: "en", Text: text}, noFetch)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(strings.Join(converse.Texts(r), ""), "VG-") {
				sent++
			}
		}
	}
	if sent != 2 {
		t.Errorf("%d reports filed, want 2", sent)
	}
}

// TestChoices: every button the engine offers, in every language, stands
// for a command of at most 64 bytes (Telegram's callback_data) that the
// engine knows; /held is asked until answered and kept with the draft;
// /review sums the draft up and offers to send or discard it.
func TestChoices(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	e, _ := newEngine(t, db)
	say := func(chat, lang, text string) []converse.Reply {
		t.Helper()
		r, err := e.Handle(ctx, "telegram", converse.Message{Chat: chat, Lang: lang, Text: text}, noFetch)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	unknown := say("50", "en", "/nonsense")[0].Text
	for _, lang := range []string{"en", "zh", "km", "th", "vi"} {
		chat := "51" + lang
		seen := map[string]bool{}
		var offered []converse.Choice
		for _, text := range []string{"/start", "/lang", "held somewhere", "/held maybe", "/held yes", "/review"} {
			for _, r := range say(chat, lang, text) {
				for _, row := range r.Choices {
					offered = append(offered, row...)
				}
			}
		}
		for _, c := range offered {
			if c.Label == "" || !strings.HasPrefix(c.Data, "/") || len(c.Data) > 64 {
				t.Errorf("%s: choice %+v", lang, c)
			}
			seen[c.Data] = true
		}
		for _, want := range []string{"/lang km", "/held yes", "/held no", "/review", "/send", "/cancel"} {
			if !seen[want] {
				t.Errorf("%s: %s never offered (%v)", lang, want, seen)
			}
		}
		for d := range seen {
			if d == "/send" || d == "/cancel" || strings.HasPrefix(d, "/lang") {
				continue
			}
			if r := say(chat, lang, d); r[0].Text == unknown {
				t.Errorf("%s: %s is not a command", lang, d)
			}
		}
	}
	// Asked while not answered, not once answered.
	if r := say("52", "en", "first"); !strings.Contains(r[0].Text, "still held") || len(r[0].Choices) != 2 {
		t.Errorf("first text: %+v", r)
	}
	say("52", "en", "/held no")
	if r := say("52", "en", "second"); strings.Contains(r[0].Text, "still held") || len(r[0].Choices) != 1 {
		t.Errorf("after the answer: %+v", r)
	}
	r := say("52", "en", "/review")
	if !strings.Contains(r[0].Text, "2 messages, 0 files. Still held: no.") || !strings.Contains(r[0].Text, "«first»") {
		t.Errorf("review: %q", r[0].Text)
	}
	if r := say("53", "en", "/review"); !strings.Contains(r[0].Text, "nothing to send") || len(r[0].Choices) != 0 {
		t.Errorf("review of nothing: %+v", r)
	}
}
