package incremental

import (
	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// moveNamedPorts keeps the named-port address sets in step with one pod. When the pod resolves a
// referenced named port to a value no set holds yet, or leaves a set no other pod is in, the ACL matches
// change (a translation emits one match term per value in use), so the tracker turns stale instead.
func (t *Tracker) moveNamedPorts(old, now *podView) {
	if len(t.result.NamedPorts) == 0 {
		return
	}
	if now != nil && now.selectable {
		for ref := range t.result.NamedPorts {
			target, ok := resolve(now, ref)
			if ok && !t.namedTargets[namedTarget{translate.NamedPortRef{Name: ref.Name}, target.protocol, target.number}] {
				t.stale = true
				return
			}
		}
	}
	for _, row := range t.namedSets {
		sel := t.result.Selections[row]
		was := old != nil && namedPortMatches(sel, old)
		is := now != nil && namedPortMatches(sel, now)
		t.moveSet(row, sel, old, now, was, is)
		if was && !is && !t.anyPodSelected(sel) {
			t.stale = true
			return
		}
	}
}

// resolve is the value a referenced named port has on the pod.
func resolve(v *podView, ref translate.NamedPortRef) (namedTarget, bool) {
	cp, ok := cluster.NamedPort(v.pod, ref.Name)
	if !ok || (ref.Filter != "" && cp.Protocol != ref.Filter) {
		return namedTarget{}, false
	}
	return namedTarget{ref, cp.Protocol, cp.ContainerPort}, true
}

func namedPortMatches(sel *translate.Selection, v *podView) bool {
	if !v.selectable {
		return false
	}
	target, ok := resolve(v, translate.NamedPortRef{Name: sel.PortName, Filter: sel.PortFilter})
	return ok && target.protocol == sel.PortProtocol && target.number == sel.PortNumber
}

// anyPodSelected scans the pods for one the named-port selection holds; it usually stops at the first.
func (t *Tracker) anyPodSelected(sel *translate.Selection) bool {
	for _, v := range t.pods {
		if namedPortMatches(sel, v) {
			return true
		}
	}
	return false
}
