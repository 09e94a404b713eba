// Package nbconn holds how tieracl's programs reach the OVN Northbound database and name pods' logical
// ports: the same flags, TLS set-up and port naming for the controller and the CLI.
package nbconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/template"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// DefaultAddress is where OVN's packages put the NB socket.
const DefaultAddress = "unix:/var/run/ovn/ovnnb_db.sock"

// DefaultPortTemplate names ports as OVN-Kubernetes does.
const DefaultPortTemplate = "{{.Namespace}}_{{.Name}}"

// Flags are the NB connection and port naming settings.
type Flags struct {
	Address          string
	ClientKey        string
	ClientCert       string
	CACert           string
	ServerName       string
	PortNameTemplate string
}

// Defaults returns the flags' default values.
func Defaults() Flags { return Flags{Address: DefaultAddress, PortNameTemplate: DefaultPortTemplate} }

// Register adds the flags to fs; every name in addressAliases is one more name of --nb-address.
func (f *Flags) Register(fs *flag.FlagSet, addressAliases ...string) {
	addrUsage := "OVN Northbound address: unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT; a comma-separated list " +
		"for a clustered (raft) NB, where tieracl writes to the leader"
	fs.StringVar(&f.Address, "nb-address", f.Address, addrUsage)
	for _, alias := range addressAliases {
		fs.StringVar(&f.Address, alias, f.Address, "the same as --nb-address")
	}
	fs.StringVar(&f.ClientKey, "nb-client-key", f.ClientKey, "private key for ssl: NB addresses")
	fs.StringVar(&f.ClientCert, "nb-client-cert", f.ClientCert, "client certificate for ssl: NB addresses")
	fs.StringVar(&f.CACert, "nb-ca-cert", f.CACert, "CA certificate that signed the NB server's certificate")
	fs.StringVar(&f.ServerName, "nb-server-name", f.ServerName,
		"name the NB server certificate must carry; empty for the address's host")
	fs.StringVar(&f.PortNameTemplate, "port-name-template", f.PortNameTemplate,
		"Go template naming a pod's logical switch port from .Namespace and .Name")
}

// TLSConfig loads the client key, certificate and CA for ssl: addresses; nil when none is ssl:.
func (f *Flags) TLSConfig() (*tls.Config, error) {
	if !strings.Contains(f.Address, "ssl:") {
		return nil, nil
	}
	if f.ClientKey == "" || f.ClientCert == "" || f.CACert == "" {
		return nil, fmt.Errorf("ssl: NB addresses need --nb-client-key, --nb-client-cert and --nb-ca-cert")
	}
	cert, err := tls.LoadX509KeyPair(f.ClientCert, f.ClientKey)
	if err != nil {
		return nil, fmt.Errorf("NB client certificate: %w", err)
	}
	caPEM, err := os.ReadFile(f.CACert)
	if err != nil {
		return nil, fmt.Errorf("NB CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("NB CA certificate %s holds no PEM certificate", f.CACert)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ServerName: f.ServerName,
		MinVersion: tls.VersionTLS12}, nil
}

// Connect opens the controller's monitored NB client once, without retrying.
func (f *Flags) Connect(ctx context.Context, opts ...client.Option) (client.Client, error) {
	tlsCfg, err := f.TLSConfig()
	if err != nil {
		return nil, err
	}
	return nbsync.Connect(ctx, f.Address, tlsCfg, opts...)
}

// PortNamer compiles the port name template. The default is a plain function: it runs once per pod event.
func (f *Flags) PortNamer() (cluster.PortNamer, error) {
	if f.PortNameTemplate == DefaultPortTemplate || f.PortNameTemplate == "" {
		return cluster.DefaultPortName, nil
	}
	tmpl, err := template.New("port").Option("missingkey=error").Parse(f.PortNameTemplate)
	if err != nil {
		return nil, fmt.Errorf("--port-name-template: %w", err)
	}
	type pod struct{ Namespace, Name string }
	if err := tmpl.Execute(&strings.Builder{}, pod{"ns", "name"}); err != nil {
		return nil, fmt.Errorf("--port-name-template: %w", err)
	}
	return func(namespace, name string) string {
		var b strings.Builder
		_ = tmpl.Execute(&b, pod{namespace, name}) // checked above: it cannot fail on these fields
		return b.String()
	}, nil
}
