package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestAcknowledgedReportsSurviveKill9 posts reports from many clients to a
// real `vigil serve`, kills it with SIGKILL mid-stream, and checks that
// every report whose 201 reached a client is in the database with its
// statement and ledger entry.
func TestAcknowledgedReportsSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			dsn := storetest.DSN(t, engine)
			envv := []string{"VIGIL_DATABASE=" + dsn}
			if engine == store.SQLite {
				envv = []string{"VIGIL_DATABASE=" + "sqlite:" + filepath.Join(dir, "vigil.db")}
			}
			envv = append(envv, "VIGIL_DATA="+dir)
			cmd, addr := child(t, envv, "serve", "--demo", "--addr", "127.0.0.1:0", "--public-rate", "100000")
			var mu sync.Mutex
			var acked []string
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			client := &http.Client{Timeout: 10 * time.Second}
			for c := 0; c < 16; c++ {
				wg.Add(1)
				go func(c int) {
					defer wg.Done()
					for i := 0; ctx.Err() == nil && i < 10000; i++ {
						body := fmt.Sprintf(`{"language":"en","narrative":"crash test %d-%d","victims":[{"name":"V","still_held":true}]}`, c, i)
						res, err := client.Post("http://"+addr+"/api/v1/reports", "application/json", bytes.NewReader([]byte(body)))
						if err != nil {
							return // the server is gone
						}
						var ack struct{ ID string }
						json.NewDecoder(res.Body).Decode(&ack)
						res.Body.Close()
						if res.StatusCode == 201 && ack.ID != "" {
							mu.Lock()
							acked = append(acked, ack.ID)
							mu.Unlock()
						}
					}
				}(c)
			}
			time.Sleep(1500 * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			cancel()
			wg.Wait()
			if len(acked) < 50 {
				t.Fatalf("only %d reports acknowledged before the kill; the test proves little", len(acked))
			}
			open := dsn
			if engine == store.SQLite {
				open = "sqlite:" + filepath.Join(dir, "vigil.db")
			}
			db, err := store.Open(context.Background(), open)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			q := db.Read()
			missing := 0
			for _, id := range acked {
				if _, err := q.GetReport(context.Background(), id); err != nil {
					missing++
					continue
				}
				st, err := q.ListStatements(context.Background(), id)
				if err != nil || len(st) != 1 {
					t.Errorf("report %s: %d statements (%v)", id, len(st), err)
					continue
				}
				if lv, err := q.ListStatementVersions(context.Background(), st[0].ID); err != nil || len(lv) != 1 {
					t.Errorf("report %s: statement has %d versions (%v)", id, len(lv), err)
				}
			}
			if missing > 0 {
				t.Errorf("%d of %d acknowledged reports are missing after kill -9", missing, len(acked))
			}
			t.Logf("%s: %d acknowledged reports, all present after kill -9", engine, len(acked))
			// The server starts again on the same data.
			_, addr2 := child(t, envv, "serve", "--addr", "127.0.0.1:0")
			res, err := http.Get("http://" + addr2 + "/healthz")
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("restart: %v %v", res, err)
			}
		})
	}
}

// TestGracefulShutdown sends SIGTERM under load: requests in flight finish
// (no 5xx, no reset for an accepted request), and the process exits 0.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	dir := t.TempDir()
	cmd, addr := child(t, []string{"VIGIL_DATA=" + dir}, "serve", "--demo", "--addr", "127.0.0.1:0", "--public-rate", "100000")
	var mu sync.Mutex
	statuses := map[int]int{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				res, err := client.Post("http://"+addr+"/api/v1/reports", "application/json", bytes.NewReader([]byte(`{"language":"en","narrative":"shutdown test"}`)))
				if err != nil {
					return
				}
				res.Body.Close()
				mu.Lock()
				statuses[res.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	cancel()
	wg.Wait()
	if err != nil {
		t.Errorf("vigil serve exited with %v after SIGTERM, want 0", err)
	}
	for code, n := range statuses {
		if code != 201 {
			t.Errorf("%d responses with status %d during shutdown", n, code)
		}
	}
	if statuses[201] == 0 {
		t.Error("no report acknowledged before shutdown")
	}
}
