package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	npclient "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// FolderConfig configures the folder of zone reports; Kube, Policy and LeasePrefix are required.
type FolderConfig struct {
	Kube   kubernetes.Interface
	Policy npclient.Interface
	// Namespace holds the zone reports and the zones' Leases; "tieracl" when empty.
	Namespace string
	// LeasePrefix names the zones' Leases: a zone's is LeasePrefix + "-" + zone.
	LeasePrefix string
	// LeaseDuration is the zones' Lease duration: a zone whose Lease was not renewed for that long has no
	// leader. 15 s when zero.
	LeaseDuration time.Duration
	// Grace is how much longer a zone without a leader still counts, with its last report, before its
	// report is pruned: long enough for a restarted instance to take the Lease again. 1 minute when zero.
	Grace time.Duration
	// Unserved and Manage are as in Config: the policy kinds the folder does not watch.
	Unserved, Manage map[Kind]bool
	// Recorder receives the policies' events; nil makes one that writes Events through Kube.
	Recorder record.EventRecorder
	// Metrics, when set, is updated as the folder works.
	Metrics *Metrics
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Folder folds the zones' reports into each policy's one Programmed condition (foldCondition) and
// prunes the reports of zones gone for good. One instance in the cluster runs it, elected by a Lease of
// its own; it also emits the policies' events, once for the cluster rather than once per zone.
type Folder struct {
	cfg      FolderConfig
	status   *statusWriter // writes conditions and looks up earlier events
	reports  cache.SharedIndexInformer
	leases   cache.SharedIndexInformer
	policies map[Kind]cache.SharedIndexInformer
	netpols  cache.SharedIndexInformer // nil when NetworkPolicy is not managed
	wake     chan struct{}             // something the fold reads changed
	changed  chan struct{}             // any informer event, a Lease renewal too; for tests that wait on the caches
	emitted  map[policy.Owner]string
	decoded  map[string]decodedReport // by report name: each report is decoded once per version

	mu    sync.Mutex
	alive map[string]time.Time // zone -> when its Lease was last seen renewed, or its report first seen
	renew map[string]string    // zone -> its Lease's holder and renew time as last seen
	next  time.Time            // when a counted zone drops out, for the timer
}

// NewFolder prepares the folder's informers; nothing runs until Run or Start.
func NewFolder(cfg FolderConfig) (*Folder, error) {
	if cfg.Kube == nil || cfg.Policy == nil || cfg.LeasePrefix == "" {
		return nil, fmt.Errorf("folder: Kube, Policy and LeasePrefix are required")
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "tieracl"
	}
	if cfg.LeaseDuration == 0 {
		cfg.LeaseDuration = 15 * time.Second
	}
	if cfg.Grace == 0 {
		cfg.Grace = time.Minute
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f := &Folder{cfg: cfg, wake: make(chan struct{}, 1), changed: make(chan struct{}, 1),
		emitted: map[policy.Owner]string{}, decoded: map[string]decodedReport{}, alive: map[string]time.Time{},
		renew: map[string]string{}, policies: map[Kind]cache.SharedIndexInformer{}}
	f.status = newStatusWriter(Config{Kube: cfg.Kube, Policy: cfg.Policy, Recorder: cfg.Recorder,
		Metrics: cfg.Metrics}, nil)
	f.reports = newInformer[*corev1.ConfigMapList](cfg.Kube, &corev1.ConfigMap{},
		cfg.Kube.CoreV1().ConfigMaps(cfg.Namespace), LabelZoneReport+"=true")
	f.leases = newInformer[*coordinationv1.LeaseList](cfg.Kube, &coordinationv1.Lease{},
		cfg.Kube.CoordinationV1().Leases(cfg.Namespace), "")
	watches := func(k Kind) bool { return !cfg.Unserved[k] && (cfg.Manage == nil || cfg.Manage[k]) }
	if watches(KindCNP) {
		f.policies[KindCNP] = newInformer[*cnpv1beta1.ClusterNetworkPolicyList](cfg.Policy,
			&cnpv1beta1.ClusterNetworkPolicy{}, cfg.Policy.PolicyV1beta1().ClusterNetworkPolicies(), "")
	}
	if watches(KindANP) {
		f.policies[KindANP] = newInformer[*anpv1alpha1.AdminNetworkPolicyList](cfg.Policy,
			&anpv1alpha1.AdminNetworkPolicy{}, cfg.Policy.PolicyV1alpha1().AdminNetworkPolicies(), "")
	}
	if watches(KindBANP) {
		f.policies[KindBANP] = newInformer[*anpv1alpha1.BaselineAdminNetworkPolicyList](cfg.Policy,
			&anpv1alpha1.BaselineAdminNetworkPolicy{}, cfg.Policy.PolicyV1alpha1().BaselineAdminNetworkPolicies(), "")
	}
	if watches(KindNetworkPolicy) { // for the events of their problems only: no handler, no status
		f.netpols = newInformer[*networkingv1.NetworkPolicyList](cfg.Kube, &networkingv1.NetworkPolicy{},
			cfg.Kube.NetworkingV1().NetworkPolicies(""), "")
	}
	poke := func(any) { f.poke() }
	for _, inf := range append([]cache.SharedIndexInformer{f.reports}, f.policyInformers()...) {
		if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: poke, DeleteFunc: poke,
			UpdateFunc: func(_, _ any) { f.poke() }}); err != nil {
			return nil, err
		}
	}
	// A Lease's renewal only moves its zone's time of life; a new holder, or none, may change what counts.
	if _, err := f.leases.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { f.sawLease(obj); f.poke() },
		UpdateFunc: func(_, obj any) { f.sawLease(obj); signal(f.changed) },
		DeleteFunc: poke,
	}); err != nil {
		return nil, err
	}
	return f, nil
}

