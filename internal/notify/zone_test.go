package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestDigestAtLocalMidnight: the sweep queues a user's digest once the
// day has begun in the user's time zone (its own, else its
// organisation's, else its country's), not at UTC midnight. At 18:00 UTC
// on 5 January 2030 it is already 6 January in Phnom Penh but still 5
// January in New York; all three users last had a digest at 12:00 UTC.
func TestDigestAtLocalMidnight(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := staff.New(db, time.Hour)
		o, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "Hotline", Kind: "hotline", Country: "KH"})
		if err != nil {
			t.Fatal(err)
		}
		user := func(email string) auth.Actor {
			u, err := st.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: o.ID, Email: email, Name: email, Role: string(auth.Investigator), Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			return auth.Actor{UserID: u.ID, OrgID: o.ID, Role: auth.Investigator}
		}
		phnomPenh, newYork, utc := user("pp@hotline.test"), user("ny@hotline.test"), user("utc@hotline.test")
		if _, err := st.SetTimeZone(ctx, newYork, "America/New_York"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetTimeZone(ctx, utc, "UTC"); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2030, 1, 5, 18, 0, 0, 0, time.UTC)
		last := time.Date(2030, 1, 5, 12, 0, 0, 0, time.UTC).UnixMicro()
		err = db.Tx(ctx, func(q store.Q) error {
			for _, a := range []auth.Actor{phnomPenh, newYork, utc} {
				if err := q.PutNotifySettings(ctx, &store.NotifySettings{UserID: a.UserID, Mail: notify.MailDigest, Lang: "en", DigestAt: last}); err != nil {
					return err
				}
				if err := notify.AddOnce(ctx, q, auth.Actor{}, a.UserID, notify.CaseAssigned, "case", store.NewID(), ""); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		svc := notify.New(db)
		notify.SetNow(svc, func() time.Time { return now })
		if err := svc.Sweep(ctx, ""); err != nil {
			t.Fatal(err)
		}
		var jobs []*store.Job
		err = db.Tx(ctx, func(q store.Q) error {
			var err error
			jobs, err = q.ClaimJobs(ctx, []string{notify.JobDigest}, 10, now.Add(time.Hour).UnixMicro(), now.Add(2*time.Hour).UnixMicro())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, j := range jobs {
			got[j.ReportID] = j.ID
		}
		want := map[string]string{phnomPenh.UserID: "digest:" + phnomPenh.UserID + ":20300106"}
		if len(got) != len(want) || got[phnomPenh.UserID] != want[phnomPenh.UserID] {
			t.Errorf("digests queued: %v, want %v (Phnom Penh only; not New York's or UTC's, whose day began before their last digest)", got, want)
		}
	})
}
