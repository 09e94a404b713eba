package incremental

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// TestMatchesTranslation is the package's invariant on random clusters and random changes: whenever the
// tracker is not stale, its state equals a fresh translation of the same objects (from the shard counts
// of the last one), and the delta it returned turns the previous state into the new one. Small shard
// bounds make sets cross them both ways.
func TestMatchesTranslation(t *testing.T) {
	tests := []struct {
		bound, clusters int
		reshards        bool
	}{{0, 300, false}, {1, 60, true}, {3, 60, true}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("bound=%d", tt.bound), func(t *testing.T) {
			opts := translate.Options{SetShardBound: tt.bound}
			incremental, full, grew, shrank := 0, 0, 0, 0
			for seed := int64(1); seed <= int64(tt.clusters); seed++ {
				rng := rand.New(rand.NewSource(seed))
				tr := load(synth.Random(rng), opts)
				tr.Translate()
				prev := tr.State()
				for step := 0; step < 40; step++ {
					what := mutate(rng, tr)
					if tr.Stale() {
						before := tr.Result().Shards
						tr.Translate()
						g, s := shardChanges(before, tr.Result().Shards)
						grew, shrank = grew+g, shrank+s
						prev = tr.State()
						full++
						continue
					}
					incremental++
					now := tr.State()
					again := opts
					again.Shards = tr.Result().Shards
					want := translate.Translate(tr.Snapshot(), again).State
					if !reflect.DeepEqual(now, &want) {
						t.Fatalf("seed %d step %d (%s): incremental state differs from a translation:\n%s", seed, step,
							what, stateDiff(now, &want))
					}
					applied := apply(prev, tr.TakeDelta())
					if !reflect.DeepEqual(applied, now) {
						t.Fatalf("seed %d step %d (%s): previous state plus delta differs from the state:\n%s", seed,
							step, what, stateDiff(applied, now))
					}
					prev = now
				}
			}
			t.Logf("%d incremental steps checked, %d changes needed a translation; sets re-sharded: %d grew, %d shrank",
				incremental, full, grew, shrank)
			if incremental < full {
				t.Errorf("only %d of %d changes were incremental: the test exercises too little", incremental,
					incremental+full)
			}
			if tt.reshards && (grew == 0 || shrank == 0) {
				t.Errorf("sets grew %d and shrank %d times out of their shard counts: want both", grew, shrank)
			}
		})
	}
}

// shardChanges counts the sets whose shard count went up and down from before to after.
func shardChanges(before, after map[string]int) (grew, shrank int) {
	for set, k := range after {
		if k > max(before[set], 1) {
			grew++
		} else if k < max(before[set], 1) {
			shrank++
		}
	}
	for set, k := range before {
		if _, ok := after[set]; !ok && k > 1 {
			shrank++
		}
	}
	return grew, shrank
}

func load(s *cluster.Snapshot, opts translate.Options) *Tracker {
	tr := New(opts)
	for _, ns := range s.Namespaces {
		tr.SetNamespace(ns)
	}
	for _, p := range s.Pods {
		tr.SetPod(p)
	}
	for _, n := range s.Nodes {
		tr.SetNode(n)
	}
	for _, np := range s.NetworkPolicies {
		tr.SetNetworkPolicy(np)
	}
	for _, a := range s.ANPs {
		tr.SetANP(a)
	}
	for _, b := range s.BANPs {
		tr.SetBANP(b)
	}
	return tr
}

