package controller_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// Pod and namespace label changes move pods in and out of subjects and peers; NB follows, and the
// controller writes them as member mutations only: no row is created, updated or deleted.
func TestLabelChangesAreMutations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.put(
		testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
			testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel("app", "client")))),
		testobj.NetworkPolicy("a", "np", testobj.Sel("app", "db"),
			testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "web")))),
	)
	r := e.start()
	e.synced()
	a, b, c := e.snap.Namespaces[0], e.snap.Namespaces[1], e.snap.Namespaces[2]
	web, db, client := e.snap.Pods[0], e.snap.Pods[1], e.snap.Pods[2]
	steps := []struct {
		name    string
		change  runtime.Object
		deleted bool
	}{
		{"pod joins the ANP subject and leaves the NetworkPolicy's", testobj.Copy(db, testobj.Relabel("app", "web")), false},
		{"pod leaves the ANP subject and the NetworkPolicy peer", testobj.Copy(web, testobj.Relabel("app", "none")), false},
		{"pod leaves the ANP peer", testobj.Copy(client, testobj.Relabel("app", "other")), false},
		{"pod joins the ANP peer again", testobj.Copy(client, testobj.Relabel("app", "client")), false},
		{"namespace joins the ANP subject's namespaces", testobj.Copy(c, testobj.Relabel("team", "a")), false},
		{"namespace leaves the ANP peer's namespaces", testobj.Copy(b, testobj.Relabel("team", "x")), false},
		{"namespace leaves the ANP subject's namespaces", testobj.Copy(a, testobj.Relabel("team", "y")), false},
		{"namespace joins the ANP peer's namespaces", testobj.Copy(b, testobj.Relabel("team", "b")), false},
		{"new pod joins the ANP peer", pod("b", "client2", 5, testobj.Labels("app", "client")), false},
		{"deleted pod leaves the ANP peer", client, true},
	}
	for _, s := range steps {
		before := ops(r.metrics)
		if s.deleted {
			e.del(s.change)
		} else {
			e.put(s.change)
		}
		e.synced()
		e.eventually(s.name+": written as mutations", func() error {
			now := ops(r.metrics)
			if now["mutate"] <= before["mutate"] {
				return fmt.Errorf("no mutation counted: %v", now)
			}
			for _, k := range []string{"create", "update", "delete"} {
				if now[k] != before[k] {
					t.Fatalf("%s: %s operations %v -> %v, want only mutations", s.name, k, before[k], now[k])
				}
			}
			return nil
		})
	}
}

// A pod's logical switch port is often created after the pod: the port groups that select the pod get
// the port when it appears, whichever comes first, and that is not drift.
func TestPortAppearsLater(t *testing.T) {
	t.Parallel()
	for _, portFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("port first %v", portFirst), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, world())
			e.put(testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
				testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
			r := e.start()
			e.synced()
			before := ops(r.metrics)
			late := pod("a", "late", 9, testobj.Labels("app", "web"))
			addPort := func() {
				if _, err := e.bed.NBCtl(e.ctx, "lsp-add", ovnsandbox.SwitchName, "a_late"); err != nil {
					t.Fatal(err)
				}
			}
			if portFirst {
				addPort()
				e.put(late)
			} else {
				e.put(late)
				e.synced()
				if e.groupHasPort("guard", "a_late") == nil {
					t.Fatal("the port group lists a port that does not exist")
				}
				addPort()
			}
			e.eventually("the port group lists the late port", func() error { return e.groupHasPort("guard", "a_late") })
			e.synced()
			if now := ops(r.metrics); !maps.Equal(onlyRows(now), onlyRows(before)) {
				t.Errorf("rows were created, updated or deleted: %v -> %v", before, now)
			}
			// The audit of the group's ports ran meanwhile: a port NB has that the group does not list yet,
			// because the controller is about to add it, is no drift.
			if n := driftCount(r.metrics); n != 0 {
				t.Errorf("the late port counted as %v drifted rows", n)
			}
		})
	}
}

// onlyRows drops the mutation count.
func onlyRows(counts map[string]float64) map[string]float64 {
	out := maps.Clone(counts)
	delete(out, "mutate")
	return out
}

// groupHasPort says whether the port group of ANP anpName lists the UUID of the logical switch port.
func (e *env) groupHasPort(anpName, port string) error {
	_, pgs, _ := e.rows(ownedByPolicy("AdminNetworkPolicy", anpName))
	if len(pgs) != 1 {
		return fmt.Errorf("%d port groups for %s", len(pgs), anpName)
	}
	lsp := &nbdb.LogicalSwitchPort{Name: port}
	if err := e.check.Get(e.ctx, lsp); err != nil {
		return fmt.Errorf("port %s: %w", port, err)
	}
	if !slices.Contains(pgs[0].Ports, lsp.UUID) {
		return fmt.Errorf("port group %s lacks %s (%s): %v", pgs[0].Name, port, lsp.UUID, pgs[0].Ports)
	}
	return nil
}

// A new pod's IPs are in its peers' address sets as soon as its logical switch port has them, before
// status.podIPs: a peer of a Deny is denied from its first packet. Whichever comes first, the pod or the
// port, and the status that comes later changes nothing.
func TestPodIPsFromPortBeforeStatus(t *testing.T) {
	t.Parallel()
	for _, portFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("port first %v", portFirst), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, world())
			e.put(testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
				testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
			e.start()
			e.synced()
			running := pod("b", "fresh", 9, testobj.Labels("app", "client"))
			fresh := running.DeepCopy()
			fresh.Status = corev1.PodStatus{Phase: corev1.PodPending} // the kubelet has not reported its IPs yet
			addPort := func() {
				if _, err := e.bed.NBCtl(e.ctx, "lsp-add", ovnsandbox.SwitchName, "b_fresh", "--",
					"lsp-set-addresses", "b_fresh", "0a:58:0a:00:00:09 10.0.0.9"); err != nil {
					t.Fatal(err)
				}
			}
			if portFirst {
				addPort()
				e.put(fresh)
			} else {
				e.put(fresh)
				e.synced() // the pod without IPs is in no address set
				addPort()
			}
			want := *e.snap
			want.Pods = append(slices.Clone(e.snap.Pods[:len(e.snap.Pods)-1]), running)
			e.waitNB(&want)
			e.put(running)
			e.synced()
		})
	}
}
