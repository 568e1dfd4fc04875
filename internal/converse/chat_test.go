package converse_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/converse"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// chatEnv is an engine with its intake service and a coordinator of the
// hotline that receives public reports.
type chatEnv struct {
	db    *store.DB
	e     *converse.Engine
	in    *intake.Service
	coord auth.Actor
}

func newChatEnv(t *testing.T, db *store.DB) *chatEnv { return newChatEnvTB(t, db) }

func newChatEnvTB(t testing.TB, db *store.DB) *chatEnv {
	t.Helper()
	ctx := context.Background()
	keys, err := seal.New(bytes.Repeat([]byte{4}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	in := intake.New(db, keys, nil, nil, slog.New(slog.DiscardHandler))
	in.Start()
	t.Cleanup(in.Close)
	st := staff.New(db, 0)
	org, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "hotline", Kind: "ngo", ReceivesPublic: true})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: "c@hotline.test", Name: "C", Role: "coordinator", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := converse.New(db, keys, in, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	// A still clock (the day a report was filed is in the answers), and a
	// budget the tests do not exhaust.
	now := time.Now()
	e.Now = func() time.Time { return now }
	e.PerMinute, e.SendsPerHour = 1000, 100
	return &chatEnv{db: db, e: e, in: in, coord: auth.Actor{UserID: u.ID, OrgID: org.ID, Role: auth.Coordinator}}
}

// say sends text from chat and returns the answers.
func (c *chatEnv) say(t *testing.T, chat, lang, text string) []string {
	t.Helper()
	r, err := c.e.Handle(context.Background(), "telegram", converse.Message{Chat: chat, Lang: lang, Text: text}, noFetch)
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return converse.Texts(r)
}

var receiptRE = regexp.MustCompile(`(VG-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\n[^\n]*?([a-z2-7]{32})\n`)

// file files a report from chat and returns its ID, code and secret.
func (c *chatEnv) file(t *testing.T, chat, text string) (id, code, secret string) {
	t.Helper()
	c.say(t, chat, "en", text)
	got := c.say(t, chat, "en", "/send")
	m := receiptRE.FindStringSubmatch(got[0])
	if m == nil {
		t.Fatalf("no receipt in %q", got)
	}
	r, err := c.db.Read().GetReportByTrackingCode(context.Background(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	return r.ID, m[1], m[2]
}

func (c *chatEnv) write(t *testing.T, reportID, text string) {
	t.Helper()
	if _, err := c.in.WriteToReporter(context.Background(), c.coord, reportID, &intake.MessageIn{Text: text}); err != nil {
		t.Fatal(err)
	}
}

// TestChatConversation: the chat that filed a report is given the staff's
// unread messages first when it writes again, whatever it writes, once;
// /reply and /status need no code and secret there; /delete forgets the
// chat's reports, so does erasing a report; another chat gets nothing;
// the database holds no chat ID.
func TestChatConversation(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db, dsn := storetest.OpenDSN(t, engine)
			ctx := context.Background()
			c := newChatEnv(t, db)
			const chat, other = "731094211", "731094212"
			id, code, secret := c.file(t, chat, "My brother is held in a compound in Bavet.")
			if got := c.say(t, chat, "en", "hi"); len(got) != 1 || strings.Contains(got[0], "caseworker") {
				t.Errorf("nothing from the staff yet: %q", got)
			}
			c.say(t, chat, "en", "/cancel")

			// Staff write; nothing is sent until the chat writes.
			c.write(t, id, "Is he able to call you?")
			c.write(t, id, "Which building?")
			got := c.say(t, chat, "en", "hi")
			if len(got) != 3 || got[0] != "A caseworker wrote: Is he able to call you?" || got[1] != "A caseworker wrote: Which building?" || !strings.Contains(got[2], "Added to your draft") {
				t.Errorf("hi after two staff messages: %q", got)
			}
			if got := c.say(t, other, "en", "hi"); strings.Contains(strings.Join(got, "\n"), "caseworker wrote") {
				t.Errorf("another chat was given the messages: %q", got)
			}
			if got := c.say(t, chat, "en", "hello again"); strings.Contains(strings.Join(got, "\n"), "caseworker wrote") {
				t.Errorf("the messages were given twice: %q", got)
			}
			c.say(t, chat, "en", "/cancel")

			// /reply TEXT: a statement of the report and a reporter's
			// message; the staff's unread reply.
			c.write(t, id, "Are you safe to talk?")
			got = c.say(t, chat, "en", "/reply Yes, he calls at night. Building C.")
			if len(got) != 2 || got[0] != "A caseworker wrote: Are you safe to talk?" || got[1] != "Your message was sent to the caseworker." {
				t.Errorf("/reply: %q", got)
			}
			if got := c.say(t, chat, "en", "/reply"); len(got) != 1 || !strings.Contains(got[0], "/reply He is still held") {
				t.Errorf("/reply alone: %q", got)
			}
			// The old form without its text is its usage, never a
			// statement holding the secret.
			if got := c.say(t, chat, "en", "/reply "+strings.ToLower(code)+" "+secret); len(got) != 1 || !strings.Contains(got[0], "VG-XXXX") {
				t.Errorf("/reply CODE SECRET without text: %q", got)
			}
			ms, err := c.in.Messages(ctx, c.coord, id)
			if err != nil {
				t.Fatal(err)
			}
			last := ms[len(ms)-1]
			if len(ms) != 4 || last.FromStaff || last.Text != "Yes, he calls at night. Building C." || last.StatementID == "" || !ms[0].Read {
				t.Errorf("conversation = %+v", ms)
			}
			rv, err := c.in.Get(ctx, c.coord, id)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(rv.Statements); n != 2 || rv.Statements[1].Versions[0].Text != "Yes, he calls at night. Building C." {
				t.Errorf("statements = %+v, want the narrative and the reply", rv.Statements)
			}

			// /status without a code: the status and the new messages.
			c.write(t, id, "We are contacting the embassy.")
			got = c.say(t, chat, "en", "/status")
			if len(got) != 2 || !strings.HasPrefix(got[0], "Status: received") || !strings.Contains(got[1], "We are contacting the embassy.") {
				t.Errorf("/status: %q", got)
			}
			if got := c.say(t, chat, "en", "/status"); len(got) != 2 || got[1] != "No new messages." {
				t.Errorf("second /status: %q", got)
			}
			// The old forms still work.
			if got := c.say(t, chat, "en", "/status "+code+" "+secret); len(got) != 2 || !strings.HasPrefix(got[0], "Status: received") {
				t.Errorf("/status CODE SECRET: %q", got)
			}
			if got := c.say(t, chat, "en", "/reply "+code+" "+secret+" Thank you."); len(got) != 1 || got[0] != "Your message was sent to the caseworker." {
				t.Errorf("/reply CODE SECRET: %q", got)
			}

			// A second report from the chat: /reply answers the newest,
			// messages name the report by its date.
			id2, _, _ := c.file(t, chat, "A second report: my cousin too.")
			c.write(t, id, "About the first.")
			c.write(t, id2, "About the second.")
			got = c.say(t, chat, "en", "/reply For the second report.")
			day := c.e.Now().UTC().Format("2006-01-02")
			if len(got) != 3 || got[0] != "A caseworker wrote about your report of "+day+": About the first." || got[1] != "A caseworker wrote about your report of "+day+": About the second." {
				t.Errorf("two reports: %q", got)
			}
			ms2, err := c.in.Messages(ctx, c.coord, id2)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms2) != 2 || ms2[1].Text != "For the second report." {
				t.Errorf("the newest report's conversation = %+v", ms2)
			}
			if got := c.say(t, chat, "en", "/status"); len(got) != 3 || !strings.HasPrefix(got[0], "Your report of "+day+" — status: received") {
				t.Errorf("/status of two reports: %q", got)
			}

			// The database knows no chat ID, only its blind index.
			raw := storetest.Raw(t, engine, dsn)
			for _, s := range []string{chat, other} {
				if bytes.Contains(raw, []byte(s)) {
					t.Errorf("the chat ID %s is in the database", s)
				}
			}
			links, err := db.Read().ListChatReports(ctx, "telegram", c.e.ChatIndex("telegram", chat))
			if err != nil || len(links) != 2 || links[0].ReportID != id2 {
				t.Errorf("links = %+v %v, want the two reports, newest first", links, err)
			}

			// Erasing a report forgets its chat link, in the erasure.
			if err := c.in.Erase(ctx, c.coord, id2, "the reporter asked"); err != nil {
				t.Fatal(err)
			}
			if links, _ := db.Read().ListChatReports(ctx, "telegram", c.e.ChatIndex("telegram", chat)); len(links) != 1 || links[0].ReportID != id {
				t.Errorf("after the erasure: %+v", links)
			}
			c.write(t, id, "Still there?")
			if got := c.say(t, chat, "en", "/reply Yes."); len(got) != 2 || got[0] != "A caseworker wrote: Still there?" {
				t.Errorf("after the erasure: %q", got)
			}
			if ms, _ := c.in.Messages(ctx, c.coord, id); ms[len(ms)-1].Text != "Yes." {
				t.Errorf("/reply after the erasure went to %+v", ms[len(ms)-1])
			}

			// /delete forgets the chat's reports: nothing is delivered any
			// more, only CODE SECRET works.
			c.write(t, id, "Unread after delete.")
			got = c.say(t, chat, "en", "/delete")
			if len(got) != 2 || !strings.Contains(got[0], "Delete chat") || !strings.Contains(got[1], "forgotten") {
				t.Errorf("/delete: %q", got)
			}
			if links, _ := db.Read().ListChatReports(ctx, "telegram", c.e.ChatIndex("telegram", chat)); len(links) != 0 {
				t.Errorf("links after /delete: %+v", links)
			}
			if got := c.say(t, chat, "en", "hi"); strings.Contains(strings.Join(got, "\n"), "caseworker wrote") {
				t.Errorf("delivered after /delete: %q", got)
			}
			if got := c.say(t, chat, "en", "/status"); len(got) != 1 || !strings.Contains(got[0], "tracking code and secret") {
				t.Errorf("/status after /delete: %q", got)
			}
			if got := c.say(t, chat, "en", "/reply hello"); len(got) != 1 || !strings.Contains(got[0], "VG-XXXX") {
				t.Errorf("/reply after /delete: %q", got)
			}
			if got := c.say(t, chat, "en", "/status "+code+" "+secret); len(got) != 2 || !strings.Contains(got[1], "Unread after delete.") {
				t.Errorf("/status CODE SECRET after /delete: %q", got)
			}
			if got := c.say(t, chat, "en", "/delete"); len(got) != 1 {
				t.Errorf("/delete with nothing to forget: %q", got)
			}
		})
	}
}

