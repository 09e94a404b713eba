package main

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ovn-kubernetes/libovsdb/client"
	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// connectNB connects to NB, retrying with backoff until it succeeds or ctx ends: an NB that is not up
// yet (the controller often starts first) is waited for, not fatal. Once connected, libovsdb reconnects
// by itself, with a backoff that never gives up. failed hears each failed attempt's error.
func connectNB(ctx context.Context, o *options, failed func(error)) (client.Client, error) {
	forever := func() backoff.BackOff {
		b := backoff.NewExponentialBackOff()
		b.MaxInterval = 10 * time.Second
		b.MaxElapsedTime = 0 // libovsdb panics if a reconnect backoff gives up
		return b
	}
	var c client.Client
	var err error
	connect := func() error {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		c, err = o.nb.Connect(cctx, client.WithReconnect(20*time.Second, forever()))
		if err != nil {
			klog.InfoS("NB not reachable yet", "address", o.nb.Address, "err", err)
			failed(err)
		}
		return err
	}
	if err := backoff.Retry(connect, backoff.WithContext(forever(), ctx)); err != nil {
		return nil, err
	}
	klog.InfoS("connected to NB", "address", o.nb.Address)
	return c, nil
}

// reportNB sets tieracl_nb_connected every second from an echo, whether this replica leads or not.
func reportNB(ctx context.Context, nb *nbsync.Conn, m *controller.Metrics) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		ectx, cancel := context.WithTimeout(ctx, 5*time.Second)
		up := nb.Connected() && nb.Echo(ectx) == nil
		cancel()
		if ctx.Err() != nil {
			return
		}
		if up {
			m.NBConnected.Set(1)
		} else {
			m.NBConnected.Set(0)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
