package controller_test

import (
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

const logNoticeAlert = `{"allow":"notice","deny":"alert"}`

// The acl-logging annotation on an ANP, and on a namespace for its NetworkPolicies, turns on logging of
// the rule and isolation ACLs with the severity of their action; changing or removing it follows.
func TestACLLogging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	logged := testobj.ANP("logged", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", allow, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel())),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel(), testobj.Sel())),
		testobj.ANPEgressRule("", pass, nil, testobj.ToPods(testobj.Sel(), testobj.Sel())))
	e.put(testobj.Copy(logged, testobj.Annotations(policy.LoggingAnnotation, logNoticeAlert)),
		testobj.NetworkPolicy("a", "np", testobj.Sel("app", "web"),
			testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "db")))))
	e.start()
	e.synced()
	e.eventually("ANP ACLs log", func() error { return e.logging("AdminNetworkPolicy", "logged", "notice", "alert") })
	e.eventually("NetworkPolicy ACLs do not log", func() error { return e.logging("NetworkPolicy", "a/np", "", "") })

	e.put(testobj.Namespace("a", testobj.Labels("team", "a"),
		testobj.Annotations(policy.LoggingAnnotation, `{"allow":"info","deny":"warning"}`)))
	e.synced()
	e.eventually("NetworkPolicy ACLs log", func() error { return e.logging("NetworkPolicy", "a/np", "info", "warning") })

	e.put(logged)
	e.put(testobj.Namespace("a", testobj.Labels("team", "a"))) // without the annotation
	e.synced()
	e.eventually("ANP logging is off", func() error { return e.logging("AdminNetworkPolicy", "logged", "", "") })
	e.eventually("NetworkPolicy logging is off", func() error { return e.logging("NetworkPolicy", "a/np", "", "") })
}

// An annotation that does not parse is a Warning event InvalidLogging (and the ANP's condition says
// so); the policy is programmed all the same, without logging.
func TestInvalidACLLogging(t *testing.T) {
	t.Parallel()
	for _, value := range []string{`{"allow":"loud"}`, `not json`} {
		t.Run(value, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, world())
			bad := testobj.ANP("bad", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
				testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel())))
			e.put(testobj.Copy(bad, testobj.Annotations(policy.LoggingAnnotation, value)),
				testobj.Namespace("b", testobj.Labels("team", "b"), testobj.Annotations(policy.LoggingAnnotation, value)),
				testobj.NetworkPolicy("b", "np", testobj.Sel(),
					testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "client")))))
			r := e.start()
			e.synced()
			e.waitEvent(r, "Warning InvalidLogging ")
			e.eventually("condition", func() error {
				return e.anpCondition("bad", metav1.ConditionTrue, policy.ReasonInvalidLogging)
			})
			if n := len(e.aclsOf("AdminNetworkPolicy", "bad")); n == 0 {
				t.Fatal("the ANP is not programmed")
			}
			if n := len(e.aclsOf("NetworkPolicy", "b/np")); n == 0 {
				t.Fatal("the NetworkPolicy is not programmed")
			}
			if err := e.logging("AdminNetworkPolicy", "bad", "", ""); err != nil {
				t.Error(err)
			}
			if err := e.logging("NetworkPolicy", "b/np", "", ""); err != nil {
				t.Error(err)
			}
			// One event for each policy: the ANP's and the NetworkPolicy's.
			e.eventually("both policies have the event", func() error {
				if n := countContaining(r.drain(), "Warning InvalidLogging "); n < 2 {
					return fmt.Errorf("%d InvalidLogging events: %q", n, r.seen)
				}
				return nil
			})
		})
	}
}

// logging checks every ACL of a policy: rule and isolation ACLs log allow-related with allowSev and drop
// with denySev; nothing else logs ("" means off). At least one ACL must be logged when a severity is set.
func (e *env) logging(kind, owner, allowSev, denySev string) error {
	acls := e.aclsOf(kind, owner)
	if len(acls) == 0 {
		return fmt.Errorf("%s %s has no ACLs", kind, owner)
	}
	seen := map[string]bool{}
	for _, a := range acls {
		want := wantSeverity(a, allowSev, denySev)
		if a.Log != (want != "") || deref(a.Severity) != want {
			return fmt.Errorf("ACL %s (%s): log %v severity %q, want severity %q", deref(a.Name), a.Action, a.Log,
				deref(a.Severity), want)
		}
		seen[want] = true
	}
	for _, sev := range []string{allowSev, denySev} {
		if sev != "" && !seen[sev] {
			return fmt.Errorf("no ACL of %s logs with %s", owner, sev)
		}
	}
	return nil
}

func wantSeverity(a *nbdb.ACL, allowSev, denySev string) string {
	if role := a.ExternalIDs[nbrows.KeyACLRole]; role != nbrows.RoleRule && role != nbrows.RoleIsolation {
		return ""
	}
	switch a.Action {
	case nbrows.ActionAllowRelated, nbrows.ActionAllow:
		return allowSev
	case nbrows.ActionDrop:
		return denySev
	}
	return ""
}

func countContaining(list []string, sub string) int {
	n := 0
	for _, s := range list {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}
