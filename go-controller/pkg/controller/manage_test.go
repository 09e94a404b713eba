package controller_test

import (
	"maps"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

func TestParseManage(t *testing.T) {
	all := map[controller.Kind]bool{controller.KindCNP: true, controller.KindANP: true, controller.KindBANP: true,
		controller.KindNetworkPolicy: true}
	cases := []struct {
		in   string
		want map[controller.Kind]bool
		err  string
	}{
		{in: "all", want: all},
		{in: "AdminNetworkPolicy, BaselineAdminNetworkPolicy",
			want: map[controller.Kind]bool{controller.KindANP: true, controller.KindBANP: true}},
		{in: "NetworkPolicy", want: map[controller.Kind]bool{controller.KindNetworkPolicy: true}},
		{in: "AdminNetworkPolicy,Pod", err: `unknown policy kind "Pod"`},
		{in: "", err: `unknown policy kind ""`},
	}
	for _, tc := range cases {
		got, err := controller.ParseManage(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseManage(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("ParseManage(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestManageWithoutNetworkPolicy runs the controller as beside a CNI that programs NetworkPolicy: it
// writes no tier-2 rows, deletes the ones it wrote itself before, and leaves every other client's rows,
// tier 2 included, as they are.
func TestManageWithoutNetworkPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.put(testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))),
		testobj.NetworkPolicy("a", "np", testobj.Sel("app", "web"),
			testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "db")))))
	first := e.start()
	e.synced()
	if len(e.aclsOf("NetworkPolicy", "a/np")) == 0 {
		t.Fatal("managing every kind, the controller wrote no ACL for the NetworkPolicy")
	}
	first.stop()

	e.addForeignRows()
	// The CNI's own tier-2 ACL, named as tieracl would name it.
	if _, err := e.bed.NBCtl(e.ctx, "--id=@acl", "create", "ACL", `name="np:a/np:in:0"`, "tier=2",
		"direction=to-lport", "priority=1001", `match="outport == @foreign_pg"`, "action=allow-related",
		`external_ids:"tieracl.io/owner-kind"=NetworkPolicy`, `external_ids:"tieracl.io/owner-name"="a/np"`,
		"--", "add", "Port_Group", "foreign_pg", "acls", "@acl"); err != nil {
		t.Fatal(err)
	}
	var before string
	e.eventually("the CNI's tier-2 ACL reaches the test's NB cache", func() error {
		before = e.foreignRows()
		return countLines(before, 7)
	})
	manage, err := controller.ParseManage("AdminNetworkPolicy,BaselineAdminNetworkPolicy")
	if err != nil {
		t.Fatal(err)
	}
	e.start(func(c *controller.Config) { c.Manage = manage })
	withoutNP := func() {
		t.Helper()
		s := *e.snap
		s.NetworkPolicies = nil
		e.waitNB(&s)
	}
	withoutNP()
	// A NetworkPolicy change, then an ANP change the controller must write: still no tier-2 row.
	e.put(testobj.NetworkPolicy("a", "np2", testobj.Sel("app", "db"), testobj.Isolate(networkingv1.PolicyTypeIngress)))
	e.put(testobj.ANP("guard", 11, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
	withoutNP()
	acls, _, _ := e.rows(func(ids map[string]string) bool { return ids[nbrows.KeyManagedBy] == nbrows.ManagedByValue })
	for _, a := range acls {
		if a.Tier == 2 {
			t.Errorf("owned tier-2 ACL %s written while NetworkPolicy is not managed", deref(a.Name))
		}
	}
	if len(e.aclsOf("AdminNetworkPolicy", "guard")) == 0 {
		t.Error("the ANP is not programmed")
	}
	if after := e.foreignRows(); after != before {
		t.Errorf("foreign rows changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