// decodedReport is a zone report's views as of one resourceVersion.
type decodedReport struct {
	version string
	views   map[string]*policyReport
}

// newInformer makes an informer of one kind from its typed client, of the objects with the labels
// (all when empty); client is the clientset, asked whether it serves watch lists.
func newInformer[L runtime.Object](client any, obj runtime.Object, c lister[L],
	labelSelector string) cache.SharedIndexInformer {
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = labelSelector
			return c.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = labelSelector
			return c.Watch(ctx, o)
		},
	}
	return cache.NewSharedIndexInformer(cache.ToListWatcherWithWatchListSemantics(lw, client), obj, 0, cache.Indexers{})
}

func (f *Folder) policyInformers() []cache.SharedIndexInformer {
	var out []cache.SharedIndexInformer
	for _, k := range []Kind{KindCNP, KindANP, KindBANP} {
		if inf := f.policies[k]; inf != nil {
			out = append(out, inf)
		}
	}
	return out
}

func (f *Folder) poke() {
	signal(f.wake)
	signal(f.changed)
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// foldInterval is the least time between two folds, so that the reports of many zones that follow one
// policy change are folded together rather than once each.
const foldInterval = 200 * time.Millisecond

// Run folds until ctx ends: at start, whenever a report, policy or zone Lease changes, and when a zone
// drops out. A failed write is tried again after a second.
func (f *Folder) Run(ctx context.Context) error {
	if err := f.start(ctx); err != nil {
		return err
	}
	klog.InfoS("zone report folder started", "namespace", f.cfg.Namespace)
	for {
		wait := time.Hour
		if err := f.fold(ctx); err != nil {
			klog.ErrorS(err, "folding zone reports; retrying")
			wait = time.Second
		}
		f.mu.Lock()
		if !f.next.IsZero() {
			wait = min(wait, f.next.Sub(f.cfg.Now()))
		}
		f.mu.Unlock()
		t := time.NewTimer(max(wait, foldInterval))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-f.wake:
			// A policy change brings a report from every zone within moments: fold them together.
			t.Stop()
			t = time.NewTimer(foldInterval)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		case <-t.C:
		}
		t.Stop()
	}
}

// start runs the informers and waits for their caches.
func (f *Folder) start(ctx context.Context) error {
	all := append([]cache.SharedIndexInformer{f.reports, f.leases}, f.policyInformers()...)
	if f.netpols != nil {
		all = append(all, f.netpols)
	}
	var synced []cache.InformerSynced
	for _, inf := range all {
		go inf.RunWithContext(ctx)
		synced = append(synced, inf.HasSynced)
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return fmt.Errorf("folder caches did not sync: %w", ctx.Err())
	}
	return nil
}

// zoneOfLease is the zone whose Lease this is, if it is one.
func (f *Folder) zoneOfLease(l *coordinationv1.Lease) (string, bool) {
	zone, ok := strings.CutPrefix(l.Name, f.cfg.LeasePrefix+"-")
	return zone, ok && zone != ""
}

