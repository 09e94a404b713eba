package controller_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// Each policy kind is created, updated and deleted while a bystander policy stays: NB follows every step,
// the update rewrites the policy's ACLs, and the delete removes its rows and only its rows.
func TestPolicyCreateUpdateDelete(t *testing.T) {
	t.Parallel()
	webInA := podsIn(sel("team=a"), sel("app=web"))
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
			create: anp("guard", 10, webInA, ingress(deny, fromPods(sel("team=b"), sel()))),
			update: anp("guard", 20, podsIn(sel(), sel("app=web")), ingress(allow, fromPods(sel("team=c"), sel())),
				egress(pass, toPods(sel(), sel("app=client")))),
			bystander:   anp("other", 30, podsIn(sel("team=b"), sel()), egress(deny, toPods(sel("team=a"), sel("app=db")))),
			bystanderOf: [2]string{"AdminNetworkPolicy", "other"},
		},
		{
			name: "BaselineAdminNetworkPolicy", kind: "BaselineAdminNetworkPolicy", owner: "default",
			create: banp(webInA, anpv1alpha1.BaselineAdminNetworkPolicyRuleActionDeny, fromPods(sel("team=b"), sel())),
			update: banp(podsIn(sel(), sel("app=web")), anpv1alpha1.BaselineAdminNetworkPolicyRuleActionAllow,
				fromPods(sel("team=c"), sel("app=web"))),
			bystander:   anp("other", 30, podsIn(sel("team=b"), sel()), egress(deny, toPods(sel("team=a"), sel("app=db")))),
			bystanderOf: [2]string{"AdminNetworkPolicy", "other"},
		},
		{
			name: "ClusterNetworkPolicy", kind: "ClusterNetworkPolicy", owner: "guard",
			create:      cnp("guard", cnpv1beta1.AdminTier, 10, cnpv1beta1.ClusterNetworkPolicyRuleActionDeny),
			update:      cnp("guard", cnpv1beta1.BaselineTier, 10, cnpv1beta1.ClusterNetworkPolicyRuleActionPass),
			bystander:   anp("other", 30, podsIn(sel("team=b"), sel()), egress(deny, toPods(sel("team=a"), sel("app=db")))),
			bystanderOf: [2]string{"AdminNetworkPolicy", "other"},
		},
		{
			name: "NetworkPolicy", kind: "NetworkPolicy", owner: "a/np",
			create:      netpol("a", "np", sel("app=web"), sel("app=db")),
			update:      netpol("a", "np", sel(), sel("app=web")),
			bystander:   netpol("b", "np", sel(), sel("app=client")),
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
	guard := anp("guard", 10, podsIn(sel("team=a"), sel()), ingress(deny, fromPods(sel("team=b"), sel())))
	before := e.addForeignRows()
	e.start()
	e.synced()
	e.put(guard)
	e.synced()
	e.put(anp("guard", 10, podsIn(sel("team=a"), sel()), ingress(allow, fromPods(sel(), sel("app=web")))))
	e.put(netpol("a", "np", sel("app=web"), sel("app=db")))
	e.synced()
	e.put(relabeledPod(e.snap.Pods[2], "app=web"))
	e.synced()
	e.del(guard)
	e.synced()
	e.del(netpol("a", "np", sel()))
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
