package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// With a CA that did not sign the NB server's certificate, /readyz names the TLS error, not only
// "not connected yet".
func TestReadyzNamesTheNBConnectionError(t *testing.T) {
	dir := t.TempDir()
	serverCA, serverCAKey := newCA(t, "server CA")
	otherCA, otherCAKey := newCA(t, "other CA")
	serverCert := newLeaf(t, serverCA, serverCAKey, "nb")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{serverCert}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }() // the test is over; an error closing the listener changes nothing
	go acceptHandshakes(ln)

	clientCert := newLeaf(t, otherCA, otherCAKey, "tieracl")
	o := defaultOptions()
	o.nb.Address = "ssl:" + ln.Addr().String()
	o.nb.ServerName = "nb"
	o.nb.ClientCert, o.nb.ClientKey = writePEM(t, dir, "client", clientCert)
	o.nb.CACert = filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(o.nb.CACert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: otherCA.Raw}),
		0o600); err != nil {
		t.Fatal(err)
	}

	h := &health{}
	if _, err := h.ready(context.Background()); err == nil || !strings.Contains(err.Error(), "not connected to NB yet") {
		t.Fatalf("before any attempt: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = connectNB(ctx, o, func(err error) { h.setNBError(err); cancel() })
	if err == nil {
		t.Fatal("connected to NB through a CA that did not sign its certificate")
	}
	_, err = h.ready(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not connected to NB yet") ||
		!strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Errorf("/readyz says %v; want the TLS error", err)
	}
}

func acceptHandshakes(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			_ = c.(*tls.Conn).Handshake()
			_ = c.Close()
		}()
	}
}

func newCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func newLeaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// writePEM writes a certificate and its key and returns their paths.
func writePEM(t *testing.T, dir, name string, c tls.Certificate) (certPath, keyPath string) {
	t.Helper()
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}),
		0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}
