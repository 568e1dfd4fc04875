package api

import (
	"context"
	"net/http"
	"time"
)

// ReadyLag is how long a testimony may wait for the ledger's sequencer
// before /readyz says the ledger is not being sequenced (by this server
// or another on the same database).
const ReadyLag = 30 * time.Second

// ready answers GET /readyz: 200 when the database answers, its schema is
// current, the ledger is being sequenced (no entry has waited longer
// than ReadyLag) and the attachment store can be used (the bucket answers,
// when attachments are kept in one), else 503; each check is named with
// its state. It says nothing a visitor could use beyond that.
func (api *API) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "schema": "ok", "ledger": "ok"}
	ok := true
	fail := func(check, state string) { checks[check], ok = state, false }
	if err := api.svc.DB.Ping(ctx); err != nil {
		fail("database", "unreachable")
		fail("schema", "unknown")
		fail("ledger", "unknown")
	} else {
		if err := api.svc.DB.CheckSchema(ctx); err != nil {
			fail("schema", "not current")
		}
		oldest, err := api.svc.DB.Read().OldestPendingLedgerEntry(ctx)
		switch {
		case err != nil:
			fail("ledger", "unknown")
		case oldest != 0 && time.Since(time.UnixMicro(oldest)) > ReadyLag:
			fail("ledger", "not sequencing: an entry has waited "+time.Since(time.UnixMicro(oldest)).Round(time.Second).String())
		}
	}
	if api.svc.Files != nil {
		checks["attachments"] = "ok"
		if err := api.svc.Files.Check(ctx); err != nil {
			fail("attachments", "unreachable")
		}
	}
	status, code := "ready", http.StatusOK
	if !ok {
		status, code = "not_ready", http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]any{"status": status, "checks": checks})
}
