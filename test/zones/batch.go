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
	"github.com/tieracl/tieracl/go-controller/pkg/ovnbackend"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// batchTimeout bounds one EvaluateBatch: outside ports, namespaces, servers and every probe.
const batchTimeout = 10 * time.Minute

// job is a flow on its way through the zones.
type job struct {
	index    int
	flow     policytest.ExpectedFlow
	src, dst end
	target   probe.Target
	result   probe.Result
}

// EvaluateBatch probes every flow, one client per source and timeout; see policytest.BatchEvaluator.
func (e *Evaluator) EvaluateBatch(flows []policytest.ExpectedFlow) ([]eval.Verdict, []error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	verdicts, errs := make([]eval.Verdict, len(flows)), make([]error, len(flows))
	if err := e.addOutside(ctx, flows); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return verdicts, errs
	}
	var jobs []*job
	for i, f := range flows {
		j, err := e.prepare(ctx, i, f)
		if err != nil {
			errs[i] = err
			continue
		}
		jobs = append(jobs, j)
	}
	if err := e.bed.WaitHV(ctx); err != nil {
		for _, j := range jobs {
			errs[j.index] = err
		}
		return verdicts, errs
	}
	e.dial(ctx, jobs, errs, func(j *job) (time.Duration, bool) {
		if j.flow.ExpectAllow {
			return allowTimeout, true
		}
		return denyTimeout, true
	})
	e.dial(ctx, jobs, errs, func(j *job) (time.Duration, bool) {
		return allowTimeout, j.flow.ExpectAllow && errs[j.index] == nil && j.result.Outcome == probe.TimedOut
	})
	for _, j := range jobs {
		if errs[j.index] == nil {
			verdicts[j.index], errs[j.index] = ovnbackend.Judge(j.dst.key, j.target, j.result)
		}
	}
	return verdicts, errs
}

// addOutside gives every address no port holds a stand-in pod with a port in the zone the flow's other
// end is not in, so traffic to and from outside crosses the transit switch too.
func (e *Evaluator) addOutside(ctx context.Context, flows []policytest.ExpectedFlow) error {
	var pods []*corev1.Pod
	place := Placement{}
	for k, v := range e.place {
		place[k] = v
	}
	seen := map[netip.Addr]bool{}
	for _, f := range flows {
		for _, pair := range [][2]eval.Endpoint{{f.Flow.Src, f.Flow.Dst}, {f.Flow.Dst, f.Flow.Src}} {
			ep, other := pair[0], pair[1]
			if _, ok := e.ends[ep.IP]; ok || seen[ep.IP] || ep.Pod != "" || ep.Node != "" {
				continue
			}
			seen[ep.IP] = true
			zone := 0
			if o, ok := e.ends[other.IP]; ok {
				zone = (o.zone + 1) % len(e.bed.Zones)
			}
			pod := ovnbackend.OutsidePod(ep.IP)
			// A node of its own puts the stand-in in the chosen zone.
			pod.Spec.NodeName = fmt.Sprintf("outside-%d", zone)
			place[pod.Spec.NodeName] = zone
			e.outside[pod.Namespace+"/"+pod.Name] = pod
			pods = append(pods, pod)
		}
	}
	if len(pods) == 0 {
		return nil
	}
	if err := e.bed.ApplyTopology(ctx, &cluster.Snapshot{Pods: pods}, place); err != nil {
		return err
	}
	return e.indexPorts()
}

// prepare finds the flow's ends, gives them namespaces and the destination a server on the port.
func (e *Evaluator) prepare(ctx context.Context, i int, f policytest.ExpectedFlow) (*job, error) {
	src, ok := e.ends[f.Flow.Src.IP]
	if !ok {
		return nil, fmt.Errorf("source %s has no port in any zone", f.Flow.Src)
	}
	dst, ok := e.ends[f.Flow.Dst.IP]
	if !ok {
		return nil, fmt.Errorf("destination %s has no port in any zone", f.Flow.Dst)
	}
	if f.Flow.Port < 1 || f.Flow.Port > 65535 {
		return nil, fmt.Errorf("port %d is not in 1-65535", f.Flow.Port)
	}
	j := &job{index: i, flow: f, src: src, dst: dst,
		target: probe.Target{Protocol: probe.Protocol(f.Flow.Protocol),
			Addr: netip.AddrPortFrom(f.Flow.Dst.IP, uint16(f.Flow.Port))}}
	for _, x := range []end{src, dst} {
		if err := e.namespace(ctx, x); err != nil {
			return nil, err
		}
	}
	listen := probe.Listen{Protocol: j.target.Protocol, Port: uint16(f.Flow.Port)}
	if e.served[dst.key] == nil {
		e.served[dst.key] = map[probe.Listen]bool{}
	}
	if !e.served[dst.key][listen] {
		if _, err := e.bed.Zones[dst.zone].Serve(ctx, e.ns[dst.key], listen); err != nil {
			return nil, err
		}
		e.served[dst.key][listen] = true
	}
	return j, nil
}

// namespace gives an end its namespace in its zone on first use.
func (e *Evaluator) namespace(ctx context.Context, x end) error {
	if e.ns[x.key] != nil {
		return nil
	}
	z := e.bed.Zones[x.zone]
	var err error
	if x.pod == nil {
		e.ns[x.key], err = z.AddNodeNamespace(ctx, x.node)
	} else {
		e.ns[x.key], err = z.AddPodNamespace(ctx, x.pod)
	}
	if err != nil {
		delete(e.ns, x.key)
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	return nil
}

// dial probes the jobs pick selects, one client per source and timeout, one after another (the machine
// running the bed is small).
func (e *Evaluator) dial(ctx context.Context, jobs []*job, errs []error, pick func(*job) (time.Duration, bool)) {
	type groupKey struct {
		src     string
		timeout time.Duration
	}
	groups := map[groupKey][]*job{}
	var order []groupKey
	for _, j := range jobs {
		timeout, ok := pick(j)
		if !ok {
			continue
		}
		k := groupKey{j.src.key, timeout}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], j)
	}
	for _, k := range order {
		group := groups[k]
		targets := make([]probe.Target, len(group))
		for i, j := range group {
			targets[i] = j.target
		}
		src := group[0].src
		results, err := e.bed.Zones[src.zone].Probe(ctx, e.ns[src.key], k.timeout, targets...)
		for i, j := range group {
			if err != nil {
				errs[j.index] = errors.Join(fmt.Errorf("probe client in %s", src.key), err)
				continue
			}
			j.result = results[i]
		}
	}
}
