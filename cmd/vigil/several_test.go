package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/blob/blobtest"
	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/intake/intaketest"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// servers is how many `vigil serve` processes TestSeveralServers runs.
const servers = 3

// backendHeader names the backend (0, 1, 2) that served a response, set by
// the test's proxy.
const backendHeader = "X-Test-Backend"

// rrProxy is a round-robin reverse proxy in front of the servers. It passes
// the client's X-Forwarded-For on (the servers trust it from 127.0.0.1) and
// counts, per backend, the requests it served and those that carried the
// staff session cookie.
type rrProxy struct {
	backends []*url.URL
	next     atomic.Uint64
	served   [servers]atomic.Int64
	staff    [servers]atomic.Int64
	rp       *httputil.ReverseProxy
}

func newRRProxy(addrs []string) *rrProxy {
	p := &rrProxy{}
	for _, a := range addrs {
		p.backends = append(p.backends, &url.URL{Scheme: "http", Host: a})
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(p.backends[(p.next.Add(1)-1)%uint64(len(p.backends))])
			pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
			pr.SetXForwarded()
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 64},
		ModifyResponse: func(res *http.Response) error {
			for i, b := range p.backends {
				if res.Request.URL.Host != b.Host {
					continue
				}
				p.served[i].Add(1)
				if _, err := res.Request.Cookie("vigil_session"); err == nil {
					p.staff[i].Add(1)
				}
				res.Header.Set(backendHeader, fmt.Sprint(i))
			}
			return nil
		},
	}
	return p
}

// testClient is a public client of the proxy, or staff with a session:
// every request says it comes from its own address (X-Forwarded-For), so
// the per-client rate limit is met only where the test means it to be.
type testClient struct {
	base string
	http *http.Client
	// ip returns the client address of the next request.
	ip func() string
}

// do sends a request with a JSON body (or none, or []byte sent as it is
// with the Content-Type given in hdr) and decodes a JSON answer
// into out (if not nil); it returns the status and the backend that served.
func (c *testClient) do(method, path string, body any, out any, hdr ...string) (int, string, error) {
	var r io.Reader
	if b, ok := body.([]byte); ok {
		r = strings.NewReader(string(b))
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, "", err
		}
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-Forwarded-For", c.ip())
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, res.Header.Get(backendHeader), fmt.Errorf("%s %s: %w: %s", method, path, err, b)
		}
	}
	if res.StatusCode >= 300 {
		return res.StatusCode, res.Header.Get(backendHeader), fmt.Errorf("%s %s: %s %s", method, path, res.Status, b)
	}
	return res.StatusCode, res.Header.Get(backendHeader), nil
}

// uniqueIPs hands out a new client address per call, from 10.0.0.0/9.
func uniqueIPs() func() string {
	var n atomic.Uint32
	return func() string {
		i := n.Add(1)
		return fmt.Sprintf("10.%d.%d.%d", (i>>16)&127, (i>>8)&255, i&255)
	}
}

// multiPhones are the recruiter numbers the test's reports name, several
// reports each, so that servers link reports to the same identifiers at
// once.
var multiPhones = []string{"+855 12 700 001", "+855 12 700 002", "+855 12 700 003", "+855 12 700 004"}

