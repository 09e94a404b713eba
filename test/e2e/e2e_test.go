package e2e_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnbackend"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
	"github.com/tieracl/tieracl/test/e2e"
)

// One environment serves every test of the run: starting it takes most of a minute.
var (
	envOnce   sync.Once
	shared    *e2e.Env
	sharedErr error
	// forbiddenSeen are the controller's 403 log lines a test has already failed for.
	forbiddenSeen = map[string]bool{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if code != 0 {
			shared.KeepRunDir()
		}
		folders := shared.Folders()
		if err := shared.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: stopping the environment: %v\n", err)
			code = 1
		}
		if shared.Kept() {
			fmt.Fprintf(os.Stderr, "e2e: run folders kept: %s\n", folders)
		}
	}
	os.Exit(code)
}

// environment returns the shared environment, starting it on first use. A part that cannot start fails
// the test (and every later one), never skips it. A failed test keeps the run folders and logs the ends
// of every log.
func environment(t *testing.T) *e2e.Env {
	t.Helper()
	envOnce.Do(func() {
		began := time.Now()
		shared, sharedErr = e2e.Start(context.Background())
		if sharedErr != nil {
			return
		}
		t.Logf("environment up in %v (%s):", time.Since(began).Round(time.Millisecond), shared.Folders())
		for _, s := range shared.Steps {
			t.Logf("  %-80s %v", s.Name, s.Took.Round(time.Millisecond))
		}
		t.Logf("dist/ objects: %s", strings.Join(shared.Applied, ", "))
	})
	if sharedErr != nil {
		t.Fatalf("starting the e2e environment: %v", sharedErr)
	}
	t.Cleanup(func() {
		// A verb missing from dist/rbac.yaml shows as a 403 in the controller's log, even where the
		// controller carries on (an event it could not post).
		var fresh []string
		for _, line := range shared.Controller.Forbidden() {
			if !forbiddenSeen[line] {
				forbiddenSeen[line] = true
				fresh = append(fresh, line)
			}
		}
		if len(fresh) > 0 {
			t.Errorf("the API server refused the controller (dist/rbac.yaml lacks a verb?):\n%s", strings.Join(fresh, "\n"))
		}
		if t.Failed() {
			shared.KeepRunDir()
			t.Logf("run folders kept: %s\n%s", shared.Folders(), shared.Logs(40))
		}
	})
	return shared
}

const (
	programTimeout = 60 * time.Second
	readyTimeout   = 60 * time.Second
)

// policies gives a test its policy writer; when the test ends, its policies are deleted, the controller
// must program that, and NB must hold no tieracl row at all.
func policies(t *testing.T, env *e2e.Env) *e2e.Policies {
	p := e2e.NewPolicies(env.Dynamic)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if done, _ := env.Controller.Exited(); done {
			t.Errorf("the controller had exited (see %s); starting it again for the cleanup", env.Controller.LogFile())
			if err := env.Controller.Start(); err != nil {
				t.Error(err)
				return
			}
		}
		if err := p.DeleteAll(ctx); err != nil {
			t.Error(err)
			return
		}
		if _, err := e2e.WaitProgrammed(ctx, env.Admin, env.Policy, env.Bed.NBSocket(), programTimeout); err != nil {
			t.Errorf("after deleting every policy: %v", err)
		}
		rows, err := e2e.OwnedRows(ctx, env.Bed)
		if err != nil {
			t.Error(err)
		} else if len(rows) > 0 {
			t.Errorf("every policy is deleted, but NB still holds rows with tieracl.io/managed-by=tieracl: %v", rows)
		}
	})
	return p
}

