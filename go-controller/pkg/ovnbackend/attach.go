package ovnbackend

import (
	"fmt"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// AttachDatapath judges flows with real packets on a bed someone else runs and fills, such as the e2e's:
// its datapath started, the logical ports, network namespaces and probe servers of pods and nodes made by
// whoever runs it, and the ACLs written by someone else (tieracl-controller). It writes no rows and makes
// no namespace or server for a pod or a node: a flow whose pod or node has no namespace is an error, and
// a probe to a port nobody serves comes back refused, an error too. Outside addresses still get stand-in
// ports, namespaces and servers of their own. snap is the cluster the flows' ends are looked up in, with
// the bed's topology as it is now; state is the rows NB should hold, used only to name the ACLs in
// explanations. Close leaves the bed running; attach again after the topology changed.
func AttachDatapath(bed *ovnsandbox.Bed, snap *cluster.Snapshot, state *nbrows.State,
	opts DatapathOptions) (*Datapath, error) {
	if bed.Chassis() == "" {
		return nil, fmt.Errorf("attach: the bed's datapath is not started")
	}
	if state == nil {
		state = &nbrows.State{}
	}
	ends, err := newEndpoints(snap, bed.Topology())
	if err != nil {
		return nil, err
	}
	c := &clusterBed{bed: bed, snap: snap, state: state, ends: ends, attached: true}
	return &Datapath{OVN: &OVN{clusterBed: c}, opts: opts.withDefaults(), served: map[string]map[probe.Listen]bool{}}, nil
}
