package main

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFlagsParse(t *testing.T) {
	o := defaultOptions()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	o.register(fs)
	err := fs.Parse([]string{"--nb-address=ssl:a:6641,ssl:b:6641", "--leader-elect=false", "--resync-interval=1m",
		"--listen-address=127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if o.nb.Address != "ssl:a:6641,ssl:b:6641" || o.leaderElect || o.resyncInterval.Minutes() != 1 ||
		o.listenAddress != "127.0.0.1:0" {
		t.Errorf("parsed options: %+v", o)
	}
}

// A standby answers /readyz from the Lease it reads: who holds it and since when, or that it is free;
// not ready when it cannot read it.
func TestStandbyReadsTheLease(t *testing.T) {
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	lease := func(holder string, renewedAgo time.Duration) *coordinationv1.Lease {
		d := int32(15)
		renewed := metav1.NewMicroTime(now.Add(-renewedAgo))
		return &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: "tieracl", Name: "tieracl-controller"},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, RenewTime: &renewed, LeaseDurationSeconds: &d}}
	}
	cases := []struct {
		name  string
		lease *coordinationv1.Lease
		err   error
		want  string
	}{
		{"held", lease("replica-a", 2*time.Second), nil,
			"standby: replica-a holds the Lease tieracl/tieracl-controller, renewed 2s ago"},
		{"expired", lease("replica-a", time.Minute), nil, "is free or expired"},
		{"released", lease("", time.Second), nil, "is free or expired"},
		{"unreadable", nil, errors.New("connection refused"), "cannot read the leader-election Lease: connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &health{started: true, lease: func(context.Context) (*coordinationv1.Lease, error) { return tc.lease, tc.err }}
			msg, err := standby(context.Background(), h.lease, now)
			got := msg
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tc.want) || (tc.err != nil) != (err != nil) {
				t.Errorf("standby = %q, %v; want %q", msg, err, tc.want)
			}
		})
	}
	h := &health{started: true,
		lease: func(context.Context) (*coordinationv1.Lease, error) { return nil, errors.New("down") }}
	if _, err := h.ready(context.Background()); err == nil {
		t.Error("a standby that cannot read the Lease is ready")
	}
}
