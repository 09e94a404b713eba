package kube

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func (c *Cluster) certDir() string   { return filepath.Join(c.Dir, "certs") }
func (c *Cluster) saKeyFile() string { return filepath.Join(c.Dir, "service-account.key") }
func (c *Cluster) tokenFile() string { return filepath.Join(c.Dir, "tokens.csv") }

// servingCert is the self-signed certificate kube-apiserver makes in --cert-dir: its serving
// certificate followed by the CA that signed it, so it serves as the clients' CA bundle.
func (c *Cluster) servingCert() string { return filepath.Join(c.certDir(), "apiserver.crt") }

// writeCredentials makes the service-account signing key and the static token file with one admin
// token in group system:masters, which RBAC lets do anything.
func (c *Cluster) writeCredentials() error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(c.saKeyFile(), keyPEM, 0o600); err != nil {
		return err
	}
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	c.adminToken = hex.EncodeToString(raw)
	return os.WriteFile(c.tokenFile(), []byte(c.adminToken+`,admin,admin,"system:masters"`+"\n"), 0o600)
}

// RESTConfig is a client configuration for the admin user (system:masters).
func (c *Cluster) RESTConfig() *rest.Config { return c.ConfigForToken(c.adminToken) }

// ConfigForToken is a client configuration that authenticates with token, e.g. one from TokenFor. The
// server is verified against the CA that signed its self-made certificate.
func (c *Cluster) ConfigForToken(token string) *rest.Config {
	return &rest.Config{
		Host:            c.URL,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAFile: c.servingCert()},
		QPS:             100,
		Burst:           200,
	}
}

// Kubeconfig writes a kubeconfig for the admin user to path.
func (c *Cluster) Kubeconfig(path string) error { return c.KubeconfigForToken(path, c.adminToken) }

// KubeconfigForToken writes a kubeconfig that authenticates with token to path; the CA is inlined so
// the file outlives the run folder's layout.
func (c *Cluster) KubeconfigForToken(path, token string) error {
	ca, err := os.ReadFile(c.servingCert())
	if err != nil {
		return err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["tieracl"] = &clientcmdapi.Cluster{Server: c.URL, CertificateAuthorityData: ca}
	cfg.AuthInfos["tieracl"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["tieracl"] = &clientcmdapi.Context{Cluster: "tieracl", AuthInfo: "tieracl"}
	cfg.CurrentContext = "tieracl"
	return clientcmd.WriteToFile(*cfg, path)
}

// TokenFor returns a one-hour token for the ServiceAccount namespace/name from the TokenRequest API,
// creating the namespace and the ServiceAccount when missing. It grants nothing: bind roles to
// system:serviceaccount:<namespace>:<name> for that.
func (c *Cluster) TokenFor(ctx context.Context, namespace, name string) (string, error) {
	client, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		return "", err
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	_, err = client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	_, err = client.CoreV1().ServiceAccounts(namespace).Create(ctx, sa, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	hour := int64(3600)
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &hour}}
	got, err := client.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name, req, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("token for %s/%s: %w", namespace, name, err)
	}
	return got.Status.Token, nil
}

func (c *Cluster) httpClient() (*http.Client, error) { return rest.HTTPClientFor(c.RESTConfig()) }

// httpOK fails unless GET url answers 200.
func httpOK(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }() // a probe's response; its status is what counts
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	return nil
}
