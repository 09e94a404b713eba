package ovnsandbox

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
)

// NBServerName is the name in the NB server's certificate (its subjectAltName), for the client's
// server-name check.
const NBServerName = "tieracl-nb"

// NBTLS is what a client needs to reach a bed's NB over SSL (Options.NBTLS).
type NBTLS struct {
	// Address is the NB's SSL remote, "ssl:127.0.0.1:<port>".
	Address string
	// CACert signed both the server's and the client's certificates; the server trusts clients it
	// signed.
	CACert, ClientCert, ClientKey string
	// OtherCACert is a CA that signed nothing of the bed's: a client trusting it must refuse the server.
	OtherCACert string
}

// pki is the bed's certificates, made with ovs-pki.
type pki struct {
	port                          int
	serverCert, serverKey, caCert string
	client                        NBTLS
}

// newPKI makes ovs-pki's two certificate authorities (`init`: switchca and controllerca), a server and
// a client certificate signed by switchca, and picks the SSL port; controllerca signs nothing.
func (b *Bed) newPKI(ctx context.Context) (*pki, error) {
	if err := requireHostTools("openssl"); err != nil {
		return nil, err
	}
	ports, err := loopbackPorts(1)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(b.Dir, "pki")
	pkiScript, err := b.OVN.script("ovs-pki")
	if err != nil {
		return nil, err
	}
	for _, step := range [][]string{
		{"init"},
		// -u: the name alone is the certificate's CN and subjectAltName (no id appended).
		{"-u", "req+sign", NBServerName, "switch"},
		{"-u", "req+sign", "tieracl-client", "switch"},
	} {
		argv := append([]string{"bash", pkiScript, "--dir=" + dir,
			"--log=" + filepath.Join(b.Dir, "ovs-pki.log")}, step...)
		if _, err := b.runArgv(ctx, argv); err != nil {
			return nil, fmt.Errorf("ovs-pki: %w\n%s", err, tailFile(filepath.Join(b.Dir, "ovs-pki.log"), 10))
		}
	}
	file := func(name string) string { return filepath.Join(b.Dir, name) }
	p := &pki{port: ports[0], serverCert: file(NBServerName + "-cert.pem"), serverKey: file(NBServerName + "-privkey.pem"),
		caCert: filepath.Join(dir, "switchca", "cacert.pem")}
	p.client = NBTLS{Address: "ssl:127.0.0.1:" + strconv.Itoa(p.port), CACert: p.caCert,
		ClientCert: file("tieracl-client-cert.pem"), ClientKey: file("tieracl-client-privkey.pem"),
		OtherCACert: filepath.Join(dir, "controllerca", "cacert.pem")}
	return p, nil
}

// serverArgs are the NB ovsdb-server's flags for SSL: the listening remote, its key and certificate,
// and the CA its clients' certificates must come from.
func (p *pki) serverArgs() []string {
	return []string{"--remote=pssl:" + strconv.Itoa(p.port) + ":127.0.0.1", "--private-key=" + p.serverKey,
		"--certificate=" + p.serverCert, "--ca-cert=" + p.caCert}
}

// NBTLS returns the SSL remote and the certificates of a bed started with Options.NBTLS, else nil.
func (b *Bed) NBTLS() *NBTLS {
	if b.pki == nil {
		return nil
	}
	c := b.pki.client
	return &c
}
