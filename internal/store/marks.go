package store

import "sync"

// markLog records which identifiers this process's transactions marked
// for the trust worker ([Q.MarkTrust], [Q.MarkAllTrust]) and when, as a
// count that every mark, and every commit of a transaction that marked,
// advances. A reader that took the count before it read the marks and
// their answers (the published range's build) knows whether an identifier
// may have changed since: it was marked, or its mark committed, after
// (links.Service.Check answers from the range only for the others).
type markLog struct {
	mu  sync.RWMutex
	n   uint64
	at  map[string]uint64 // by identifier id: the count after its last mark or commit
	all uint64            // the count after the last mark of every identifier
}

// maxMarkLog bounds the log: past it the log is taken for a mark of every
// identifier, which errs on the side of reading the database. A server
// forgets the log at each build of the range, a few seconds apart; a
// process that builds none (an import, a rebuild from the command line)
// would otherwise keep every identifier it ever marked.
const maxMarkLog = 100_000

// note records a mark (or a commit) of ids, or of every identifier.
func (l *markLog) note(ids []string, all bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	if l.at == nil {
		l.at = map[string]uint64{}
	}
	for _, id := range ids {
		l.at[id] = l.n
	}
	if all || len(l.at) > maxMarkLog {
		l.all = l.n
		clear(l.at)
	}
}

// Marks is the count of marks now: see MarkedSince.
func (db *DB) Marks() uint64 {
	db.marks.mu.RLock()
	defer db.marks.mu.RUnlock()
	return db.marks.n
}

// MarkedSince tells whether a transaction of this process marked the
// identifier for weighing (or committed such a mark) after the count was
// since (Marks).
func (db *DB) MarkedSince(identifierID string, since uint64) bool {
	db.marks.mu.RLock()
	defer db.marks.mu.RUnlock()
	return db.marks.all > since || db.marks.at[identifierID] > since
}

// ForgetMarks drops what MarkedSince would need to answer for a count of
// upTo or less: call it once no reader will ask with such a count again.
func (db *DB) ForgetMarks(upTo uint64) {
	db.marks.mu.Lock()
	defer db.marks.mu.Unlock()
	for id, n := range db.marks.at {
		if n <= upTo {
			delete(db.marks.at, id)
		}
	}
}

// txMarks is what a write transaction marked, noted again in its log when
// it commits: a reader that took the count between the mark and the
// commit read the marks before they were there.
type txMarks struct {
	log *markLog
	ids []string
	all bool
}

// note records marks of the transaction (nil outside one).
func (m *txMarks) note(ids []string, all bool) {
	if m == nil {
		return
	}
	m.ids = append(m.ids, ids...)
	m.all = m.all || all
	m.log.note(ids, all)
}

// committed notes the transaction's marks again at its commit.
func (m *txMarks) committed() {
	if len(m.ids) > 0 || m.all {
		m.log.note(m.ids, m.all)
	}
}
