package observe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves /metrics, /healthz, /readyz and the console.
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	reg := h.newRegistry()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ok, why := h.Healthy()
		status(w, ok, why+"\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ok, why := h.Ready()
		if ok {
			status(w, true, "ready\n")
			return
		}
		status(w, false, joinReasons(why))
	})
	mux.HandleFunc("GET /api/snapshot", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, h.view(h.Latest()))
	})
	mux.HandleFunc("GET /api/graph", func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		g := h.graph
		h.mu.Unlock()
		writeJSON(w, g)
	})
	mux.HandleFunc("GET /events", h.serveEvents)
	h.console(mux) // console.go
	return mux
}

func status(w http.ResponseWriter, ok bool, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprint(w, body)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

// Server is the HTTP server of a Hub.
type Server struct {
	srv    *http.Server
	ln     net.Listener
	err    chan error
	cancel context.CancelFunc // ends the requests' context: open event streams return
}

// Serve listens on addr (":PORT" binds 127.0.0.1) and serves the Hub
// until Close.
func (h *Hub) Serve(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", ListenAddr(addr))
	if err != nil {
		return nil, fmt.Errorf("--http %s: %w", addr, err)
	}
	return h.ServeOn(ln), nil
}

// ServeOn serves the Hub on a listener until Close; Close reports why
// serving stopped early, if it did (the listener failed).
func (h *Hub) ServeOn(ln net.Listener) *Server {
	base, cancel := context.WithCancel(context.Background())
	s := &Server{srv: &http.Server{Handler: h.Handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return base }}, ln: ln, err: make(chan error, 1), cancel: cancel}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.err <- err
	}()
	h.o.Logger.Info("serving metrics, health and the console", "event", "http", "url", "http://"+ln.Addr().String()+"/")
	return s
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server (open event streams end).
func (s *Server) Close() error {
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
	s.srv.Close()
	return <-s.err
}
