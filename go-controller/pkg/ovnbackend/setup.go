package ovnbackend

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// clusterBed is a control-plane bed holding one snapshot: its ports, and the translated rows written in
// one NB transaction.
type clusterBed struct {
	bed   *ovnsandbox.Bed
	snap  *cluster.Snapshot
	state *nbrows.State
	ends  *endpoints
	// attached: the bed is someone else's (AttachDatapath), who writes its rows and stops it.
	attached bool
}

func startClusterBed(ctx context.Context, snap *cluster.Snapshot, opts ovnsandbox.Options) (_ *clusterBed, err error) {
	bed, err := ovnsandbox.Start(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("starting the OVN test bed: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, bed.Stop())
		}
	}()
	topo, err := bed.ApplyTopology(ctx, snap)
	if err != nil {
		return nil, err
	}
	ends, err := newEndpoints(snap, topo)
	if err != nil {
		return nil, err
	}
	state := &translate.Translate(snap, translate.Options{}).State
	if err := writeRows(ctx, bed, state); err != nil {
		return nil, err
	}
	if err := bed.WaitNorthd(ctx); err != nil {
		return nil, err
	}
	return &clusterBed{bed: bed, snap: snap, state: state, ends: ends}, nil
}

// writeRows writes the translated rows with nbsync, as the controller would. Every port group member
// must have its port already, or a pod would silently escape its policies.
func writeRows(ctx context.Context, bed *ovnsandbox.Bed, state *nbrows.State) error {
	c, err := nbsync.Connect(ctx, bed.NBSocket(), nil)
	if err != nil {
		return err
	}
	defer c.Disconnect()
	stats, err := nbsync.Sync(ctx, c, state)
	if err != nil {
		return err
	}
	if stats.PortsMissing > 0 {
		return fmt.Errorf("%d port group members have no logical switch port in the bed", stats.PortsMissing)
	}
	return nil
}

// resolve returns the endpoints of addresses and pods, giving outside addresses ports of their own
// (one ApplyTopology for all new ones).
func (c *clusterBed) resolve(ctx context.Context, ends []eval.Endpoint) ([]Endpoint, []error) {
	out := make([]Endpoint, len(ends))
	errs := make([]error, len(ends))
	var newPods []*corev1.Pod
	pending := map[netip.Addr][]int{}
	for i, ref := range ends {
		ep, ok, err := c.ends.lookup(ref)
		switch {
		case err != nil:
			errs[i] = err
		case ok:
			out[i] = ep
		default:
			if _, seen := pending[ref.IP]; !seen {
				newPods = append(newPods, OutsidePod(ref.IP))
			}
			pending[ref.IP] = append(pending[ref.IP], i)
		}
	}
	if len(newPods) == 0 {
		return out, errs
	}
	_, err := c.bed.ApplyTopology(ctx, &cluster.Snapshot{Pods: newPods})
	for ip, indexes := range pending {
		ep, epErr := outsideEndpoint(ip)
		if err == nil && epErr == nil {
			c.ends.extra[ip] = ep
		}
		for _, i := range indexes {
			out[i], errs[i] = ep, errors.Join(err, epErr)
		}
	}
	return out, errs
}
