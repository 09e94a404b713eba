package incremental

import (
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// podView is what selection reads of a pod, parsed once per change.
type podView struct {
	pod        *corev1.Pod
	key        string
	labels     labels.Set
	ips        []netip.Addr
	port       string // logical switch port; empty for host-network pods
	selectable bool
}

func (t *Tracker) viewOf(p *corev1.Pod) *podView {
	cp := &cluster.Pod{Pod: p}
	v := &podView{pod: p, key: p.Namespace + "/" + p.Name, labels: labels.Set(p.Labels), ips: cluster.PodIPs(p),
		selectable: cp.Selectable()}
	if !p.Spec.HostNetwork {
		v.port = t.portName(p.Namespace, p.Name)
	}
	return v
}

// SetPod records a pod's new state.
func (t *Tracker) SetPod(p *corev1.Pod) { t.changePod(p.Namespace, p.Name, t.viewOf(p)) }

// DeletePod records that a pod is gone.
func (t *Tracker) DeletePod(namespace, name string) { t.changePod(namespace, name, nil) }

func (t *Tracker) changePod(namespace, name string, now *podView) {
	key := namespace + "/" + name
	old := t.pods[key]
	if now == nil {
		if old == nil {
			return
		}
		delete(t.pods, key)
		delete(t.podsByNS[namespace], key)
	} else {
		t.pods[key] = now
		if t.podsByNS[namespace] == nil {
			t.podsByNS[namespace] = map[string]*podView{}
		}
		t.podsByNS[namespace][key] = now
	}
	t.setIPOwner(old, now, key)
	if old != nil && t.portPods[old.port] == old {
		delete(t.portPods, old.port)
	}
	if now != nil && now.port != "" {
		t.portPods[now.port] = now
	}
	if t.stale {
		return
	}
	nsLabels := t.namespaceLabels(namespace)
	rows := t.selectionsFor(namespace)
	if old != nil && now != nil && sameButLabels(old, now) {
		rows = t.selectionsReading(namespace, changedKeys(old.labels, now.labels))
	}
	t.movePod(old, now, nsLabels, nsLabels, rows)
	t.moveNamedPorts(old, now)
}

// sameButLabels says whether two states of a pod differ at most in their labels, for what selections
// and their members read.
func sameButLabels(a, b *podView) bool {
	return a.selectable == b.selectable && a.port == b.port && slices.Equal(a.ips, b.ips)
}

// changedKeys lists the label keys whose value differs between a and b, or that only one has.
func changedKeys(a, b labels.Set) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// movePod moves one pod's members between the rows of the given pod selections, as its own state goes
// from old to now (nil: absent) and its namespace's labels from oldNS to nowNS.
func (t *Tracker) movePod(old, now *podView, oldNS, nowNS labels.Set, rows []string) {
	for _, row := range rows {
		sel := t.result.Selections[row]
		t.moveSet(row, sel, old, now, old != nil && podMatches(sel, old, oldNS), now != nil && podMatches(sel, now, nowNS))
	}
}

// moveSet is move for every row of the set that row heads: itself, or the shards that old's and now's
// addresses hash to, the only ones the pod's move can change.
func (t *Tracker) moveSet(row string, sel *translate.Selection, old, now *podView, was, is bool) {
	if sel.Shards <= 1 {
		t.move(row, sel, old, now, was, is)
		return
	}
	if !was && !is {
		return
	}
	rows := t.shardRows[sel.Set]
	var hit [4]int // the shards hit; a pod with more addresses of the family moves in every shard
	n := 0
	for _, v := range []*podView{old, now} {
		if v == nil {
			continue
		}
		for _, ip := range v.ips {
			if ip.Is4() != (sel.Family == "ipv4") {
				continue
			}
			i := translate.ShardOf(ip.String(), sel.Shards)
			if !slices.Contains(hit[:n], i) {
				if n == len(hit) {
					t.moveAllShards(rows, old, now, was, is)
					return
				}
				hit[n] = i
				n++
			}
		}
	}
	for _, i := range hit[:n] {
		t.move(rows[i], t.result.Selections[rows[i]], old, now, was, is)
	}
}

// moveAllShards is move for every shard of a set, for a pod with more addresses than moveSet tracks.
func (t *Tracker) moveAllShards(rows []string, old, now *podView, was, is bool) {
	for _, r := range rows {
		t.move(r, t.result.Selections[r], old, now, was, is)
	}
}

// move replaces what old put in the row (when it was selected) by what now puts there (when it is).
func (t *Tracker) move(row string, sel *translate.Selection, old, now *podView, was, is bool) {
	var before, after []string
	if was {
		before = contribution(sel, old)
	}
	if is {
		after = contribution(sel, now)
	}
	if was || is {
		t.applyContribution(row, sel, before, after, old)
	}
}

// applyContribution removes what before holds and after does not, then adds what after holds. An
// address stays when another pod the row selects has it too.
func (t *Tracker) applyContribution(row string, sel *translate.Selection, before, after []string, leaving *podView) {
	keep := setOf(after)
	for _, m := range before {
		if keep[m] || t.heldByOther(row, sel, m, leaving) {
			continue
		}
		t.removeMember(row, m)
	}
	for _, m := range after {
		t.addMember(row, m)
	}
}

// heldByOther reports whether a pod other than p, selected by the row, has address m.
func (t *Tracker) heldByOther(row string, sel *translate.Selection, m string, p *podView) bool {
	if sel.Kind == translate.SelectSubject || p == nil {
		return false
	}
	ip, err := netip.ParseAddr(m)
	if err != nil {
		return false
	}
	for key, other := range t.ipOwners[ip] {
		if key != p.key && t.podSelected(sel, other) {
			return true
		}
	}
	return false
}

// podSelected is podMatches with the pod's current namespace labels.
func (t *Tracker) podSelected(sel *translate.Selection, v *podView) bool {
	if sel.Kind == translate.SelectNamedPort {
		return namedPortMatches(sel, v)
	}
	return podMatches(sel, v, t.namespaceLabels(v.pod.Namespace))
}

func (t *Tracker) setIPOwner(old, now *podView, key string) {
	if t.ipOwners == nil {
		t.ipOwners = map[netip.Addr]map[string]*podView{}
	}
	if old != nil {
		for _, ip := range old.ips {
			delete(t.ipOwners[ip], key)
			if len(t.ipOwners[ip]) == 0 {
				delete(t.ipOwners, ip)
			}
		}
	}
	if now != nil {
		for _, ip := range now.ips {
			if t.ipOwners[ip] == nil {
				t.ipOwners[ip] = map[string]*podView{}
			}
			t.ipOwners[ip][key] = now
		}
	}
}

// podMatches says whether a subject or pods selection selects the pod, given its namespace's labels.
func podMatches(sel *translate.Selection, v *podView, nsLabels labels.Set) bool {
	if !v.selectable {
		return false
	}
	if sel.Namespace != "" {
		if v.pod.Namespace != sel.Namespace {
			return false
		}
	} else if !sel.NamespaceSelector.Matches(nsLabels) {
		return false
	}
	return sel.PodSelector.Matches(v.labels)
}

// contribution is what a selected pod puts in the row: its logical port, or its addresses of the row's
// family (of a shard row, those that hash to it).
func contribution(sel *translate.Selection, v *podView) []string {
	if sel.Kind == translate.SelectSubject {
		if v.port == "" {
			return nil
		}
		return []string{v.port}
	}
	var out []string
	for _, ip := range v.ips {
		if ip.Is4() == (sel.Family == "ipv4") {
			if a := ip.String(); inShard(sel, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// inShard says whether an address of the row's set belongs in the row: always, unless the row is a shard.
func inShard(sel *translate.Selection, addr string) bool {
	return sel.Shards <= 1 || translate.ShardOf(addr, sel.Shards) == sel.Shard
}
