package store_test

import (
	"context"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestChatReports: a chat's reports newest first with their unread staff
// messages; linking twice is one link; a chat's links and a report's
// links are deleted apart; channels and chats are kept apart.
func TestChatReports(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := seedOrg(t, ctx, db, "hotline", true)
		r1 := seedReport(t, ctx, db, org.ID, nil)
		r2 := seedReport(t, ctx, db, org.ID, nil)
		tx := func(fn func(q store.Q) error) {
			t.Helper()
			if err := db.Tx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		tx(func(q store.Q) error {
			for _, l := range []*store.ChatReport{
				{Channel: "telegram", Chat: "idx-a", ReportID: r1.ID, CreatedAt: 10},
				{Channel: "telegram", Chat: "idx-a", ReportID: r2.ID, CreatedAt: 20},
				{Channel: "telegram", Chat: "idx-a", ReportID: r2.ID, CreatedAt: 30},
				{Channel: "line", Chat: "idx-a", ReportID: r1.ID, CreatedAt: 10},
				{Channel: "telegram", Chat: "idx-b", ReportID: r1.ID, CreatedAt: 10},
			} {
				if err := q.PutChatReport(ctx, l); err != nil {
					return err
				}
			}
			for i, staff := range []bool{true, true, false} {
				m := &store.ReportMessage{ID: store.NewID(), ReportID: r2.ID, OrgID: org.ID, FromStaff: staff, Language: "en", Text: []byte{byte(i)}, CreatedAt: int64(i)}
				if err := q.PutReportMessage(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		ls, err := db.Read().ListChatReports(ctx, "telegram", "idx-a")
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != 2 || ls[0].ReportID != r2.ID || ls[0].CreatedAt != 20 || ls[0].Unread != 2 || ls[1].ReportID != r1.ID || ls[1].Unread != 0 {
			t.Errorf("links = %+v %+v", ls[0], ls[len(ls)-1])
		}
		tx(func(q store.Q) error {
			_, err := q.MarkReportMessagesRead(ctx, r2.ID, true, 99)
			return err
		})
		if ls, _ := db.Read().ListChatReports(ctx, "telegram", "idx-a"); ls[0].Unread != 0 {
			t.Errorf("unread after reading: %d", ls[0].Unread)
		}
		tx(func(q store.Q) error { return q.DeleteReportChats(ctx, r1.ID) })
		if ls, _ := db.Read().ListChatReports(ctx, "telegram", "idx-a"); len(ls) != 1 || ls[0].ReportID != r2.ID {
			t.Errorf("after deleting the report's links: %+v", ls)
		}
		if ls, _ := db.Read().ListChatReports(ctx, "line", "idx-a"); len(ls) != 0 {
			t.Errorf("the report's link on LINE is left: %+v", ls)
		}
		tx(func(q store.Q) error {
			n, err := q.DeleteChatReports(ctx, "telegram", "idx-a")
			if n != 1 {
				t.Errorf("%d links deleted, want 1", n)
			}
			return err
		})
		if ls, _ := db.Read().ListChatReports(ctx, "telegram", "idx-a"); len(ls) != 0 {
			t.Errorf("after deleting the chat's links: %+v", ls)
		}
	})
}
