// Package controller keeps a live OVN Northbound database in step with the cluster's network policy.
// Informers feed a coalescing queue; one worker drains it in batches, brings the incremental.Tracker up
// to date, and writes each batch to NB in one transaction: a full sync when policies changed, member
// mutations when only pods, namespaces or nodes did. After a successful write it sets the policies'
// status conditions and events. docs/operating.md describes it from the operator's side.
package controller

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"
	npclient "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/incremental"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// Config is what the controller needs; Kube, Policy and NB are required.
type Config struct {
	Kube   kubernetes.Interface
	Policy npclient.Interface
	// NB is the Northbound database, nbsync.NewConn of a client from nbsync.Connect in production; with
	// libovsdb's reconnect option the controller rides out NB outages.
	NB NB
	// PortName names a pod's logical switch port; nil means "<namespace>_<pod>".
	PortName cluster.PortNamer
	// ACLLogRate caps each logged ACL's log messages per second; 0 means translate.DefaultACLLogRate.
	ACLLogRate int
	// SetShardBound is translate.Options.SetShardBound: the most addresses an address set holds in one row.
	SetShardBound int
	// Recorder receives the policies' events; nil makes one that writes Events through Kube.
	Recorder record.EventRecorder
	// Metrics, when set, is updated as the controller works.
	Metrics *Metrics
	// WriteTimeout bounds each NB request of a write (a read, a transaction); 60 s when zero. A
	// transaction cut off by it may still commit: the next whole-state write reads NB and settles it.
	WriteTimeout time.Duration
	// MaxBatch bounds the changed objects one batch (one transaction) takes, oldest first; 500 when zero.
	MaxBatch int
	// MaxInFlight bounds the member-move transactions sent and not yet answered; 2 when zero, 1 for none
	// behind another.
	MaxInFlight int
	// RetryInterval is the first wait after a failed write; it doubles up to 30 s. 500 ms when zero.
	RetryInterval time.Duration
	// ResyncInterval is how often the whole state is compared with NB and repaired, in case NB was edited
	// behind tieracl's back; 10 minutes when zero, never when negative.
	ResyncInterval time.Duration
	// EchoTimeout is how long NB may take to answer the echo the controller sends every 100 ms before
	// the controller counts as not ready; 5 s when zero.
	EchoTimeout time.Duration
	// Unserved names the policy kinds (KindANP, KindBANP, KindCNP) the cluster has no CRD for: they are
	// not watched, as a watch of an unserved resource never syncs. ServedPolicyKinds finds them out.
	Unserved map[Kind]bool
	// Manage is the policy kinds the controller programs (ParseManage); nil for all. A kind left out is
	// not watched, so it translates to no rows, and the rows tieracl wrote for it before are deleted;
	// rows of other clients are never touched.
	Manage map[Kind]bool
	// Zone, when set, is the OVN interconnect zone whose NB this controller writes (see zone.go): a pod is
	// in its node's zone, and only this zone's pods whose ports NB lacks are gaps. Empty for one NB for
	// the whole cluster.
	Zone string
	// ZoneKey is the Node annotation (or, failing it, label) that names a node's zone; ZoneKey (the
	// package constant, OVN-Kubernetes') when empty.
	ZoneKey string
	// ReportNamespace is where zone mode writes the zone's report (zonereport.go) in place of the
	// policies' conditions; "tieracl" when empty.
	ReportNamespace string
}

// Controller is one running controller. Create it with New and start it with Run.
type Controller struct {
	cfg             Config
	queue           *queue
	informers       *informerSet
	tracker         *incremental.Tracker
	portNames       *rowNames // logical switch port UUID -> name
	aclNames        *rowNames // ACL UUID -> name
	status          *statusWriter
	statusDue       bool // the last translation's status is not all written yet (NB or status write failed); worker only
	gaps            *gaps
	desired         *desired // the last translation's rows by name, made when first needed; worker only
	templateChecked bool     // the port-name template was checked against NB; worker only
	zoneNodes       zoneNodes
	setWrites       setWrites
	inflight        []*write          // writes sent and not finished, oldest first; worker only
	held            map[Key]time.Time // a batch whose changes wait in the tracker for inflight to finish; worker only
	pipeFailed      error             // a write in flight failed: those after it are given up too; worker only

	mu      sync.Mutex
	ready   error // why the controller is not ready, nil when it is
	nbDirty bool  // NB may differ from the tracker's state: write it whole next time
	nbDown  bool  // watchNB found NB unreachable: not ready, whatever a write that needed no NB says
}

// New checks the configuration and prepares the informers; nothing runs until Run.
func New(cfg Config) (*Controller, error) {
	if cfg.Kube == nil || cfg.Policy == nil || cfg.NB == nil {
		return nil, fmt.Errorf("controller: Kube, Policy and NB clients are required")
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 60 * time.Second
	}
	if cfg.ResyncInterval == 0 {
		cfg.ResyncInterval = 10 * time.Minute
	}
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = defaultMaxBatch
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = defaultMaxInFlight
	}
	if cfg.RetryInterval == 0 {
		cfg.RetryInterval = 500 * time.Millisecond
	}
	if cfg.EchoTimeout == 0 {
		cfg.EchoTimeout = 5 * time.Second
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.ReportNamespace == "" {
		cfg.ReportNamespace = "tieracl"
	}
	opts := translate.Options{PortName: cfg.PortName, ACLLogRate: cfg.ACLLogRate, SetShardBound: cfg.SetShardBound}
	c := &Controller{cfg: cfg, queue: newQueue(), tracker: incremental.New(opts),
		ready: fmt.Errorf("not started"), nbDirty: true, gaps: newGaps()}
	c.setWrites.setGen, c.setWrites.audits = map[string]uint64{}, make(chan setAudit)
	inf, err := newInformers(c)
	if err != nil {
		return nil, err
	}
	c.informers = inf
	c.status = newStatusWriter(cfg, inf)
	return c, nil
}

