package ovnbackend

import (
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// TestEdges runs flows from and to outside addresses, nodes and a host-network pod through both
// backends: the ports the bed adds for them must let the ACLs, and only they, decide.
func TestEdges(t *testing.T) {
	if testing.Short() {
		t.Skip("needs OVN 25.03 (test/ovn/fetch.sh) and root for the ovn and datapath backends; skipped under -short")
	}
	suite, err := policytest.Load("testdata/edges-test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{NameOVN, NameDatapath} {
		t.Run(name, func(t *testing.T) {
			backend := testBackend(t, name)
			results, _, err := runSuite(backend, suite)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range results {
				if !r.Pass {
					t.Error(failure(suite.Path, r))
				}
			}
			if name == NameOVN {
				checkSides(t, results)
			}
		})
	}
}

// checkSides checks what the ovn backend says about each side: only pods are judged, and a denial
// names the tier and the ACL priority that dropped the packet.
func checkSides(t *testing.T, results []policytest.Result) {
	t.Helper()
	const anp, np = "AdminNetworkPolicy/client-egress", "NetworkPolicy/b/only-outside-and-a"
	tests := []struct {
		probe             int
		egress, ingress   string // "allow", "deny", or "" when not judged
		denyTier          int
		denyStage, detail string
		denyPolicy        string
	}{
		{probe: 0, egress: "allow"},
		{probe: 1, egress: "deny", denyTier: 1, denyStage: "from-lport", detail: "198.51.100.0/24", denyPolicy: anp},
		{probe: 2, egress: "deny", denyTier: 1, denyStage: "from-lport", detail: "tcp.dst == 22", denyPolicy: anp},
		{probe: 5, ingress: "allow"},
		{probe: 6, ingress: "deny", denyTier: 2, denyStage: "to-lport", denyPolicy: np},
		{probe: 7, ingress: "deny", denyTier: 2, denyStage: "to-lport", denyPolicy: np},
		{probe: 9, egress: "allow", ingress: "allow"},
		{probe: 10},
	}
	for _, tt := range tests {
		v := results[tt.probe].Verdict
		for _, side := range []struct {
			name string
			want string
			d    *eval.Decision
		}{{"egress", tt.egress, v.Egress}, {"ingress", tt.ingress, v.Ingress}} {
			switch {
			case side.want == "" && side.d != nil:
				t.Errorf("probes[%d] %s: judged, but the end is no pod: %+v", tt.probe, side.name, side.d)
			case side.want == "":
			case side.d == nil:
				t.Errorf("probes[%d] %s: not judged", tt.probe, side.name)
			case side.d.Allowed != (side.want == "allow"):
				t.Errorf("probes[%d] %s: allowed %v, want %s", tt.probe, side.name, side.d.Allowed, side.want)
			case side.want == "deny":
				last := side.d.Steps[len(side.d.Steps)-1]
				if last.Action != eval.StepDeny || last.Tier != tt.denyTier || !strings.HasPrefix(last.Stage, tt.denyStage) ||
					last.ACLPriority <= 0 || last.ACL == "" || last.Policy != tt.denyPolicy || !strings.Contains(last.Match,
					tt.detail) || !strings.Contains(last.Detail, "acl_eval") {
					t.Errorf("probes[%d] %s: deciding step %+v, want a tier %d %s Deny by %s with %q", tt.probe, side.name,
						last, tt.denyTier, tt.denyStage, tt.denyPolicy, tt.detail)
				}
			}
		}
	}
}
