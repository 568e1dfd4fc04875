package store

import (
	"fmt"
	"testing"
)

// TestMarkLog: an identifier is marked since a count when a mark or its
// commit came after it; forgetting drops only what no later count needs;
// a mark of every identifier, or a log past its bound, marks them all.
func TestMarkLog(t *testing.T) {
	db := &DB{}
	m := &txMarks{log: &db.marks}
	before := db.Marks()
	m.note([]string{"a"}, false)
	during := db.Marks()
	if !db.MarkedSince("a", before) || db.MarkedSince("b", before) {
		t.Fatalf("after a mark of a: a %v, b %v; want true, false", db.MarkedSince("a", before), db.MarkedSince("b", before))
	}
	if db.MarkedSince("a", during) {
		t.Fatal("a is marked since a count taken after its mark, before its commit: want false until the commit")
	}
	m.committed()
	if !db.MarkedSince("a", during) {
		t.Fatal("a's commit came after the count: want true")
	}
	db.ForgetMarks(db.Marks())
	if db.MarkedSince("a", before) {
		t.Error("a still marked for a count older than what was forgotten")
	}
	if len(db.marks.at) != 0 {
		t.Errorf("%d entries left after forgetting all", len(db.marks.at))
	}

	now := db.Marks()
	(&txMarks{log: &db.marks}).note(nil, true)
	if !db.MarkedSince("anything", now) {
		t.Error("after a mark of every identifier: want every identifier marked")
	}

	now = db.Marks()
	big := &txMarks{log: &db.marks}
	for i := range maxMarkLog + 1 {
		big.note([]string{fmt.Sprint(i)}, false)
	}
	if len(db.marks.at) > maxMarkLog {
		t.Errorf("the log holds %d identifiers, past its bound %d", len(db.marks.at), maxMarkLog)
	}
	if !db.MarkedSince("never-marked", now) {
		t.Error("a log past its bound must answer marked for every identifier")
	}
}
