package bench

import (
	"fmt"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/synth"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// The restated workload makes the same rows, names and owners aside: as many ACLs per tier, direction,
// action and priority, and as many port groups and address sets.
func TestAsClusterNetworkPoliciesIsEquivalent(t *testing.T) {
	l := synth.Large{Namespaces: 20, PodsPerNamespace: 5, Nodes: 3, ANPs: 10, RulesPerANP: 8, NetworkPolicies: 10,
		BANPRules: 6, Seed: 7}
	anps, err := l.Generate()
	if err != nil {
		t.Fatal(err)
	}
	cnps, err := l.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := AsClusterNetworkPolicies(cnps); err != nil {
		t.Fatal(err)
	}
	if len(cnps.ANPs)+len(cnps.BANPs) != 0 || len(cnps.CNPs) != len(anps.ANPs)+len(anps.BANPs) {
		t.Fatalf("restated %d ANPs and %d BANPs into %d CNPs", len(anps.ANPs), len(anps.BANPs), len(cnps.CNPs))
	}
	a, c := translate.Translate(anps, translate.Options{}), translate.Translate(cnps, translate.Options{})
	shape := func(r *translate.Result) map[string]int {
		out := map[string]int{}
		for _, acl := range r.State.ACLs {
			out[fmt.Sprintf("tier %d %s %s %d", acl.Tier, acl.Direction, acl.Action, acl.Priority)]++
		}
		return out
	}
	sa, sc := shape(a), shape(c)
	if len(sa) == 0 || len(sa) != len(sc) {
		t.Fatalf("ACL shapes differ: %d vs %d", len(sa), len(sc))
	}
	for k, n := range sa {
		if sc[k] != n {
			t.Errorf("%s: %d ACLs for the ANPs, %d for the CNPs", k, n, sc[k])
		}
	}
	if len(a.State.PortGroups) != len(c.State.PortGroups) || len(a.State.AddressSets) != len(c.State.AddressSets) {
		t.Errorf("port groups %d/%d, address sets %d/%d", len(a.State.PortGroups), len(c.State.PortGroups),
			len(a.State.AddressSets), len(c.State.AddressSets))
	}
}
