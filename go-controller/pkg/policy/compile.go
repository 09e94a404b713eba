package policy

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// Compile compiles every policy of the snapshot, in evaluation order: tier, then priority, then kind and
// name (the documented tie-break for equal priorities, each tie reported on every policy in it).
func Compile(s *cluster.Snapshot) []*Policy {
	var out []*Policy
	for _, anp := range s.ANPs {
		out = append(out, FromANP(anp))
	}
	for _, banp := range s.BANPs {
		out = append(out, FromBANP(banp))
	}
	for _, cnp := range s.CNPs {
		out = append(out, FromCNP(cnp))
	}
	nsAnnotations := map[string]map[string]string{}
	for _, ns := range s.Namespaces {
		nsAnnotations[ns.Name] = ns.Annotations
	}
	nps := make([]*Policy, len(s.NetworkPolicies))
	inParallel(len(nps), func(i int) {
		np := s.NetworkPolicies[i]
		nps[i] = FromNetworkPolicy(np, nsAnnotations[np.Namespace])
	})
	out = append(out, nps...)
	SortForEvaluation(out)
	reportTies(out)
	return out
}

// inParallel calls f(0) ... f(n-1), spread over the available CPUs in contiguous runs. A cluster can
// hold tens of thousands of NetworkPolicies, each compiled on its own.
func inParallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/512+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w * n / workers; i < (w+1)*n/workers; i++ {
				f(i)
			}
		})
	}
	wg.Wait()
}

// SortForEvaluation orders policies by tier, priority and then owner ("Kind/name": at equal priority an
// AdminNetworkPolicy or the BaselineAdminNetworkPolicy before a ClusterNetworkPolicy, then by name), which
// is how they are evaluated and how ACL priorities are handed out.
func SortForEvaluation(ps []*Policy) {
	type keyed struct {
		p     *Policy
		owner string
	}
	ks := make([]keyed, len(ps))
	for i, p := range ps {
		ks[i] = keyed{p, p.Owner.String()}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		if a.p.Tier != b.p.Tier {
			return cmp.Compare(a.p.Tier, b.p.Tier)
		}
		if a.p.Priority != b.p.Priority {
			return cmp.Compare(a.p.Priority, b.p.Priority)
		}
		return strings.Compare(a.owner, b.owner)
	})
	for i, k := range ks {
		ps[i] = k.p
	}
}

// reportTies adds a PriorityConflict warning to every programmed Admin- or Baseline-tier policy that
// shares its priority with another: the API leaves their order undefined, tieracl orders them by kind
// (AdminNetworkPolicy, BaselineAdminNetworkPolicy, then ClusterNetworkPolicy) and name.
func reportTies(all []*Policy) {
	var sorted []*Policy
	for _, p := range all {
		if !p.Rejected {
			sorted = append(sorted, p)
		}
	}
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sameBand(sorted[i], sorted[j]) {
			j++
		}
		if j-i > 1 && sorted[i].Tier != TierNetworkPolicy {
			var names []string
			kinds := map[Kind]bool{}
			for _, p := range sorted[i:j] {
				kinds[p.Owner.Kind] = true
			}
			for _, p := range sorted[i:j] {
				if len(kinds) > 1 {
					names = append(names, p.Owner.String())
				} else {
					names = append(names, p.Owner.Name)
				}
			}
			order := "name order"
			if len(kinds) > 1 {
				order = "this order (kind, then name)"
			}
			for _, p := range sorted[i:j] {
				p.Problems = append(p.Problems, Problem{SeverityWarning, ReasonPriorityConflict,
					fmt.Sprintf("priority %d is shared by %v; tieracl evaluates them in %s", p.Priority, names, order)})
			}
		}
		i = j
	}
}

func sameBand(a, b *Policy) bool { return a.Tier == b.Tier && a.Priority == b.Priority }
