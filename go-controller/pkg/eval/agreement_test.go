package eval_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/acl"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/model"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

var (
	seed     = flag.Int64("agreement.seed", 0, "seed for the random clusters (0: from the clock; the test logs it)")
	clusters = flag.Int("agreement.clusters", 250, "random policy sets per run")
	flows    = flag.Int("agreement.flows", 60, "random flows per policy set")
)

// TestModelAndACLsAgree is the property test: on random clusters and policies, the OVN ACLs the
// translator generates, run by the ACL evaluator, must decide every random flow as the API's semantics
// (the policy model) do. A failure prints the seed, the cluster and both evaluators' trails. Every other
// cluster is translated with a tiny shard bound, so its address sets are shards.
func TestModelAndACLsAgree(t *testing.T) {
	s := *seed
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -agreement.seed=%d)", s, s)
	rng := rand.New(rand.NewSource(s))
	judged, allowed, failures, barren := 0, 0, 0, 0
	for c := 0; c < *clusters && failures < 3; c++ {
		snap := synth.Random(rng)
		opts := translate.Options{}
		if c%2 == 1 {
			opts.SetShardBound = 1 + c%3
		}
		res := translate.Translate(snap, opts)
		aclEval, err := acl.New(&res.State)
		if err != nil {
			t.Fatalf("cluster %d: ACL evaluator rejects the generated rows: %v\n%s", c, err, dump(snap))
		}
		modelEval := model.New(snap)
		ix := cluster.NewIndex(snap, nil)
		for f, misses := 0, 0; f < *flows; f++ {
			flow, ok := randomFlow(rng, ix)
			if !ok {
				if misses++; misses == maxMisses {
					barren++ // a cluster with no two endpoints of one family, say
					t.Logf("cluster %d: no valid flow in %d draws; %d flows judged on it", c, maxMisses, f)
					break
				}
				f--
				continue
			}
			want, disagreement := judgeBoth(t, modelEval, aclEval, flow)
			judged++
			if want.Allowed {
				allowed++
			}
			if disagreement != "" {
				failures++
				t.Errorf("cluster %d %s\nrows:\n%s\ncluster:\n%s", c, disagreement, js(res.State.ACLs), dump(snap))
			}
		}
	}
	t.Logf("%d flows over %d clusters, %d allowed, %d denied", judged, *clusters, allowed, judged-allowed)
	if judged < *clusters**flows*9/10 || barren > *clusters/100 {
		t.Errorf("only %d flows judged, %d clusters gave out", judged, barren)
	}
	if allowed == 0 || allowed == judged {
		t.Errorf("degenerate run: %d of %d flows allowed", allowed, judged)
	}
}

// judgeBoth runs both evaluators on a flow and returns the model's verdict and, when the two differ on
// the verdict or on either side, what each said.
func judgeBoth(t *testing.T, modelEval, aclEval eval.Evaluator, flow eval.Flow) (eval.Verdict, string) {
	t.Helper()
	want, err := modelEval.Evaluate(flow)
	if err != nil {
		t.Fatalf("model: %v", err)
	}
	got, err := aclEval.Evaluate(flow)
	if err != nil {
		t.Fatalf("acl: %v", err)
	}
	if got.Allowed == want.Allowed && sideAllowed(got.Egress) == sideAllowed(want.Egress) &&
		sideAllowed(got.Ingress) == sideAllowed(want.Ingress) {
		return want, ""
	}
	return want, fmt.Sprintf("flow %s: model says %s, ACLs say %s\nmodel: %s\nacls: %s",
		flow, verdictText(want), verdictText(got), js(want), js(got))
}

func sideAllowed(d *eval.Decision) string {
	if d == nil {
		return "not judged"
	}
	return fmt.Sprint(d.Allowed)
}

func verdictText(v eval.Verdict) string {
	return fmt.Sprintf("allowed=%v (egress %s, ingress %s)", v.Allowed, sideAllowed(v.Egress), sideAllowed(v.Ingress))
}

// outside addresses never belong to a pod or node of synth.Random, so they stand for the world outside.
var outside = []netip.Addr{netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("10.244.0.250"),
	netip.MustParseAddr("fd00:10:244::ff00"), netip.MustParseAddr("2001:db8::7")}

var ports = []int32{53, 80, 443, 8000, 8050, 8080, 8081, 8100, 9090}

// maxMisses bounds the draws for one flow: a rare random cluster may have no valid flow at all.
const maxMisses = 10000

func randomFlow(rng *rand.Rand, ix *cluster.Index) (eval.Flow, bool) {
	v4 := rng.Intn(3) > 0
	src, ok1 := randomEndpoint(rng, ix, v4)
	dst, ok2 := randomEndpoint(rng, ix, v4)
	if !ok1 || !ok2 || src == dst || (src.LogicalPort == "" && dst.LogicalPort == "") {
		return eval.Flow{}, false
	}
	protos := []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}
	return eval.Flow{Src: src, Dst: dst, Protocol: protos[rng.Intn(len(protos))], Port: ports[rng.Intn(len(ports))]}, true
}

func randomEndpoint(rng *rand.Rand, ix *cluster.Index, v4 bool) (eval.Endpoint, bool) {
	switch n := rng.Intn(10); {
	case n < 7:
		pods := ix.Pods()
		p := pods[rng.Intn(len(pods))]
		ip, ok := familyIP(p.IPs, v4)
		return eval.Endpoint{IP: ip, Pod: p.Key(), LogicalPort: p.LogicalPort}, ok
	case n < 9:
		nodes := ix.Nodes()
		node := nodes[rng.Intn(len(nodes))]
		ip, ok := familyIP(node.IPs, v4)
		return eval.Endpoint{IP: ip, Node: node.Name}, ok
	}
	var candidates []netip.Addr
	for _, ip := range outside {
		if ip.Is4() == v4 {
			candidates = append(candidates, ip)
		}
	}
	return eval.Endpoint{IP: candidates[rng.Intn(len(candidates))]}, true
}

func familyIP(ips []netip.Addr, v4 bool) (netip.Addr, bool) {
	for _, ip := range ips {
		if ip.Is4() == v4 {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

func js(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func dump(s *cluster.Snapshot) string {
	b, err := yaml.Marshal(s)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
