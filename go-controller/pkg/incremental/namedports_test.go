package incremental

import (
	"reflect"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/synth"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// TestNamedPortFiltersShareSets: ANP rules name the port "web" without a protocol and NetworkPolicies
// with TCP, and both share the sets of web = TCP/8080. A pod label change must stay incremental.
func TestNamedPortFiltersShareSets(t *testing.T) {
	l := synth.Large{Namespaces: 30, PodsPerNamespace: 10, Nodes: 2, ANPs: 30, RulesPerANP: 20, NetworkPolicies: 90,
		BANPRules: 4, Seed: 3}
	s, err := l.Generate()
	if err != nil {
		t.Fatal(err)
	}
	tr := load(s, translate.Options{})
	r := tr.Translate()
	refs := map[translate.NamedPortRef]bool{{Name: "web"}: true, {Name: "web", Filter: "TCP"}: true}
	if !reflect.DeepEqual(r.NamedPorts, refs) {
		t.Fatalf("the cluster refers to named ports %v, want %v", r.NamedPorts, refs)
	}
	for i, p := range s.Pods[:20] {
		p = p.DeepCopy()
		p.Labels["app"] = synth.LargeApps[(i+1)%len(synth.LargeApps)]
		tr.SetPod(p)
		if tr.Stale() {
			t.Fatalf("moving pod %s/%s made the tracker stale", p.Namespace, p.Name)
		}
	}
	want := translate.Translate(tr.Snapshot(), translate.Options{}).State
	if now := tr.State(); !reflect.DeepEqual(now, &want) {
		t.Fatalf("incremental state differs from a translation:\n%s", stateDiff(now, &want))
	}
}
