package zones

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// Probe timeouts: an expected drop waits denyTimeout; an expected connection waits allowTimeout, twice,
// so a loaded machine does not make false drops. Neither decides a verdict.
const (
	denyTimeout  = time.Second
	allowTimeout = probe.DefaultTimeout
)

// Evaluator judges policy test flows with real packets through a two-zone bed: the snapshot's nodes are
// spread over the zones (Spread), each pod is in its node's zone, and every zone's NB gets the rows of
// the one translation of the whole cluster, as a zone-mode controller writes them: port groups hold the
// members whose logical ports are in that zone's NB, address sets and ACLs are the same everywhere. A
// flow between pods of different zones leaves through the source zone's ACLs and enters through the
// destination zone's. Close stops the bed.
type Evaluator struct {
	bed   *Bed
	place Placement
	ends  map[netip.Addr]end // every address of every port, outside stand-ins included
	pods  map[string]*corev1.Pod
	// outside holds the stand-in pods of outside addresses by key (see ovnbackend.OutsidePod).
	outside map[string]*corev1.Pod
	// Written is what each zone's sync did; PortsMissing counts members whose ports are in other zones.
	Written []nbsync.Stats
	served  map[string]map[probe.Listen]bool
	ns      map[string]*ovnsandbox.Netns
}

// end is a flow's end on the bed: the endpoint key ("<namespace>/<pod>" or "node/<name>"), its zone and
// what to give a namespace.
type end struct {
	key  string
	zone int
	pod  *corev1.Pod // nil for a node
	node string
}

// NewEvaluator starts a two-zone bed for the snapshot and writes its translated rows into every zone.
func NewEvaluator(ctx context.Context, snap *cluster.Snapshot, opts ovnsandbox.Options) (*Evaluator, error) {
	e, err := NewEvaluatorWithoutRows(ctx, snap, opts)
	if err != nil {
		return nil, err
	}
	if err := e.WriteTranslation(ctx, snap); err != nil {
		return nil, errors.Join(err, e.Close())
	}
	return e, nil
}

// NewEvaluatorWithoutRows starts a two-zone bed with the snapshot's ports and routes and no policy rows,
// for someone else (zone-mode controllers) to write them.
func NewEvaluatorWithoutRows(ctx context.Context, snap *cluster.Snapshot,
	opts ovnsandbox.Options) (_ *Evaluator, err error) {
	b, err := Start(ctx, Options{Bed: opts})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, b.Stop())
		}
	}()
	e := &Evaluator{bed: b, place: Spread(snap, len(b.Zones)), ends: map[netip.Addr]end{}, pods: map[string]*corev1.Pod{},
		outside: map[string]*corev1.Pod{}, served: map[string]map[probe.Listen]bool{}, ns: map[string]*ovnsandbox.Netns{}}
	if err := b.ApplyTopology(ctx, snap, e.place); err != nil {
		return nil, err
	}
	for _, p := range snap.Pods {
		e.pods[p.Namespace+"/"+p.Name] = p
	}
	if err := e.indexPorts(); err != nil {
		return nil, err
	}
	return e, nil
}

// WriteTranslation writes the snapshot's translated rows into every zone's NB, each in one transaction.
func (e *Evaluator) WriteTranslation(ctx context.Context, snap *cluster.Snapshot) error {
	state := &translate.Translate(snap, translate.Options{}).State
	for i, z := range e.bed.Zones {
		stats, err := writeZone(ctx, z, state, e.foreignMembers(state, i))
		if err != nil {
			return fmt.Errorf("zone %s: %w", z.Name, err)
		}
		e.Written = append(e.Written, stats)
	}
	return nil
}

// ZoneOf is the zone of a pod ("<namespace>/<name>") or node ("node/<name>") endpoint, -1 when the bed
// has no port for it.
func (e *Evaluator) ZoneOf(key string) int {
	for _, x := range e.ends {
		if x.key == key {
			return x.zone
		}
	}
	return -1
}

// writeZone writes the rows into a zone's NB in one transaction; every member the NB lacks must be one
// of foreign, the members in other zones, or a pod of this zone would silently escape its policies.
func writeZone(ctx context.Context, z *Zone, state *nbrows.State, foreign int) (nbsync.Stats, error) {
	c, err := nbsync.Connect(ctx, z.NBSocket(), nil)
	if err != nil {
		return nbsync.Stats{}, err
	}
	defer c.Disconnect()
	stats, err := nbsync.Sync(ctx, c, state)
	if err != nil {
		return stats, err
	}
	if stats.PortsMissing != foreign {
		return stats, fmt.Errorf("%d port group members have no port in the zone's NB, want the %d of other zones",
			stats.PortsMissing, foreign)
	}
	return stats, z.WaitNorthd(ctx)
}

// foreignMembers counts the port group members whose ports are in another zone than zone.
func (e *Evaluator) foreignMembers(state *nbrows.State, zone int) int {
	byPort := map[string]int{}
	for _, x := range e.ends {
		if x.pod != nil {
			if port, ok := ovnsandbox.PodPort(x.pod); ok {
				byPort[port.Name] = x.zone
			}
		}
	}
	n := 0
	for _, pg := range state.PortGroups {
		for _, port := range pg.Ports {
			if z, ok := byPort[port]; ok && z != zone {
				n++
			}
		}
	}
	return n
}

// indexPorts records every address of every zone's ports.
func (e *Evaluator) indexPorts() error {
	for i, z := range e.bed.Zones {
		t := z.Topology()
		for key, port := range t.Pods {
			pod := e.pods[key]
			if pod == nil {
				pod = e.outside[key]
			}
			if err := e.index(port, end{key: key, zone: i, pod: pod}); err != nil {
				return err
			}
		}
		for name, port := range t.Nodes {
			if err := e.index(port, end{key: policytest.NodePrefix + name, zone: i, node: name}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *Evaluator) index(port ovnsandbox.Port, x end) error {
	for _, ip := range port.IPs {
		if other, dup := e.ends[ip]; dup && other.key != x.key {
			return fmt.Errorf("address %s is on two ports, of %s and %s", ip, other.key, x.key)
		}
		e.ends[ip] = x
	}
	return nil
}

// Bed is the running bed, for debugging.
func (e *Evaluator) Bed() *Bed { return e.bed }

// Close stops the bed.
func (e *Evaluator) Close() error { return e.bed.Stop() }

// CrossZone reports whether the flow's ends are in different zones; false before the flow was judged.
func (e *Evaluator) CrossZone(f eval.Flow) bool {
	src, ok1 := e.ends[f.Src.IP]
	dst, ok2 := e.ends[f.Dst.IP]
	return ok1 && ok2 && src.zone != dst.zone
}

// Evaluate probes one flow, waiting as for an expected connection.
func (e *Evaluator) Evaluate(f eval.Flow) (eval.Verdict, error) {
	vs, errs := e.EvaluateBatch([]policytest.ExpectedFlow{{Flow: f, ExpectAllow: true}})
	return vs[0], errs[0]
}

var _ policytest.BatchEvaluator = (*Evaluator)(nil)
