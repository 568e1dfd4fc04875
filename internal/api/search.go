package api

import (
	"net/http"
	"strconv"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/search"
)

// search answers GET /api/v1/search?q=…&limit=…&cursor=….
func (api *API) search(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	q := r.URL.Query()
	limit := 0
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > search.MaxLimit {
			return invalid.Field("limit", "invalid_value", "must be a whole number from 1 to %d", search.MaxLimit)
		}
		limit = n
	}
	p, err := api.svc.Search.Search(r.Context(), a, q.Get("q"), limit, q.Get("cursor"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
