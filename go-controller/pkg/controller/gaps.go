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

// gap is what a policy's subject lacks in NB: pods it selects that have IPs (so traffic reaches them)
// but no logical switch port of the name the port-name template gives, so no ACL of the policy applies
// to them.
type gap struct {
	count    int
	examples []string // "namespace/pod (port name)", sorted, at most gapExamples
}

// problem is the gap as a policy problem, for the condition and the events.
func (g gap) problem() policy.Problem {
	return policy.Problem{Severity: policy.SeverityError, Reason: ReasonPortsMissing, Message: g.String()}
}

func (g gap) String() string {
	return fmt.Sprintf("%d selected pods with IPs have no logical switch port in NB, so the policy does not apply "+
		"to them (check --port-name-template): %s", g.count, strings.Join(g.examples, ", "))
}

// gaps follows the subject ports NB lacks. The worker owns it.
type gaps struct {
	missing map[string]string       // logical port -> pod key, for ports a port group lists, of pods with IPs
	owners  map[string]policy.Owner // port group -> its policy, as of the last translation
	last    map[policy.Owner]gap    // as last reported
}

func newGaps() *gaps {
	return &gaps{missing: map[string]string{}, owners: map[string]policy.Owner{}, last: map[policy.Owner]gap{}}
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

// checkPorts finds out again, for each port, whether a port group wants it while NB lacks it.
func (c *Controller) checkPorts(ctx context.Context, ports []string) {
	for _, port := range ports {
		pod := c.tracker.PortPod(port)
		if c.zoneMode() || pod == nil || len(c.tracker.PortGroupsOf(port)) == 0 || len(cluster.PodIPs(pod)) == 0 || c.nbHasPort(ctx, port) {
			delete(c.gaps.missing, port)
			continue
		}
		c.gaps.missing[port] = pod.Namespace + "/" + pod.Name
	}
}

func (c *Controller) nbHasPort(ctx context.Context, port string) bool {
	_, ok := cached(c.cfg.NB, nbdb.LogicalSwitchPortTable, &nbdb.LogicalSwitchPort{Name: port})
	return ok
}

// byPolicy sums the missing ports up per policy.
func (c *Controller) gapsByPolicy() map[policy.Owner]gap {
	out := map[policy.Owner]gap{}
	for port, pod := range c.gaps.missing {
		for _, pg := range c.tracker.PortGroupsOf(port) {
			o, ok := c.gaps.owners[pg]
			if !ok {
				continue
			}
			g := out[o]
			g.count++
			g.examples = append(g.examples, fmt.Sprintf("%s (port %s)", pod, port))
			out[o] = g
		}
	}
	for o, g := range out {
		slices.Sort(g.examples)
		g.examples = g.examples[:min(len(g.examples), gapExamples)]
		out[o] = g
	}
	return out
}

// reportGaps logs and counts the policies whose gaps changed; it returns whether any did, so that their
// status is written again.
func (c *Controller) reportGaps() bool {
	now := c.gapsByPolicy()
	c.cfg.Metrics.PodsWithoutPort.Set(float64(len(c.gaps.missing)))
	changed := false
	for o, g := range now {
		if old, ok := c.gaps.last[o]; ok && old.count == g.count && slices.Equal(old.examples, g.examples) {
			continue
		}
		changed = true
		klog.Warningf("policy %s is not enforced for %s", o, g)
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

// checkPortTemplate warns once at start when pods with IPs have no logical switch port of the name
// --port-name-template gives them: a template that does not match the CNI's names leaves every policy
// unenforced.
func (c *Controller) checkPortTemplate(ctx context.Context) {
	name := c.cfg.PortName
	if name == nil {
		name = cluster.DefaultPortName
	}
	var withIPs int
	var missing []string
	for _, obj := range c.informers.pods.store.List() {
		p := &cluster.Pod{Pod: obj.(*corev1.Pod)}
		if !p.Selectable() || len(cluster.PodIPs(p.Pod)) == 0 {
			continue
		}
		withIPs++
		if port := name(p.Namespace, p.Name); !c.nbHasPort(ctx, port) {
			missing = append(missing, fmt.Sprintf("%s (port %s)", p.Key(), port))
		}
	}
	if len(missing) == 0 {
		klog.InfoS("every pod with IPs has its logical switch port in NB", "pods", withIPs)
		return
	}
	if c.zoneMode() && len(missing) < withIPs {
		klog.InfoS("zone mode: pods whose ports this NB lacks are in other zones", "zone", c.cfg.Zone,
			"pods", withIPs, "here", withIPs-len(missing))
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
