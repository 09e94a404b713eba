// Package incremental keeps the desired NB rows of a changing cluster without translating the whole
// cluster on every event. Policy changes (and the rare pod change that creates or empties a named-port
// set) need a new translation; pod, namespace and node changes only move members in and out of the port
// groups and address sets, and the Tracker computes exactly those moves as an nbrows.Delta. Like the
// translator it does no I/O: the controller feeds it objects and writes what it returns.
//
// The invariant its tests check: after any sequence of changes, State() equals translate.Translate of
// the same objects.
package incremental

import (
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// Tracker holds the cluster's objects, the last translation and the current members of every port group
// and address set. It is not safe for concurrent use: the controller's single worker owns it.
type Tracker struct {
	opts     translate.Options
	portName cluster.PortNamer

	namespaces map[string]*corev1.Namespace
	pods       map[string]*podView // by namespace/name
	podsByNS   map[string]map[string]*podView
	nodes      map[string]*corev1.Node
	netpols    map[string]*networkingv1.NetworkPolicy
	anps       map[string]*anpv1alpha1.AdminNetworkPolicy
	banps      map[string]*anpv1alpha1.BaselineAdminNetworkPolicy
	cnps       map[string]*cnpv1beta1.ClusterNetworkPolicy

	result  *translate.Result
	members map[string]*Members // row name -> members (logical ports or addresses)
	// Indexes over the selections of result, so an event looks only at what it can change.
	nsSelections map[string]*nsIndex // namespace -> pod selections that can hold its pods (lazy)
	// The pod and named-port lists name one row per set: a sharded set's first shard stands for all
	// of them, as they share its selectors, and a pod's addresses then pick their shards (shardRows).
	inNamespace  map[string][]string  // namespace -> pod selections inside it
	clusterWide  []string             // pod selections with a namespace selector
	nodeSets     []string             // node selections, every row
	namedSets    []string             // named-port selections
	shardRows    map[string][]string  // sharded set -> its rows
	setLen       map[string]int       // sharded set -> its addresses, over all its rows
	namedTargets map[namedTarget]bool // named ports that have sets
	ipOwners     map[netip.Addr]map[string]*podView
	portGroupsOf map[string][]string // logical port -> port groups that list it
	portPods     map[string]*podView // logical port -> the pod it is named after

	// shards are the shard counts of the sharded sets, the next translation's Options.Shards.
	shards     map[string]int
	shardBound int

	stale bool // only a new translation brings the rows up to date
	delta *nbrows.Delta
}

// namedTarget is one value a referenced named port resolves to; in namedTargets the filter is empty.
type namedTarget struct {
	ref      translate.NamedPortRef
	protocol corev1.Protocol
	number   int32
}

// New returns an empty tracker; it is stale until the first Translate.
func New(opts translate.Options) *Tracker {
	t := &Tracker{opts: opts, portName: opts.PortName,
		namespaces: map[string]*corev1.Namespace{}, pods: map[string]*podView{}, podsByNS: map[string]map[string]*podView{},
		portPods: map[string]*podView{}, nodes: map[string]*corev1.Node{}, netpols: map[string]*networkingv1.NetworkPolicy{},
		anps: map[string]*anpv1alpha1.AdminNetworkPolicy{}, banps: map[string]*anpv1alpha1.BaselineAdminNetworkPolicy{},
		cnps:  map[string]*cnpv1beta1.ClusterNetworkPolicy{},
		stale: true, delta: nbrows.NewDelta(), shardBound: translate.ShardBound(opts)}
	if t.portName == nil {
		t.portName = cluster.DefaultPortName
	}
	return t
}

// Stale reports whether a change since the last Translate needs a new one; until then deltas are not
// computed, as the translation will recompute every member anyway.
func (t *Tracker) Stale() bool { return t.stale }

// Result is the last translation (policies with their problems, for status), nil before the first.
func (t *Tracker) Result() *translate.Result { return t.result }

// TakeDelta returns the member moves since the last call (or Translate) and starts a new delta.
func (t *Tracker) TakeDelta() *nbrows.Delta {
	d := t.delta
	t.delta = nbrows.NewDelta()
	return d
}

// Pending is the member moves since the last TakeDelta, not yet taken; the caller must not change it.
func (t *Tracker) Pending() *nbrows.Delta { return t.delta }

// Snapshot returns the tracked objects as a translator input.
func (t *Tracker) Snapshot() *cluster.Snapshot {
	s := &cluster.Snapshot{}
	for _, ns := range t.namespaces {
		s.Namespaces = append(s.Namespaces, ns)
	}
	for _, p := range t.pods {
		s.Pods = append(s.Pods, p.pod)
	}
	for _, n := range t.nodes {
		s.Nodes = append(s.Nodes, n)
	}
	for _, np := range t.netpols {
		s.NetworkPolicies = append(s.NetworkPolicies, np)
	}
	for _, a := range t.anps {
		s.ANPs = append(s.ANPs, a)
	}
	for _, b := range t.banps {
		s.BANPs = append(s.BANPs, b)
	}
	for _, c := range t.cnps {
		s.CNPs = append(s.CNPs, c)
	}
	return s
}

// SeedShards sets the shard counts the first translation starts from, read from the rows in NB
// (translate.ShardCounts), so that a restart on an unchanged NB keeps every set's rows. Later
// translations start from the last one's.
func (t *Tracker) SeedShards(counts map[string]int) {
	if t.result == nil {
		t.shards = counts
	}
}

// Translate translates every tracked object and makes the result the base of later deltas. The pending
// delta is dropped: the caller writes the whole returned state instead.
func (t *Tracker) Translate() *translate.Result {
	opts := t.opts
	opts.Shards = t.shards
	r := translate.Translate(t.Snapshot(), opts)
	t.result, t.shards = r, r.Shards
	t.members = make(map[string]*Members, len(r.State.PortGroups)+len(r.State.AddressSets))
	t.portGroupsOf = map[string][]string{}
	for _, pg := range r.State.PortGroups {
		t.members[pg.Name] = newMembers(pg.Ports)
		for _, port := range pg.Ports {
			t.portGroupsOf[port] = append(t.portGroupsOf[port], pg.Name)
		}
	}
	for _, as := range r.State.AddressSets {
		t.members[as.Name] = newMembers(as.Addresses)
	}
	t.indexSelections()
	t.setLen = make(map[string]int, len(t.shardRows))
	for set, rows := range t.shardRows {
		for _, row := range rows {
			t.setLen[set] += t.members[row].Len()
		}
	}
	t.stale = false
	t.delta = nbrows.NewDelta()
	return r
}

// indexSelections sorts the selections of the translation by what can change them.
func (t *Tracker) indexSelections() {
	t.nsSelections, t.inNamespace = map[string]*nsIndex{}, map[string][]string{}
	t.clusterWide, t.nodeSets, t.namedSets = nil, nil, nil
	t.namedTargets = map[namedTarget]bool{}
	t.shardRows = map[string][]string{}
	for name, sel := range t.result.Selections {
		if sel.Shards > 1 && sel.Kind != translate.SelectNodes {
			if sel.Shard != 0 {
				continue
			}
			t.shardRows[sel.Set] = translate.ShardRows(sel.Set, sel.Shards)
		}
		switch sel.Kind {
		case translate.SelectSubject, translate.SelectPods:
			if sel.Namespace == "" {
				t.clusterWide = append(t.clusterWide, name)
			} else {
				t.inNamespace[sel.Namespace] = append(t.inNamespace[sel.Namespace], name)
			}
		case translate.SelectNodes:
			t.nodeSets = append(t.nodeSets, name)
		case translate.SelectNamedPort:
			t.namedSets = append(t.namedSets, name)
			// A set is one named port's value, whatever the rules' protocol filters: rules naming the
			// port with and without a filter share it, and the set records only one of the filters.
			t.namedTargets[namedTarget{translate.NamedPortRef{Name: sel.PortName}, sel.PortProtocol, sel.PortNumber}] = true
		}
	}
}

// selectionsFor returns the pod selections that can hold pods of namespace ns: those inside it and the
// cluster-wide ones whose namespace selector matches it. Cached until the namespace or policies change.
func (t *Tracker) selectionsFor(ns string) []string { return t.nsIndexOf(ns).rows }

func (t *Tracker) nsIndexOf(ns string) *nsIndex {
	if s, ok := t.nsSelections[ns]; ok {
		return s
	}
	out := slices.Clone(t.inNamespace[ns])
	nsLabels := t.namespaceLabels(ns)
	for _, name := range t.clusterWide {
		if t.result.Selections[name].NamespaceSelector.Matches(nsLabels) {
			out = append(out, name)
		}
	}
	idx := &nsIndex{rows: out}
	t.nsSelections[ns] = idx
	return idx
}

// nsIndex is the pod selections that can hold one namespace's pods, and which of them read which label.
type nsIndex struct {
	rows   []string
	byKey  map[string][]string // label key -> the rows whose pod selector reads it; nil until first needed
	always []string            // rows whose pod selector does not list its requirements
}

// selectionsReading returns the rows of namespace ns whose pod selector reads one of keys: when only
// those labels of a pod change, no other row can select it differently.
func (t *Tracker) selectionsReading(ns string, keys []string) []string {
	idx := t.nsIndexOf(ns)
	if idx.byKey == nil {
		idx.byKey = map[string][]string{}
		for _, row := range idx.rows {
			reqs, ok := t.result.Selections[row].PodSelector.Requirements()
			if !ok {
				idx.always = append(idx.always, row)
				continue
			}
			seen := map[string]bool{}
			for _, r := range reqs {
				if k := r.Key(); !seen[k] {
					seen[k] = true
					idx.byKey[k] = append(idx.byKey[k], row)
				}
			}
		}
	}
	if len(keys) == 1 && len(idx.always) == 0 {
		return idx.byKey[keys[0]]
	}
	var out []string
	seen := map[string]bool{}
	for _, rows := range append([][]string{idx.always}, lookupAll(idx.byKey, keys)...) {
		for _, row := range rows {
			if !seen[row] {
				seen[row] = true
				out = append(out, row)
			}
		}
	}
	return out
}

func lookupAll(m map[string][]string, keys []string) [][]string {
	out := make([][]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}

// namespaceLabels are a namespace's labels; one the cluster does not (yet) hold has only its name label,
// as the translator assumes.
func (t *Tracker) namespaceLabels(name string) labels.Set {
	if ns := t.namespaces[name]; ns != nil {
		return labels.Set(ns.Labels)
	}
	return labels.Set{corev1.LabelMetadataName: name}
}

// addMember and removeMember move one member and record the move in the pending delta.
func (t *Tracker) addMember(row, m string) {
	set := t.members[row]
	if set == nil || !set.add(m) {
		return
	}
	sel := t.result.Selections[row]
	if sel.Kind == translate.SelectSubject {
		nbrows.AddTo(t.delta.PortGroups, row, m)
		t.portGroupsOf[m] = append(t.portGroupsOf[m], row)
		return
	}
	nbrows.AddTo(t.delta.AddressSets, row, m)
	t.checkShards(row, sel, 1)
}

func (t *Tracker) removeMember(row, m string) {
	set := t.members[row]
	if set == nil || !set.remove(m) {
		return
	}
	sel := t.result.Selections[row]
	if sel.Kind == translate.SelectSubject {
		nbrows.RemoveFrom(t.delta.PortGroups, row, m)
		t.portGroupsOf[m] = without(t.portGroupsOf[m], row)
		if len(t.portGroupsOf[m]) == 0 {
			delete(t.portGroupsOf, m)
		}
		return
	}
	nbrows.RemoveFrom(t.delta.AddressSets, row, m)
	t.checkShards(row, sel, -1)
}

// checkShards turns the tracker stale when the set that row is part of, whose size changed by one
// (step), has grown or shrunk out of its shard count's band: the new count changes the set's rows and
// the ACLs naming them.
func (t *Tracker) checkShards(row string, sel *translate.Selection, step int) {
	k, n := 1, t.members[row].Len()
	if sel.Shards > 1 {
		k = sel.Shards
		t.setLen[sel.Set] += step
		n = t.setLen[sel.Set]
	}
	if translate.ShardCount(k, n, t.shardBound) != k {
		t.stale = true
	}
}

// PortAppeared records that a logical switch port now exists in NB: the port groups that list it get it
// again, since it was left out while it was missing.
func (t *Tracker) PortAppeared(port string) {
	if t.stale {
		return
	}
	for _, pg := range t.portGroupsOf[port] {
		nbrows.AddTo(t.delta.PortGroups, pg, port)
	}
}

// Members are the current members of a port group or address set of the last translation, by name;
// nil (no members) for a row it does not have.
func (t *Tracker) Members(row string) *Members { return t.members[row] }

// PortGroupsOf names the port groups that list a logical port.
func (t *Tracker) PortGroupsOf(port string) []string { return t.portGroupsOf[port] }

// PortPod is the tracked pod whose logical switch port has that name, or nil.
func (t *Tracker) PortPod(port string) *corev1.Pod {
	if v := t.portPods[port]; v != nil {
		return v.pod
	}
	return nil
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func without(xs []string, x string) []string {
	out := xs[:0]
	for _, y := range xs {
		if y != x {
			out = append(out, y)
		}
	}
	return out
}
