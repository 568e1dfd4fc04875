package line_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestStaffAnswerThroughLINE: a staff message to the reporter of a report
// filed through LINE is given to the user, in Thai, when the user writes
// again (in the reply to that event, never pushed before it); /reply
// answers without code and secret; the database holds no LINE user ID.
func TestStaffAnswerThroughLINE(t *testing.T) {
	db, dsn := storetest.OpenDSN(t, store.SQLite)
	e := newEnv(t, db)
	ctx := context.Background()
	user := e.line.user(0x5a17c3e9, "th")
	e.say(t, user, e.line.text(user, "พี่สาวของฉันถูกกักตัวที่ชเวโก๊กโก่"))
	got := e.say(t, user, e.line.text(user, "/send"))
	code, _ := receipt(t, got[0])
	r, err := db.Read().GetReportByTrackingCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.in.WriteToReporter(ctx, e.coord, r.ID, &intake.MessageIn{Text: "เธอติดต่อได้อย่างปลอดภัยไหม"}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.line.texts(user)); n != 3 {
		t.Errorf("%d messages sent to the user, want nothing pushed after the receipt", n)
	}
	got = e.say(t, user, e.line.text(user, "/reply ได้ ตอนกลางคืน"))
	if len(got) != 2 || got[0] != "เจ้าหน้าที่เขียนว่า: เธอติดต่อได้อย่างปลอดภัยไหม" || got[1] == "" {
		t.Errorf("/reply: %q", got)
	}
	ms, err := e.in.Messages(ctx, e.coord, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[1].FromStaff || ms[1].Text != "ได้ ตอนกลางคืน" || ms[1].Language != "th" {
		t.Errorf("conversation = %+v", ms)
	}
	e.line.mu.Lock()
	if e.line.pushes != 0 {
		t.Errorf("%d pushes, want every answer a reply", e.line.pushes)
	}
	e.line.mu.Unlock()
	if raw := storetest.Raw(t, store.SQLite, dsn); bytes.Contains(raw, []byte(user)) || bytes.Contains(raw, []byte(strings.TrimPrefix(user, "U"))) {
		t.Error("the LINE user ID is in the database")
	}
}
