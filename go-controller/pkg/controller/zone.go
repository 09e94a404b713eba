package controller

import (
	"context"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// Zone mode (Config.Zone) is for OVN interconnect clusters, where every zone (in OVN-Kubernetes, every
// node) has an NB of its own and one controller per zone writes it. A pod is in its node's zone, read
// from the Node (NodeZone), not from the ports NB holds, so that a port the CNI has not created yet, or a
// port-name template that matches nothing, is a gap (PortsMissing) for the pods of this zone as in
// central mode, while the pods of other zones are not. Port groups get every member whose port this NB
// holds, as nbsync writes only members it finds: a port here whose node says another zone stays a member
// (leaving it out would lift the policy from whatever sends through it) and is reported as such.
// Address sets and ACLs are the whole cluster's in every zone, as traffic from any zone reaches the
// pods of this one.

// ZoneKey is where OVN-Kubernetes interconnect records a node's zone: its ovnkube-node annotates the
// Node with it, and deployments label nodes with the same key.
const ZoneKey = "k8s.ovn.org/zone-name"

// UnnamedZone is the zone of a node that has neither the annotation nor the label, as OVN-Kubernetes
// reads it: its one-zone ("global") deployment.
const UnnamedZone = "global"

// NodeZone is the zone of a node: its annotation key, else its label key, else UnnamedZone.
func NodeZone(node *corev1.Node, key string) string {
	if z, ok := node.Annotations[key]; ok {
		return z
	}
	if z, ok := node.Labels[key]; ok {
		return z
	}
	return UnnamedZone
}

// zoneMode reports whether the controller writes one zone's NB.
func (c *Controller) zoneMode() bool { return c.cfg.Zone != "" }

func (c *Controller) zoneKey() string {
	if c.cfg.ZoneKey != "" {
		return c.cfg.ZoneKey
	}
	return ZoneKey
}

// podZone is the zone of the pod's node; ok is false while the pod has no node or its Node is not known.
func (c *Controller) podZone(pod *corev1.Pod) (zone string, ok bool) {
	if pod.Spec.NodeName == "" {
		return "", false
	}
	node, ok := get[*corev1.Node](c.informers.nodes, Key{Name: pod.Spec.NodeName})
	if !ok {
		return "", false
	}
	return NodeZone(node, c.zoneKey()), true
}

// portPlace is where a selected pod with IPs stands with its port, for the gaps.
type portPlace int

const (
	portEnforced portPlace = iota // the port is where it belongs, or belongs to no zone of ours to judge
	portMissing                   // the pod is this zone's (or the only NB's), its port is not in NB
	portForeign                   // the port is in this NB, but the pod's node is in another zone
)

// placePort judges a selected pod's port: central mode wants every port in its NB; zone mode wants the
// ports of this zone's pods, and flags a port here of a pod its node places elsewhere. A pod without a
// known node is nobody's gap yet: its Node's arrival brings it back here.
func placePort(zone string, inNB bool, podZone string, known bool) portPlace {
	switch {
	case zone == "":
		if !inNB {
			return portMissing
		}
	case !known:
	case podZone == zone && !inNB:
		return portMissing
	case podZone != zone && inNB:
		return portForeign
	}
	return portEnforced
}

// zoneNodes follows the zone of every node, so that a node's move between zones (or its annotation
// arriving) brings its pods' ports back to checkPorts, and counts this zone's nodes. The worker owns it.
type zoneNodes struct {
	of   map[string]string // node -> its zone, as last seen
	here int               // nodes in Config.Zone
}

// nodesMoved notes the zones of the given nodes and returns the logical ports of the pods on those
// whose zone changed. The first call learns every node's zone: its batch is a full sync, which checks
// every port anyway. It warns whenever this zone comes to have no node.
func (c *Controller) nodesMoved(nodes []string) []string {
	if !c.zoneMode() {
		return nil
	}
	z := &c.zoneNodes
	if z.of == nil {
		z.of = map[string]string{}
		for _, obj := range c.informers.nodes.store.List() {
			c.noteNodeZone(obj.(*corev1.Node).Name)
		}
		c.cfg.Metrics.ZoneNodes.Set(float64(z.here))
		return nil
	}
	before := z.here
	moved := map[string]bool{}
	for _, name := range nodes {
		if c.noteNodeZone(name) {
			moved[name] = true
		}
	}
	if len(moved) == 0 {
		return nil
	}
	c.cfg.Metrics.ZoneNodes.Set(float64(z.here))
	if z.here == 0 && before > 0 {
		c.warnNoZoneNodes()
	}
	var ports []string
	for _, obj := range c.informers.pods.store.List() {
		if p := obj.(*corev1.Pod); moved[p.Spec.NodeName] {
			ports = append(ports, c.portName(p.Namespace, p.Name))
		}
	}
	return ports
}

// noteNodeZone records the node's zone as the informer has it now; it returns whether it changed.
func (c *Controller) noteNodeZone(name string) bool {
	z := &c.zoneNodes
	zone := ""
	if node, ok := get[*corev1.Node](c.informers.nodes, Key{Name: name}); ok {
		zone = NodeZone(node, c.zoneKey())
	}
	old, known := z.of[name]
	if old == zone {
		return false
	}
	if known && old == c.cfg.Zone {
		z.here--
	}
	if zone == c.cfg.Zone {
		z.here++
	}
	if zone == "" {
		delete(z.of, name)
	} else {
		z.of[name] = zone
	}
	return true
}

func (c *Controller) warnNoZoneNodes() {
	klog.Warningf("no Node is in zone %s by its %s annotation or label (unset means %q): no pod counts as "+
		"this zone's, so no missing port can be reported; check --zone and the nodes", c.cfg.Zone, c.zoneKey(),
		UnnamedZone)
}

// CheckZone fails unless the NB's availability zone name (NB_Global name, which ovn-ic and
// OVN-Kubernetes set) is zone, so that a controller pointed at another zone's NB refuses to write it.
// It reads NB_Global directly, as the controller's cache does not monitor it.
func CheckZone(ctx context.Context, nb client.Client, zone string) error {
	res, err := nb.Transact(ctx, ovsdb.Operation{Op: ovsdb.OperationSelect, Table: nbdb.NBGlobalTable,
		Where: []ovsdb.Condition{}, Columns: []string{"name"}})
	if err != nil {
		return fmt.Errorf("reading NB_Global: %w", err)
	}
	if len(res) != 1 || res[0].Error != "" {
		return fmt.Errorf("reading NB_Global: %v", res)
	}
	rows := res[0].Rows
	if len(rows) != 1 {
		return fmt.Errorf("NB has %d NB_Global rows, want 1", len(rows))
	}
	name, _ := rows[0]["name"].(string)
	if name != zone {
		return fmt.Errorf("--zone %s, but this NB is zone %q (NB_Global name)", zone, name)
	}
	return nil
}
