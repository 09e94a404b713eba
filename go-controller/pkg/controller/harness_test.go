package controller_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/record"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	npfake "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
	"github.com/tieracl/tieracl/test/testbed"
)

// waitTimeout bounds every wait for the controller to get somewhere.
const waitTimeout = 20 * time.Second

// env is one test's world: a real NB ovsdb-server from the test bed, fake Kubernetes clientsets, and the
// controllers started on them.
type env struct {
	t      *testing.T
	ctx    context.Context
	bed    *ovnsandbox.Bed
	kube   *kubefake.Clientset
	policy *npfake.Clientset
	check  client.Client     // a separate NB client the test reads NB through
	snap   *cluster.Snapshot // what the fake clientsets hold; put and del keep it in step
}

func newEnv(t *testing.T, snap *cluster.Snapshot) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real OVN NB ovsdb-server (test/ovn/fetch.sh); skipped under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	root, err := testbed.OVN(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bed, err := ovnsandbox.Start(ctx, ovnsandbox.Options{OVN: root})
	if err != nil {
		t.Fatalf("the OVN test bed does not start: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			bed.KeepRunDir()
			t.Logf("test bed %s logs:\n%s", bed.Dir, bed.Logs(15))
		}
		if err := bed.Stop(); err != nil {
			t.Errorf("stop test bed: %v", err)
		}
	})
	if _, err := bed.ApplyTopology(ctx, snap); err != nil {
		t.Fatalf("topology: %v", err)
	}
	kube, policy := fakeClientsets(snap)
	e := &env{t: t, ctx: ctx, bed: bed, kube: kube, policy: policy, snap: snap}
	e.reconnectCheck()
	t.Cleanup(func() { e.check.Close() })
	return e
}

// fakeClientsets returns fake clientsets that hold snap's objects.
func fakeClientsets(snap *cluster.Snapshot) (*kubefake.Clientset, *npfake.Clientset) {
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
	for _, o := range snap.CNPs {
		policyObjs = append(policyObjs, o)
	}
	// The policy fake is the simple one: the field-managed fake lacks the schema of these CRDs and fails
	// every write (kubernetes/kubernetes#126850).
	kube, policy := kubefake.NewClientset(kubeObjs...), npfake.NewSimpleClientset(policyObjs...)
	statusSubresource(policy)
	return kube, policy
}

