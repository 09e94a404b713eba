package synth

import (
	"reflect"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

func TestLargeIsDeterministicAndTranslates(t *testing.T) {
	l := Large{Namespaces: 20, PodsPerNamespace: 5, Nodes: 3, ANPs: 6, RulesPerANP: 7, NetworkPolicies: 40, BANPRules: 5,
		Seed: 7}
	a, err := l.Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := l.Generate()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same Large gives different clusters")
	}
	if len(a.Pods) != 100 || len(a.ANPs) != 6 || len(a.NetworkPolicies) != 40 || len(a.BANPs) != 1 {
		t.Fatalf("sizes: %d pods, %d ANPs, %d NetworkPolicies, %d BANPs", len(a.Pods), len(a.ANPs), len(a.NetworkPolicies),
			len(a.BANPs))
	}
	if n := len(a.ANPs[0].Spec.Ingress) + len(a.ANPs[0].Spec.Egress); n != 7 {
		t.Fatalf("ANP has %d rules, want 7", n)
	}
	r := translate.Translate(a, translate.Options{})
	for _, p := range r.Policies {
		if p.Rejected {
			t.Errorf("%s rejected: %v", p.Owner, p.Problems)
		}
	}
	if len(r.State.ACLs) == 0 || len(r.State.AddressSets) == 0 {
		t.Fatalf("translation is empty: %d ACLs, %d address sets", len(r.State.ACLs), len(r.State.AddressSets))
	}
}

func TestLargeRejectsBadSizes(t *testing.T) {
	if _, err := (Large{}).Generate(); err == nil {
		t.Fatal("an empty Large generated a cluster")
	}
}