// apply writes want and waits until the controller has programmed it; it returns the API writes too.
func apply(t *testing.T, ctx context.Context, env *e2e.Env, p *e2e.Policies,
	want e2e.PolicySet) (*e2e.Programmed, []string) {
	t.Helper()
	writes, err := p.Apply(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	prog := waitProgrammed(t, ctx, env)
	if len(writes) == 0 {
		t.Logf("no change: programmed (checked in %v)", prog.Took.Round(time.Millisecond))
	} else {
		t.Logf("%s: programmed after %v", strings.Join(writes, ", "), prog.Took.Round(time.Millisecond))
	}
	return prog, writes
}

func waitProgrammed(t *testing.T, ctx context.Context, env *e2e.Env) *e2e.Programmed {
	t.Helper()
	prog, err := e2e.WaitProgrammed(ctx, env.Admin, env.Policy, env.Bed.NBSocket(), programTimeout)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// probeSuite judges the suite's probes with real packets on the bed, as the cluster prog holds it.
func probeSuite(t *testing.T, env *e2e.Env, prog *e2e.Programmed, suite *policytest.Suite) []policytest.Result {
	t.Helper()
	env.BedMu.Lock()
	defer env.BedMu.Unlock()
	ev, err := ovnbackend.AttachDatapath(env.Bed, prog.Snapshot, &prog.Result.State, ovnbackend.DatapathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return policytest.Run(ev, suite)
}

// expect probes each connection with real packets and fails the test for each verdict that is not the
// expected one.
func expect(t *testing.T, env *e2e.Env, prog *e2e.Programmed, probes ...policytest.Probe) {
	t.Helper()
	suite := &policytest.Suite{Path: t.Name(), Snapshot: prog.Snapshot, Probes: probes}
	ix := cluster.NewIndex(prog.Snapshot, nil)
	for i, p := range probes {
		flow, err := policytest.Resolve(ix, p)
		if err != nil {
			t.Fatalf("probes[%d]: %v", i, err)
		}
		suite.Flows = append(suite.Flows, flow)
	}
	for _, r := range probeSuite(t, env, prog, suite) {
		if !r.Pass {
			t.Errorf("%s -> %s %s/%s: expected %s, got %s (%s) %v", r.Probe.From, r.Probe.To, r.Probe.Protocol,
				r.Probe.Port.String(), r.Probe.Expect, r.Got(), policytest.Deciding(r.Verdict), r.Err)
		}
	}
}

// Pods of the transcribed conformance cluster, by house.
const (
	harry0  = "network-policy-conformance-gryffindor/harry-potter-0"
	draco0  = "network-policy-conformance-slytherin/draco-malfoy-0"
	cedric0 = "network-policy-conformance-hufflepuff/cedric-diggory-0"
	luna0   = "network-policy-conformance-ravenclaw/luna-lovegood-0"
)

// tcp80 is a probe to port 80 over TCP, which every conformance pod serves.
func tcp80(from, to, expect string) policytest.Probe {
	return policytest.Probe{From: from, To: to, Protocol: "TCP", Port: intstr.FromInt32(80), Expect: expect}
}

// denyIngress is an ANP denying the pods of one conformance house all ingress from another.
func denyIngress(name string, priority int32, subject, from string) *anpv1alpha1.AdminNetworkPolicy {
	return testobj.ANP(name, priority, testobj.SubjectNamespaces(house(subject)),
		testobj.ANPIngressRule("deny-from-"+from, anpv1alpha1.AdminNetworkPolicyRuleActionDeny, nil,
			testobj.FromNamespaces(house(from))))
}

// house selects the namespaces of one conformance house.
func house(h string) *metav1.LabelSelector { return testobj.Sel("conformance-house", h) }

// anps is the policy set of these ANPs.
func anps(t *testing.T, list ...*anpv1alpha1.AdminNetworkPolicy) e2e.PolicySet {
	t.Helper()
	set, err := e2e.PoliciesOf(&cluster.Snapshot{ANPs: list})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func translateOf(s *cluster.Snapshot) *translate.Result {
	return translate.Translate(s, translate.Options{})
}

// nbMatchesAPI checks, once, that NB's tieracl rows are exactly the translation of the API's objects,
// and returns them for probing.
func nbMatchesAPI(t *testing.T, ctx context.Context, env *e2e.Env) *e2e.Programmed {
	t.Helper()
	snap := readSnapshot(t, ctx, env)
	prog := &e2e.Programmed{Snapshot: snap, Result: translateOf(snap)}
	if ops, err := e2e.StaleOps(ctx, env.Bed.NBSocket(), &prog.Result.State); err != nil {
		t.Fatal(err)
	} else if len(ops) > 0 {
		t.Errorf("NB's tieracl rows differ from the translation of the API's objects: %s", e2e.DescribeOps(ops))
	}
	return prog
}

func readSnapshot(t *testing.T, ctx context.Context, env *e2e.Env) *cluster.Snapshot {
	t.Helper()
	snap, err := e2e.ReadSnapshot(ctx, env.Admin, env.Policy)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}