// Run starts the informers, waits for their caches (and for NB, while it connects: see nbsync.Dial),
// writes the whole desired state (deleting the rows of policies that no longer exist, writing nothing
// when NB already matches), then works off changes until ctx ends.
func (c *Controller) Run(ctx context.Context) error {
	if err := c.start(ctx); err != nil {
		return err
	}
	go c.watchNB(ctx)
	klog.InfoS("tieracl controller started")
	return c.loop(ctx)
}

// start starts the informers, waits for their caches, and queues the first whole-state write.
func (c *Controller) start(ctx context.Context) error {
	c.setNotReady(fmt.Errorf("waiting for informer caches and NB"))
	c.informers.start(ctx)
	if !cache.WaitForCacheSync(ctx.Done(), c.informers.synced()...) {
		return fmt.Errorf("informer caches did not sync: %w", ctx.Err())
	}
	if nb, ok := c.cfg.NB.(connecting); ok {
		c.pretranslate(ctx)
		if err := nb.Wait(ctx); err != nil {
			return fmt.Errorf("connect to NB: %w", err)
		}
	}
	c.watchPorts()
	c.portNames = c.indexRowNames(nbdb.LogicalSwitchPortTable, portRow)
	c.aclNames = c.indexRowNames(nbdb.ACLTable, aclRow)
	c.watchOwnedRows()
	c.queue.add(Key{Kind: KindResync})
	return nil
}

// loop drains the queue in batches until ctx ends, finishing the writes in flight as they return. A
// failed write is retried with growing waits.
func (c *Controller) loop(ctx context.Context) error {
	retry := c.cfg.RetryInterval
	var timer, resync <-chan time.Time
	due := false // a batch goes when nothing is in flight, queued keys or not
	if c.cfg.ResyncInterval > 0 {
		t := time.NewTicker(c.cfg.ResyncInterval)
		defer t.Stop()
		resync = t.C
	}
	audit := time.NewTicker(setAuditInterval)
	defer audit.Stop()
	failed := func(err error) {
		klog.ErrorS(err, "NB write failed; retrying", "after", retry)
		timer = time.After(retry)
		retry = min(2*retry, 30*time.Second)
	}
	for {
		ready := c.queue.ready
		if timer != nil || c.mustWait() {
			ready = nil // keys wait in the queue
		}
		select {
		case <-ctx.Done():
			return nil
		case r := <-c.oldestDone():
			if err := c.finishOldest(ctx, r); err != nil {
				failed(err)
			} else if c.pipeFailed == nil {
				retry = c.cfg.RetryInterval
			}
			c.cfg.Metrics.QueueDepth.Set(float64(c.queue.len()))
			if timer != nil || !due && c.held == nil || c.mustWait() {
				continue
			}
			// the held batch, or the retry, goes now
		case <-ready:
		case <-resync:
			c.queue.add(Key{Kind: KindResync})
			continue
		case <-audit.C:
			c.auditSets(ctx)
			continue
		case a := <-c.setWrites.audits:
			if rows := c.checkAudit(ctx, a); len(rows) > 0 {
				c.reportDrift(rows)
				c.queue.add(Key{Kind: KindResync}) // the whole-state write repairs them
			}
			continue
		case <-timer:
			timer, due = nil, true // the retry, even with nothing queued
			if c.mustWait() {
				continue // it goes when the writes in flight are finished
			}
		}
		due = false
		c.runBatch(ctx)
	}
}

// runBatch takes the oldest queued keys, up to MaxBatch, and sends them as one batch: one NB
// transaction. When the whole state is due (the first write, a retry) it takes every key: that write
// is the whole cluster as the informers hold it, and only then is the controller ready.
func (c *Controller) runBatch(ctx context.Context) {
	max := c.cfg.MaxBatch
	if c.tracker.Stale() || c.dirty() {
		max = 0
	}
	batch := c.queue.take(max)
	c.cfg.Metrics.QueueDepth.Set(float64(c.queue.len())) // what is left and what arrived since
	c.process(ctx, batch)
}

// Ready returns nil when informers are synced and watching, NB is connected and NB holds the desired
// state as of the last batch; else why not.
func (c *Controller) Ready() error {
	c.mu.Lock()
	err := c.ready
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if stale := c.informers.stale(time.Now()); len(stale) > 0 {
		return fmt.Errorf("API watches down, caches may be stale: %s", strings.Join(stale, ", "))
	}
	return nil
}

func (c *Controller) setNotReady(err error) {
	c.mu.Lock()
	c.ready = err
	c.mu.Unlock()
}

func (c *Controller) setReady() {
	c.mu.Lock()
	if !c.nbDown {
		c.ready = nil
	}
	c.mu.Unlock()
}

// setNBUp records what watchNB found; while NB is down (why says how) the controller is not ready.
func (c *Controller) setNBUp(up bool, why error) {
	c.mu.Lock()
	c.nbDown = !up
	if !up {
		c.ready = why
	}
	c.mu.Unlock()
}
