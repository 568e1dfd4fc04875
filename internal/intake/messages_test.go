package intake_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestConversation: staff write to a report's reporter, who reads with the
// tracking code and secret and answers; the answer is a statement of the
// report, counts as an unread reply until staff open the conversation,
// and notifies the staff member who wrote.
func TestConversation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		ack := e.submit(t, "", &intake.Submission{Language: "km", Narrative: "My brother is held in a compound."})
		inv := e.actors["investigator@hotline"]

		m, err := e.in.WriteToReporter(ctx, inv, ack.ID, &intake.MessageIn{Text: "Is he still held? Which building?"})
		if err != nil {
			t.Fatal(err)
		}
		if !m.FromStaff || m.Language != "km" {
			t.Errorf("staff message = %+v, want from staff, in the report's language km", m)
		}

		got, err := e.in.Conversation(ctx, ack.TrackingCode, ack.Secret, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Text != "Is he still held? Which building?" || got[0].AuthorID != "" {
			t.Fatalf("reporter's new messages = %+v, want the staff question without its author", got)
		}
		if again, _ := e.in.Conversation(ctx, ack.TrackingCode, ack.Secret, true); len(again) != 0 {
			t.Errorf("new messages after reading = %d, want 0", len(again))
		}

		reply, err := e.in.Reply(ctx, ack.TrackingCode, ack.Secret, &intake.MessageIn{Text: "Still held, building C."})
		if err != nil {
			t.Fatal(err)
		}
		unread, err := e.in.UnreadReplies(ctx, inv, []string{ack.ID})
		if err != nil {
			t.Fatal(err)
		}
		if unread[ack.ID] != 1 {
			t.Errorf("unread replies = %v, want 1", unread)
		}
		rv, err := e.in.Get(ctx, inv, ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(rv.Statements); n != 2 || rv.Statements[1].Versions[0].Text != "Still held, building C." || rv.Statements[1].Kind != intake.KindTestimony {
			t.Errorf("statements = %d (%+v), want the reply as a second testimony", n, rv.Statements)
		}
		ns, err := notify.New(db).List(ctx, inv, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 1 || ns[0].Kind != notify.ReporterReplied || ns[0].ObjectID != ack.ID {
			t.Errorf("notifications = %+v, want one %s of the report", ns, notify.ReporterReplied)
		}

		all, err := e.in.Messages(ctx, inv, ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[1].ID != reply.ID || all[1].FromStaff || all[1].StatementID != rv.Statements[1].ID || !all[0].Read {
			t.Errorf("staff view = %+v, want question (read) then reply naming its statement", all)
		}
		if unread, _ := e.in.UnreadReplies(ctx, inv, []string{ack.ID}); unread[ack.ID] != 0 {
			t.Errorf("unread after staff read = %v, want none", unread)
		}
	})
}

// TestConversationRefusals: who may not read or write, and bad input.
func TestConversationRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		ack := e.submit(t, "", &intake.Submission{Language: "en", Narrative: "Held in Sihanoukville."})
		for _, tt := range []struct {
			as   string
			want error
		}{
			{"coordinator@ngo", store.ErrNotFound},
			{"admin@hotline", store.ErrNotFound},
			{"partner@police", store.ErrNotFound},
		} {
			if _, err := e.in.WriteToReporter(ctx, e.actors[tt.as], ack.ID, &intake.MessageIn{Text: "hello"}); !errors.Is(err, tt.want) {
				t.Errorf("%s writes: %v, want %v", tt.as, err, tt.want)
			}
			if _, err := e.in.Messages(ctx, e.actors[tt.as], ack.ID); !errors.Is(err, tt.want) {
				t.Errorf("%s reads: %v, want %v", tt.as, err, tt.want)
			}
		}
		if _, err := e.in.WriteToReporter(ctx, e.actors["intake@hotline"], ack.ID, &intake.MessageIn{Text: "  "}); answer.Of(err).Field != "text" {
			t.Errorf("empty message: %v, want a refusal naming text", err)
		}
		if _, err := e.in.Reply(ctx, ack.TrackingCode, "wrong secret", &intake.MessageIn{Text: "hi"}); !errors.Is(err, intake.ErrNoSuchReport) {
			t.Errorf("wrong secret: %v, want ErrNoSuchReport", err)
		}
		if _, err := e.in.Conversation(ctx, "VG-0000-0000-0000", ack.Secret, false); !errors.Is(err, intake.ErrNoSuchReport) {
			t.Errorf("wrong code: %v, want ErrNoSuchReport", err)
		}
		if _, err := e.in.Reply(ctx, ack.TrackingCode, ack.Secret, &intake.MessageIn{Text: "hi", Language: "not a tag!"}); answer.Of(err).Field != "language" {
			t.Errorf("bad language: %v, want a refusal naming language", err)
		}
		if _, err := e.in.Reply(ctx, ack.TrackingCode, ack.Secret, &intake.MessageIn{Text: "a reply"}); err != nil {
			t.Fatal(err)
		}
		for as, want := range map[string]int{"coordinator@ngo": 0, "admin@hotline": 0, "intake@hotline": 1} {
			if got, err := e.in.UnreadReplies(ctx, e.actors[as], []string{ack.ID}); err != nil || got[ack.ID] != want {
				t.Errorf("%s counts %v unread replies (%v), want %d", as, got, err, want)
			}
		}
		if !auth.Can(e.actors["intake@hotline"], auth.WriteReporter, auth.Resource{OrgID: e.orgs["hotline"]}) {
			t.Error("intake staff may not write to their own organisation's reporter")
		}
	})
}

// TestRepliesCappedPerReport: whoever holds a report's code and secret
// cannot fill the ledger with its statements: past MaxRepliesPerDay in 24
// hours a reply is refused (429, naming text) and stores nothing, while
// another report's reporter still writes.
func TestRepliesCappedPerReport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		ack := e.submit(t, "", &intake.Submission{Language: "en", Narrative: "Held in Sihanoukville."})
		other := e.submit(t, "", &intake.Submission{Language: "en", Narrative: "Held in Poipet."})
		for i := 0; i < intake.MaxRepliesPerDay; i++ {
			if _, err := e.in.Reply(ctx, ack.TrackingCode, ack.Secret, &intake.MessageIn{Text: "again"}); err != nil {
				t.Fatalf("reply %d: %v", i+1, err)
			}
		}
		_, err := e.in.Reply(ctx, ack.TrackingCode, ack.Secret, &intake.MessageIn{Text: "one too many"})
		if a := answer.Of(err); a.Status != 429 || a.Field != "text" {
			t.Errorf("reply past the cap: %v (%d, field %q), want 429 naming text", err, a.Status, a.Field)
		}
		ms, err := e.in.Messages(ctx, e.actors["investigator@hotline"], ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != intake.MaxRepliesPerDay {
			t.Errorf("messages stored = %d, want %d (the refused one stores nothing)", len(ms), intake.MaxRepliesPerDay)
		}
		if _, err := e.in.Reply(ctx, other.TrackingCode, other.Secret, &intake.MessageIn{Text: "hello"}); err != nil {
			t.Errorf("another report's reporter is refused: %v", err)
		}
	})
}
