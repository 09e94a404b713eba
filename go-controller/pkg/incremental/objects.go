package incremental

import (
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// Policies change ACLs and which sets exist: every change of a policy's spec or annotations needs a new
// translation. A change of only its status or other metadata (tieracl's own status writes) does not.

// SetANP records an AdminNetworkPolicy's new state; it marks the translation stale unless only its status or
// other metadata changed.
func (t *Tracker) SetANP(a *anpv1alpha1.AdminNetworkPolicy) {
	if old := t.anps[a.Name]; old == nil || !sameSpec(old.Spec, a.Spec, old.Annotations, a.Annotations) {
		t.stale = true
	}
	t.anps[a.Name] = a
}

// DeleteANP records that the AdminNetworkPolicy of that name is gone; the translation is stale.
func (t *Tracker) DeleteANP(name string) { delete(t.anps, name); t.stale = true }

// SetBANP records a BaselineAdminNetworkPolicy's new state; it marks the translation stale unless only its
// status or other metadata changed.
func (t *Tracker) SetBANP(b *anpv1alpha1.BaselineAdminNetworkPolicy) {
	if old := t.banps[b.Name]; old == nil || !sameSpec(old.Spec, b.Spec, old.Annotations, b.Annotations) {
		t.stale = true
	}
	t.banps[b.Name] = b
}

// DeleteBANP records that the BaselineAdminNetworkPolicy of that name is gone; the translation is stale.
func (t *Tracker) DeleteBANP(name string) { delete(t.banps, name); t.stale = true }

// SetCNP records a ClusterNetworkPolicy's new state; it marks the translation stale unless only its status or
// other metadata changed.
func (t *Tracker) SetCNP(c *cnpv1beta1.ClusterNetworkPolicy) {
	if old := t.cnps[c.Name]; old == nil || !sameSpec(old.Spec, c.Spec, old.Annotations, c.Annotations) {
		t.stale = true
	}
	t.cnps[c.Name] = c
}

// DeleteCNP records that the ClusterNetworkPolicy of that name is gone; the translation is stale.
func (t *Tracker) DeleteCNP(name string) { delete(t.cnps, name); t.stale = true }

// SetNetworkPolicy records a NetworkPolicy's new state; it marks the translation stale when its spec changed.
func (t *Tracker) SetNetworkPolicy(np *networkingv1.NetworkPolicy) {
	key := np.Namespace + "/" + np.Name
	if old := t.netpols[key]; old == nil || !sameSpec(old.Spec, np.Spec, nil, nil) {
		t.stale = true
	}
	t.netpols[key] = np
}

// DeleteNetworkPolicy records that the NetworkPolicy namespace/name is gone; the translation is stale.
func (t *Tracker) DeleteNetworkPolicy(namespace, name string) {
	delete(t.netpols, namespace+"/"+name)
	t.stale = true
}

func sameSpec(a, b any, annotationsA, annotationsB map[string]string) bool {
	return equality.Semantic.DeepEqual(a, b) && maps.Equal(annotationsA, annotationsB)
}

// SetNamespace records a namespace's new state.
func (t *Tracker) SetNamespace(ns *corev1.Namespace) { t.changeNamespace(ns.Name, ns) }

// DeleteNamespace records that the namespace of that name is gone (its pods go on their own).
func (t *Tracker) DeleteNamespace(name string) { t.changeNamespace(name, nil) }

func (t *Tracker) changeNamespace(name string, now *corev1.Namespace) {
	old := t.namespaces[name]
	oldLabels := t.namespaceLabels(name)
	if now == nil {
		delete(t.namespaces, name)
	} else {
		t.namespaces[name] = now
	}
	if annotation(old, policy.LoggingAnnotation) != annotation(now, policy.LoggingAnnotation) {
		t.stale = true // the logging of the namespace's NetworkPolicy ACLs changes
	}
	if t.stale {
		return
	}
	nowLabels := t.namespaceLabels(name)
	if maps.Equal(oldLabels, nowLabels) {
		return
	}
	delete(t.nsSelections, name)
	var changed []string
	for _, row := range t.clusterWide {
		sel := t.result.Selections[row].NamespaceSelector
		if sel.Matches(oldLabels) != sel.Matches(nowLabels) {
			changed = append(changed, row)
		}
	}
	if len(changed) == 0 {
		return
	}
	for _, v := range t.podsByNS[name] {
		t.movePod(v, v, oldLabels, nowLabels, changed)
	}
}

func annotation(ns *corev1.Namespace, key string) string {
	if ns == nil {
		return ""
	}
	return ns.Annotations[key]
}

// SetNode records a node's new state. Node sets are recomputed whole: a cluster has few nodes and few node
// selectors.
func (t *Tracker) SetNode(n *corev1.Node) { t.nodes[n.Name] = n; t.refreshNodeSets() }

// DeleteNode records that the node of that name is gone and recomputes the node sets.
func (t *Tracker) DeleteNode(name string) { delete(t.nodes, name); t.refreshNodeSets() }

func (t *Tracker) refreshNodeSets() {
	if t.stale {
		return
	}
	for _, row := range t.nodeSets {
		sel := t.result.Selections[row]
		want := sets.New[string]()
		for _, n := range t.nodes {
			if !sel.NodeSelector.Matches(labels.Set(n.Labels)) {
				continue
			}
			for _, ip := range cluster.NodeIPs(n) {
				if a := ip.String(); ip.Is4() == (sel.Family == "ipv4") && inShard(sel, a) {
					want.Insert(a)
				}
			}
		}
		for _, m := range slices.Collect(t.members[row].All()) { // removing changes the set
			if !want.Has(m) {
				t.removeMember(row, m)
			}
		}
		for m := range want {
			t.addMember(row, m)
		}
	}
}
