package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/klog/v2"
)

// health answers /healthz and /readyz. Ready means: this replica leads (or leader election is off) and
// its controller is ready, or it is a healthy standby; not ready while it cannot reach NB as leader.
type health struct {
	mu       sync.Mutex
	readyErr func() error // the leading controller's Ready, nil while standing by
	started  bool
	nbErr    error // the last failed attempt to connect to NB before the first success
	watchdog *leaderelection.HealthzAdaptor
	// lease reads the leader-election Lease; nil without leader election. A standby reports what it says.
	lease func(context.Context) (*coordinationv1.Lease, error)
}

func (h *health) setController(ready func() error) {
	h.mu.Lock()
	h.readyErr = ready
	h.mu.Unlock()
}

// setNBError keeps the last NB connection error for /readyz: without it a wrong CA or address would show
// only as "not connected yet".
func (h *health) setNBError(err error) {
	h.mu.Lock()
	h.nbErr = err
	h.mu.Unlock()
}

func (h *health) setStarted() {
	h.mu.Lock()
	h.started = true
	h.mu.Unlock()
}

func (h *health) ready(ctx context.Context) (string, error) {
	h.mu.Lock()
	started, readyErr, lease, nbErr := h.started, h.readyErr, h.lease, h.nbErr
	h.mu.Unlock()
	switch {
	case !started && nbErr != nil:
		return "", fmt.Errorf("starting: not connected to NB yet; last attempt: %w", nbErr)
	case !started:
		return "", errors.New("starting: not connected to NB yet")
	case readyErr == nil && lease == nil:
		return "", errors.New("not leading, and leader election is off")
	case readyErr == nil:
		return standby(ctx, lease, time.Now())
	}
	if err := readyErr(); err != nil {
		return "", err
	}
	return "leading: NB holds the desired state", nil
}

// standby reads the Lease and says who holds it: a standby that cannot read it is not ready, as it could
// not take over either.
func standby(ctx context.Context, read func(context.Context) (*coordinationv1.Lease, error),
	now time.Time) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	l, err := read(ctx)
	if err != nil {
		return "", fmt.Errorf("standby: cannot read the leader-election Lease: %w", err)
	}
	holder := ""
	if l.Spec.HolderIdentity != nil {
		holder = *l.Spec.HolderIdentity
	}
	var renewed time.Time
	if l.Spec.RenewTime != nil {
		renewed = l.Spec.RenewTime.Time
	}
	duration := time.Duration(0)
	if l.Spec.LeaseDurationSeconds != nil {
		duration = time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second
	}
	if holder == "" || renewed.IsZero() || now.Sub(renewed) > duration {
		return fmt.Sprintf("standby: the Lease %s/%s is free or expired (holder %q); this replica is taking it",
			l.Namespace, l.Name, holder), nil
	}
	return fmt.Sprintf("standby: %s holds the Lease %s/%s, renewed %v ago", holder, l.Namespace, l.Name,
		now.Sub(renewed).Round(100*time.Millisecond)), nil
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
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		msg, err := h.ready(r.Context())
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
