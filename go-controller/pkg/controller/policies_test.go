package controller_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// Each policy kind is created, updated and deleted while a bystander policy stays: NB follows every step,
// the update rewrites the policy's ACLs, and the delete removes its rows and only its rows.
func TestPolicyCreateUpdateDelete(t *testing.T) {
	t.Parallel()
	webInA := testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web"))
	cases := []struct {
		name        string
		kind, owner string // the owner-kind and owner-name on the policy's rows
		create      runtime.Object
		update      runtime.Object
		bystander   runtime.Object // created first, never touched
		bystanderOf [2]string      // its owner kind and name
	}{
		{
			name: "AdminNetworkPolicy", kind: "AdminNetworkPolicy", owner: "guard",
			create: testobj.ANP("guard", 10, webInA,
				testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))),
			update: testobj.ANP("guard", 20, testobj.SubjectPods(testobj.Sel(), testobj.Sel("app", "web")),
				testobj.ANPIngressRule("", allow, nil, testobj.FromPods(testobj.Sel("team", "c"), testobj.Sel())),
				testobj.ANPEgressRule("", pass, nil, testobj.ToPods(testobj.Sel(), testobj.Sel("app", "client")))),
			bystander: testobj.ANP("other", 30, testobj.SubjectPods(testobj.Sel("team", "b"), testobj.Sel()),
				testobj.ANPEgressRule("", deny, nil, testobj.ToPods(testobj.Sel("team", "a"), testobj.Sel("app", "db")))),
			bystanderOf: [2]string{"AdminNetworkPolicy", "other"},
		},
		{
			name: "BaselineAdminNetworkPolicy", kind: "BaselineAdminNetworkPolicy", owner: "default",
			create: testobj.BANP(webInA,
				testobj.BANPIngressRule("", anpv1alpha1.BaselineAdminNetworkPolicyRuleActionDeny, nil,
					testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))),
			update: testobj.BANP(testobj.SubjectPods(testobj.Sel(), testobj.Sel("app", "web")),
				testobj.BANPIngressRule("", anpv1alpha1.BaselineAdminNetworkPolicyRuleActionAllow, nil,
					testobj.FromPods(testobj.Sel("team", "c"), testobj.Sel("app", "web")))),
			bystander: testobj.ANP("other", 30, testobj.SubjectPods(testobj.Sel("team", "b"), testobj.Sel()),
				testobj.ANPEgressRule("", deny, nil, testobj.ToPods(testobj.Sel("team", "a"), testobj.Sel("app", "db")))),
			bystanderOf: [2]string{"AdminNetworkPolicy", "other"},
		},
		{
			name: "ClusterNetworkPolicy", kind: "ClusterNetworkPolicy", owner: "guard",
			create: cnp("guard", cnpv1beta1.AdminTier, 10, cnpv1beta1.ClusterNetworkPolicyRuleActionDeny),
			update: cnp("guard", cnpv1beta1.BaselineTier, 10, cnpv1beta1.ClusterNetworkPolicyRuleActionPass),
			bystander: testobj.ANP("other", 30, testobj.SubjectPods(testobj.Sel("team", "b"), testobj.Sel()),
				testobj.ANPEgressRule("", deny, nil, testobj.ToPods(testobj.Sel("team", "a"), testobj.Sel("app", "db")))),
			bystanderOf: [2]string{"AdminNetworkPolicy", "other"},
		},
		{
			name: "NetworkPolicy", kind: "NetworkPolicy", owner: "a/np",
			create: testobj.NetworkPolicy("a", "np", testobj.Sel("app", "web"),
				testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "db")))),
			update: testobj.NetworkPolicy("a", "np", testobj.Sel(),
				testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "web")))),
			bystander: testobj.NetworkPolicy("b", "np", testobj.Sel(),
				testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "client")))),
			bystanderOf: [2]string{"NetworkPolicy", "b/np"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, world())
			e.put(tc.bystander)
			e.start()
			e.synced()
			bystander := e.ownedBy(tc.bystanderOf[0], tc.bystanderOf[1])
			if len(bystander) == 0 {
				t.Fatalf("the bystander %v has no rows", tc.bystanderOf)
			}
			if rows := e.ownedBy(tc.kind, tc.owner); len(rows) != 0 {
				t.Fatalf("rows of %s before it exists: %v", tc.owner, rows)
			}

			e.put(tc.create)
			e.synced()
			if rows := e.ownedBy(tc.kind, tc.owner); len(rows) == 0 {
				t.Fatalf("no rows for %s after create", tc.owner)
			}
			created := e.aclDump(tc.kind, tc.owner)

			e.put(tc.update)
			e.synced()
			if updated := e.aclDump(tc.kind, tc.owner); updated == created {
				t.Errorf("the update left the ACLs as they were:\n%s", updated)
			}

			e.del(tc.update)
			e.synced()
			if rows := e.ownedBy(tc.kind, tc.owner); len(rows) != 0 {
				t.Errorf("rows of the deleted %s remain: %v", tc.owner, rows)
			}
			if now := e.ownedBy(tc.bystanderOf[0], tc.bystanderOf[1]); !slices.Equal(now, bystander) {
				t.Errorf("the bystander's rows changed:\nbefore %v\nafter  %v", bystander, now)
			}
		})
	}
}