// TestSeveralServers runs three real `vigil serve` processes, each with its
// own data directory holding the same master and log keys, on one
// PostgreSQL database behind a round-robin reverse proxy. Through the
// proxy, at once, many clients file reports and run public checks while a
// coordinator, signed in once, lists triage, opens reports, makes cases and
// moves and assigns them. Then: every acknowledged report is stored once
// and trackable; the ledger is one tree (every server serves the same
// checkpoint, `vigil log audit` passes, every leaf index is used once);
// every follow-up job was claimed once and done, and the three servers'
// counts of the jobs they ran (/metrics) add up to the jobs done, each
// server having run some; every identifier counts each report naming it
// once; the session worked on all three servers; and the public rate
// limit is per server (a client gets a burst from each).
// SQLite allows one server per database (a lock file), so PostgreSQL only.
func TestSeveralServers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	ctx := context.Background()
	dsn := storetest.DSN(t, store.Postgres)
	dirs := make([]string, servers)
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	// The attachments are kept in one bucket (an S3 server in the test
	// process) that every server is pointed at.
	fake := blobtest.Start(t, "several/")
	var bucketEnv []string
	for k, v := range fake.Env() {
		bucketEnv = append(bucketEnv, k, v)
	}
	// Set up first (the demo: organisations, accounts, the keys in the
	// first directory), then give every server the same keys.
	if _, err := runCmd(t, envWith(dirs[0], dsn, bucketEnv...), "", "demo"); err != nil {
		t.Fatalf("demo: %v", err)
	}
	for _, d := range dirs[1:] {
		copyKeys(t, dirs[0], d)
	}
	// One request a second per client, in bursts of five, so that the rate
	// limit shows; the load comes from a new address per request.
	const rate, burst = 1, 5
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	countRows := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	followUps := []string{"report.followup"}
	doneJobs := func() map[string]int {
		n := map[string]int{}
		for _, k := range followUps {
			n[k] = countRows(`SELECT count(*) FROM jobs WHERE done_at > 0 AND kind = $1`, k)
		}
		return n
	}
	doneBefore := doneJobs()
	addrs := make([]string, servers)
	childEnv := []string{"VIGIL_DATABASE=" + dsn, "VIGIL_METRICS_TOKEN=" + metricsToken}
	for i := 0; i+1 < len(bucketEnv); i += 2 {
		childEnv = append(childEnv, bucketEnv[i]+"="+bucketEnv[i+1])
	}
	for i, d := range dirs {
		_, addrs[i] = child(t, append([]string{"VIGIL_DATA=" + d}, childEnv...), "serve", "--addr", "127.0.0.1:0",
			"--public-rate", fmt.Sprint(rate), "--trusted-proxies", "127.0.0.1/32", "--secure-cookies=false")
	}
	proxy := newRRProxy(addrs)
	front := httptest.NewServer(proxy.rp)
	defer front.Close()

	reportsBefore := countRows(`SELECT count(*) FROM reports`)

	// The coordinator signs in once, through the proxy.
	jar, _ := cookiejar.New(nil)
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	staffHTTP := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: noRedirect}
	form := url.Values{"email": {"coordinator@hotline.demo"}, "password": {demo.Password}}
	req, _ := http.NewRequest("POST", front.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "10.200.0.1")
	res, err := staffHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login through the proxy: %s", res.Status)
	}
	loginBackend := res.Header.Get(backendHeader)
	staff := &testClient{base: front.URL, http: staffHTTP, ip: uniqueIPs()}
	var me struct {
		UserID string `json:"user_id"`
	}
	if _, _, err := staff.do("GET", "/api/v1/me", nil, &me); err != nil || me.UserID == "" {
		t.Fatalf("the session, on the next server: %v", err)
	}

	// The load, for a few seconds.
	public := &testClient{base: front.URL, http: &http.Client{Timeout: 20 * time.Second}, ip: uniqueIPs()}
	type acked struct {
		ID, Code, Secret string
		Phone            int
	}
	var (
		mu        sync.Mutex
		reports   []acked
		checks    int
		cases     int
		staffSeen [servers]int
	)
	toCase := make(chan string, 4096)
	loadCtx, stop := context.WithTimeout(ctx, 5*time.Second)
	defer stop()
	var wg sync.WaitGroup
	for c := range 12 {
		wg.Go(func() {
			for i := 0; loadCtx.Err() == nil; i++ {
				phone := (c + i) % len(multiPhones)
				body := map[string]any{"language": "en",
					"narrative": fmt.Sprintf("several servers %d-%d: the recruiter called from %s and took our passports", c, i, multiPhones[phone]),
					"victims":   []map[string]any{{"name": "V", "still_held": true}}}
				var ack struct {
					ID           string `json:"id"`
					TrackingCode string `json:"tracking_code"`
					Secret       string `json:"secret"`
				}
				if _, _, err := public.do("POST", "/api/v1/reports", body, &ack); err != nil {
					t.Errorf("client %d: %v", c, err)
					return
				}
				mu.Lock()
				reports = append(reports, acked{ack.ID, ack.TrackingCode, ack.Secret, phone})
				mu.Unlock()
				select {
				case toCase <- ack.ID:
				default:
				}
			}
		})
	}
	for c := range 4 {
		wg.Go(func() {
			for i := 0; loadCtx.Err() == nil; i++ {
				var ans map[string]any
				if _, _, err := public.do("GET", "/api/v1/check?q="+url.QueryEscape(multiPhones[(c+i)%len(multiPhones)]), nil, &ans); err != nil {
					t.Errorf("check %d: %v", c, err)
					return
				}
				mu.Lock()
				checks++
				mu.Unlock()
			}
		})
	}
	for c := range 2 {
		wg.Go(func() {
			served := func(b string) {
				mu.Lock()
				defer mu.Unlock()
				for i := range servers {
					if b == fmt.Sprint(i) {
						staffSeen[i]++
					}
				}
			}
			for loadCtx.Err() == nil {
				var list struct {
					Items []struct {
						ID string `json:"id"`
					} `json:"items"`
				}
				_, b, err := staff.do("GET", "/api/v1/reports?status=received&limit=20", nil, &list)
				if err != nil {
					t.Errorf("staff %d: list triage: %v", c, err)
					return
				}
				served(b)
				var id string
				select {
				case id = <-toCase:
				case <-loadCtx.Done():
					return
				}
				var rep map[string]any
				if _, b, err = staff.do("GET", "/api/v1/reports/"+id, nil, &rep); err != nil {
					t.Errorf("staff %d: open report: %v", c, err)
					return
				}
				served(b)
				var cv struct {
					ID      string `json:"id"`
					Status  string `json:"status"`
					Version int    `json:"version"`
				}
				if _, b, err = staff.do("POST", "/api/v1/cases", map[string]any{"report_ids": []string{id}, "title": "case of " + id}, &cv); err != nil {
					t.Errorf("staff %d: make a case: %v", c, err)
					return
				}
				served(b)
				var after struct {
					Status     string `json:"status"`
					AssigneeID string `json:"assignee_id"`
				}
				if _, b, err = staff.do("PATCH", "/api/v1/cases/"+cv.ID, map[string]any{"status": "triaged", "assignee_id": me.UserID}, nil, "If-Match", `"`+fmt.Sprint(cv.Version)+`"`); err != nil {
					t.Errorf("staff %d: assign and triage: %v", c, err)
					return
				}
				served(b)
				if _, b, err = staff.do("GET", "/api/v1/cases/"+cv.ID, nil, &after); err != nil || after.Status != "triaged" || after.AssigneeID != me.UserID {
					t.Errorf("staff %d: case %s after the change: %+v, %v", c, cv.ID, after, err)
					return
				}
				served(b)
				mu.Lock()
				cases++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("through the proxy in 5 s: %d reports, %d checks, %d cases made and assigned; requests per server %d/%d/%d, staff requests %v (login on server %s)",
		len(reports), checks, cases, proxy.served[0].Load(), proxy.served[1].Load(), proxy.served[2].Load(), staffSeen, loginBackend)
	if len(reports) < 30 || cases < 3 {
		t.Fatalf("%d reports and %d cases: the load proves little", len(reports), cases)
	}
	for i, n := range staffSeen {
		if n == 0 {
			t.Errorf("no staff request was served by server %d under load", i)
		}
	}
	// The session holds on each server in turn (the proxy is idle now, so
	// three requests go to three servers).
	seen := map[string]bool{}
	for range servers {
		if _, b, err := staff.do("GET", "/api/v1/me", nil, nil); err != nil {
			t.Errorf("the session on server %s: %v", b, err)
		} else {
			seen[b] = true
		}
	}
	if len(seen) != servers {
		t.Errorf("the session was tried on servers %v, want all %d", seen, servers)
	}

	// Every acknowledged report is stored once and trackable.
	ids := make([]string, len(reports))
	for i, r := range reports {
		ids[i] = r.ID
	}
	if n := countRows(`SELECT count(DISTINCT id) FROM reports WHERE id = ANY($1)`, ids); n != len(reports) {
		t.Errorf("%d of %d acknowledged reports are stored", n, len(reports))
	}
	if n := countRows(`SELECT count(*) FROM reports`); n != reportsBefore+len(reports) {
		t.Errorf("%d reports stored, want %d before and %d acknowledged", n, reportsBefore, len(reports))
	}
	if n := countRows(`SELECT count(*) FROM ledger_entries e JOIN statements s ON s.id = e.record_id WHERE s.report_id = ANY($1)`, ids); n != len(reports) {
		t.Errorf("%d ledger entries for the statements of %d acknowledged reports, want one each", n, len(reports))
	}
	var untracked atomic.Int64
	inParallel(6, reports, func(r acked) {
		if _, _, err := public.do("GET", "/api/v1/track/"+r.Code, nil, nil, "X-Tracking-Secret", r.Secret); err != nil {
			if untracked.Add(1) <= 5 {
				t.Errorf("report %s: %v", r.ID, err)
			}
		}
	})
	if n := untracked.Load(); n > 0 {
		t.Errorf("%d of %d acknowledged reports are not trackable", n, len(reports))
	}

	// Every follow-up job is done, once: the servers drain the queue.
	pending := func() int {
		return countRows(`SELECT count(*) FROM jobs WHERE done_at = 0 AND report_id = ANY($1)`, ids)
	}
	for deadline := time.Now().Add(30 * time.Second); pending() > 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	if n := pending(); n > 0 {
		t.Errorf("%d follow-up jobs of the acknowledged reports still pending after 30 s", n)
	}
	rows, err := db.QueryContext(ctx, `SELECT kind, count(*), count(DISTINCT report_id), count(*) FILTER (WHERE attempts <> 1), count(*) FILTER (WHERE last_error <> '')
		FROM jobs WHERE report_id = ANY($1) GROUP BY kind ORDER BY kind`, ids)
	if err != nil {
		t.Fatal(err)
	}
	kinds := 0
	for rows.Next() {
		var kind string
		var n, distinct, again, failed int
		if err := rows.Scan(&kind, &n, &distinct, &again, &failed); err != nil {
			t.Fatal(err)
		}
		kinds++
		t.Logf("jobs %q: %d for %d reports, %d claimed more than once, %d failed", kind, n, distinct, again, failed)
		if n != len(reports) || distinct != len(reports) || again != 0 || failed != 0 {
			t.Errorf("jobs %q: %d for %d reports (want one each, %d), %d claimed more than once (retried or claimed twice), %d failed", kind, n, distinct, len(reports), again, failed)
		}
	}
	rows.Close()
	if kinds != 1 {
		t.Errorf("%d job kinds for the reports, want the one follow-up job", kinds)
	}
	// The servers' own counts of the jobs they ran add up to the jobs done
	// since they started: none ran twice, on one server or two.
	doneAfter := doneJobs()
	for _, k := range followUps {
		var ran [servers]int
		total := 0
		for i, a := range addrs {
			ok, failed := jobsRun(t, a, k)
			if failed > 0 {
				t.Errorf("server %d: %d %q jobs failed", i, failed, k)
			}
			ran[i] = ok
			total += ok
			if ok == 0 {
				t.Errorf("server %d ran no %q job: the servers do not share the queue", i, k)
			}
		}
		t.Logf("jobs %q run per server: %v, %d in all; %d done in the database since the servers started", k, ran, total, doneAfter[k]-doneBefore[k])
		if total != doneAfter[k]-doneBefore[k] {
			t.Errorf("the servers ran %d %q jobs, and %d were done: a job ran more than once, or not at all", total, k, doneAfter[k]-doneBefore[k])
		}
	}
	// Linking counted every report once per identifier: for each test
	// number, the identifier's report count is the number of reports that
	// named it, as are its occurrences.
	want := map[int]int{}
	first := map[int]string{}
	for _, r := range reports {
		want[r.Phone]++
		if first[r.Phone] == "" {
			first[r.Phone] = r.ID
		}
	}
	for p, id := range first {
		var count, occurrences int
		err := db.QueryRowContext(ctx, `SELECT i.report_count, (SELECT count(*) FROM identifier_occurrences o2 WHERE o2.identifier_id = i.id)
			FROM identifiers i JOIN identifier_occurrences o ON o.identifier_id = i.id WHERE o.report_id = $1 AND i.kind = 'phone'`, id).Scan(&count, &occurrences)
		if err != nil {
			t.Errorf("%s: the phone identifier of report %s: %v", multiPhones[p], id, err)
			continue
		}
		t.Logf("%s: report count %d, %d occurrences, named by %d reports", multiPhones[p], count, occurrences, want[p])
		if count != want[p] || occurrences != want[p] {
			t.Errorf("%s: report count %d, %d occurrences; %d reports named it", multiPhones[p], count, occurrences, want[p])
		}
	}

	// One bucket: a photo one server received, every server opens.
	photo := intaketest.JPEG(200, 150, 5)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", "gate.jpg")
	part.Write(photo)
	mw.Close()
	var att struct {
		ID string `json:"id"`
	}
	if _, b, err := staff.do("POST", "/api/v1/reports/"+reports[0].ID+"/attachments", body.Bytes(), &att, "Content-Type", mw.FormDataContentType()); err != nil || att.ID == "" {
		t.Fatalf("attach through the proxy: %v", err)
	} else {
		t.Logf("attachment %s received by server %s", att.ID, b)
	}
	var opened [servers]int
	for range 2 * servers {
		status, b, err := staff.do("GET", "/app/reports/"+reports[0].ID+"/attachments/"+att.ID, nil, nil)
		for i := range servers {
			if err == nil && status == http.StatusOK && b == fmt.Sprint(i) {
				opened[i]++
			}
		}
		if err != nil {
			t.Errorf("open the attachment: server %s: %v", b, err)
		}
	}
	t.Logf("the attachment opened through the proxy, per server: %v", opened)
	for i, n := range opened {
		if n == 0 {
			t.Errorf("server %d did not open the attachment another received (opened per server: %v)", i, opened)
		}
	}
	for i, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "attachments", att.ID)); err == nil {
			t.Errorf("server %d wrote the attachment to its data directory", i)
		}
	}
	if _, err := fake.Store(t).Get(ctx, att.ID); err != nil {
		t.Errorf("the attachment in the bucket: %v", err)
	}

	// One ledger: every entry is sequenced at a leaf index of its own, the
	// three servers serve the same checkpoint, and the audit passes.
	for deadline := time.Now().Add(30 * time.Second); countRows(`SELECT count(*) FROM ledger_entries WHERE leaf_index IS NULL`) > 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	entries := countRows(`SELECT count(*) FROM ledger_entries`)
	if n := countRows(`SELECT count(DISTINCT leaf_index) FROM ledger_entries WHERE leaf_index IS NOT NULL`); n != entries {
		t.Errorf("%d of %d ledger entries have a leaf index of their own", n, entries)
	}
	if n := countRows(`SELECT coalesce(max(leaf_index), -1) + 1 FROM ledger_entries`); n != entries {
		t.Errorf("leaf indexes run to %d for %d entries", n, entries)
	}
	var heads []string
	for deadline := time.Now().Add(15 * time.Second); ; {
		heads = heads[:0]
		for _, a := range addrs {
			heads = append(heads, checkpointHead(t, a))
		}
		if (heads[0] == heads[1] && heads[1] == heads[2] && strings.Contains(heads[0], fmt.Sprintf("\n%d\n", entries))) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if heads[0] != heads[1] || heads[1] != heads[2] || !strings.Contains(heads[0], fmt.Sprintf("\n%d\n", entries)) {
		t.Errorf("the servers' checkpoints differ or lag %d entries:\n%q", entries, heads)
	}
	t.Logf("ledger: %d entries; checkpoint on every server: %q", entries, heads[0])
	if out, err := runCmd(t, envWith(dirs[1], dsn, bucketEnv...), "", "log", "audit"); err != nil || !strings.Contains(out, "OK: every stored record matches the log") {
		t.Errorf("log audit: %v\n%s", err, out)
	}

	// The public rate limit is per server: one client's burst is allowed by
	// each server, so three times over through the proxy.
	limited := &testClient{base: front.URL, http: public.http, ip: func() string { return "10.255.0.1" }}
	var allowed [servers]int
	began := time.Now()
	for range 10 * servers {
		status, b, _ := limited.do("GET", "/api/v1/check?q=%2B85512700001", nil, nil)
		for i := range servers {
			if status == http.StatusOK && b == fmt.Sprint(i) {
				allowed[i]++
			}
		}
	}
	// Each second the requests take lets one more through on each server.
	refill := int(time.Since(began).Seconds()*rate) + 1
	for i, n := range allowed {
		if n < burst || n > burst+refill {
			t.Errorf("server %d allowed %d of one client's 10 requests, want its burst of %d", i, n, burst)
		}
	}
	t.Logf("one client's 30 quick checks through the proxy: %v allowed per server (the burst is %d per server)", allowed, burst)
}

// metricsToken reads the servers' /metrics in TestSeveralServers.
const metricsToken = "several-servers-test-metrics-token-0123456789"

// jobsRun returns how many jobs of a kind a server ran, and how many of
// them failed, since it started (from its /metrics).
func jobsRun(t *testing.T, addr, kind string) (ok, failed int) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics of %s: %s", addr, res.Status)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "vigil_job_duration_seconds_count{") || !strings.Contains(line, `kind="`+kind+`"`) {
			continue
		}
		var n int
		fields := strings.Fields(line)
		if _, err := fmt.Sscan(fields[len(fields)-1], &n); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if strings.Contains(line, `outcome="ok"`) {
			ok += n
		} else {
			failed += n
		}
	}
	return ok, failed
}

// inParallel calls fn for every item, from n goroutines at once.
func inParallel[T any](n int, items []T, fn func(T)) {
	work := make(chan T)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for it := range work {
				fn(it)
			}
		})
	}
	for _, it := range items {
		work <- it
	}
	close(work)
	wg.Wait()
}

// checkpointHead returns the origin, size and root of the checkpoint a
// server serves (its first three lines).
func checkpointHead(t *testing.T, addr string) string {
	t.Helper()
	res, err := http.Get("http://" + addr + "/log/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	var lines []string
	for len(lines) < 3 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return strings.Join(lines, "\n") + "\n"
}
