package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestIsUnavailable: the errors a real outage produces on each engine are
// recognised as such, and ordinary errors are not.
func TestIsUnavailable(t *testing.T) {
	ctx := context.Background()
	t.Run("closed", func(t *testing.T) {
		storetest.Engines(t, func(t *testing.T, db *store.DB) {
			// Read once first, so that the statement is prepared and kept
			// on SQLite's reader pool (store.Q.hotRow) when it closes.
			if _, err := db.Read().PublicIntakeOrganisation(ctx); err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Fatal(err)
			}
			db.Close()
			_, err := db.Read().PublicIntakeOrganisation(ctx)
			if err == nil || !store.IsUnavailable(err) {
				t.Errorf("query on a closed database: IsUnavailable(%v) = false, want true", err)
			}
			err = db.Tx(ctx, func(q store.Q) error { return nil })
			if !store.IsUnavailable(fmt.Errorf("intake: store report: %w", err)) {
				t.Errorf("transaction on a closed database: IsUnavailable(%v) = false, want true", err)
			}
		})
	})
	t.Run("sqlite busy", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vigil.db")
		db, err := store.Open(ctx, "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		hold := make(chan struct{})
		held := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- db.Tx(ctx, func(q store.Q) error {
				if _, err := q.PublicIntakeOrganisation(ctx); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				close(held)
				<-hold
				return nil
			})
		}()
		<-held
		_, err = other.BeginTx(ctx, nil)
		close(hold)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err == nil || !store.IsUnavailable(err) {
			t.Errorf("BEGIN while another writer holds the lock: IsUnavailable(%v) = false, want true", err)
		}
	})
	t.Run("postgres stopped", func(t *testing.T) {
		p := newProxy(t, storetest.DSN(t, store.Postgres))
		db, err := store.Open(ctx, p.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		p.stop()
		_, err = db.Read().PublicIntakeOrganisation(ctx)
		if err == nil || !store.IsUnavailable(err) {
			t.Errorf("query after the server stopped: IsUnavailable(%v) = false, want true", err)
		}
		err = db.Tx(ctx, func(q store.Q) error { return nil })
		if err == nil || !store.IsUnavailable(err) {
			t.Errorf("transaction after the server stopped: IsUnavailable(%v) = false, want true", err)
		}
	})
	t.Run("not an outage", func(t *testing.T) {
		storetest.Engines(t, func(t *testing.T, db *store.DB) {
			_, err := db.Read().GetReport(ctx, "no-such-report")
			if !errors.Is(err, store.ErrNotFound) || store.IsUnavailable(err) {
				t.Errorf("missing row: IsUnavailable(%v) = true, want false", err)
			}
			o := seedOrg(t, ctx, db, "hotline", true)
			err = db.Tx(ctx, func(q store.Q) error { return q.PutOrganisation(ctx, o) })
			if err == nil || store.IsUnavailable(err) {
				t.Errorf("duplicate key: IsUnavailable(%v) = true, want false", err)
			}
			if store.IsUnavailable(context.Canceled) || store.IsUnavailable(nil) {
				t.Error("a cancelled request or no error counted as an outage")
			}
		})
	})
}

// proxy forwards TCP connections to a PostgreSQL server until stopped, which
// then looks to its clients like the server going away: open connections
// are cut and new ones refused.
type proxy struct {
	dsn string
	ln  net.Listener
	// mu guards conns.
	mu    sync.Mutex
	conns []net.Conn
}

func newProxy(t *testing.T, dsn string) *proxy {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u.Host = ln.Addr().String()
	p := &proxy{dsn: u.String(), ln: ln}
	t.Cleanup(p.stop)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
