package intake_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// waitingLedger never integrates an entry: Receipt waits until its context
// ends. If hangUp is set, it is called first, as a client hanging up while
// its report's receipt is awaited.
type waitingLedger struct{ hangUp context.CancelFunc }

func (waitingLedger) Notify() {}

func (l waitingLedger) Receipt(ctx context.Context, _ string) (*ledger.Receipt, error) {
	if l.hangUp != nil {
		l.hangUp()
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (waitingLedger) ReceiptForRecord(context.Context, string, string, int) (*ledger.Receipt, error) {
	return nil, errors.New("not used")
}

// levels records the messages logged at warning level or above.
type levels struct {
	mu    sync.Mutex
	warns []string
}

func (l *levels) Enabled(context.Context, slog.Level) bool { return true }
func (l *levels) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		l.mu.Lock()
		l.warns = append(l.warns, r.Message)
		l.mu.Unlock()
	}
	return nil
}
func (l *levels) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *levels) WithGroup(string) slog.Handler      { return l }

// A report whose receipt is not ready in time is stored and acknowledged
// without one either way, but only a ledger that is slow is warned of: a
// client that hung up meanwhile (or a server stopping) is not, so a flood
// of abandoned requests does not fill the log with false alarms.
func TestReceiptWarnsOnlyOfASlowLedger(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := staff.New(db, 0).CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "hotline", Kind: "ngo", ReceivesPublic: true}); err != nil {
			t.Fatal(err)
		}
		keys, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name   string
			hangUp bool
			warned bool
		}{
			{"the ledger is slow", false, true},
			{"the client hung up", true, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				reqCtx, cancel := context.WithCancel(ctx)
				defer cancel()
				l := waitingLedger{}
				if tt.hangUp {
					l.hangUp = cancel
				}
				log := &levels{}
				in := intake.New(db, keys, l, nil, slog.New(log))
				in.ReceiptWait = 50 * time.Millisecond
				in.Start()
				defer in.Close()
				ack, err := in.Submit(reqCtx, auth.Actor{}, &intake.Submission{Language: "en", Narrative: "They took my passport in Bavet."})
				if err != nil {
					t.Fatalf("submit: %v", err)
				}
				if ack.Receipt != nil {
					t.Fatal("acknowledged with a receipt the ledger never gave")
				}
				if _, err := db.Read().GetReport(ctx, ack.ID); err != nil {
					t.Fatalf("the report is not stored: %v", err)
				}
				log.mu.Lock()
				defer log.mu.Unlock()
				if got := len(log.warns) > 0; got != tt.warned {
					t.Errorf("warned %v (%q), want %v", got, log.warns, tt.warned)
				}
			})
		}
	})
}
