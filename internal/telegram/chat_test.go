package telegram_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestStaffAnswerThroughTheBot: staff write to the reporter of a report
// filed through Telegram; nothing reaches the chat until it writes, and
// then the staff's messages come first; /reply and /status need no code
// and secret in that chat; erasing the report, or /delete, forgets the
// chat; the database holds neither the chat ID nor the user ID.
func TestStaffAnswerThroughTheBot(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db, dsn := storetest.OpenDSN(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			const chat = 5829174630
			// say sends text and returns the n answers it got.
			say := func(text string, n int) []string {
				t.Helper()
				before := len(e.api.waitSent(t, chat, 0))
				e.api.text(chat, "en", text)
				return e.api.waitSent(t, chat, before+n)[before:]
			}
			say("My sister is held in a compound in Shwe Kokko.", 1)
			code, secret := receipt(t, say("/send", 2)[0])
			r, err := db.Read().GetReportByTrackingCode(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.in.WriteToReporter(ctx, e.coord, r.ID, &intake.MessageIn{Text: "Can she reach a phone safely?"}); err != nil {
				t.Fatal(err)
			}
			if n := len(e.api.waitSent(t, chat, 0)); n != 3 {
				t.Errorf("%d messages sent to the chat, want none pushed after the receipt", n)
			}
			got := say("hi", 2)
			if got[0] != "A caseworker wrote: Can she reach a phone safely?" || !strings.Contains(got[1], "Added to your draft") {
				t.Errorf("hi: %q", got)
			}
			say("/cancel", 1)
			if got := say("/reply She can, at night.", 1); got[0] != "Your message was sent to the caseworker." {
				t.Errorf("/reply: %q", got)
			}
			ms, err := e.in.Messages(ctx, e.coord, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 2 || ms[1].FromStaff || ms[1].Text != "She can, at night." || ms[1].StatementID == "" {
				t.Errorf("conversation = %+v", ms)
			}
			rv, err := e.in.Get(ctx, e.coord, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(rv.Statements) != 2 || rv.Statements[1].Versions[0].Text != "She can, at night." {
				t.Errorf("statements = %+v, want the narrative and the reply", rv.Statements)
			}
			if _, err := e.in.WriteToReporter(ctx, e.coord, r.ID, &intake.MessageIn{Text: "Thank you; we call tomorrow."}); err != nil {
				t.Fatal(err)
			}
			got = say("/status", 2)
			if !strings.HasPrefix(got[0], "Status: received") || !strings.Contains(got[1], "Thank you; we call tomorrow.") {
				t.Errorf("/status: %q", got)
			}
			if !e.api.allProtected() {
				t.Error("a reply was sent without protect_content")
			}

			raw := storetest.Raw(t, engine, dsn)
			if bytes.Contains(raw, []byte(strconv.Itoa(chat))) {
				t.Error("the chat ID is in the database")
			}

			// A second report; erasing it forgets its link, the first
			// is still the chat's.
			say("A second report.", 1)
			code2, _ := receipt(t, say("/send", 2)[0])
			r2, err := db.Read().GetReportByTrackingCode(ctx, code2)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.in.Erase(ctx, e.coord, r2.ID, "asked by the reporter"); err != nil {
				t.Fatal(err)
			}
			if got := say("/status", 2); !strings.HasPrefix(got[0], "Status: received") || got[1] != "No new messages." {
				t.Errorf("/status after the erasure: %q", got)
			}

			// /delete: the chat is forgotten; only CODE SECRET reads.
			if _, err := e.in.WriteToReporter(ctx, e.coord, r.ID, &intake.MessageIn{Text: "Are you there?"}); err != nil {
				t.Fatal(err)
			}
			if got := say("/delete", 2); !strings.Contains(got[0], "Delete chat") || !strings.Contains(got[1], "forgotten") {
				t.Errorf("/delete: %q", got)
			}
			if got := say("hi", 1); strings.Contains(got[0], "caseworker") {
				t.Errorf("hi after /delete: %q", got)
			}
			if got := say("/status", 1); !strings.Contains(got[0], "tracking code and secret") {
				t.Errorf("/status after /delete: %q", got)
			}
			if got := say("/status "+code+" "+secret, 2); !strings.Contains(got[1], "Are you there?") {
				t.Errorf("/status CODE SECRET after /delete: %q", got)
			}
		})
	}
}
