package controller_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
)

// A starting API server answers a watch with 429 and "Retry-After: 5"; with the cap the client asks
// again after about a second instead of five.
func TestRetryAfterIsCapped(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "5")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure",` +
				`"reason":"TooManyRequests","code":429}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	cases := []struct {
		name string
		wrap bool
		min  time.Duration
		max  time.Duration
	}{
		{"capped", true, 900 * time.Millisecond, 3 * time.Second},
		{"uncapped", false, 4500 * time.Millisecond, 30 * time.Second}, // the positive control: the server's 5 s
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			cfg := &rest.Config{Host: srv.URL}
			if tc.wrap {
				cfg.Wrap(controller.CapRetryAfter)
			}
			kube := kubernetes.NewForConfigOrDie(cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			start := time.Now()
			w, err := kube.CoreV1().Pods("").Watch(ctx, metav1.ListOptions{})
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			w.Stop()
			if calls.Load() != 2 || took < tc.min || took > tc.max {
				t.Errorf("the watch opened after %v and %d requests; want 2 requests within [%v, %v]",
					took, calls.Load(), tc.min, tc.max)
			}
		})
	}
}
