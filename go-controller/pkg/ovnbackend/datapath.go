package ovnbackend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// DatapathOptions configure NewDatapath. The zero value is usable.
type DatapathOptions struct {
	// Bed configures the bed: which OVN and tieracl-probe it runs.
	Bed ovnsandbox.Options
	// DenyTimeout is how long a probe expected to be dropped waits; 1s when zero.
	DenyTimeout time.Duration
	// AllowTimeout is how long a probe expected to connect waits, twice (a timed-out one is retried
	// once, so a loaded machine does not make false drops); 2s when zero.
	AllowTimeout time.Duration
}

func (o DatapathOptions) withDefaults() DatapathOptions {
	if o.DenyTimeout == 0 {
		o.DenyTimeout = time.Second
	}
	if o.AllowTimeout == 0 {
		o.AllowTimeout = probe.DefaultTimeout
	}
	return o
}

// batchTimeout bounds one EvaluateBatch: namespaces, servers and every probe.
const batchTimeout = 10 * time.Minute

// Datapath judges flows by real connections through ovs-vswitchd's userspace datapath, programmed by
// ovn-controller from the translated rows: allowed when the connection is made (for UDP: a reply came
// back), denied when it times out. Anything else (refused, reset, SCTP the kernel cannot do) is an
// error, as a policy drop never answers. Close stops its bed, namespaces and servers included.
type Datapath struct {
	*OVN
	opts   DatapathOptions
	served map[string]map[probe.Listen]bool // by endpoint key
}

// NewDatapath starts a bed with the datapath for the snapshot; endpoints get namespaces when a probe
// first needs them.
func NewDatapath(ctx context.Context, snap *cluster.Snapshot, opts DatapathOptions) (_ *Datapath, err error) {
	opts = opts.withDefaults()
	o, err := NewOVN(ctx, snap, opts.Bed)
	if err != nil {
		return nil, err
	}
	if err := o.bed.StartDatapath(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("starting the datapath: %w", err), o.Close())
	}
	return &Datapath{OVN: o, opts: opts, served: map[string]map[probe.Listen]bool{}}, nil
}

// Evaluate probes one flow, waiting as for an expected connection, and always explains the verdict
// with ovn-trace.
func (d *Datapath) Evaluate(f eval.Flow) (eval.Verdict, error) {
	vs, errs := d.evaluate([]policytest.ExpectedFlow{{Flow: f, ExpectAllow: true}}, true)
	return vs[0], errs[0]
}

// EvaluateBatch probes every flow, side by side per source; see policytest.BatchEvaluator. Verdicts
// that differ from the expectation are explained with ovn-trace.
func (d *Datapath) EvaluateBatch(flows []policytest.ExpectedFlow) ([]eval.Verdict, []error) {
	return d.evaluate(flows, false)
}

// probeJob is a flow on its way through the datapath.
type probeJob struct {
	index    int
	flow     policytest.ExpectedFlow
	src, dst Endpoint
	from     *ovnsandbox.Netns
	target   probe.Target
	result   probe.Result
}

func (d *Datapath) evaluate(flows []policytest.ExpectedFlow, explainAll bool) ([]eval.Verdict, []error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	verdicts, errs := make([]eval.Verdict, len(flows)), make([]error, len(flows))
	jobs := d.prepare(ctx, flows, errs)
	if err := d.bed.WaitHV(ctx); err != nil {
		for _, j := range jobs {
			errs[j.index] = err
		}
		return verdicts, errs
	}
	d.runProbes(ctx, jobs, errs)
	for _, j := range jobs {
		if errs[j.index] != nil {
			continue
		}
		v, err := judge(j)
		if explainAll || err != nil || v.Allowed != j.flow.ExpectAllow {
			d.explain(ctx, j, &v)
		}
		verdicts[j.index], errs[j.index] = v, err
	}
	return verdicts, errs
}

