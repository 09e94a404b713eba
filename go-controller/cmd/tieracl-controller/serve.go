package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/klog/v2"
)

// health answers /healthz and /readyz. Ready means: this replica leads (or leader election is off) and
// its controller is ready, or it is a healthy standby; not ready while it cannot reach NB as leader.
type health struct {
	mu       sync.Mutex
	readyErr func() error // the leading controller's Ready, nil while standing by
	started  bool
	watchdog *leaderelection.HealthzAdaptor
}

func (h *health) setController(ready func() error) {
	h.mu.Lock()
	h.readyErr = ready
	h.mu.Unlock()
}

func (h *health) setStarted() {
	h.mu.Lock()
	h.started = true
	h.mu.Unlock()
}

func (h *health) ready() (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case !h.started:
		return "", errors.New("starting: not connected to NB yet")
	case h.readyErr == nil:
		return "standby: another replica holds the lease", nil
	}
	if err := h.readyErr(); err != nil {
		return "", err
	}
	return "leading: NB holds the desired state", nil
}

// serve runs the HTTP endpoints until ctx ends.
func serve(ctx context.Context, addr string, reg *prometheus.Registry, h *health) error {
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if h.watchdog != nil {
			if err := h.watchdog.Check(r); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		msg, err := h.ready()
		if err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(msg + "\n"))
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	klog.InfoS("serving metrics and health", "address", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			klog.ErrorS(err, "HTTP server stopped")
		}
	}()
	return nil
}
