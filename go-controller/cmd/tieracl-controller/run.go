package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/klog/v2"
	npclient "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/memlimit"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// errLostLease ends a replica that stopped leading while it should have gone on.
var errLostLease = errors.New("lost the leader-election lease")

func run(ctx context.Context, o *options) error {
	portName, err := o.nb.PortNamer()
	if err != nil {
		return err
	}
	if o.aclLogRate < 1 {
		return fmt.Errorf("--acl-log-rate must be at least 1, not %d", o.aclLogRate)
	}
	if o.setShardBound < 0 {
		return fmt.Errorf("--address-set-shard-bound must be 0 (never split) or a bound, not %d", o.setShardBound)
	}
	if _, err := o.nb.TLSConfig(); err != nil {
		return err
	}
	if o.zone != "" && !o.leaderElect {
		return fmt.Errorf("--zone needs --leader-elect: a zone counts in the policies' status while its Lease " +
			"is renewed")
	}
	limit, err := memlimit.Resolve(o.memoryLimit)
	if err != nil {
		return fmt.Errorf("--memory-limit: %w", err)
	}
	limit.Apply()
	klog.InfoS("Go memory limit", "limit", limit.String())
	manage, err := controller.ParseManage(o.manage)
	if err != nil {
		return fmt.Errorf("--manage: %w", err)
	}
	cfg, err := restConfig(o.kubeconfig)
	if err != nil {
		return err
	}
	// client-go's default of 5 requests per second would take a minute to write 300 policies' status.
	cfg.QPS, cfg.Burst = 50, 100
	cfg.Wrap(controller.CapRetryAfter) // a restarting API server asks for 5 s; the outage target is 5 s in all
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	policy, err := npclient.NewForConfig(cfg)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	metrics := controller.NewMetrics(reg)
	metrics.SetBuild(versionString(), runtime.Version())
	h := &health{}
	if o.leaderElect {
		h.lease = func(ctx context.Context) (*coordinationv1.Lease, error) {
			return kube.CoordinationV1().Leases(o.leaseNS).Get(ctx, o.leaseName, metav1.GetOptions{})
		}
	}
	if o.leaderElect {
		h.watchdog = leaderelection.NewLeaderHealthzAdaptor(20 * time.Second)
	}
	if o.listenAddress != "" {
		if err := serve(ctx, o.listenAddress, reg, h); err != nil {
			return fmt.Errorf("--listen-address: %w", err)
		}
	}
	nb, err := connectNB(ctx, o, h.setNBError)
	if err != nil {
		return err
	}
	defer nb.Close()
	if o.zone != "" {
		if err := controller.CheckZone(ctx, nb, o.zone); err != nil {
			return err
		}
	}
	if o.zone != "" && o.foldCandidate {
		// The zones' instances campaign for the one folder of the zones' reports too.
		foldCtx, stopFolding := context.WithCancel(ctx)
		folded := make(chan struct{})
		defer func() { stopFolding(); <-folded }() // a folder that holds its Lease releases it
		go func(lease string) {
			defer close(folded)
			runFolder(foldCtx, o, lease, kube, policy, manage, metrics)
		}(o.leaseName)
	}
	if o.zone != "" {
		// Each zone's instances elect their own leader: they write different NBs.
		o.leaseName = zoneLease(o.leaseName, o.zone)
	}
	h.setStarted()
	conn := nbsync.NewConn(nb)      // one echo in flight for both the metric and the controller
	go reportNB(ctx, conn, metrics) // on a standby too, which keeps its NB connection ready

	lead := func(ctx context.Context) error {
		// Watch only the policy APIs the cluster serves. When that changes (a CRD installed or removed),
		// exit with an error: the Deployment starts the controller again, watching the new set.
		unserved, err := controller.ServedPolicyKinds(kube.Discovery())
		if err != nil {
			return fmt.Errorf("discover the served policy APIs: %w", err)
		}
		klog.InfoS("policy APIs", "unserved", unserved)
		c, err := controller.New(controller.Config{Kube: kube, Policy: policy, NB: conn, PortName: portName,
			ACLLogRate: o.aclLogRate, SetShardBound: o.setShardBound, Metrics: metrics,
			ResyncInterval: o.resyncInterval, Unserved: unserved,
			Manage: manage, Zone: o.zone, ZoneKey: o.zoneKey, ReportNamespace: o.leaseNS})
		if err != nil {
			return err
		}
		h.setController(c.Ready)
		metrics.Leader.Set(1)
		defer metrics.Leader.Set(0)
		defer h.setController(nil)
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		go func() {
			if err := controller.WatchServedPolicyKinds(ctx, kube.Discovery(), unserved, servedCheckInterval); err != nil {
				cancel(err)
			}
		}()
		if err := c.Run(ctx); err != nil {
			return err
		}
		if cause := context.Cause(ctx); errors.Is(cause, controller.ErrServedChanged) {
			return cause
		}
		return nil
	}
	if !o.leaderElect {
		return lead(ctx)
	}
	var leadErr error
	err = controller.RunLeader(ctx, kube, controller.LeaderElection{Namespace: o.leaseNS, Name: o.leaseName,
		Identity: o.identity, LeaseDuration: o.leaseDuration, RenewDeadline: o.renewDeadline,
		RetryPeriod: o.retryPeriod, WatchDog: h.watchdog}, func(ctx context.Context) { leadErr = lead(ctx) })
	switch {
	case err != nil:
		return err
	case leadErr != nil:
		return leadErr
	case ctx.Err() == nil:
		return errLostLease
	}
	klog.InfoS("shut down cleanly")
	return nil
}

func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig == "" {
		cfg, err := rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("no --kubeconfig and not in a cluster: %w", err)
		}
		return cfg, nil
	}
	return clientcmd.BuildConfigFromFlags("", kubeconfig)
}

// servedCheckInterval is how often the leader asks the API server which policy APIs it serves.
const servedCheckInterval = 30 * time.Second