// aclDump is the policy's ACLs as JSON, sorted by name.
func (e *env) aclDump(kind, owner string) string {
	e.t.Helper()
	acls := e.aclsOf(kind, owner)
	slices.SortFunc(acls, func(a, b *nbdb.ACL) int { return strings.Compare(deref(a.Name), deref(b.Name)) })
	for _, a := range acls {
		a.UUID = "" // a row updated in place keeps its UUID; only what it says matters here
	}
	raw, err := json.Marshal(acls)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(raw)
}

// Rows tieracl does not own (no tieracl.io/managed-by=tieracl), even ones that carry tieracl's other
// keys or the name of one of its ACLs, survive every change tieracl makes, unchanged.
func TestForeignRowsSurvive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	guard := testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel())))
	before := e.addForeignRows()
	e.start()
	e.synced()
	e.put(guard)
	e.synced()
	e.put(testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", allow, nil, testobj.FromPods(testobj.Sel(), testobj.Sel("app", "web")))))
	e.put(testobj.NetworkPolicy("a", "np", testobj.Sel("app", "web"),
		testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "db")))))
	e.synced()
	e.put(testobj.Copy(e.snap.Pods[2], testobj.Relabel("app", "web")))
	e.synced()
	e.del(guard)
	e.synced()
	e.del(testobj.NetworkPolicy("a", "np", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeIngress)))
	e.synced()
	if after := e.foreignRows(); after != before {
		t.Errorf("foreign rows changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// addForeignRows writes rows tieracl does not own, some made to look like its own (an ACL named like
// guard's first rule, an address set with tieracl's owner keys but managed by another), and returns
// their dump once the test's NB connection holds them.
func (e *env) addForeignRows() string {
	e.t.Helper()
	if _, err := e.bed.NBCtl(e.ctx,
		"pg-add", "foreign_pg", "a_web",
		"--", "--type=port-group", "acl-add", "foreign_pg", "to-lport", "1000", "ip4.src == 10.9.9.9", "drop",
		"--", "acl-add", "cluster", "from-lport", "900", "ip4", "allow",
		"--", "create", "Address_Set", "name=foreign_as", `addresses="10.9.9.9"`,
		"--", "create", "Address_Set", "name=lookalike_as", `addresses="10.0.0.3"`,
		`external_ids:"tieracl.io/managed-by"=other`, `external_ids:"tieracl.io/owner-kind"=PeerSet`,
		"--", "--id=@acl", "create", "ACL", `name="anp:guard:in:0"`, "direction=to-lport", "priority=1001",
		`match="outport == @foreign_pg"`, "action=allow-related",
		`external_ids:"tieracl.io/owner-kind"=AdminNetworkPolicy`, `external_ids:"tieracl.io/owner-name"=guard`,
		"--", "add", "Port_Group", "foreign_pg", "acls", "@acl",
	); err != nil {
		e.t.Fatal(err)
	}
	var dump string
	e.eventually("the foreign rows reach the test's NB cache", func() error {
		dump = e.foreignRows()
		return countLines(dump, 6) // 3 ACLs, 1 port group, 2 address sets
	})
	return dump
}

// countLines checks that dump has n lines.
func countLines(dump string, n int) error {
	if got := len(strings.Split(dump, "\n")); dump == "" || got != n {
		return fmt.Errorf("%d rows, want %d:\n%s", strings.Count(dump, "\n")+1, n, dump)
	}
	return nil
}
