package kube

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The cluster's own CA signs the certificates between kube-apiserver and the nodes' kubelet API: the
// client certificate kube-apiserver presents to a kubelet (pods/exec, pods/log), and each node agent's
// serving certificate, which kube-apiserver verifies (--kubelet-certificate-authority).
func (c *Cluster) caCertFile() string { return filepath.Join(c.certDir(), "ca.crt") }
func (c *Cluster) caKeyFile() string  { return filepath.Join(c.certDir(), "ca.key") }

// KubeletCAFile is the CA that signs kube-apiserver's kubelet client certificate and the node agents'
// serving certificates; a node agent trusts clients signed by it.
func (c *Cluster) KubeletCAFile() string { return c.caCertFile() }

func (c *Cluster) kubeletClientCert() (string, string) {
	return filepath.Join(c.certDir(), "kubelet-client.crt"), filepath.Join(c.certDir(), "kubelet-client.key")
}

// writePKI makes the CA and kube-apiserver's kubelet client certificate (group system:masters).
func (c *Cluster) writePKI() error {
	if err := os.MkdirAll(c.certDir(), 0o700); err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tieracl-test-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	if err := writePEM(c.caCertFile(), "CERTIFICATE", der); err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(c.caKeyFile(), "EC PRIVATE KEY", keyDER); err != nil {
		return err
	}
	certFile, keyFile := c.kubeletClientCert()
	return c.IssueCert(certFile, keyFile, CertRequest{CommonName: "kube-apiserver-kubelet-client",
		Organization: []string{"system:masters"}, Client: true})
}

// CertRequest describes a certificate IssueCert signs with the cluster's CA.
type CertRequest struct {
	CommonName   string
	Organization []string
	// Client makes a client certificate; otherwise a serving one for IPs and DNSNames.
	Client   bool
	IPs      []net.IP
	DNSNames []string
}

// IssueCert writes a certificate for req, signed by the cluster's CA, and its key.
func (c *Cluster) IssueCert(certFile, keyFile string, req CertRequest) error {
	caPEM, err := os.ReadFile(c.caCertFile())
	if err != nil {
		return err
	}
	caKeyPEM, err := os.ReadFile(c.caKeyFile())
	if err != nil {
		return err
	}
	caBlock, _ := pem.Decode(caPEM)
	caKeyBlock, _ := pem.Decode(caKeyPEM)
	if caBlock == nil || caKeyBlock == nil {
		return errors.New("the cluster's CA files hold no PEM block")
	}
	ca, err := x509.ParseCertificate(caBlock.Bytes)
	if err != nil {
		return err
	}
	caKey, err := x509.ParseECPrivateKey(caKeyBlock.Bytes)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return err
	}
	usage := x509.ExtKeyUsageServerAuth
	if req.Client {
		usage = x509.ExtKeyUsageClientAuth
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: req.CommonName, Organization: req.Organization},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		IPAddresses:  req.IPs,
		DNSNames:     req.DNSNames,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("signing %s: %w", req.CommonName, err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(certFile, "CERTIFICATE", der); err != nil {
		return err
	}
	return writePEM(keyFile, "EC PRIVATE KEY", keyDER)
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}