// reconnectCheck opens the test's own NB connection afresh, e.g. after an NB restart, so it never reads
// a cache from before.
func (e *env) reconnectCheck() {
	e.t.Helper()
	if e.check != nil {
		e.check.Close()
	}
	check, err := nbsync.Connect(e.ctx, e.bed.NBSocket(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.check = check
}

// connectNB opens a controller's NB connection. It reconnects on its own, as in production; the backoff
// never gives up (libovsdb panics when it does) and retries often, to keep the tests short.
func (e *env) connectNB() client.Client {
	e.t.Helper()
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval, bo.MaxElapsedTime = 50*time.Millisecond, 500*time.Millisecond, 0
	nb, err := nbsync.Connect(e.ctx, e.bed.NBSocket(), nil, client.WithReconnect(2*time.Second, bo))
	if err != nil {
		e.t.Fatal(err)
	}
	return nb
}

// statusSubresource makes the fake policy clientset write spec and status apart, as the API server does
// for these CRDs: Update keeps the stored status and bumps metadata.generation when the spec changes;
// UpdateStatus changes only the status. Without it the fake stores whole objects, and a status write
// from a stale informer cache would undo a spec change the test just made.
func statusSubresource(c *npfake.Clientset) {
	c.PrependReactor("update", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		in := a.(k8stesting.UpdateAction).GetObject()
		m, err := meta.Accessor(in)
		if err != nil {
			return true, nil, err
		}
		cur, err := c.Tracker().Get(a.GetResource(), a.GetNamespace(), m.GetName())
		if err != nil {
			return true, nil, err
		}
		stored, err := runtime.DefaultUnstructuredConverter.ToUnstructured(cur)
		if err != nil {
			return true, nil, err
		}
		sent, err := runtime.DefaultUnstructuredConverter.ToUnstructured(in)
		if err != nil {
			return true, nil, err
		}
		merged := sent
		if a.GetSubresource() == "status" {
			merged = stored
			merged["status"] = sent["status"]
		} else {
			merged["status"] = stored["status"]
			gen, _, _ := unstructured.NestedInt64(stored, "metadata", "generation")
			if !equality.Semantic.DeepEqual(stored["spec"], sent["spec"]) {
				gen++
			}
			if err := unstructured.SetNestedField(merged, gen, "metadata", "generation"); err != nil {
				return true, nil, err
			}
		}
		out := in.DeepCopyObject()
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(merged, out); err != nil {
			return true, nil, err
		}
		if err := c.Tracker().Update(a.GetResource(), out, a.GetNamespace()); err != nil {
			return true, nil, err
		}
		return true, out, nil
	})
}

// objClient is what the typed clients of every kind the tests write have in common.
type objClient[T any] interface {
	Create(context.Context, T, metav1.CreateOptions) (T, error)
	Update(context.Context, T, metav1.UpdateOptions) (T, error)
	Delete(context.Context, string, metav1.DeleteOptions) error
}

// put creates each object in the fake clientsets, or updates it when it exists, and records it in e.snap.
func (e *env) put(objs ...runtime.Object) { e.t.Helper(); e.change(false, objs) }

// del deletes each object from the fake clientsets and from e.snap.
func (e *env) del(objs ...runtime.Object) { e.t.Helper(); e.change(true, objs) }

func (e *env) change(deleting bool, objs []runtime.Object) {
	e.t.Helper()
	for _, obj := range objs {
		var err error
		switch o := obj.(type) {
		case *corev1.Namespace:
			err = write(e, e.kube.CoreV1().Namespaces(), &e.snap.Namespaces, o, deleting)
		case *corev1.Pod:
			err = write(e, e.kube.CoreV1().Pods(o.Namespace), &e.snap.Pods, o, deleting)
		case *corev1.Node:
			err = write(e, e.kube.CoreV1().Nodes(), &e.snap.Nodes, o, deleting)
		case *networkingv1.NetworkPolicy:
			err = write(e, e.kube.NetworkingV1().NetworkPolicies(o.Namespace), &e.snap.NetworkPolicies, o, deleting)
		case *anpv1alpha1.AdminNetworkPolicy:
			err = write(e, e.policy.PolicyV1alpha1().AdminNetworkPolicies(), &e.snap.ANPs, o, deleting)
		case *anpv1alpha1.BaselineAdminNetworkPolicy:
			err = write(e, e.policy.PolicyV1alpha1().BaselineAdminNetworkPolicies(), &e.snap.BANPs, o, deleting)
		case *cnpv1beta1.ClusterNetworkPolicy:
			err = write(e, e.policy.PolicyV1beta1().ClusterNetworkPolicies(), &e.snap.CNPs, o, deleting)
		default:
			err = fmt.Errorf("unexpected %T", obj)
		}
		if err != nil {
			e.t.Fatalf("write %T: %v", obj, err)
		}
	}
}

func write[T metav1.Object](e *env, c objClient[T], list *[]T, obj T, deleting bool) error {
	i := slices.IndexFunc(*list,
		func(o T) bool { return o.GetNamespace() == obj.GetNamespace() && o.GetName() == obj.GetName() })
	if deleting {
		if i >= 0 {
			*list = slices.Delete(*list, i, i+1)
		}
		return c.Delete(e.ctx, obj.GetName(), metav1.DeleteOptions{})
	}
	if i >= 0 {
		(*list)[i] = obj
	} else {
		*list = append(*list, obj)
	}
	_, err := c.Create(e.ctx, obj, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_, err = c.Update(e.ctx, obj, metav1.UpdateOptions{})
	}
	return err
}

// running is one started controller.
type running struct {
	c       *controller.Controller
	metrics *controller.Metrics
	events  *record.FakeRecorder
	seen    []string // events read from events so far
	nb      client.Client
	stop    func()
}

// start runs a controller with its own NB connection until the test ends or stop is called, and waits
// until it is ready. opts adjust its configuration.
func (e *env) start(opts ...func(*controller.Config)) *running {
	e.t.Helper()
	r := e.startNotReady(opts...)
	e.waitReady(r)
	return r
}

func (e *env) startNotReady(opts ...func(*controller.Config)) *running {
	e.t.Helper()
	r := e.newRunning(opts...)
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
		r.nb.Close()
	}
	e.t.Cleanup(r.stop)
	return r
}

