package translate

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
	"github.com/tieracl/tieracl/go-controller/pkg/priority"
)

// A cluster can hold tens of thousands of NetworkPolicies and each is emitted on its own, so they are
// emitted on every CPU, in chunks of consecutive policies that workers take in turn. Each chunk has its
// own rows; the address sets and selections are shared (addressSets.mu). The rows are then put together
// in policy order, as one goroutine would have emitted them.

// emitWorkers and emitChunk are how many goroutines emit NetworkPolicies and how many policies a chunk
// holds; tests change them to check that the output does not depend on them.
var (
	emitWorkers = func() int { return runtime.GOMAXPROCS(0) }
	emitChunk   = 512
)

// emit emits every programmed policy.
func (b *builder) emit(policies []*policy.Policy, bands map[policy.Owner]priority.Band) {
	lo, hi := networkPolicyRun(policies)
	b.state.ACLs = make([]nbrows.ACL, 0, aclBound(policies[:lo])+aclBound(policies[hi:]))
	for _, p := range policies[:lo] {
		b.emitPolicy(p, bands)
	}
	admin := len(b.state.ACLs)
	parts := b.emitNetworkPolicies(policies[lo:hi])
	// After the NetworkPolicies, as before them: a named-port set that a cluster policy (any protocol) and
	// a NetworkPolicy (one protocol) both resolve to keeps the Selection of the last to ask for it.
	for _, p := range policies[hi:] {
		b.emitPolicy(p, bands)
	}
	n := len(b.state.ACLs)
	pgs := len(b.state.PortGroups)
	for _, part := range parts {
		n += len(part.state.ACLs)
		pgs += len(part.state.PortGroups)
	}
	acls := make([]nbrows.ACL, 0, n)
	acls = append(acls, b.state.ACLs[:admin]...)
	b.state.PortGroups = append(make([]nbrows.PortGroup, 0, pgs), b.state.PortGroups...)
	for _, part := range parts {
		acls = append(acls, part.state.ACLs...)
		b.state.PortGroups = append(b.state.PortGroups, part.state.PortGroups...)
	}
	b.state.ACLs = append(acls, b.state.ACLs[admin:]...)
}

// networkPolicyRun is the range of the NetworkPolicies in policies, which evaluation order keeps
// together (the tier comes first).
func networkPolicyRun(policies []*policy.Policy) (lo, hi int) {
	for lo < len(policies) && policies[lo].Tier < policy.TierNetworkPolicy {
		lo++
	}
	for hi = lo; hi < len(policies) && policies[hi].Tier == policy.TierNetworkPolicy; hi++ {
	}
	return lo, hi
}

// emitNetworkPolicies emits NetworkPolicies on emitWorkers goroutines and returns the builders of the
// chunks, in order.
func (b *builder) emitNetworkPolicies(ps []*policy.Policy) []*builder {
	chunks := (len(ps) + emitChunk - 1) / emitChunk
	parts := make([]*builder, chunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(emitWorkers(), chunks) {
		wg.Go(func() {
			shapes := map[string]bool{} // a worker's chunks share what they learn of match shapes
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				chunk := ps[c*emitChunk : min((c+1)*emitChunk, len(ps))]
				part := &builder{ix: b.ix, sets: b.sets, selections: b.selections, parsedShapes: shapes}
				part.state.ACLs = make([]nbrows.ACL, 0, aclBound(chunk))
				part.state.PortGroups = make([]nbrows.PortGroup, 0, len(chunk))
				for _, p := range chunk {
					if !p.Rejected {
						part.addNetworkPolicy(p)
					}
				}
				parts[c] = part
			}
		})
	}
	wg.Wait()
	return parts
}

// emitPolicy emits one Admin- or Baseline-tier policy, or a NetworkPolicy, unless it is rejected.
func (b *builder) emitPolicy(p *policy.Policy, bands map[policy.Owner]priority.Band) {
	if p.Rejected {
		return
	}
	if p.Tier == policy.TierNetworkPolicy {
		b.addNetworkPolicy(p)
		return
	}
	band, ok := bands[p.Owner]
	if !ok {
		p.Problems = append(p.Problems, policy.Problem{Severity: policy.SeverityError, Reason: policy.ReasonTierFull,
			Message: fmt.Sprintf("no ACL priorities are left in the %s tier for this policy; it is not programmed", p.Tier)})
		return
	}
	b.addClusterPolicy(p, band)
}
