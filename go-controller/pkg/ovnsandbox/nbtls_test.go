package ovnsandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// The NB over SSL with ovs-pki's certificates: a client trusting the bed's CA connects; one trusting
// another CA is refused with the reason.
func TestNBTLS(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := startBedWith(t, ctx, Options{NBTLS: true})
	nbTLS := b.NBTLS()
	if nbTLS == nil || !strings.HasPrefix(nbTLS.Address, "ssl:127.0.0.1:") {
		t.Fatalf("NBTLS() = %+v", nbTLS)
	}
	config := func(ca string) *tls.Config {
		t.Helper()
		cert, err := tls.LoadX509KeyPair(nbTLS.ClientCert, nbTLS.ClientKey)
		if err != nil {
			t.Fatal(err)
		}
		pem, err := os.ReadFile(ca)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			t.Fatalf("%s holds no certificate", ca)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ServerName: NBServerName}
	}
	if _, err := b.NBCtl(ctx, "ls-add", "over-unix"); err != nil {
		t.Fatal(err)
	}
	nb, err := nbsync.Connect(ctx, nbTLS.Address, config(nbTLS.CACert))
	if err != nil {
		t.Fatalf("connecting over SSL with the bed's CA: %v", err)
	}
	nb.Close()

	cctx, cancelConnect := context.WithTimeout(ctx, 10*time.Second)
	defer cancelConnect()
	nb, err = nbsync.Connect(cctx, nbTLS.Address, config(nbTLS.OtherCACert))
	if err == nil {
		nb.Close()
		t.Fatal("a client trusting another CA connected")
	}
	if !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Errorf("wrong CA: %v, want an error naming the unknown authority", err)
	}
}