// newRunning makes a controller with its own NB connection, metrics and event recorder; the caller runs it.
func (e *env) newRunning(opts ...func(*controller.Config)) *running {
	e.t.Helper()
	nb := e.connectNB()
	r := &running{metrics: controller.NewMetrics(nil), events: record.NewFakeRecorder(1000), nb: nb}
	cfg := controller.Config{Kube: e.kube, Policy: e.policy, NB: nbsync.NewConn(nb), Recorder: r.events,
		Metrics: r.metrics, RetryInterval: 20 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	var err error
	if r.c, err = controller.New(cfg); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) waitReady(r *running) {
	e.t.Helper()
	e.eventually("the controller is ready", r.c.Ready)
}

// eventually polls cond until it returns nil and fails the test with its last error after waitTimeout.
func (e *env) eventually(what string, cond func() error) {
	e.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: not after %v: %v", what, waitTimeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitNB waits until the rows tieracl owns in NB are exactly the translation of snap, and fails with
// what is left to write if they do not get there.
func (e *env) waitNB(snap *cluster.Snapshot) {
	e.t.Helper()
	e.eventually("NB holds the translation of the cluster", func() error { return e.nbHolds(snap) })
}

// nbHolds returns nil when the rows tieracl owns in NB are exactly the translation of snap, else what
// is left to write.
func (e *env) nbHolds(snap *cluster.Snapshot) error { return e.nbHoldsWith(snap, translate.Options{}) }

// nbHoldsWith is nbHolds with a translation of these options.
func (e *env) nbHoldsWith(snap *cluster.Snapshot, opts translate.Options) error {
	want := translate.Translate(snap, opts).State
	ops, stats, err := nbsync.Ops(e.ctx, e.check, &want)
	if err == nil && len(ops) > 0 {
		err = fmt.Errorf("%d operations left (%+v)", len(ops), stats)
	}
	return err
}

// synced waits until NB holds the translation of the cluster as the fake clientsets hold it.
func (e *env) synced() { e.t.Helper(); e.waitNB(e.snap) }

// notSynced fails unless NB differs from the translation of the cluster (the test broke NB on purpose).
func (e *env) notSynced() {
	e.t.Helper()
	want := translate.Translate(e.snap, translate.Options{}).State
	ops, _, err := nbsync.Ops(e.ctx, e.check, &want)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(ops) == 0 {
		e.t.Fatal("NB holds the translation of the cluster already")
	}
}

// opKinds are the labels of Metrics.Operations.
var opKinds = []string{"create", "update", "delete", "mutate"}

// ops reads a controller's NB operation counters by kind.
func ops(m *controller.Metrics) map[string]float64 {
	out := map[string]float64{}
	for _, k := range opKinds {
		out[k] = testutil.ToFloat64(m.Operations.WithLabelValues(k))
	}
	return out
}

// rows lists the ACLs, port groups and address sets whose external IDs keep accepts, from the test's
// NB connection.
func (e *env) rows(keep func(ids map[string]string) bool) (acls []*nbdb.ACL, pgs []*nbdb.PortGroup,
	sets []*nbdb.AddressSet) {
	e.t.Helper()
	// Port groups and address sets come from NB itself: the nbsync client's cache holds them without
	// their ports and addresses.
	all, err := nbsync.ReadAddressSets(e.ctx, e.check, false)
	groups, gerr := nbsync.ReadPortGroups(e.ctx, e.check, false)
	for _, err := range []error{
		e.check.WhereCache(func(a *nbdb.ACL) bool { return keep(a.ExternalIDs) }).List(e.ctx, &acls),
		gerr, err,
	} {
		if err != nil {
			e.t.Fatal(err)
		}
	}
	for _, g := range groups {
		if keep(g.ExternalIDs) {
			pgs = append(pgs, g)
		}
	}
	for _, s := range all {
		if keep(s.ExternalIDs) {
			sets = append(sets, s)
		}
	}
	return acls, pgs, sets
}

// ownedByPolicy accepts the rows tieracl owns for the policy of kind and name.
func ownedByPolicy(kind, name string) func(map[string]string) bool {
	return func(ids map[string]string) bool {
		return ids[nbrows.KeyManagedBy] == nbrows.ManagedByValue && ids[nbrows.KeyOwnerKind] == kind &&
			ids[nbrows.KeyOwnerName] == name
	}
}

// ownedBy names the rows tieracl owns in NB whose owner is the policy of kind and name ("Table name").
func (e *env) ownedBy(kind, name string) []string {
	e.t.Helper()
	acls, pgs, sets := e.rows(ownedByPolicy(kind, name))
	var out []string
	for _, a := range acls {
		out = append(out, "ACL "+deref(a.Name))
	}
	for _, p := range pgs {
		out = append(out, "Port_Group "+p.Name)
	}
	for _, s := range sets {
		out = append(out, "Address_Set "+s.Name)
	}
	slices.Sort(out)
	return out
}

// aclsOf returns the owned ACLs of one policy.
func (e *env) aclsOf(kind, name string) []*nbdb.ACL {
	e.t.Helper()
	acls, _, _ := e.rows(ownedByPolicy(kind, name))
	return acls
}

// foreignRows dumps every ACL, Port_Group and Address_Set tieracl does not own, one JSON line a row,
// sorted, so two dumps compare equal only when no such row was added, removed or changed.
func (e *env) foreignRows() string {
	e.t.Helper()
	acls, pgs, sets := e.rows(func(ids map[string]string) bool {
		return ids[nbrows.KeyManagedBy] != nbrows.ManagedByValue
	})
	var lines []string
	add := func(table string, row any) {
		raw, err := json.Marshal(row)
		if err != nil {
			e.t.Fatal(err)
		}
		lines = append(lines, table+" "+string(raw))
	}
	for _, a := range acls {
		add("ACL", a)
	}
	for _, p := range pgs {
		slices.Sort(p.Ports)
		slices.Sort(p.ACLs)
		add("Port_Group", p)
	}
	for _, s := range sets {
		slices.Sort(s.Addresses)
		add("Address_Set", s)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// waitEvent waits until the controller has recorded an event whose text ("Type Reason message")
// contains want.
func (e *env) waitEvent(r *running, want string) {
	e.t.Helper()
	e.eventually("event "+want, func() error {
		if r.hasEvent(want) {
			return nil
		}
		return fmt.Errorf("events so far: %q", r.seen)
	})
}

// hasEvent reports whether an event recorded so far contains want.
func (r *running) hasEvent(want string) bool {
	return slices.ContainsFunc(r.drain(), func(ev string) bool { return strings.Contains(ev, want) })
}

// drain moves the events recorded since the last call into r.seen and returns all seen so far.
func (r *running) drain() []string {
	for {
		select {
		case ev := <-r.events.Events:
			r.seen = append(r.seen, ev)
		default:
			return r.seen
		}
	}
}
