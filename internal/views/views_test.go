package views_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
	"github.com/vigil-project/vigil/internal/views"
)

// TestViews saves, lists and deletes views as their owners and as others:
// each sees only its own, bad input names its field, and a name saved
// again takes the new filters.
func TestViews(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := staff.New(db, 0)
		org, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "hotline", Kind: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		actors := map[string]auth.Actor{}
		for _, role := range []auth.Role{auth.Coordinator, auth.Investigator, auth.Admin} {
			u, err := st.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: string(role) + "@h.test", Name: "x", Role: string(role), Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			actors[string(role)] = auth.Actor{UserID: u.ID, OrgID: org.ID, Role: role}
		}
		svc := views.New(db)
		coord, inv := actors["coordinator"], actors["investigator"]
		v, err := svc.Save(ctx, coord, &views.In{List: views.Triage, Name: " Held, Khmer ", Query: "?urgent=1&language=km&after=01a2&lang=km&place="})
		if err != nil {
			t.Fatal(err)
		}
		if v.Name != "Held, Khmer" || v.Query != "language=km&urgent=1" {
			t.Errorf("saved %+v; want the name trimmed and the filters alone, in order", v)
		}
		again, err := svc.Save(ctx, coord, &views.In{List: views.Triage, Name: "Held, Khmer", Query: "urgent=1"})
		if err != nil || again.ID != v.ID || again.Query != "urgent=1" {
			t.Errorf("saved again: %+v, %v; want the same view with the new filters", again, err)
		}
		if _, err := svc.Save(ctx, coord, &views.In{List: views.Cases, Name: "Overdue", Query: "overdue=1"}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name  string
			as    auth.Actor
			in    views.In
			field string
			err   error
		}{
			{"no name", coord, views.In{List: views.Triage, Name: "  "}, "name", nil},
			{"a long name", coord, views.In{List: views.Triage, Name: string(make([]rune, 101))}, "name", nil},
			{"a name over 100 letters", coord, views.In{List: views.Triage, Name: strings.Repeat("ក", 101)}, "name", nil},
			{"a name on two lines", coord, views.In{List: views.Triage, Name: "urgent\nheld"}, "name", nil},
			{"an escape in a name", coord, views.In{List: views.Triage, Name: "urgent\x1b[31m"}, "name", nil},
			{"no such list", coord, views.In{List: "audit", Name: "x"}, "list", nil},
			{"a bad filter", coord, views.In{List: views.Triage, Name: "x", Query: "status=eaten"}, "query", nil},
			{"a bad case status", coord, views.In{List: views.Cases, Name: "x", Query: "status=nope"}, "query", nil},
			{"an admin lists no reports", actors["admin"], views.In{List: views.Triage, Name: "x"}, "", auth.ErrForbidden},
		} {
			_, err := svc.Save(ctx, tt.as, &tt.in)
			if tt.field != "" {
				if fe, ok := invalid.As(err); !ok || fe.Field != tt.field {
					t.Errorf("%s: %v; want an error naming %q", tt.name, err, tt.field)
				}
				continue
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: %v; want %v", tt.name, err, tt.err)
			}
		}
		mine, err := svc.List(ctx, coord, "")
		if err != nil || len(mine) != 2 {
			t.Errorf("coordinator lists %+v, %v; want its two views", mine, err)
		}
		if theirs, err := svc.List(ctx, inv, views.Triage); err != nil || len(theirs) != 0 {
			t.Errorf("investigator lists %+v, %v; want none of the coordinator's", theirs, err)
		}
		if err := svc.Delete(ctx, inv, v.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another account deletes the view: %v; want not found", err)
		}
		if err := svc.Delete(ctx, coord, v.ID); err != nil {
			t.Fatal(err)
		}
		if left, _ := svc.List(ctx, coord, views.Triage); len(left) != 0 {
			t.Errorf("after the delete: %+v", left)
		}
	})
}
