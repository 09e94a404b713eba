// Package ovnbackend judges policy test probes with a real OVN 25.03 (pkg/ovnsandbox): "ovn" traces each
// flow's first packet with ovn-trace over the logical flows ovn-northd made from the translated rows;
// "datapath" also runs ovs-vswitchd and ovn-controller and sends real TCP/UDP/SCTP connections between
// network namespaces. Importing the package registers both with policytest; every evaluator holds a
// running bed, so close it with policytest.Close. See docs/testing.md.
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

func init() {
	policytest.RegisterBackend(NameOVN, func(s *cluster.Snapshot) (eval.Evaluator, error) {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		return NewOVN(ctx, s, ovnsandbox.Options{})
	})
	policytest.RegisterBackend(NameDatapath, func(s *cluster.Snapshot) (eval.Evaluator, error) {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		return NewDatapath(ctx, s, DatapathOptions{})
	})
}
