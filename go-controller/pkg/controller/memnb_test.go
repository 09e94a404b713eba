package controller_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/record"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
	"github.com/tieracl/tieracl/test/memnb"
)

// TestFullSyncInProcessNB runs the controller against an NB served in the test process (test/memnb):
// its full sync writes the translation of the cluster before it reports ready, and a deleted policy's
// rows leave NB. Hermetic, so `make unit` covers the controller's way to NB; the tests on a real
// ovsdb-server (newEnv) stay the integration tier. The controller gets its NB connected, or still
// connecting (nbsync.Dial) while it lists the cluster.
func TestFullSyncInProcessNB(t *testing.T) {
	for _, tc := range []struct {
		name string
		conn func(ctx context.Context, t *testing.T, addr string) *nbsync.Conn
	}{
		{"connected", func(ctx context.Context, t *testing.T, addr string) *nbsync.Conn {
			nb, err := memnb.Connect(ctx, addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(nb.Disconnect)
			return nbsync.NewConn(nb)
		}},
		{"dialed", func(ctx context.Context, t *testing.T, addr string) *nbsync.Conn {
			nb := nbsync.Dial(ctx, func(ctx context.Context) (client.Client, error) { return memnb.Connect(ctx, addr) })
			t.Cleanup(nb.Close)
			return nb
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { testFullSyncInProcessNB(t, tc.conn) })
	}
}

func testFullSyncInProcessNB(t *testing.T, conn func(ctx context.Context, t *testing.T, addr string) *nbsync.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snap := world()
	guard := testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel())))
	snap.ANPs = append(snap.ANPs, guard)
	snap.NetworkPolicies = append(snap.NetworkPolicies,
		testobj.NetworkPolicy("a", "np", testobj.Sel("app", "db"),
			testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "web")))))

	addr := memnb.Start(t)
	check, err := memnb.Connect(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Disconnect()
	var ports []string
	for _, p := range cluster.NewIndex(snap, nil).Pods() {
		if p.LogicalPort != "" {
			ports = append(ports, p.LogicalPort)
		}
	}
	if err := memnb.AddPorts(ctx, check, ports...); err != nil {
		t.Fatal(err)
	}

	kube, policy := fakeClientsets(snap)
	c, err := controller.New(controller.Config{Kube: kube, Policy: policy, NB: conn(ctx, t, addr),
		Recorder: record.NewFakeRecorder(1000), Metrics: controller.NewMetrics(nil),
		RetryInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("controller: %v", err)
		}
	}()

	pollUntil(t, ctx, "the controller is ready", c.Ready)
	// Ready means the full sync is in NB; the test's own client may still be catching up.
	pollUntil(t, ctx, "NB holds the translation", func() error { return holds(ctx, check, snap) })
	if n := ownedACLs(t, ctx, check, "guard"); n == 0 {
		t.Fatal("NB holds no ACL of guard although it is programmed")
	}

	if err := policy.PolicyV1alpha1().AdminNetworkPolicies().Delete(ctx, "guard", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	snap.ANPs = nil
	pollUntil(t, ctx, "NB holds the translation without guard", func() error { return holds(ctx, check, snap) })
	if n := ownedACLs(t, ctx, check, "guard"); n != 0 {
		t.Errorf("%d ACLs of the deleted guard are still in NB", n)
	}
}

// holds returns nil when the rows tieracl owns in NB are exactly the translation of snap.
func holds(ctx context.Context, c client.Client, snap *cluster.Snapshot) error {
	want := translate.Translate(snap, translate.Options{}).State
	ops, stats, err := nbsync.Ops(ctx, c, &want)
	if err == nil && len(ops) > 0 {
		err = fmt.Errorf("%d operations left (%+v)", len(ops), stats)
	}
	return err
}

// ownedACLs counts the ACLs of the ANP name in c's cache.
func ownedACLs(t *testing.T, ctx context.Context, c client.Client, name string) int {
	t.Helper()
	var acls []*nbdb.ACL
	keep := ownedByPolicy("AdminNetworkPolicy", name)
	if err := c.WhereCache(func(a *nbdb.ACL) bool { return keep(a.ExternalIDs) }).List(ctx, &acls); err != nil {
		t.Fatal(err)
	}
	return len(acls)
}

// pollUntil polls cond until it returns nil, failing the test with its last error when ctx ends.
func pollUntil(t *testing.T, ctx context.Context, what string, cond func() error) {
	t.Helper()
	for {
		err := cond()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: %v", what, err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
