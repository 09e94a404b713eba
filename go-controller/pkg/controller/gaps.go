package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// gapExamples is how many pods a policy's condition and log name when its subject has pods without a
// logical switch port.
const gapExamples = 3

// ReasonPortsMissing is the Programmed=False reason of a policy whose subject has pods without a
// logical switch port in NB.
const ReasonPortsMissing = "PortsMissing"

// ReasonPortsOfOtherZones is the Programmed=True warning reason, in zone mode, of a policy whose subject
// has pods whose ports are in this zone's NB while their nodes are in other zones.
const ReasonPortsOfOtherZones = "PortsOfOtherZones"

// gap is what a policy's subject lacks in NB: pods it selects that have IPs (so traffic reaches them)
// but no logical switch port of the name the port-name template gives, so no ACL of the policy applies
// to them. In zone mode it also counts the pods whose ports are here although their nodes are elsewhere.
type gap struct {
	count    int
	examples []string // "namespace/pod (port name)", sorted, at most gapExamples
	foreign  int      // zone mode: pods whose port is in this NB but whose node is in another zone
	strays   []string // examples of those, as examples
}

// problem is the gap as a policy problem, for the condition and the events: an error while pods lack
// ports, else a warning about the ports of other zones' pods.
func (g gap) problem() policy.Problem {
	if g.count == 0 {
		return policy.Problem{Severity: policy.SeverityWarning, Reason: ReasonPortsOfOtherZones, Message: g.String()}
	}
	return policy.Problem{Severity: policy.SeverityError, Reason: ReasonPortsMissing, Message: g.String()}
}

func (g gap) String() string {
	var parts []string
	if g.count > 0 {
		parts = append(parts, fmt.Sprintf("%d selected pods with IPs have no logical switch port in NB, so the "+
			"policy does not apply to them (check --port-name-template): %s", g.count, strings.Join(g.examples, ", ")))
	}
	if g.foreign > 0 {
		parts = append(parts, fmt.Sprintf("%d selected pods have their logical switch port in this zone's NB "+
			"although their nodes are in other zones; the policy applies to those ports (check the nodes' zones): %s",
			g.foreign, strings.Join(g.strays, ", ")))
	}
	return strings.Join(parts, "; ")
}

func (g gap) equal(o gap) bool {
	return g.count == o.count && g.foreign == o.foreign && slices.Equal(g.examples, o.examples) &&
		slices.Equal(g.strays, o.strays)
}

// gaps follows the subject ports NB lacks. The worker owns it.
type gaps struct {
	missing map[string]string       // logical port -> pod key, for ports a port group lists, of pods with IPs
	foreign map[string]string       // zone mode: likewise, ports in this NB of pods whose node is in another zone
	owners  map[string]policy.Owner // port group -> its policy, as of the last translation
	last    map[policy.Owner]gap    // as last reported
}

func newGaps() *gaps {
	return &gaps{missing: map[string]string{}, foreign: map[string]string{}, owners: map[string]policy.Owner{},
		last: map[policy.Owner]gap{}}
}

// setOwners records which policy each port group of the new translation belongs to.
func (g *gaps) setOwners(groups []nbrows.PortGroup) {
	g.owners = make(map[string]policy.Owner, len(groups))
	for _, pg := range groups {
		o := policy.Owner{Kind: policy.Kind(pg.ExternalIDs[nbrows.KeyOwnerKind]), Name: pg.ExternalIDs[nbrows.KeyOwnerName]}
		if ns, name, ok := strings.Cut(o.Name, "/"); ok {
			o.Namespace, o.Name = ns, name
		}
		g.owners[pg.Name] = o
	}
}

// bulkPortCheck is the number of ports above which checkPorts reads the names of NB's ports from the
// cache once rather than looking each port up (a whole-state write checks every port of every group).
const bulkPortCheck = 1000

// checkPorts finds out again, for each port (named once or more), whether a port group wants it while
// NB lacks it (in zone mode: for a pod of this zone), or, in zone mode, holds it for a pod of another
// zone.
func (c *Controller) checkPorts(ctx context.Context, ports []string) {
	has := c.nbHasPort
	if len(ports) > bulkPortCheck {
		names := c.nbPortNames()
		has = func(_ context.Context, port string) bool { return names[port] }
	}
	seen := map[string]bool{}
	for _, port := range ports {
		if seen[port] {
			continue
		}
		seen[port] = true
		delete(c.gaps.missing, port)
		delete(c.gaps.foreign, port)
		pod := c.tracker.PortPod(port)
		if pod == nil || len(c.tracker.PortGroupsOf(port)) == 0 || len(cluster.PodIPs(pod)) == 0 {
			continue
		}
		var zone string
		var known bool
		if c.zoneMode() {
			zone, known = c.podZone(pod)
		}
		switch placePort(c.cfg.Zone, has(ctx, port), zone, known) {
		case portMissing:
			c.gaps.missing[port] = pod.Namespace + "/" + pod.Name
		case portForeign:
			c.gaps.foreign[port] = pod.Namespace + "/" + pod.Name
		}
	}
}