// mutate makes one random change of a pod, namespace or node, the kinds the tracker handles without a
// translation, and says what it did.
func mutate(rng *rand.Rand, tr *Tracker) string {
	pods := sortedKeys(tr.pods)
	op := rng.Intn(9)
	switch {
	case len(pods) == 0:
		op = 6 // nothing to change on pods
	case op == 2 && len(pods) < 3:
		op = 3 // keep some pods around
	}
	switch op {
	case 0, 1: // relabel a pod
		p := pick(rng, pods, tr.pods).pod.DeepCopy()
		p.Labels = map[string]string{"app": []string{"a", "b", "c"}[rng.Intn(3)]}
		if rng.Intn(2) == 0 {
			p.Labels["role"] = []string{"front", "back"}[rng.Intn(2)]
		}
		tr.SetPod(p)
		return "relabel pod " + p.Name
	case 2: // delete a pod
		p := pick(rng, pods, tr.pods).pod
		tr.DeletePod(p.Namespace, p.Name)
		return "delete pod " + p.Name
	case 3: // a new pod, sometimes sharing another's IP
		src := pick(rng, pods, tr.pods).pod.DeepCopy()
		src.Name = fmt.Sprintf("new%d", rng.Intn(1000))
		if rng.Intn(3) > 0 {
			src.Status.PodIPs = []corev1.PodIP{{IP: fmt.Sprintf("10.245.0.%d", rng.Intn(250))}}
		}
		tr.SetPod(src)
		return "add pod " + src.Name
	case 4: // a pod finishes, or loses or gains addresses
		p := pick(rng, pods, tr.pods).pod.DeepCopy()
		if rng.Intn(2) == 0 {
			p.Status.Phase = corev1.PodSucceeded
		} else {
			p.Status.PodIPs = []corev1.PodIP{{IP: fmt.Sprintf("10.246.0.%d", rng.Intn(250))},
				{IP: fmt.Sprintf("fd00:99::%d", rng.Intn(250))}}
		}
		tr.SetPod(p)
		return "status of pod " + p.Name
	case 5: // a named port's number changes
		p := pick(rng, pods, tr.pods).pod.DeepCopy()
		p.Spec.Containers = []corev1.Container{{Name: "c",
			Ports: []corev1.ContainerPort{{Name: "web", ContainerPort: int32(8080 + rng.Intn(2)),
				Protocol: corev1.ProtocolTCP}}}}
		tr.SetPod(p)
		return "ports of pod " + p.Name
	case 6, 7: // relabel a namespace
		names := sortedKeys(tr.namespaces)
		ns := tr.namespaces[names[rng.Intn(len(names))]].DeepCopy()
		ns.Labels["tier"] = []string{"web", "db"}[rng.Intn(2)]
		if rng.Intn(2) == 0 {
			ns.Labels["env"] = []string{"prod", "dev"}[rng.Intn(2)]
		} else {
			delete(ns.Labels, "env")
		}
		tr.SetNamespace(ns)
		return "relabel namespace " + ns.Name
	default: // a node changes labels and addresses
		names := sortedKeys(tr.nodes)
		n := tr.nodes[names[rng.Intn(len(names))]].DeepCopy()
		n.Labels["zone"] = []string{"z1", "z2"}[rng.Intn(2)]
		n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP,
			Address: fmt.Sprintf("172.18.1.%d", rng.Intn(250))}}
		tr.SetNode(n)
		return "change node " + n.Name
	}
}

func pick(rng *rand.Rand, keys []string, m map[string]*podView) *podView {
	return m[keys[rng.Intn(len(keys))]]
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// apply applies a delta to a state the way NB applies its mutations.
func apply(s *nbrows.State, d *nbrows.Delta) *nbrows.State {
	out := &nbrows.State{ACLs: s.ACLs, PortGroups: slices.Clone(s.PortGroups), AddressSets: slices.Clone(s.AddressSets),
		Meters: s.Meters}
	for i, pg := range out.PortGroups {
		out.PortGroups[i].Ports = applyChange(pg.Ports, d.PortGroups[pg.Name])
	}
	for i, as := range out.AddressSets {
		out.AddressSets[i].Addresses = applyChange(as.Addresses, d.AddressSets[as.Name])
	}
	return out
}

func applyChange(members []string, c *nbrows.Change) []string {
	m := setOf(members)
	if c != nil {
		for x := range c.Remove {
			delete(m, x)
		}
		for x := range c.Add {
			m[x] = true
		}
	}
	return sortedMembers(m)
}

func stateDiff(a, b *nbrows.State) string {
	out := ""
	bg, ba := b.PortGroupByName(), b.AddressSetByName()
	for _, pg := range a.PortGroups {
		if w := bg[pg.Name]; w == nil || !reflect.DeepEqual(pg.Ports, w.Ports) {
			out += fmt.Sprintf("port group %s: %v, want %v\n", pg.Name, pg.Ports, w)
		}
	}
	for _, as := range a.AddressSets {
		if w := ba[as.Name]; w == nil || !reflect.DeepEqual(as.Addresses, w.Addresses) {
			out += fmt.Sprintf("address set %s: %v, want %v\n", as.Name, as.Addresses, w)
		}
	}
	if len(a.ACLs) != len(b.ACLs) || len(a.PortGroups) != len(b.PortGroups) || len(a.AddressSets) != len(b.AddressSets) {
		out += fmt.Sprintf("rows: %d/%d/%d, want %d/%d/%d\n", len(a.ACLs), len(a.PortGroups), len(a.AddressSets), len(b.ACLs),
			len(b.PortGroups), len(b.AddressSets))
	}
	if out == "" && !reflect.DeepEqual(a.ACLs, b.ACLs) {
		out = "ACLs differ\n"
	}
	return out
}
