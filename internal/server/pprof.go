package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's profiler on cfg.PprofAddr (a loopback address,
// as config checks) until ctx ends: /debug/pprof/ and its profiles, on a
// mux and listener of their own, so nothing of it is reachable through the
// application's address. It returns once listening.
func (s *Server) servePprof(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Cfg.PprofAddr)
	if err != nil {
		return fmt.Errorf("server: profiler: listen %s: %w", s.Cfg.PprofAddr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Log.Error("server: profiler stopped", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	s.Log.Info("vigil: profiler serving", "addr", ln.Addr().String())
	return nil
}