// sawLease records when a zone's Lease was seen renewed, by the folder's own clock: the holder's clock
// may differ from it.
func (f *Folder) sawLease(obj any) {
	l, ok := obj.(*coordinationv1.Lease)
	if !ok {
		return
	}
	zone, ok := f.zoneOfLease(l)
	if !ok {
		return
	}
	holder, renewed := "", ""
	if l.Spec.HolderIdentity != nil {
		holder = *l.Spec.HolderIdentity
	}
	if l.Spec.RenewTime != nil {
		renewed = l.Spec.RenewTime.UTC().Format(time.RFC3339Nano)
	}
	key := holder + "@" + renewed
	f.mu.Lock()
	defer f.mu.Unlock()
	if holder != "" && f.renew[zone] != key {
		f.alive[zone] = f.cfg.Now()
	}
	f.renew[zone] = key
}

// fold writes every policy's folded condition that changed, and prunes the reports of zones whose
// Lease expired more than Grace ago.
func (f *Folder) fold(ctx context.Context) error {
	reports := map[string]map[string]*policyReport{} // zone -> key -> view
	names := map[string]bool{}
	for _, obj := range f.reports.GetStore().List() {
		cm := obj.(*corev1.ConfigMap)
		zone := cm.Annotations[AnnotationZone]
		if zone == "" {
			zone = strings.TrimPrefix(cm.Name, zoneReportPrefix)
		}
		d, ok := f.decoded[cm.Name]
		if !ok || d.version != cm.ResourceVersion || cm.ResourceVersion == "" {
			d = decodedReport{version: cm.ResourceVersion, views: decodeReport(cm)}
			f.decoded[cm.Name] = d
		}
		reports[zone] = d.views
		names[cm.Name] = true
	}
	for name := range f.decoded {
		if !names[name] {
			delete(f.decoded, name)
		}
	}
	counted, dead := f.countZones(reports)
	var errs []error
	for _, zone := range dead {
		if alive, err := f.confirmDead(ctx, zone); err != nil || alive {
			if err != nil {
				errs = append(errs, err)
			}
			counted = append(counted, zone) // it renewed its Lease after all: keep counting it
			slices.Sort(counted)
			continue
		}
		err := f.cfg.Kube.CoreV1().ConfigMaps(f.cfg.Namespace).Delete(ctx, ZoneReportName(zone), metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("prune the report of zone %s: %w", zone, err))
			continue
		}
		f.cfg.Metrics.ZoneReportsPruned.Inc()
		klog.InfoS("zone pruned: its Lease expired", "zone", zone, "grace", f.cfg.Grace)
	}
	seen := map[policy.Owner]bool{}
	for _, inf := range f.policyInformers() {
		for _, obj := range inf.GetStore().List() {
			o, err := f.foldPolicy(ctx, obj.(runtime.Object), counted, reports)
			seen[o] = true
			if err != nil && !apierrors.IsConflict(err) { // a conflict's event brings the next fold
				f.cfg.Metrics.Errors.WithLabelValues("status").Inc()
				errs = append(errs, err)
			}
		}
	}
	for _, o := range f.networkPolicyEvents(ctx, counted, reports) {
		seen[o] = true
	}
	for o := range f.emitted {
		if !seen[o] {
			delete(f.emitted, o)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d errors, the first: %w", len(errs), errs[0])
	}
	return nil
}

// confirmDead reads the zone's Lease from the API server itself before its report is pruned, in case
// the cache missed renewals (a watch that was down): alive when it was renewed since last seen.
func (f *Folder) confirmDead(ctx context.Context, zone string) (alive bool, err error) {
	l, err := f.cfg.Kube.CoordinationV1().Leases(f.cfg.Namespace).Get(ctx, f.cfg.LeasePrefix+"-"+zone,
		metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the Lease of zone %s before pruning its report: %w", zone, err)
	}
	f.mu.Lock()
	before := f.alive[zone]
	f.mu.Unlock()
	f.sawLease(l)
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.alive[zone].Equal(before), nil
}

