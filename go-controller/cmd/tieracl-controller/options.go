package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// options are the command's flags.
type options struct {
	kubeconfig       string
	nbAddress        string
	nbClientKey      string
	nbClientCert     string
	nbCACert         string
	nbServerName     string
	portNameTemplate string
	listenAddress    string
	resyncInterval   time.Duration

	leaderElect   bool
	leaseNS       string
	leaseName     string
	identity      string
	leaseDuration time.Duration
	renewDeadline time.Duration
	retryPeriod   time.Duration
}

func defaultOptions() *options {
	host, _ := os.Hostname()
	ns := os.Getenv("POD_NAMESPACE")
	if ns == "" {
		ns = "tieracl"
	}
	return &options{nbAddress: "unix:/var/run/ovn/ovnnb_db.sock", portNameTemplate: defaultPortTemplate,
		listenAddress: ":9476", resyncInterval: 10 * time.Minute, leaderElect: true, leaseNS: ns,
		leaseName: "tieracl-controller", identity: host, leaseDuration: 15 * time.Second,
		renewDeadline: 10 * time.Second, retryPeriod: 2 * time.Second}
}

const defaultPortTemplate = "{{.Namespace}}_{{.Name}}"

func (o *options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.kubeconfig, "kubeconfig", o.kubeconfig, "kubeconfig file; empty for the in-cluster service account")
	fs.StringVar(&o.nbAddress, "nb-address", o.nbAddress, "OVN Northbound address: unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT; a comma-separated list for a clustered (raft) NB, where tieracl writes to the leader")
	fs.StringVar(&o.nbClientKey, "nb-client-key", o.nbClientKey, "private key for ssl: NB addresses")
	fs.StringVar(&o.nbClientCert, "nb-client-cert", o.nbClientCert, "client certificate for ssl: NB addresses")
	fs.StringVar(&o.nbCACert, "nb-ca-cert", o.nbCACert, "CA certificate that signed the NB server's certificate")
	fs.StringVar(&o.nbServerName, "nb-server-name", o.nbServerName, "name the NB server certificate must carry; empty for the address's host")
	fs.StringVar(&o.portNameTemplate, "port-name-template", o.portNameTemplate, "Go template naming a pod's logical switch port from .Namespace and .Name")
	fs.StringVar(&o.listenAddress, "listen-address", o.listenAddress, "address serving /metrics, /healthz and /readyz; empty to serve nothing")
	fs.DurationVar(&o.resyncInterval, "resync-interval", o.resyncInterval, "how often the whole state is compared with NB and repaired; 0 for never")
	fs.BoolVar(&o.leaderElect, "leader-elect", o.leaderElect, "take a Lease before writing, so that of several replicas only one writes")
	fs.StringVar(&o.leaseNS, "leader-election-namespace", o.leaseNS, "namespace of the Lease (default: $POD_NAMESPACE, else tieracl)")
	fs.StringVar(&o.leaseName, "leader-election-id", o.leaseName, "name of the Lease")
	fs.StringVar(&o.identity, "leader-election-identity", o.identity, "this replica's name in the Lease (default: host name)")
	fs.DurationVar(&o.leaseDuration, "leader-election-lease-duration", o.leaseDuration, "how long a Lease stays valid without renewal")
	fs.DurationVar(&o.renewDeadline, "leader-election-renew-deadline", o.renewDeadline, "how long the leader keeps trying to renew before it stops writing")
	fs.DurationVar(&o.retryPeriod, "leader-election-retry-period", o.retryPeriod, "wait between Lease attempts")
}

// portNamer compiles the port name template. The default is a plain function: it runs once per pod event.
func (o *options) portNamer() (cluster.PortNamer, error) {
	if o.portNameTemplate == defaultPortTemplate {
		return cluster.DefaultPortName, nil
	}
	tmpl, err := template.New("port").Option("missingkey=error").Parse(o.portNameTemplate)
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
