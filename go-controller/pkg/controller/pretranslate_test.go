package controller_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ovn-kubernetes/libovsdb/client"
	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// A controller whose NB connection is still coming up translates the listed cluster meanwhile. A pod
// without IPs in its status waits for NB, and the IPs of its logical port are in its peers' sets, as for
// a pod that appears later (TestPodIPsFromPortBeforeStatus). The port's first event from NB's cache
// may bring them too, so this checks the outcome, not which of the two brought it.
func TestStartTranslatesWhileNBConnects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	running := pod("b", "fresh", 9, testobj.Labels("app", "client"))
	fresh := running.DeepCopy()
	fresh.Status = corev1.PodStatus{Phase: corev1.PodPending}
	if _, err := e.bed.NBCtl(e.ctx, "lsp-add", ovnsandbox.SwitchName, "b_fresh", "--",
		"lsp-set-addresses", "b_fresh", "0a:58:0a:00:00:09 10.0.0.9"); err != nil {
		t.Fatal(err)
	}
	e.put(fresh, testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))

	gate := make(chan struct{})
	var release sync.Once
	dialed := func(cfg *controller.Config) {
		nb := nbsync.Dial(e.ctx, func(ctx context.Context) (client.Client, error) {
			select {
			case <-gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return nbsync.Connect(ctx, e.bed.NBSocket(), nil)
		})
		t.Cleanup(func() { release.Do(func() { close(gate) }); nb.Close() })
		cfg.NB = nb
	}
	r := e.startNotReady(dialed)
	e.eventually("the controller lists the pods", func() error { return listed(e, "pods") })
	release.Do(func() { close(gate) })
	e.waitReady(r)
	want := *e.snap
	want.Pods = append(slices.Clone(e.snap.Pods[:len(e.snap.Pods)-1]), running)
	e.waitNB(&want)
}

// listed says whether the controller has listed the resource from the fake API.
func listed(e *env, resource string) error {
	for _, a := range e.kube.Actions() {
		if a.GetVerb() == "list" && a.GetResource().Resource == resource {
			return nil
		}
	}
	return fmt.Errorf("no list of %s yet", resource)
}
