package cluster

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// TestSelectPodsMatchesScan checks the per-namespace selection against a scan of every pod, for
// selectors of every operator, on namespace names whose keys interleave ("a" and "a-b": "a-b/x" sorts
// before "a/x") and pods of namespaces the snapshot lacks.
func TestSelectPodsMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	names := []string{"a", "a-b", "a.b", "ab", "b", "missing"}
	s := &Snapshot{}
	for _, n := range names[:5] {
		s.Namespaces = append(
			s.Namespaces,
			testobj.Namespace(n, testobj.Labels("tier", []string{"x", "y"}[rng.Intn(2)])),
		)
	}
	for i := 0; i < 200; i++ {
		ns, name := names[rng.Intn(len(names))], fmt.Sprintf("p%d", rng.Intn(1000))
		p := testobj.Pod(ns, name, testobj.Labels("app", []string{"u", "v", "w"}[rng.Intn(3)]))
		if rng.Intn(5) == 0 {
			p.Status.Phase = corev1.PodSucceeded
		}
		s.Pods = append(s.Pods, p)
	}
	ix := NewIndex(s, nil)
	sels := []labels.Selector{labels.Everything(), labels.Nothing(),
		labels.SelectorFromSet(labels.Set{"tier": "x"}),
		labels.SelectorFromSet(labels.Set{"app": "u"}),
		labels.SelectorFromSet(labels.Set{corev1.LabelMetadataName: "missing"})}
	for _, text := range []string{"tier in (x,y)", "tier notin (x)", "tier", "!tier", "tier=y,app in (u,w)",
		"app!=v", "kubernetes.io/metadata.name in (a,a-b,missing),tier!=y"} {
		sel, err := labels.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		sels = append(sels, sel)
	}
	for _, nsSel := range sels {
		for _, podSel := range sels {
			var want []*Pod
			for _, p := range ix.Pods() {
				if p.Selectable() && nsSel.Matches(ix.NamespaceLabels(p.Namespace)) &&
					podSel.Matches(labels.Set(p.Labels)) {
					want = append(want, p)
				}
			}
			for range 2 { // the second call answers from what the first remembered
				if got := ix.SelectPods(nsSel, podSel); !slices.Equal(got, want) {
					t.Errorf("SelectPods(%s, %s): %d pods, scan finds %d", nsSel, podSel, len(got), len(want))
				}
			}
		}
	}
	for _, ns := range append(names, "none") {
		for _, podSel := range sels {
			var want []*Pod
			for _, p := range ix.Pods() {
				if p.Namespace == ns && p.Selectable() && podSel.Matches(labels.Set(p.Labels)) {
					want = append(want, p)
				}
			}
			if got := ix.SelectPodsIn(ns, podSel); !slices.Equal(got, want) {
				t.Errorf("SelectPodsIn(%s, %s): %d pods, scan finds %d", ns, podSel, len(got), len(want))
			}
		}
	}
}
