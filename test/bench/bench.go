// Package bench measures the tieracl controller against a real NB ovsdb-server: a full sync into an
// empty NB, a restart on an unchanged NB (which must write nothing), and streams of pod label changes
// from the API write to the NB commit. The controller runs in this process on fake clientsets;
// cmd/tieracl-bench is its command line and docs/performance.md holds the figures.
package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	npfake "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
	"github.com/tieracl/tieracl/test/testbed"
)

// Options configure Run.
type Options struct {
	// Northd "pause" (the default) stops ovn-northd once the bed is up, so the two cores measure the
	// controller and NB alone; "run" leaves it working on every change, as in a cluster.
	Northd string
	// Rate and Duration shape the steady stream (events/s for that long); MaxDuration is the length of
	// the stream at the highest rate the writers reach. Zero skips a stream.
	Rate        float64
	Duration    time.Duration
	MaxDuration time.Duration
	// Writers is how many goroutines write pod updates (the fake API's Update is synchronous).
	Writers int
	// ReadyTimeout bounds each wait for the controller to become ready.
	ReadyTimeout time.Duration
	Seed         int64
	// Progress, when set, receives a line as each phase starts.
	Progress func(string)
	// HeapProfile, when set, is where a heap profile is written after the last phase, while the
	// controller still runs.
	HeapProfile string
	// KeepBed leaves the test bed's run folder (databases, OVN logs) in place.
	KeepBed bool
	// NoLimit skips the limit (the full sync's operations replayed into a fresh NB), NoNorthdCompile
	// the fresh ovn-northd and SB on the NB the full sync wrote.
	NoLimit         bool
	NoNorthdCompile bool
	// PhaseProfiles, when set, is a folder where the full sync and the restart each write a CPU profile
	// and an execution trace of their own (fullsync.pprof, fullsync.trace, restart.pprof, restart.trace).
	PhaseProfiles string
	// ShardBound is the controller's address-set shard bound (translate.Options.SetShardBound: 0, the
	// default, writes every set as one row).
	ShardBound int
	// MaxInFlight is the controller's limit of NB transactions in flight (controller.Config.MaxInFlight:
	// 0, the default, is the controller's own default).
	MaxInFlight int
}

// Report is everything one run measured.
type Report struct {
	Workload string   `json:"workload"`
	Size     Size     `json:"size"`
	Rows     Rows     `json:"rows"`
	Setup    Setup    `json:"setup"`
	FullSync FullSync `json:"full_sync"`
	Restart  Restart  `json:"restart"`
	Limit    *Limit   `json:"limit,omitempty"`
	// LimitRatio is the full sync's time over the limit's.
	LimitRatio float64  `json:"limit_ratio,omitempty"`
	Northd     *Northd  `json:"northd,omitempty"`
	Streams    []Stream `json:"streams"`
	// FinalMatch says NB held exactly the translation of the cluster after the streams.
	FinalMatch bool     `json:"final_nb_matches_translation"`
	Failures   []string `json:"failures,omitempty"`
}

// Size counts the workload's objects and policy rules.
type Size struct {
	Namespaces int `json:"namespaces"`
	Pods       int `json:"pods"`
	Nodes      int `json:"nodes"`
	ANPs       int `json:"anps"`
	ANPRules   int `json:"anp_rules"`
	BANPRules  int `json:"banp_rules"`
	// Admin and Baseline ClusterNetworkPolicies and their rules (a workload restated with --cnp).
	AdminCNPs       int `json:"admin_cnps,omitempty"`
	AdminRules      int `json:"admin_cnp_rules,omitempty"`
	BaselineCNPs    int `json:"baseline_cnps,omitempty"`
	BaselineRules   int `json:"baseline_cnp_rules,omitempty"`
	NetworkPolicies int `json:"network_policies"`
}

// Rows are the rows tieracl owns in NB after the full sync.
type Rows struct {
	ACLs               int `json:"acls"`
	PortGroups         int `json:"port_groups"`
	AddressSets        int `json:"address_sets"`
	AddressSetEntries  int `json:"address_set_entries"`
	PortGroupPorts     int `json:"port_group_ports"`
	LogicalSwitchPorts int `json:"logical_switch_ports"`
}

