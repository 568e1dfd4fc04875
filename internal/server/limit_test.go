package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/config"
)

// TestOneBudgetAcrossDoors: a client that spends its public budget on the
// check page is refused by the API's public check too, and the other way
// round (issue 12: each door used to keep its own budget, so a client had
// twice the rate).
func TestOneBudgetAcrossDoors(t *testing.T) {
	srv, _ := newServer(t, func(c *config.Config) { c.PublicRate = 1; c.SecureCookies = false })
	srv.Start(t.Context())
	t.Cleanup(srv.Close)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	page := func() int {
		req, _ := http.NewRequest("POST", ts.URL+"/check", strings.NewReader(url.Values{"q": {"+855 12 345 678"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	api := func() int {
		res, err := http.Get(ts.URL + "/api/v1/check?q=%2B85512345678")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	// The burst is four seconds' worth plus one: five at a rate of one.
	for i := range 5 {
		if s := page(); s != http.StatusOK {
			t.Fatalf("page check %d: status %d", i+1, s)
		}
	}
	if s := api(); s != http.StatusTooManyRequests {
		t.Errorf("the API after the page spent the budget: status %d, want 429", s)
	}
	if s := page(); s != http.StatusTooManyRequests {
		t.Errorf("the page after the budget is spent: status %d, want 429", s)
	}
}
