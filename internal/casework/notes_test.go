package casework_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

func TestNotes(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db, dsn := storetest.OpenDSN(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			coord, inv := e.actors["coordinator@hotline"], e.actors["investigator@hotline"]
			c, err := e.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{e.report(t, "intake@hotline", false)}, Title: "Bavet compound"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.cw.Refer(ctx, coord, c.ID, &casework.ReferralIn{ToOrgID: e.orgs["police"], Shared: []string{"statements", "victims"}}); err != nil {
				t.Fatal(err)
			}

			const first, second = "Mother called back: zqxnote-alpha", "Mother called back twice: zqxnote-beta"
			for _, tt := range []struct {
				name, text, field string
			}{
				{"empty", "  ", "text"},
				{"too long", string(bytes.Repeat([]byte("a"), casework.MaxNote+1)), "text"},
				{"NUL", "a\x00b", "text"},
			} {
				_, err := e.cw.AddNote(ctx, coord, c.ID, &casework.NoteIn{Text: tt.text})
				wantField(t, tt.name, err, tt.field)
			}
			n, err := e.cw.AddNote(ctx, inv, c.ID, &casework.NoteIn{Text: first})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.cw.AddNote(ctx, coord, c.ID, &casework.NoteIn{Text: "Second note"}); err != nil {
				t.Fatal(err)
			}

			// Only the author edits; an edit on a stale version is refused.
			if _, err := e.cw.EditNote(ctx, coord, c.ID, n.ID, 0, &casework.NoteIn{Text: "mine now"}); !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("another colleague edits the note: %v; want forbidden", err)
			}
			ed, err := e.cw.EditNote(ctx, inv, c.ID, n.ID, 1, &casework.NoteIn{Text: second})
			if err != nil {
				t.Fatal(err)
			}
			if ed.Version != 2 || ed.Text != second || len(ed.Versions) != 2 || ed.Versions[0].Text != first {
				t.Errorf("edited note = %+v; want version 2 with the first text kept", ed)
			}
			if _, err := e.cw.EditNote(ctx, inv, c.ID, n.ID, 1, &casework.NoteIn{Text: "late"}); !errors.Is(err, invalid.ErrPrecondition) {
				t.Errorf("an edit of version 1 after version 2: %v; want a precondition failure", err)
			}
			if _, err := e.cw.EditNote(ctx, inv, c.ID, store.NewID(), 0, &casework.NoteIn{Text: "x"}); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("edit of no such note: %v; want not found", err)
			}

			for _, tt := range []struct {
				who  string
				want error // nil: reads both notes
			}{
				{"coordinator@hotline", nil},
				{"investigator@hotline", nil},
				{"intake@hotline", nil},
				{"coordinator@ngo", store.ErrNotFound},
				{"admin@hotline", store.ErrNotFound},
			} {
				notes, err := e.cw.Notes(ctx, e.actors[tt.who], c.ID)
				if tt.want != nil {
					if !errors.Is(err, tt.want) || notes != nil {
						t.Errorf("%s reads the notes: %d, %v; want %v", tt.who, len(notes), err, tt.want)
					}
					if _, err := e.cw.AddNote(ctx, e.actors[tt.who], c.ID, &casework.NoteIn{Text: "x"}); !errors.Is(err, tt.want) {
						t.Errorf("%s adds a note: %v; want %v", tt.who, err, tt.want)
					}
					continue
				}
				if err != nil || len(notes) != 2 || notes[0].Text != second || notes[0].Versions[0].Text != first || notes[0].AuthorID != inv.UserID {
					t.Errorf("%s reads %+v, %v; want both notes, the first with its two versions", tt.who, notes, err)
				}
			}
			// A partner reads only the notes a referral shared: none here;
			// it adds none.
			partner := e.actors["partner@police"]
			if notes, err := e.cw.Notes(ctx, partner, c.ID); err != nil || len(notes) != 0 {
				t.Errorf("partner reads %d notes, %v; want none", len(notes), err)
			}
			if _, err := e.cw.AddNote(ctx, partner, c.ID, &casework.NoteIn{Text: "x"}); !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("partner adds a note: %v; want forbidden", err)
			}
			// The partner's view of the case it may read holds no note.
			pv, err := e.cw.Get(ctx, e.actors["partner@police"], c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(mustJSON(t, pv), []byte("zqxnote")) {
				t.Error("the partner's view of the case holds a note's text")
			}
			for action, want := range map[string]int{"case.note": 2, "case.note_edit": 1} {
				evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{OrgID: e.orgs["hotline"], ResourceType: "case", ResourceID: c.ID, Action: action, Limit: 10})
				if err != nil || len(evs) != want {
					t.Errorf("%s events: %d, %v; want %d", action, len(evs), err, want)
				}
				for _, ev := range evs {
					if bytes.Contains([]byte(ev.Detail), []byte("zqxnote")) {
						t.Errorf("the audit event %s holds the note's text: %s", action, ev.Detail)
					}
				}
			}
			// Sealed at rest: neither version is in the database's files.
			raw := storetest.Raw(t, engine, dsn)
			for _, w := range []string{"zqxnote-alpha", "zqxnote-beta"} {
				if bytes.Contains(raw, []byte(w)) {
					t.Errorf("%q is in the raw database", w)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