// Setup is how the bench built the bed: northd running or paused, and how long ports and the fake API took.
type Setup struct {
	Northd       string  `json:"northd"`
	PortsSeconds float64 `json:"ports_seconds"` // creating the pods' logical switch ports
	FakeSeconds  float64 `json:"fake_api_seconds"`
}

// FullSync measures the first controller from start to Ready on an NB without its rows.
type FullSync struct {
	Seconds float64 `json:"seconds"` // controller.New, NB connect and Run until Ready
	Ops     float64 `json:"nb_ops"`
	// Unconfirmed counts operations sent in transactions NB did not answer in time (it may have committed
	// them); the controller's next whole-state write settled them, and its operations count in Ops.
	Unconfirmed  float64 `json:"nb_ops_unconfirmed"`
	Transactions uint64  `json:"transactions"`
	Matches      bool    `json:"nb_matches_translation"`
	Usage        Usage   `json:"usage"`
}

// Restart measures a second controller on the NB the first one wrote: it must write nothing.
type Restart struct {
	Seconds float64 `json:"seconds"`
	Ops     float64 `json:"nb_ops"` // must be 0
	Usage   Usage   `json:"usage"`
}

// Run benchmarks the controller on one workload. It returns the report even when a measurement
// failed; the error then says which. It hands the workload's snapshot to the fake API and clears it.
func Run(ctx context.Context, w *Workload, o Options) (*Report, error) {
	if o.Writers <= 0 {
		o.Writers = 4
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = 10 * time.Minute
	}
	progress := o.Progress
	if progress == nil {
		progress = func(string) {}
	}
	rep := &Report{Workload: w.Name, Size: sizeOf(w.Snapshot)}
	fail := func(format string, args ...any) {
		rep.Failures = append(rep.Failures, fmt.Sprintf(format, args...))
	}

	progress("starting the OVN test bed")
	root, err := testbed.OVN(ctx)
	if err != nil {
		return rep, err
	}
	bed, err := ovnsandbox.Start(ctx, ovnsandbox.Options{OVN: root, KeepRunDir: o.KeepBed})
	if err != nil {
		return rep, fmt.Errorf("the OVN test bed does not start: %w", err)
	}
	defer func() {
		if err := bed.Stop(); err != nil {
			fail("%v", err)
		}
	}()
	if o.KeepBed {
		progress("test bed run folder (kept): " + bed.Dir)
	}
	rep.Setup.Northd = "run"
	if o.Northd != "run" {
		if err := stopNorthd(ctx, bed); err != nil {
			return rep, err
		}
		rep.Setup.Northd = "stopped"
	}

	progress("creating the pods' logical switch ports")
	start := time.Now()
	if w.TopologyFile != "" {
		err = applyTopologyFile(ctx, w.Python, w.TransactScript, bed.NBSocket(), w.TopologyFile)
	} else {
		_, err = createPorts(ctx, bed.NBSocket(), w.Snapshot)
	}
	if err != nil {
		return rep, fmt.Errorf("logical switch ports: %w", err)
	}
	rep.Setup.PortsSeconds = time.Since(start).Seconds()
	limitDB := filepath.Join(bed.Dir, "limit", "limit-nb.db")
	if !o.NoLimit {
		if err := os.MkdirAll(filepath.Dir(limitDB), 0o755); err != nil {
			return rep, err
		}
		if err := backupNB(ctx, ovnRoot(bed), filepath.Dir(limitDB), bed.NBSocket(), limitDB); err != nil {
			return rep, fmt.Errorf("copying the topology for the limit: %w", err)
		}
	}

	progress("loading the fake API")
	start = time.Now()
	// The fake API's watchers panic when 100 events wait unread; the streams write faster than that.
	// (Each watcher's channel is allocated whole: 2 MB at this size.)
	watch.DefaultChanSize = 1 << 16
	kube, policy := fakeClients(w.Snapshot)
	rep.Setup.FakeSeconds = time.Since(start).Seconds()
	// From here on the fake API holds the cluster; the bench reads it back when it needs it, so that
	// a second copy does not count in the memory of the phases.
	w.Snapshot = nil

	// 1. Full sync into an empty NB.
	progress("full sync")
	nbPid := readPid(filepath.Join(bed.Dir, "ovsdb-nb.pid"))
	mem, memStart := startUsage(nbPid)
	stopProfile, err := profilePhase(o.PhaseProfiles, "fullsync")
	if err != nil {
		return rep, err
	}
	start = time.Now()
	c1, err := startController(ctx, bed.NBSocket(), o.tuning(), kube, policy)
	if err != nil {
		stopProfile()
		return rep, err
	}
	err = c1.waitReady(ctx, o.ReadyTimeout)
	rep.FullSync.Seconds = time.Since(start).Seconds()
	rep.FullSync.Usage = mem.finish(memStart)
	stopProfile()
	if err != nil {
		c1.stop()
		return rep, fmt.Errorf("full sync: %w", err)
	}
	m := readMetrics(c1.reg)
	rep.FullSync.Ops = m.sum(metricOps)
	rep.FullSync.Unconfirmed = m.sum(metricUnconfirmed)
	rep.FullSync.Transactions = m.samples(metricTransaction, "")
	u := rep.FullSync.Usage
	progress(fmt.Sprintf("full sync: %.1f s, CPU %.1f s (NB server %.1f s), peak RSS %.0f MB, heap %.0f MB",
		rep.FullSync.Seconds, u.CPUSeconds, u.NBCPU, u.PeakRSSMB, u.PeakHeapMB))

	progress("checking NB against the translation")
	snap, err := readSnapshot(ctx, kube, policy)
	if err != nil {
		c1.stop()
		return rep, err
	}
	desired := translate.Translate(snap, translate.Options{SetShardBound: o.ShardBound})
	check, err := nbsync.Connect(ctx, bed.NBSocket(), nil)
	if err != nil {
		c1.stop()
		return rep, err
	}
	rep.Rows, err = countRows(ctx, check)
	if err == nil {
		rep.FullSync.Matches, err = matches(ctx, check, &desired.State, 30*time.Second)
	}
	if err != nil {
		c1.stop()
		check.Close()
		return rep, err
	}
	if !rep.FullSync.Matches {
		fail("after the full sync NB does not hold the translation of the cluster")
	}

	// 2. Restart on an unchanged NB: nothing to write.
	progress("restart")
	c1.stop()
	c1 = nil // its informers and tracker must not count in the memory of the next phases
	mem, memStart = startUsage(nbPid)
	if stopProfile, err = profilePhase(o.PhaseProfiles, "restart"); err != nil {
		check.Close()
		return rep, err
	}
	start = time.Now()
	c2, err := startController(ctx, bed.NBSocket(), o.tuning(), kube, policy)
	if err != nil {
		stopProfile()
		check.Close()
		return rep, err
	}
	defer c2.stop()
	err = c2.waitReady(ctx, o.ReadyTimeout)
	rep.Restart.Seconds = time.Since(start).Seconds()
	rep.Restart.Usage = mem.finish(memStart)
	stopProfile()
	if err != nil {
		check.Close()
		return rep, fmt.Errorf("restart: %w", err)
	}
	time.Sleep(time.Second) // late batches (status echoes) must not write either
	rm := readMetrics(c2.reg)
	rep.Restart.Ops = rm.sum(metricOps) + rm.sum(metricUnconfirmed)
	if rep.Restart.Ops != 0 {
		fail("the restarted controller wrote %.0f NB operations to an NB that already held its state", rep.Restart.Ops)
	}

	// The check client's cache would follow every change; it goes until the end.
	check.Close()
	check = nil

	// 3. The limit: the full sync's operations alone, into a fresh NB of the same topology.
	if !o.NoLimit {
		progress("limit: the full sync's operations in one transaction into a fresh NB")
		l, err := measureLimit(ctx, ovnRoot(bed), filepath.Dir(limitDB), limitDB, &desired.State)
		_ = os.Remove(limitDB)
		if err != nil {
			fail("limit: %v", err)
		} else {
			rep.Limit = &l
			if l.Seconds > 0 {
				rep.LimitRatio = rep.FullSync.Seconds / l.Seconds
			}
			// Operations NB left unanswered were committed or written again by the next write: one or the other.
			if float64(l.Written) != rep.FullSync.Ops+rep.FullSync.Unconfirmed {
				fail("limit: %d operations planned on the fresh NB (%d as a full sync writes them), the full sync "+
					"wrote %.0f (and %.0f unanswered)", l.Ops, l.Written, rep.FullSync.Ops, rep.FullSync.Unconfirmed)
			}
		}
	}

	streams := o.Duration > 0 || o.MaxDuration > 0
	var mv *mover
	var mon *setMonitor
	if streams || !o.NoNorthdCompile {
		if mv, err = newMover(snap, desired, o.Seed); err != nil {
			return rep, err
		}
		if mon, err = dialSetMonitor(ctx, bed.NBSocket(), nil); err != nil {
			return rep, fmt.Errorf("NB monitor: %w", err)
		}
		defer func() {
			if mon != nil {
				_ = mon.Close() // an early return; its error is the one returned
			}
		}()
	}

	// 4. A fresh ovn-northd and SB on the NB the controller wrote.
	if !o.NoNorthdCompile {
		progress("ovn-northd: cold compile of the NB, one pod move")
		dir := filepath.Join(bed.Dir, "northd")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return rep, err
		}
		n, err := measureNorthd(ctx, ovnRoot(bed), dir, bed.NBSocket(), onePodMove(kube, mv, mon), o.ReadyTimeout)
		if err != nil {
			fail("ovn-northd: %v", err)
		} else {
			rep.Northd = &n
		}
	}

	// 5. Pod label changes.
	if streams {
		kube.ClearActions()
		s := newStreamer(kube.Tracker(), kube.ClearActions, mv, o.Writers)
		mon.setToggled(s.toggled)
		mon.setReshaped(s.reshaped)
		type streamRun struct {
			name string
			rate float64 // 0: as fast as the writers go
			d    time.Duration
		}
		var runs []streamRun
		if o.Rate > 0 && o.Duration > 0 {
			runs = append(runs, streamRun{fmt.Sprintf("steady %.0f/s", o.Rate), o.Rate, o.Duration})
		}
		if o.MaxDuration > 0 {
			runs = append(runs, streamRun{"max rate", 0, o.MaxDuration})
		}
		for _, r := range runs {
			progress("stream: " + r.name)
			before := readMetrics(c2.reg)
			mem, memStart := startUsage(nbPid)
			st, err := s.run(ctx, r.name, r.rate, r.d, 30*time.Second)
			st.Usage = mem.finish(memStart)
			after := readMetrics(c2.reg)
			st.Ops = after.sum(metricOps) - before.sum(metricOps)
			if st.Events > 0 {
				st.OpsPerEvent = st.Ops / float64(st.Events)
			}
			st.Transactions = after.samples(metricTransaction, "") - before.samples(metricTransaction, "")
			st.FullSyncs = after.samples(metricReconcile, "full") - before.samples(metricReconcile, "full")
			st.BatchMs = 1000 * after.meanSince(before, metricReconcile, "")
			st.CommitMs = 1000 * after.meanSince(before, metricTransaction, "")
			st.CtrlP50ms = Bound(1000 * quantileBound(before, after, metricEventCommit, 0.50))
			st.CtrlP99ms = Bound(1000 * quantileBound(before, after, metricEventCommit, 0.99))
			rep.Streams = append(rep.Streams, st)
			if err != nil {
				fail("%v", err)
			} else if st.SetChanges == 0 || st.Ops == 0 {
				fail("stream %s moved no pod across an address set (%d set changes, %.0f NB operations)", r.name, st.SetChanges,
					st.Ops)
			}
		}
		err := mon.Close()
		mon = nil
		if err != nil {
			fail("NB monitor: %v", err)
		}

		progress("checking NB against the translation of the moved cluster")
		final, err := readSnapshot(ctx, kube, policy)
		if err != nil {
			return rep, err
		}
		check, err := nbsync.Connect(ctx, bed.NBSocket(), nil)
		if err != nil {
			return rep, err
		}
		// The controller's shard counts have hysteresis: the translation starts from NB's, as its own does.
		shards, err := nbShardCounts(ctx, check)
		if err != nil {
			check.Close()
			return rep, err
		}
		want := translate.Translate(final, translate.Options{SetShardBound: o.ShardBound, Shards: shards})
		rep.FinalMatch, err = matches(ctx, check, &want.State, 30*time.Second)
		check.Close()
		if err != nil {
			return rep, err
		}
		if !rep.FinalMatch {
			fail("after the streams NB does not hold the translation of the cluster")
		}
	}
	if o.HeapProfile != "" {
		if err := writeHeapProfile(o.HeapProfile); err != nil {
			fail("heap profile: %v", err)
		}
	}
	if len(rep.Failures) > 0 {
		return rep, errors.New(strings.Join(rep.Failures, "; "))
	}
	return rep, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		_ = f.Close() // the profile error is the one that matters
		return err
	}
	return f.Close()
}

