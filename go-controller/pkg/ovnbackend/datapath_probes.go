package ovnbackend

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// parallelDials bounds the probe clients running at once: each dials all its targets side by side.
const parallelDials = 4

// SCTPUnsupported starts the error of an SCTP probe on a kernel that cannot open SCTP sockets.
const SCTPUnsupported = "SCTP unsupported by this kernel"

// runProbes dials every job: one client per source and expectation, so expected drops wait only
// DenyTimeout; then once more, per source, for every expected connection that timed out.
func (d *Datapath) runProbes(ctx context.Context, jobs []*probeJob, errs []error) {
	d.dialGroups(ctx, jobs, errs, func(j *probeJob) (time.Duration, bool) {
		if j.flow.ExpectAllow {
			return d.opts.AllowTimeout, true
		}
		return d.opts.DenyTimeout, true
	})
	d.dialGroups(ctx, jobs, errs, func(j *probeJob) (time.Duration, bool) {
		return d.opts.AllowTimeout, j.flow.ExpectAllow && errs[j.index] == nil && j.result.Outcome == probe.TimedOut
	})
}

// dialGroups dials the jobs pick selects, grouped by source and timeout, the groups side by side.
func (d *Datapath) dialGroups(ctx context.Context, jobs []*probeJob, errs []error,
	pick func(*probeJob) (time.Duration, bool)) {
	type groupKey struct {
		src     string
		timeout time.Duration
	}
	groups := map[groupKey][]*probeJob{}
	var order []groupKey
	for _, j := range jobs {
		timeout, ok := pick(j)
		if !ok {
			continue
		}
		k := groupKey{j.src.Key, timeout}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], j)
	}
	sem := make(chan struct{}, parallelDials)
	var wg sync.WaitGroup
	var mu sync.Mutex // guards errs
	for _, k := range order {
		group := groups[k]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			targets := make([]probe.Target, len(group))
			for i, j := range group {
				targets[i] = j.target
			}
			results, err := d.bed.Probe(ctx, group[0].from, k.timeout, targets...)
			mu.Lock()
			defer mu.Unlock()
			for i, j := range group {
				if err != nil {
					errs[j.index] = fmt.Errorf("probe client in %s: %w", j.src.Key, err)
					continue
				}
				j.result = results[i]
			}
		}()
	}
	wg.Wait()
}

// judge turns a probe job's outcome into a verdict; see Judge.
func judge(j *probeJob) (eval.Verdict, error) { return Judge(j.dst.Key, j.target, j.result) }

// Judge turns the outcome r of a probe to target into a verdict: a reply from the probe server named dst
// (its endpoint key, "<namespace>/<pod>" or "node/<name>") on the target's port is Allow, a timeout is
// Deny, and anything else is an error, since a policy drop never answers. An SCTP probe the kernel cannot
// send is an error wrapping policytest.ErrNotJudged.
func Judge(dst string, target probe.Target, r probe.Result) (eval.Verdict, error) {
	switch r.Outcome {
	case probe.Connected:
		want := dst + " " + probe.Listen{Protocol: target.Protocol, Port: target.Addr.Port()}.String()
		if r.Reply != want {
			return eval.Verdict{}, fmt.Errorf("%s: connected, but the reply was %q, not %q", r.Target, r.Reply, want)
		}
		return eval.Verdict{Allowed: true}, nil
	case probe.TimedOut:
		return eval.Verdict{Allowed: false}, nil
	case probe.SCTPUnsupported:
		return eval.Verdict{}, fmt.Errorf("%s: %w: %s (%s)", r.Target, policytest.ErrNotJudged, SCTPUnsupported, r.Error)
	case probe.Refused, probe.Reset:
		return eval.Verdict{}, fmt.Errorf("%s: %s (%s): something answered, so this is no policy drop, which would time out",
			r.Target, r.Outcome, r.Error)
	}
	return eval.Verdict{}, fmt.Errorf("%s: %s: %s", r.Target, r.Outcome, r.Error)
}

// explain adds ovn-trace's view of the flow's sides to a datapath verdict and the probe's outcome to
// the deciding side's last step: the side the trace denied, else the destination's (the source's when
// the destination is no pod). When packets and trace disagree, that side gets a step of its own saying
// what the packets did, and its outcome.
func (d *Datapath) explain(ctx context.Context, j *probeJob, v *eval.Verdict) {
	traced, traceErr := d.trace(ctx, j.flow.Flow, j.src, j.dst)
	v.Egress, v.Ingress = traced.Egress, traced.Ingress
	traceSaid := "delivered"
	switch {
	case traceErr != nil:
		traceSaid = "failed: " + firstLine(traceErr.Error())
	case !traced.Allowed:
		traceSaid = "dropped"
	}
	probed := fmt.Sprintf("datapath: %s %s after %v; ovn-trace %s", j.result.Target, j.result.Outcome,
		j.result.Elapsed.Round(time.Millisecond), traceSaid)
	var side *eval.Decision
	for _, s := range []*eval.Decision{v.Egress, v.Ingress} {
		if s != nil && !s.Allowed && side == nil {
			side = s
		}
	}
	if side == nil {
		side = v.Ingress
	}
	if side == nil {
		side = v.Egress
	}
	if side == nil {
		v.Ingress = &eval.Decision{Allowed: v.Allowed}
		side = v.Ingress
	}
	if traceErr == nil && traced.Allowed == v.Allowed && len(side.Steps) > 0 {
		last := &side.Steps[len(side.Steps)-1]
		last.Detail = probed + "\n" + last.Detail
		return
	}
	action := eval.StepDeny
	if v.Allowed {
		action = eval.StepAllow
	}
	side.Steps = append(side.Steps, eval.Step{Action: action, RuleIndex: -1, Detail: probed})
	side.Allowed = v.Allowed
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func netipAddrPort(e eval.Endpoint, port int32) netip.AddrPort {
	return netip.AddrPortFrom(e.IP, uint16(port))
}
