package staff_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestSetup: the first-run setup creates the first organisation and its
// admin once; of several at the same moment exactly one succeeds; a bad
// field is named and changes nothing; once an account exists it is closed.
func TestSetup(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := staff.New(db, 0)
		in := func(email string) *staff.SetupIn {
			return &staff.SetupIn{
				Org:   staff.OrgIn{Name: "Hotline " + email, Kind: "hotline", Country: "kh", ReceivesPublic: true},
				Admin: staff.UserIn{Email: email, Name: "First Admin", Password: "correct horse battery staple"},
			}
		}
		if need, err := s.NeedsSetup(ctx); err != nil || !need {
			t.Fatalf("NeedsSetup on an empty database = %v, %v", need, err)
		}
		bad := in("not-an-address")
		if _, _, err := s.Setup(ctx, bad); err == nil || !strings.Contains(err.Error(), "admin.email") {
			t.Fatalf("a bad e-mail: %v, want an error naming admin.email", err)
		}
		if need, _ := s.NeedsSetup(ctx); !need {
			t.Fatal("a refused setup left an account")
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				_, _, errs[i] = s.Setup(ctx, in(string(rune('a'+i))+"@hotline.test"))
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, staff.ErrSetUp) && !errors.Is(err, store.ErrConflict):
				t.Errorf("a losing setup: %v, want ErrSetUp", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d setups succeeded at once, want 1", won)
		}
		users, err := s.ListUsers(ctx, staff.System)
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 1 || users[0].Role != "admin" {
			t.Fatalf("accounts after setup: %+v", users)
		}
		if need, _ := s.NeedsSetup(ctx); need {
			t.Error("NeedsSetup after setup")
		}
		if _, _, err := s.Setup(ctx, in("late@hotline.test")); !errors.Is(err, staff.ErrSetUp) {
			t.Errorf("setup after setup: %v, want ErrSetUp", err)
		}
	})
}
