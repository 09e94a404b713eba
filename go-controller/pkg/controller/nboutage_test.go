package controller_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// While NB is down the controller is not ready and the changes made meanwhile wait; once NB is back it
// reconnects, writes them, sets the status of policies created meanwhile, and is ready again. libovsdb
// holds writes until it has reconnected; an outage longer than the write timeout makes them fail and be
// retried instead.
func TestNBOutage(t *testing.T) {
	t.Parallel()
	for _, writeTimeout := range []time.Duration{0, 100 * time.Millisecond} {
		t.Run(fmt.Sprintf("write timeout %v", writeTimeout), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, world())
			e.putPolicies()
			r := e.start(func(c *controller.Config) { c.WriteTimeout = writeTimeout })
			e.synced()

			if err := e.bed.StopNB(); err != nil {
				t.Fatal(err)
			}
			e.waitNotReady(r)
			// A change that moves no member needs no NB write; the controller must still not call itself ready.
			e.put(testobj.Copy(e.snap.Pods[3], testobj.Relabel("app", "elsewhere")))
			time.Sleep(300 * time.Millisecond)
			if r.c.Ready() == nil {
				t.Fatal("ready while NB is down, after a change that needed no write")
			}
			// Changes of every sort while NB is down: a new policy (with guard's priority), a deleted one,
			// a pod that moves.
			e.put(testobj.ANP("late", 10, testobj.SubjectPods(testobj.Sel("team", "b"), testobj.Sel()),
				testobj.ANPEgressRule("", deny, nil, testobj.ToPods(testobj.Sel("team", "c"), testobj.Sel()))))
			e.del(e.snap.NetworkPolicies[0])
			e.put(testobj.Copy(e.snap.Pods[2], testobj.Relabel("app", "gone")))
			if writeTimeout > 0 {
				e.eventually("writes fail while NB is down", func() error {
					if testutil.ToFloat64(r.metrics.Errors.WithLabelValues("nb-write")) == 0 {
						return errors.New("no failed write counted")
					}
					return nil
				})
			} else {
				time.Sleep(300 * time.Millisecond)
			}
			if r.c.Ready() == nil {
				t.Fatal("ready while NB is down")
			}

			if err := e.bed.StartNB(e.ctx); err != nil {
				t.Fatal(err)
			}
			e.reconnectCheck()
			e.waitReady(r)
			e.synced()
			e.eventually("the policy created during the outage has its status", func() error {
				return e.anpCondition("late", metav1.ConditionTrue, "PriorityConflict")
			})
			// The reconnected client still reports new logical switch ports.
			e.put(pod("a", "after", 11, testobj.Labels("app", "web")))
			e.synced()
			if _, err := e.bed.NBCtl(e.ctx, "lsp-add", ovnsandbox.SwitchName, "a_after"); err != nil {
				t.Fatal(err)
			}
			e.eventually("guard's port group lists a port made after the outage", func() error {
				return e.groupHasPort("guard", "a_after")
			})
		})
	}
}

// NB rows tieracl owns that were deleted or edited behind its back are repaired, whatever comes next: an
// NB reconnect, the periodic resync, or a member move that finds its row missing. The controller sees
// the edits in its NB cache and repairs them first (TestDriftIsRepaired).
func TestRepairsRowsEditedBehindItsBack(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		resync  time.Duration
		trigger func(*env, *running)
	}{
		{"after an NB restart", -1, (*env).outage},
		// A resync whose whole-state write reads NB after the edits repairs them before their events
		// are checked, unseen as drift; a second between resyncs leaves the events time enough. (With
		// 200 ms the drift count stayed 0 once under -race; that this was the cause is not confirmed.)
		{"at the periodic resync", time.Second, func(*env, *running) {}},
		{"when a member move finds its row gone", -1, func(e *env, _ *running) {
			e.put(testobj.Copy(e.snap.Pods[2], testobj.Relabel("app", "gone"))) // leaves guard's peer set, which is gone
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, world())
			e.putPolicies()
			r := e.start(func(c *controller.Config) { c.ResyncInterval = tc.resync })
			e.synced()
			e.breakNB()
			tc.trigger(e, r)
			e.synced()
			if driftCount(r.metrics) == 0 {
				t.Error("the edits were not counted as drift")
			}
		})
	}
}

// outage stops NB until the controller notices, then starts it again.
func (e *env) outage(r *running) {
	e.t.Helper()
	if err := e.bed.StopNB(); err != nil {
		e.t.Fatal(err)
	}
	e.waitNotReady(r)
	if err := e.bed.StartNB(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	e.reconnectCheck()
}

// breakNB edits tieracl's rows with ovn-nbctl (committed when it returns): deletes every owned address set,
// drops guard's ACLs and ports from its port group, and makes a NetworkPolicy ACL match nothing.
func (e *env) breakNB() {
	e.t.Helper()
	_, _, sets := e.rows(func(ids map[string]string) bool { return ids[nbrows.KeyManagedBy] == nbrows.ManagedByValue })
	_, pgs, _ := e.rows(ownedByPolicy("AdminNetworkPolicy", "guard"))
	npACLs := e.aclsOf("NetworkPolicy", "a/np")
	if len(sets) == 0 || len(pgs) != 1 || len(npACLs) == 0 {
		e.t.Fatalf("nothing to break: %d address sets, %d port groups, %d ACLs", len(sets), len(pgs), len(npACLs))
	}
	args := []string{"clear", "Port_Group", pgs[0].Name, "acls", "--", "clear", "Port_Group", pgs[0].Name, "ports",
		"--", "set", "ACL", npACLs[0].UUID, `match="0"`}
	for _, s := range sets {
		args = append(args, "--", "destroy", "Address_Set", s.UUID)
	}
	if _, err := e.bed.NBCtl(e.ctx, args...); err != nil {
		e.t.Fatal(err)
	}
}

// anpCondition checks the Programmed condition of an ANP as the fake API server holds it.
func (e *env) anpCondition(name string, status metav1.ConditionStatus, reason string) error {
	a, err := e.policy.PolicyV1alpha1().AdminNetworkPolicies().Get(e.ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, c := range a.Status.Conditions {
		if c.Type == controller.ConditionProgrammed {
			if c.Status != status || c.Reason != reason {
				return fmt.Errorf("%s is %s/%s (%s), want %s/%s", name, c.Status, c.Reason, c.Message, status, reason)
			}
			return nil
		}
	}
	return fmt.Errorf("%s has no %s condition: %+v", name, controller.ConditionProgrammed, a.Status)
}

func (e *env) waitNotReady(r *running) {
	e.t.Helper()
	e.eventually("the controller is not ready", func() error {
		if r.c.Ready() == nil {
			return errors.New("still ready")
		}
		return nil
	})
}