// countZones sorts the zones out: counted are those whose Lease is held and was renewed within
// LeaseDuration+Grace, or whose report appeared within that time; dead are those with a report that
// are not counted. It sets the live-zones gauge and the time the next zone drops out.
func (f *Folder) countZones(reports map[string]map[string]*policyReport) (counted, dead []string) {
	now := f.cfg.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	present := map[string]bool{}
	for _, obj := range f.leases.GetStore().List() {
		if zone, ok := f.zoneOfLease(obj.(*coordinationv1.Lease)); ok {
			present[zone] = true
		}
	}
	for zone := range reports {
		present[zone] = true
		if _, ok := f.alive[zone]; !ok {
			f.alive[zone] = now // a report whose Lease the folder never saw renewed: give it the full time
		}
	}
	live := 0
	f.next = time.Time{}
	for zone, at := range f.alive {
		if !present[zone] {
			delete(f.alive, zone)
			delete(f.renew, zone)
			continue
		}
		if now.Before(at.Add(f.cfg.LeaseDuration)) {
			live++
		}
		end := at.Add(f.cfg.LeaseDuration + f.cfg.Grace)
		if !now.Before(end) {
			if _, ok := reports[zone]; ok {
				dead = append(dead, zone)
			}
			continue
		}
		counted = append(counted, zone)
		if f.next.IsZero() || end.Before(f.next) {
			f.next = end
		}
	}
	f.cfg.Metrics.ZonesLive.Set(float64(live))
	slices.Sort(counted)
	slices.Sort(dead)
	return counted, dead
}

// foldPolicy writes one policy's folded condition when it changed, and its event when the folded
// problem changed.
func (f *Folder) foldPolicy(ctx context.Context, obj runtime.Object, zones []string,
	reports map[string]map[string]*policyReport) (policy.Owner, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return policy.Owner{}, err
	}
	o := policy.Owner{Kind: ownerKind(obj), Name: m.GetName()}
	key := reportKey(o)
	views := make([]zoneView, 0, len(zones))
	for _, zone := range zones {
		views = append(views, zoneView{Zone: zone, Report: reports[zone][key]})
	}
	cond := foldCondition(m.GetGeneration(), views)
	f.event(ctx, o, obj, cond)
	if err := f.status.writeCondition(ctx, obj, cond); err != nil && !apierrors.IsNotFound(err) {
		return o, fmt.Errorf("update status of %s: %w", o, err)
	}
	return o, nil
}

// networkPolicyEvents emits the events of the NetworkPolicies whose problems the counted zones report
// (a zone lists a NetworkPolicy only while it has problems there), folded as a policy's condition would
// be; it returns those policies.
func (f *Folder) networkPolicyEvents(ctx context.Context, zones []string,
	reports map[string]map[string]*policyReport) []policy.Owner {
	if f.netpols == nil {
		return nil
	}
	keys := map[string]policy.Owner{}
	for _, zone := range zones {
		for key := range reports[zone] {
			if o, ok := parseReportKey(key); ok && o.Kind == policy.KindNetworkPolicy {
				keys[key] = o
			}
		}
	}
	var out []policy.Owner
	for key, o := range keys {
		obj, ok, err := f.netpols.GetStore().GetByKey(o.Namespace + "/" + o.Name)
		if err != nil || !ok {
			continue
		}
		np := obj.(*networkingv1.NetworkPolicy)
		views := make([]zoneView, 0, len(zones))
		for _, zone := range zones {
			r := reports[zone][key]
			if r == nil { // no problems in that zone
				r = &policyReport{Generation: np.Generation, Status: metav1.ConditionTrue, Reason: ReasonProgrammed}
			}
			views = append(views, zoneView{Zone: zone, Report: r})
		}
		f.event(ctx, o, np, foldCondition(np.Generation, views))
		out = append(out, o)
	}
	return out
}

// event emits a Warning event for a folded condition whose reason is a problem a zone reports, once
// per change of it; Pending and NoZones pass with the zones' progress and make none.
func (f *Folder) event(ctx context.Context, o policy.Owner, obj runtime.Object, cond metav1.Condition) {
	switch cond.Reason {
	case ReasonProgrammed, ReasonPending, ReasonNoZones:
		delete(f.emitted, o)
		return
	}
	summary := cond.Reason + "\n" + cond.Message
	last, known := f.emitted[o]
	if known && last == summary {
		return
	}
	f.emitted[o] = summary
	pr := policy.Problem{Reason: cond.Reason, Message: cond.Message}
	klog.InfoS("policy problem", "policy", o.String(), "reason", cond.Reason, "message", cond.Message)
	if !known && f.status.alreadyRecorded(ctx, obj, pr) {
		return
	}
	f.status.recorder.Event(obj, corev1.EventTypeWarning, cond.Reason, cond.Message)
}

func ownerKind(obj runtime.Object) policy.Kind {
	switch obj.(type) {
	case *anpv1alpha1.AdminNetworkPolicy:
		return policy.KindANP
	case *anpv1alpha1.BaselineAdminNetworkPolicy:
		return policy.KindBANP
	}
	return policy.KindCNP
}
