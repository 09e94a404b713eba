package controller_test

import (
	"context"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/record"
	npfake "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
	"github.com/tieracl/tieracl/test/testbed"
)

// env is one test's world: a real NB ovsdb-server from the test bed, fake Kubernetes clientsets, and the
// controllers started on them.
type env struct {
	t      *testing.T
	ctx    context.Context
	bed    *testbed.Bed
	kube   *kubefake.Clientset
	policy *npfake.Clientset
	check  client.Client // a separate NB client the test reads NB through
}

func newEnv(t *testing.T, snap *cluster.Snapshot) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	bed, err := testbed.Start(ctx, testbed.Options{})
	if err != nil {
		t.Fatalf("the OVN test bed does not start: %v", err)
	}
	t.Cleanup(func() {
		if err := bed.Stop(); err != nil {
			t.Errorf("stop test bed: %v", err)
		}
	})
	if _, err := bed.ApplyTopology(ctx, snap); err != nil {
		t.Fatalf("topology: %v", err)
	}
	var kubeObjs, policyObjs []runtime.Object
	for _, o := range snap.Namespaces {
		kubeObjs = append(kubeObjs, o)
	}
	for _, o := range snap.Pods {
		kubeObjs = append(kubeObjs, o)
	}
	for _, o := range snap.Nodes {
		kubeObjs = append(kubeObjs, o)
	}
	for _, o := range snap.NetworkPolicies {
		kubeObjs = append(kubeObjs, o)
	}
	for _, o := range snap.ANPs {
		policyObjs = append(policyObjs, o)
	}
	for _, o := range snap.BANPs {
		policyObjs = append(policyObjs, o)
	}
	check, err := nbsync.Connect(ctx, bed.NBSocket(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(check.Close)
	return &env{t: t, ctx: ctx, bed: bed, kube: kubefake.NewClientset(kubeObjs...), policy: npfake.NewClientset(policyObjs...), check: check}
}

// running is one started controller.
type running struct {
	c       *controller.Controller
	metrics *controller.Metrics
	events  *record.FakeRecorder
	nb      client.Client
	stop    func()
}

// start runs a controller with its own NB connection until the test ends or stop is called.
func (e *env) start() *running {
	e.t.Helper()
	nb, err := nbsync.Connect(e.ctx, e.bed.NBSocket(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	r := &running{metrics: controller.NewMetrics(nil), events: record.NewFakeRecorder(1000), nb: nb}
	r.c, err = controller.New(controller.Config{Kube: e.kube, Policy: e.policy, NB: nb, Recorder: r.events, Metrics: r.metrics})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- r.c.Run(ctx) }()
	stopped := false
	r.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("controller: %v", err)
		}
		nb.Close()
	}
	e.t.Cleanup(r.stop)
	e.waitReady(r)
	return r
}

func (e *env) waitReady(r *running) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for r.c.Ready() != nil {
		if time.Now().After(deadline) {
			e.t.Fatalf("controller not ready after 30 s: %v", r.c.Ready())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitNB waits until the rows tieracl owns in NB are exactly the translation of snap, and fails with
// what is left to write if they do not get there.
func (e *env) waitNB(snap *cluster.Snapshot) {
	e.t.Helper()
	want := translate.Translate(snap, translate.Options{}).State
	deadline := time.Now().Add(20 * time.Second)
	for {
		ops, stats, err := nbsync.Ops(e.ctx, e.check, &want)
		if err == nil && len(ops) == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("NB does not hold the translation of the cluster: %d operations left (%+v), err %v", len(ops), stats, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