// TestChatReplyCap: a chat's /reply keeps Reply's cap per report.
func TestChatReplyCap(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	c := newChatEnv(t, db)
	const chat = "99"
	c.file(t, chat, "held in Myawaddy")
	for i := range intake.MaxRepliesPerDay {
		if got := c.say(t, chat, "en", "/reply message"); got[0] != "Your message was sent to the caseworker." {
			t.Fatalf("reply %d: %q", i+1, got)
		}
	}
	if got := c.say(t, chat, "en", "/reply one too many"); len(got) != 1 || !strings.Contains(got[0], "wait before writing again") {
		t.Errorf("past the cap: %q", got)
	}
}

// TestChatTexts: every language has the new texts (the engine falls back
// to English silently, so a missing one would not show).
func TestChatTexts(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	c := newChatEnv(t, db)
	for _, lang := range []string{"zh", "km", "th", "vi"} {
		chat := "chat-" + lang
		id, _, _ := c.file(t, chat, "held")
		c.write(t, id, "question")
		for _, tt := range []struct{ text, en string }{
			{"hi", "A caseworker wrote: question"},
			{"/reply", "Send /reply followed by your message"},
			{"/delete", "This bot has forgotten"},
		} {
			got := c.say(t, chat, lang, tt.text)
			if len(got) == 0 || strings.Contains(strings.Join(got, "\n"), tt.en) {
				t.Errorf("%s %q: %q, want it in %s", lang, tt.text, got, lang)
			}
		}
	}
}

// BenchmarkHandleLinked: what the look-up of a chat's reports adds to
// every message (/review, which writes nothing), on SQLite: a chat that
// filed three reports against one that filed none.
func BenchmarkHandleLinked(b *testing.B) {
	for _, linked := range []bool{false, true} {
		name := "unlinked"
		if linked {
			name = "linked"
		}
		b.Run(name, func(b *testing.B) {
			db := storetest.Open(b, store.SQLite)
			c := newChatEnvTB(b, db)
			c.e.PerMinute = 1 << 30
			ctx := context.Background()
			if linked {
				for range 3 {
					for _, text := range []string{"held", "/send"} {
						if _, err := c.e.Handle(ctx, "telegram", converse.Message{Chat: "b", Lang: "en", Text: text}, noFetch); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			b.ResetTimer()
			for range b.N {
				if _, err := c.e.Handle(ctx, "telegram", converse.Message{Chat: "b", Lang: "en", Text: "/review"}, noFetch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