func sizeOf(s *cluster.Snapshot) Size {
	z := Size{Namespaces: len(s.Namespaces), Pods: len(s.Pods), Nodes: len(s.Nodes), ANPs: len(s.ANPs),
		NetworkPolicies: len(s.NetworkPolicies)}
	for _, a := range s.ANPs {
		z.ANPRules += len(a.Spec.Ingress) + len(a.Spec.Egress)
	}
	for _, b := range s.BANPs {
		z.BANPRules += len(b.Spec.Ingress) + len(b.Spec.Egress)
	}
	for _, c := range s.CNPs {
		if c.Spec.Tier == cnpv1beta1.AdminTier {
			z.AdminCNPs++
			z.AdminRules += len(c.Spec.Ingress) + len(c.Spec.Egress)
		} else {
			z.BaselineCNPs++
			z.BaselineRules += len(c.Spec.Ingress) + len(c.Spec.Egress)
		}
	}
	return z
}

func fakeClients(s *cluster.Snapshot) (*kubefake.Clientset, *npfake.Clientset) {
	kube := objects(objects(objects(objects(nil, s.Namespaces), s.Pods), s.Nodes), s.NetworkPolicies)
	policy := objects(objects(objects(nil, s.ANPs), s.BANPs), s.CNPs)
	// The simple object trackers, not NewClientset's field-managed ones: those build a REST mapper on
	// every Update (2-3 ms of CPU, which would bound the streams at the fake API rather than the
	// controller), and the policy API's has no structured-merge schema for its types, so the
	// controller's status updates fail there ("no type found matching").
	return kubefake.NewSimpleClientset(kube...), npfake.NewSimpleClientset(policy...) //nolint:staticcheck
}

