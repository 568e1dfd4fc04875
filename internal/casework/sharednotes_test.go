package casework_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestReferralSharesNotes refers a case sharing one of its two notes: the
// partner reads that note at the version shared (not a later edit), without
// its author, and nothing else; a note of another case names its field.
func TestReferralSharesNotes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		coord := e.actors["coordinator@hotline"]
		c, err := e.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{e.report(t, "intake@hotline", false)}, Title: "Bavet"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{e.report(t, "intake@hotline", false)}, Title: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		shared, err := e.cw.AddNote(ctx, coord, c.ID, &casework.NoteIn{Text: "The embassy may know the mother."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.cw.AddNote(ctx, coord, c.ID, &casework.NoteIn{Text: "Internal: doubts about the source."}); err != nil {
			t.Fatal(err)
		}
		elsewhere, err := e.cw.AddNote(ctx, coord, other.ID, &casework.NoteIn{Text: "x"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.cw.Refer(ctx, coord, c.ID, &casework.ReferralIn{ToOrgID: e.orgs["police"], Shared: []string{"places"}, NoteIDs: []string{shared.ID, elsewhere.ID}})
		wantField(t, "a note of another case", err, "note_ids[1]")
		if _, err := e.cw.Refer(ctx, coord, c.ID, &casework.ReferralIn{ToOrgID: e.orgs["police"], Shared: []string{"places"}, NoteIDs: []string{shared.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.cw.EditNote(ctx, coord, c.ID, shared.ID, 1, &casework.NoteIn{Text: "Edited after the referral."}); err != nil {
			t.Fatal(err)
		}
		notes, err := e.cw.Notes(ctx, e.actors["partner@police"], c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || notes[0].ID != shared.ID || notes[0].Text != "The embassy may know the mother." || notes[0].AuthorID != "" || len(notes[0].Versions) != 1 {
			t.Errorf("partner reads %+v; want the shared note at version 1 alone, without its author", notes)
		}
		if _, err := e.cw.Notes(ctx, e.actors["partner@police"], other.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("partner reads the notes of a case not referred: %v; want not found", err)
		}
	})
}
