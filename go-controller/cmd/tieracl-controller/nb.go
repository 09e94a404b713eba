package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ovn-kubernetes/libovsdb/client"
	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// tlsConfig loads the client key, certificate and CA for ssl: addresses; nil when none is ssl:.
func (o *options) tlsConfig() (*tls.Config, error) {
	if !strings.Contains(o.nbAddress, "ssl:") {
		return nil, nil
	}
	if o.nbClientKey == "" || o.nbClientCert == "" || o.nbCACert == "" {
		return nil, fmt.Errorf("ssl: NB addresses need --nb-client-key, --nb-client-cert and --nb-ca-cert")
	}
	cert, err := tls.LoadX509KeyPair(o.nbClientCert, o.nbClientKey)
	if err != nil {
		return nil, fmt.Errorf("NB client certificate: %w", err)
	}
	caPEM, err := os.ReadFile(o.nbCACert)
	if err != nil {
		return nil, fmt.Errorf("NB CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("NB CA certificate %s holds no PEM certificate", o.nbCACert)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ServerName: o.nbServerName,
		MinVersion: tls.VersionTLS12}, nil
}

// connectNB connects to NB, retrying with backoff until it succeeds or ctx ends: an NB that is not up
// yet (the controller often starts first) is waited for, not fatal. Once connected, libovsdb reconnects
// by itself, with a backoff that never gives up.
func connectNB(ctx context.Context, o *options) (client.Client, error) {
	tlsCfg, err := o.tlsConfig()
	if err != nil {
		return nil, err
	}
	forever := func() backoff.BackOff {
		b := backoff.NewExponentialBackOff()
		b.MaxInterval = 10 * time.Second
		b.MaxElapsedTime = 0 // libovsdb panics if a reconnect backoff gives up
		return b
	}
	var c client.Client
	connect := func() error {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		c, err = nbsync.Connect(cctx, o.nbAddress, tlsCfg, client.WithReconnect(20*time.Second, forever()))
		if err != nil {
			klog.InfoS("NB not reachable yet", "address", o.nbAddress, "err", err)
		}
		return err
	}
	if err := backoff.Retry(connect, backoff.WithContext(forever(), ctx)); err != nil {
		return nil, err
	}
	klog.InfoS("connected to NB", "address", o.nbAddress)
	return c, nil
}

// reportNB sets tieracl_nb_connected every second from an echo, whether this replica leads or not.
func reportNB(ctx context.Context, nb client.Client, m *controller.Metrics) {
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
