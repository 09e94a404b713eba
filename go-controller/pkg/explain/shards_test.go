package explain

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// A set written in shards is one check, named by the shard that holds the address, with the set's name
// and the size of all its shards.
func TestRunShardedSet(t *testing.T) {
	snap, err := manifest.Load("testdata/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i := 11; i <= 13; i++ { // three more monitoring pods: the ANP's peer set has 4 addresses
		p := snap.Pods[0].DeepCopy()
		p.Name, p.Status.PodIPs = fmt.Sprintf("prometheus-%d", i), []corev1.PodIP{{IP: fmt.Sprintf("10.0.1.%d", i)}}
		snap.Pods = append(snap.Pods, p)
	}
	if snap.Pods[0].Name != "prometheus" {
		t.Fatalf("the first pod is %s, not prometheus", snap.Pods[0].Name)
	}
	for _, src := range []string{"10.0.1.10", "10.0.1.11", "10.0.1.12", "10.0.1.13"} {
		t.Run(src, func(t *testing.T) {
			flow := eval.Flow{Src: endpoint("monitoring/prometheus", src), Dst: endpoint("shop/web", "10.0.2.20"),
				Protocol: "TCP", Port: 8080}
			r, err := Run(snap, flow, translate.Options{SetShardBound: 1})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Agree {
				t.Fatalf("the evaluators disagree: %+v", r)
			}
			checks := r.Sides[1].AddressSets
			if len(checks) != 1 {
				t.Fatalf("address set checks: %+v, want one", checks)
			}
			c := checks[0]
			want := translate.ShardName(c.ShardOf, translate.ShardOf(src, 8))
			if c.ShardOf == "" || c.Name != want || !c.Contains || c.Addresses != 4 || !c.Exists {
				t.Errorf("check %+v, want shard %s of a set of 4 addresses holding %s", c, want, src)
			}
		})
	}
}
