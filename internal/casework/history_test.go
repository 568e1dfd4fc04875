package casework_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestHistory reads a case's history on both engines: its own changes
// and the reveals of its reports, newest first, reasons opened, for the
// organisation's staff; a partner it is referred to is refused, anyone
// else told it is not found.
func TestHistory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		coord := e.actors["coordinator@hotline"]
		rid := e.report(t, "intake@hotline", false)
		c, err := e.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{rid}, Title: "Bavet compound"})
		if err != nil {
			t.Fatal(err)
		}
		c, err = e.cw.Update(ctx, coord, c.ID, c.Version, &casework.Patch{Status: ptr(casework.StatusTriaged)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.cw.Refer(ctx, coord, c.ID, &casework.ReferralIn{ToOrgID: e.orgs["police"], Shared: []string{"places"}}); err != nil {
			t.Fatal(err)
		}
		const why = "The family asked us to call the embassy for Sokha."
		if _, err := e.in.Reveal(ctx, coord, rid, why); err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct {
			as  string
			err error
		}{
			{"coordinator@hotline", nil},
			{"investigator@hotline", nil},
			{"intake@hotline", nil},
			{"admin@hotline", store.ErrNotFound},
			{"coordinator@ngo", store.ErrNotFound},
			{"partner@police", auth.ErrForbidden},
		} {
			t.Run(tc.as, func(t *testing.T) {
				evs, err := e.cw.History(ctx, e.actors[tc.as], c.ID)
				if tc.err != nil {
					if !errors.Is(err, tc.err) || evs != nil {
						t.Fatalf("got %d events, %v; want %v", len(evs), err, tc.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var actions []string
				for _, ev := range evs {
					actions = append(actions, ev.Action)
				}
				if want := []string{"report.reveal", "case.refer", "case.update", "case.create"}; !slices.Equal(actions, want) {
					t.Errorf("actions %v, want %v (newest first)", actions, want)
				}
				if len(evs) != 4 {
					return
				}
				if evs[0].Reason != why || evs[0].ResourceID != rid || evs[0].ActorID != coord.UserID {
					t.Errorf("the reveal: %+v; want its reason opened", evs[0])
				}
				var d map[string]any
				if err := json.Unmarshal(evs[1].Detail, &d); err != nil || d["to"] != e.orgs["police"] {
					t.Errorf("the referral's detail %s (%v); want its organisation", evs[1].Detail, err)
				}
			})
		}
		if _, err := e.cw.History(ctx, coord, store.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("history of no case: %v, want not found", err)
		}
	})
}
