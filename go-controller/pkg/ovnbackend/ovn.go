package ovnbackend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// traceTimeout bounds one flow's two ovn-trace runs and any outside port it needs.
const traceTimeout = 30 * time.Second

// OVN judges flows with ovn-trace over the logical flows real ovn-northd made from the translated rows.
// Close stops its bed.
type OVN struct {
	*clusterBed
}

// NewOVN starts a control-plane bed for the snapshot: its ports, its translated rows.
func NewOVN(ctx context.Context, snap *cluster.Snapshot, opts ovnsandbox.Options) (*OVN, error) {
	c, err := startClusterBed(ctx, snap, opts)
	if err != nil {
		return nil, err
	}
	return &OVN{clusterBed: c}, nil
}

// Close stops the bed, unless it is someone else's (AttachDatapath).
func (o *OVN) Close() error {
	if o.attached {
		return nil
	}
	return o.bed.Stop()
}

// Bed is the running test bed, for debugging.
func (o *OVN) Bed() *ovnsandbox.Bed { return o.bed }

// Evaluate traces the flow's first packet from the source's port: allowed exactly when ovn-trace
// delivers it to the destination's port.
func (o *OVN) Evaluate(f eval.Flow) (eval.Verdict, error) {
	ctx, cancel := context.WithTimeout(context.Background(), traceTimeout)
	defer cancel()
	ends, errs := o.resolve(ctx, []eval.Endpoint{f.Src, f.Dst})
	if err := errors.Join(errs...); err != nil {
		return eval.Verdict{}, err
	}
	return o.trace(ctx, f, ends[0], ends[1])
}

func (o *OVN) trace(ctx context.Context, f eval.Flow, src, dst Endpoint) (eval.Verdict, error) {
	m, err := microflow(f, src, dst)
	if err != nil {
		return eval.Verdict{}, err
	}
	minimal, err := o.bed.TraceFlow(ctx, m)
	if err != nil {
		return eval.Verdict{}, err
	}
	detailed, err := o.bed.TraceDetailed(ctx, m)
	if err != nil {
		return eval.Verdict{}, err
	}
	v, err := verdictOfTrace(minimal.Delivered(dst.Port.Name), detailed, src.Kind == KindPod, dst.Kind == KindPod)
	nameSteps(o.state, v.Egress)
	nameSteps(o.state, v.Ingress)
	return v, err
}

// microflow is the flow's first packet between the two ports, from and to the flow's own addresses.
func microflow(f eval.Flow, src, dst Endpoint) (ovnsandbox.Microflow, error) {
	if f.Port < 1 || f.Port > 65535 {
		return ovnsandbox.Microflow{}, fmt.Errorf("port %d is not in 1-65535", f.Port)
	}
	return ovnsandbox.Microflow{From: src.Narrowed(f.Src.IP), To: dst.Narrowed(f.Dst.IP),
		Protocol: probe.Protocol(f.Protocol), DstPort: uint16(f.Port)}, nil
}
