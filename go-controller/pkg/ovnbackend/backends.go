// Package ovnbackend judges policy test probes with a real OVN 25.03 (pkg/ovnsandbox): "ovn" traces each
// flow's first packet with ovn-trace over the logical flows ovn-northd made from the translated rows;
// "datapath" also runs ovs-vswitchd and ovn-controller and sends real TCP/UDP/SCTP connections between
// network namespaces. OVNBackend and DatapathBackend make them policytest backends; every evaluator
// holds a running bed, so close it with policytest.Close. See docs/testing.md.
package ovnbackend

import (
	"context"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// Backend names, as `tieracl test --backend` takes them.
const (
	NameOVN      = "ovn"
	NameDatapath = "datapath"
)

// setupTimeout bounds starting a bed and writing a snapshot into it.
const setupTimeout = 2 * time.Minute

// OVNBackend is the "ovn" backend: each evaluator starts a control-plane bed configured by opts.
func OVNBackend(opts ovnsandbox.Options) policytest.Backend {
	return func(s *cluster.Snapshot) (eval.Evaluator, error) {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		return NewOVN(ctx, s, opts)
	}
}

// DatapathBackend is the "datapath" backend: each evaluator starts a bed with the datapath.
func DatapathBackend(opts DatapathOptions) policytest.Backend {
	return func(s *cluster.Snapshot) (eval.Evaluator, error) {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		return NewDatapath(ctx, s, opts)
	}
}