func (c *Controller) nbHasPort(ctx context.Context, port string) bool {
	_, ok := cached(c.cfg.NB, nbdb.LogicalSwitchPortTable, &nbdb.LogicalSwitchPort{Name: port})
	return ok
}

// nbPortNames is the set of the names of the logical switch ports in the NB cache.
func (c *Controller) nbPortNames() map[string]bool {
	t := c.cfg.NB.Cache().Table(nbdb.LogicalSwitchPortTable)
	if t == nil {
		return nil
	}
	rows := t.RowsShallow()
	out := make(map[string]bool, len(rows))
	for _, m := range rows {
		out[m.(*nbdb.LogicalSwitchPort).Name] = true
	}
	return out
}

// byPolicy sums the missing ports up per policy.
func (c *Controller) gapsByPolicy() map[policy.Owner]gap {
	out := map[policy.Owner]gap{}
	add := func(ports map[string]string, foreign bool) {
		for port, pod := range ports {
			for _, pg := range c.tracker.PortGroupsOf(port) {
				o, ok := c.gaps.owners[pg]
				if !ok {
					continue
				}
				g, ex := out[o], fmt.Sprintf("%s (port %s)", pod, port)
				if foreign {
					g.foreign++
					g.strays = append(g.strays, ex)
				} else {
					g.count++
					g.examples = append(g.examples, ex)
				}
				out[o] = g
			}
		}
	}
	add(c.gaps.missing, false)
	add(c.gaps.foreign, true)
	for o, g := range out {
		slices.Sort(g.examples)
		slices.Sort(g.strays)
		g.examples = g.examples[:min(len(g.examples), gapExamples)]
		g.strays = g.strays[:min(len(g.strays), gapExamples)]
		out[o] = g
	}
	return out
}

// reportGaps logs and counts the policies whose gaps changed; it returns whether any did, so that their
// status is written again.
func (c *Controller) reportGaps() bool {
	now := c.gapsByPolicy()
	c.cfg.Metrics.PodsWithoutPort.Set(float64(len(c.gaps.missing)))
	c.cfg.Metrics.PortsOfOtherZones.Set(float64(len(c.gaps.foreign)))
	changed := false
	for o, g := range now {
		if old, ok := c.gaps.last[o]; ok && old.equal(g) {
			continue
		}
		changed = true
		if g.count > 0 {
			klog.Warningf("policy %s is not enforced for %s", o, g)
		} else {
			klog.Warningf("policy %s: %s", o, g)
		}
	}
	for o := range c.gaps.last {
		if _, ok := now[o]; !ok {
			changed = true
			klog.InfoS("every pod the policy selects has its logical switch port again", "policy", o.String())
		}
	}
	c.gaps.last = now
	return changed
}

// gapOf is the last reported gap of a policy, if it has one.
func (g *gaps) gapOf(o policy.Owner) (gap, bool) {
	x, ok := g.last[o]
	return x, ok
}

// checkPortTemplate warns once at start when pods with IPs (in zone mode: of this zone) have no logical
// switch port of the name --port-name-template gives them: a template that does not match the CNI's names
// leaves every policy unenforced. In zone mode it warns instead when no node is in this zone.
func (c *Controller) checkPortTemplate() {
	name := c.cfg.PortName
	if name == nil {
		name = cluster.DefaultPortName
	}
	if c.zoneMode() && c.zoneNodes.here == 0 {
		c.warnNoZoneNodes()
		return
	}
	var withIPs int
	var missing []string
	has := c.nbPortNames() // one pass over the cache, not a lookup and a row copy per pod
	for _, obj := range c.informers.pods.store.List() {
		p := &cluster.Pod{Pod: obj.(*corev1.Pod)}
		if !p.Selectable() || len(cluster.PodIPs(p.Pod)) == 0 {
			continue
		}
		if zone, _ := c.podZone(p.Pod); c.zoneMode() && zone != c.cfg.Zone {
			continue // another zone's, or no zone's yet
		}
		withIPs++
		if port := name(p.Namespace, p.Name); !has[port] {
			missing = append(missing, fmt.Sprintf("%s (port %s)", p.Key(), port))
		}
	}
	if len(missing) == 0 {
		klog.InfoS("every pod with IPs has its logical switch port in NB", "pods", withIPs)
		return
	}
	slices.Sort(missing)
	var have []string
	if t := c.cfg.NB.Cache().Table(nbdb.LogicalSwitchPortTable); t != nil {
		for _, m := range t.RowsShallow() {
			have = append(have, m.(*nbdb.LogicalSwitchPort).Name)
		}
	}
	slices.Sort(have)
	have = have[:min(len(have), gapExamples)]
	klog.Warningf("%d of %d pods with IPs have no logical switch port named by --port-name-template in NB; "+
		"policies do not apply to them. Missing: %s. NB has ports such as: %s", len(missing), withIPs,
		strings.Join(missing[:min(len(missing), gapExamples)], ", "), strings.Join(have, ", "))
}
