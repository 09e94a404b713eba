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

// emit emits every programmed policy. The rows of each part (the Admin tier, each chunk of
// NetworkPolicies, the Baseline tier) go to a region of one array, sized by aclBound, and are moved
// together at the end: the array is the only copy of the rows.
func (b *builder) emit(policies []*policy.Policy, bands map[policy.Owner]priority.Band) {
	lo, hi := networkPolicyRun(policies)
	all := make([]nbrows.ACL, aclBound(policies))
	off := 0
	region := func(ps []*policy.Policy) []nbrows.ACL {
		n := aclBound(ps)
		off += n
		return all[off-n : off-n : off]
	}
	b.state.ACLs = region(policies[:lo])
	for _, p := range policies[:lo] {
		b.emitPolicy(p, bands)
	}
	admin := b.state.ACLs
	parts := b.emitNetworkPolicies(policies[lo:hi], region)
	// After the NetworkPolicies, as before them: a named-port set that a cluster policy (any protocol) and
	// a NetworkPolicy (one protocol) both resolve to keeps the Selection of the last to ask for it.
	b.state.ACLs = region(policies[hi:])
	for _, p := range policies[hi:] {
		b.emitPolicy(p, bands)
	}
	baseline := b.state.ACLs
	n := copy(all, admin)
	for _, part := range parts {
		n += copy(all[n:], part.state.ACLs) // moves left, or stays
		b.state.PortGroups = append(b.state.PortGroups, part.state.PortGroups...)
	}
	n += copy(all[n:], baseline)
	clear(all[n:])
	b.state.ACLs = all[:n]
	b.ix = nil
	b.sets.emitted()
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
// chunks, in order;
// region(chunk) is where a chunk's rows go.
func (b *builder) emitNetworkPolicies(ps []*policy.Policy, region func([]*policy.Policy) []nbrows.ACL) []*builder {
	chunks := (len(ps) + emitChunk - 1) / emitChunk
	parts := make([]*builder, chunks)
	regions := make([][]nbrows.ACL, chunks)
	for c := range regions {
		regions[c] = region(ps[c*emitChunk : min((c+1)*emitChunk, len(ps))])
	}
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
				part.state.ACLs = regions[c]
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