// readSnapshot reads the cluster back from the fake API.
func readSnapshot(ctx context.Context, kube *kubefake.Clientset, policy *npfake.Clientset) (*cluster.Snapshot, error) {
	s := &cluster.Snapshot{}
	nss, err := kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	pods, err := kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	nodes, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	nps, err := kube.NetworkingV1().NetworkPolicies("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	anps, err := policy.PolicyV1alpha1().AdminNetworkPolicies().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	banps, err := policy.PolicyV1alpha1().BaselineAdminNetworkPolicies().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	s.Namespaces = pointers(nss.Items)
	s.Pods = pointers(pods.Items)
	s.Nodes = pointers(nodes.Items)
	s.NetworkPolicies = pointers(nps.Items)
	cnps, err := policy.PolicyV1beta1().ClusterNetworkPolicies().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	s.ANPs = pointers(anps.Items)
	s.BANPs = pointers(banps.Items)
	s.CNPs = pointers(cnps.Items)
	return s, nil
}

func pointers[T any](items []T) []*T {
	out := make([]*T, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}

func objects[T kruntime.Object](out []kruntime.Object, in []T) []kruntime.Object {
	for _, o := range in {
		out = append(out, o)
	}
	return out
}

// running is one controller with its own NB connection and metrics registry.
type running struct {
	c      *controller.Controller
	reg    *prometheus.Registry
	nb     *nbsync.Conn
	cancel context.CancelFunc
	done   chan error
}

// tuning is what the bench sets of a controller's configuration: Zone, when set, puts it in zone mode.
type tuning struct {
	Zone                    string
	ShardBound, MaxInFlight int
}

func (o Options) tuning() tuning { return tuning{ShardBound: o.ShardBound, MaxInFlight: o.MaxInFlight} }

// startController runs a controller on the NB behind socket.
func startController(ctx context.Context, socket string, t tuning, kube *kubefake.Clientset,
	policy *npfake.Clientset) (*running, error) {
	// The controller lists the cluster while the NB connection's first dump arrives.
	nb := nbsync.Dial(ctx, func(ctx context.Context) (client.Client, error) { return nbsync.Connect(ctx, socket, nil) })
	r := &running{reg: prometheus.NewRegistry(), nb: nb, done: make(chan error, 1)}
	var err error
	r.c, err = controller.New(controller.Config{Kube: kube, Policy: policy, NB: nb,
		Recorder: &record.FakeRecorder{}, Metrics: controller.NewMetrics(r.reg), Zone: t.Zone, SetShardBound: t.ShardBound,
		MaxInFlight: t.MaxInFlight})
	if err != nil {
		nb.Close()
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	r.cancel = cancel
	go func() { r.done <- r.c.Run(cctx) }()
	return r, nil
}

func (r *running) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for r.c.Ready() != nil {
		select {
		case err := <-r.done:
			r.done <- err
			return fmt.Errorf("controller stopped before it was ready: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("controller not ready after %s: %v", timeout, r.c.Ready())
		}
	}
	return nil
}

func (r *running) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	// Run ends with the cancellation. A failure before Ready surfaced in waitReady; one after it shows in the
	// measurements (NB stops matching the translation) and is logged here, beside the controller's own log.
	if err := <-r.done; err != nil && !errors.Is(err, context.Canceled) {
		klog.Errorf("the benchmarked controller's Run ended with: %v", err)
	}
	r.nb.Close()
	r.cancel = nil
}

// countRows counts the rows tieracl owns in NB, their members, and the logical switch ports.
func countRows(ctx context.Context, c client.Client) (Rows, error) {
	owned := func(ids map[string]string) bool { return ids[nbrows.KeyManagedBy] == nbrows.ManagedByValue }
	var acls []*nbdb.ACL
	var lsps []*nbdb.LogicalSwitchPort
	var rows Rows
	if err := c.WhereCache(func(a *nbdb.ACL) bool { return owned(a.ExternalIDs) }).List(ctx, &acls); err != nil {
		return rows, err
	}
	groups, err := nbsync.ReadPortGroups(ctx, c, true) // the cache holds them without their ports
	if err != nil {
		return rows, err
	}
	sets, err := nbsync.ReadAddressSets(ctx, c, true) // the cache holds them without their addresses
	if err != nil {
		return rows, err
	}
	if err := c.List(ctx, &lsps); err != nil {
		return rows, err
	}
	rows = Rows{ACLs: len(acls), PortGroups: len(groups), AddressSets: len(sets), LogicalSwitchPorts: len(lsps)}
	for _, g := range groups {
		rows.PortGroupPorts += len(g.Ports)
	}
	for _, s := range sets {
		rows.AddressSetEntries += len(s.Addresses)
	}
	return rows, nil
}

// matches waits until NB holds exactly desired (no operation left to write); false when it does not
// within wait.
// nbShardCounts are the shard counts of the sets NB holds in shards.
func nbShardCounts(ctx context.Context, c client.Client) (map[string]int, error) {
	sets, err := nbsync.ReadAddressSets(ctx, c, true)
	if err != nil {
		return nil, err
	}
	return translate.ShardCounts(translate.Rows(sets, func(s *nbdb.AddressSet) (string, map[string]string) {
		return s.Name, s.ExternalIDs
	})), nil
}

func matches(ctx context.Context, c client.Client, desired *nbrows.State, wait time.Duration) (bool, error) {
	deadline := time.Now().Add(wait)
	for {
		ops, _, err := nbsync.Ops(ctx, c, desired)
		if err != nil {
			return false, err
		}
		if len(ops) == 0 {
			return true, nil
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopNorthd makes the bed's ovn-northd exit through its control socket. A paused northd still follows
// NB in its own copy of the database: on W2 it spent more CPU than NB and the controller together and
// held 900 MB while the full sync was measured.
func stopNorthd(ctx context.Context, bed *ovnsandbox.Bed) error {
	if _, err := bed.AppCtl(ctx, "ovn-northd", "exit"); err != nil {
		return fmt.Errorf("stop ovn-northd: %w", err)
	}
	return nil
}