// prepare resolves every flow's ends, gives them namespaces and the destinations probe servers; a
// flow whose preparation failed gets its error and no job.
func (d *Datapath) prepare(ctx context.Context, flows []policytest.ExpectedFlow, errs []error) []*probeJob {
	ends := make([]eval.Endpoint, 0, 2*len(flows))
	for _, f := range flows {
		ends = append(ends, f.Flow.Src, f.Flow.Dst)
	}
	resolved, resolveErrs := d.resolve(ctx, ends)
	var jobs []*probeJob
	listens := map[string][]probe.Listen{}
	dsts := map[string]Endpoint{}
	for i, f := range flows {
		if errs[i] = errors.Join(resolveErrs[2*i], resolveErrs[2*i+1]); errs[i] != nil {
			continue
		}
		j := &probeJob{index: i, flow: f, src: resolved[2*i], dst: resolved[2*i+1]}
		if f.Flow.Port < 1 || f.Flow.Port > 65535 {
			errs[i] = fmt.Errorf("port %d is not in 1-65535", f.Flow.Port)
			continue
		}
		j.target = probe.Target{Protocol: probe.Protocol(f.Flow.Protocol),
			Addr: netipAddrPort(f.Flow.Dst, f.Flow.Port)}
		listens[j.dst.Key] = append(listens[j.dst.Key], probe.Listen{Protocol: j.target.Protocol, Port: uint16(f.Flow.Port)})
		dsts[j.dst.Key] = j.dst
		jobs = append(jobs, j)
	}
	failed := map[string]error{}
	for _, j := range jobs {
		for _, ep := range []Endpoint{j.src, j.dst} {
			if _, done := failed[ep.Key]; done {
				continue
			}
			_, failed[ep.Key] = d.namespace(ctx, ep)
		}
	}
	for key, ls := range listens {
		if failed[key] == nil {
			failed[key] = d.serve(ctx, dsts[key], ls)
		}
	}
	var ready []*probeJob
	for _, j := range jobs {
		if err := errors.Join(failed[j.src.Key], failed[j.dst.Key]); err != nil {
			errs[j.index] = err
			continue
		}
		j.from = d.bed.Netns(j.src.Key)
		ready = append(ready, j)
	}
	return ready
}

// namespace returns the endpoint's namespace, making it on first use (on an attached bed, only for
// outside addresses).
func (d *Datapath) namespace(ctx context.Context, ep Endpoint) (*ovnsandbox.Netns, error) {
	if n := d.bed.Netns(ep.Key); n != nil {
		return n, nil
	}
	if d.attached && ep.Kind != KindOutside {
		return nil, fmt.Errorf("%s has no network namespace on the bed, which whoever runs the bed makes", ep.Key)
	}
	if ep.Kind == KindNode {
		return d.bed.AddNodeNamespace(ctx, ep.Node)
	}
	if ep.Pod == nil {
		return nil, fmt.Errorf("%s: no pod to give a namespace", ep.Key)
	}
	return d.bed.AddPodNamespace(ctx, ep.Pod)
}

// serve starts a probe server on the probed ports and, for a pod, its declared container ports, except
// those an earlier server of the endpoint already answers on. On an attached bed it serves only outside
// addresses: pods and nodes are served by whoever runs the bed.
func (d *Datapath) serve(ctx context.Context, ep Endpoint, probed []probe.Listen) error {
	if d.attached && ep.Kind != KindOutside {
		return nil
	}
	key := ep.Key
	all := probed
	if pod := d.ends.pods[key]; pod != nil {
		for _, c := range pod.Spec.Containers {
			for _, cp := range c.Ports {
				proto := probe.Protocol(cp.Protocol)
				if proto == "" {
					proto = probe.TCP
				}
				all = append(all, probe.Listen{Protocol: proto, Port: uint16(cp.ContainerPort)})
			}
		}
	}
	if d.served[key] == nil {
		d.served[key] = map[probe.Listen]bool{}
	}
	var missing []probe.Listen
	for _, l := range all {
		if !d.served[key][l] && l.Port != 0 {
			d.served[key][l] = true
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err := d.bed.Serve(ctx, d.bed.Netns(key), missing...)
	return err
}
