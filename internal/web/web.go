// Package web serves Vigil's pages: the public reporting, receipt, tracking
// and check pages, and the staff workspace. Everything is server-rendered
// from embedded templates; nothing is loaded from a third-party host.
package web

import (
	"log/slog"
	"net/http"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
)

// Deps are what the pages use: the same services the API calls.
type Deps struct {
	Cfg      *config.Config
	DB       *store.DB
	API      *api.API
	Intake   *intake.Service
	Casework *casework.Service
	Staff    *staff.Service
	Log      *slog.Logger
}

// Mount adds the pages to mux. It fails if a template is missing or broken.
func Mount(mux *http.ServeMux, d Deps) error {
	return nil
}
