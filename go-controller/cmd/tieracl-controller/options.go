package main

import (
	"flag"
	"os"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/memlimit"
	"github.com/tieracl/tieracl/go-controller/pkg/nbconn"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// options are the command's flags.
type options struct {
	kubeconfig     string
	nb             nbconn.Flags // NB connection and port naming, shared with the CLI
	listenAddress  string
	resyncInterval time.Duration
	manage         string
	aclLogRate     int
	setShardBound  int
	zone           string
	zoneKey        string
	zoneGrace      time.Duration
	foldCandidate  bool
	memoryLimit    string

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
	return &options{nb: nbconn.Defaults(), listenAddress: ":9476", resyncInterval: 10 * time.Minute, manage: "all",
		aclLogRate: translate.DefaultACLLogRate, leaderElect: true, leaseNS: ns,
		leaseName: "tieracl-controller", identity: host, leaseDuration: 15 * time.Second,
		renewDeadline: 10 * time.Second, retryPeriod: 2 * time.Second, zoneGrace: time.Minute,
		foldCandidate: true, memoryLimit: memlimit.Auto}
}

func (o *options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.kubeconfig, "kubeconfig", o.kubeconfig, "kubeconfig file; empty for the in-cluster service account")
	o.nb.Register(fs)
	fs.StringVar(
		&o.listenAddress,
		"listen-address",
		o.listenAddress,
		"address serving /metrics, /healthz and /readyz; empty to serve nothing",
	)
	fs.StringVar(&o.manage, "manage", o.manage, "policy kinds to program: all, or a comma-separated list of "+
		"ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, NetworkPolicy "+
		"(leave NetworkPolicy out where the CNI programs it)")
	fs.DurationVar(
		&o.resyncInterval,
		"resync-interval",
		o.resyncInterval,
		"how often the whole state is compared with NB and repaired; 0 for never",
	)
	fs.StringVar(&o.zone, "zone", o.zone, "OVN interconnect zone (NB_Global name) whose NB this instance writes, "+
		"one instance per zone; empty for one NB for the whole cluster")
	fs.StringVar(&o.zoneKey, "zone-key", controller.ZoneKey, "with --zone: the Node annotation, or failing it "+
		"label, naming a node's zone (a node with neither is in zone \""+controller.UnnamedZone+"\"); a pod is in "+
		"its node's zone")
	fs.DurationVar(&o.zoneGrace, "zone-report-grace", o.zoneGrace, "zone mode: how long after its Lease expired "+
		"a zone's last report still counts in the policies' status before it is pruned")
	fs.BoolVar(&o.foldCandidate, "zone-fold-candidate", o.foldCandidate, "zone mode: campaign for the Lease "+
		"of the one instance that folds the zones' reports into the policies' status; some instances must")
	fs.StringVar(&o.memoryLimit, "memory-limit", o.memoryLimit, "the Go runtime's soft memory limit: a quantity "+
		"(1800Mi), none, or auto: $GOMEMLIMIT if set, else 90% of the container's cgroup memory limit, if any")
	fs.IntVar(
		&o.aclLogRate,
		"acl-log-rate",
		o.aclLogRate,
		"log messages per second each logged ACL may write (k8s.ovn.org/acl-logging); more are dropped by an OVN meter",
	)
	fs.IntVar(&o.setShardBound, "address-set-shard-bound", o.setShardBound, "the most addresses an address set "+
		"holds in one NB row; a larger set is split into shards that ACLs name together (smaller rows make pod "+
		"moves cheaper for ovsdb-server); 0 never splits, 1024 is a good bound")
	fs.BoolVar(
		&o.leaderElect,
		"leader-elect",
		o.leaderElect,
		"take a Lease before writing, so that of several replicas only one writes",
	)
	fs.StringVar(
		&o.leaseNS,
		"leader-election-namespace",
		o.leaseNS,
		"namespace of the Lease (default: $POD_NAMESPACE, else tieracl)",
	)
	fs.StringVar(&o.leaseName, "leader-election-id", o.leaseName, "name of the Lease")
	fs.StringVar(
		&o.identity,
		"leader-election-identity",
		o.identity,
		"this replica's name in the Lease (default: host name)",
	)
	fs.DurationVar(
		&o.leaseDuration,
		"leader-election-lease-duration",
		o.leaseDuration,
		"how long a Lease stays valid without renewal",
	)
	fs.DurationVar(
		&o.renewDeadline,
		"leader-election-renew-deadline",
		o.renewDeadline,
		"how long the leader keeps trying to renew before it stops writing",
	)
	fs.DurationVar(&o.retryPeriod, "leader-election-retry-period", o.retryPeriod, "wait between Lease attempts")
}
