package render

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/tieracl/tieracl/go-controller/pkg/golden"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

func ids(kv ...string) map[string]string {
	m := map[string]string{nbrows.KeyManagedBy: nbrows.ManagedByValue}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// sampleState has one row of every kind the table distinguishes: named and unnamed rules, a logged
// ACL on the log meter, NetworkPolicy's neighbor and isolation rows, and a long match that must stay whole.
func sampleState() (*nbrows.State, []*policy.Policy) {
	long := "outport == @tieracl_anp_block_monitoring_15402c09 && (ip4.src == $tieracl_pods_ns_monitoring_4a165773_v4 " +
		"|| ip6.src == $tieracl_pods_ns_monitoring_4a165773_v6) && tcp && tcp.dst == {80, 443, 8080, 9090, 9091, 9092, " +
		"9093, 9094}"
	s := &nbrows.State{
		ACLs: []nbrows.ACL{
			{PortGroup: "pg_anp_block", Name: "anp:block-monitoring:in:0", Tier: 1, Priority: 32607, Direction: nbrows.ToLport,
				Match: long, Action: nbrows.ActionDrop, Log: true, Severity: "alert", Meter: "tieracl_acl_logging",
				ExternalIDs: ids(nbrows.KeyOwnerKind, "AdminNetworkPolicy", nbrows.KeyOwnerName, "block-monitoring",
					nbrows.KeyDirection, "Ingress", nbrows.KeyACLRole, nbrows.RoleRule, nbrows.KeyRuleIndex, "0",
					nbrows.KeyRuleName, "deny-ingress-from-monitoring", nbrows.KeyRuleAction, "Deny")},
			{PortGroup: "pg_anp_egress", Name: "anp:egress:eg:1", Tier: 1, Priority: 30000, Direction: nbrows.FromLport,
				Match: "inport == @pg_anp_egress && ip4.dst == 10.0.0.0/8", Action: nbrows.ActionPass,
				Options: map[string]string{nbrows.OptionApplyAfterLB: "true"},
				ExternalIDs: ids(nbrows.KeyOwnerKind, "AdminNetworkPolicy", nbrows.KeyOwnerName, "egress",
					nbrows.KeyDirection, "Egress", nbrows.KeyACLRole, nbrows.RoleRule, nbrows.KeyRuleIndex, "1",
					nbrows.KeyRuleAction, "Pass")},
			{PortGroup: "pg_np", Name: "np:tenant-a/deny-all:in:neighbor", Tier: 2, Priority: 1001, Direction: nbrows.ToLport,
				Match: "outport == @pg_np && (arp || nd)", Action: nbrows.ActionAllow,
				ExternalIDs: ids(nbrows.KeyOwnerKind, "NetworkPolicy", nbrows.KeyOwnerName, "tenant-a/deny-all",
					nbrows.KeyDirection, "Ingress", nbrows.KeyACLRole, nbrows.RoleNeighbor)},
			{PortGroup: "pg_np", Name: "np:tenant-a/deny-all:in:isolate", Tier: 2, Priority: 1000, Direction: nbrows.ToLport,
				Match: "outport == @pg_np", Action: nbrows.ActionDrop,
				ExternalIDs: ids(nbrows.KeyOwnerKind, "NetworkPolicy", nbrows.KeyOwnerName, "tenant-a/deny-all",
					nbrows.KeyDirection, "Ingress", nbrows.KeyACLRole, nbrows.RoleIsolation)},
		},
		PortGroups: []nbrows.PortGroup{
			{Name: "pg_anp_block", Ports: []string{"restricted-a_web-0", "restricted-b_web-0"},
				ExternalIDs: ids(nbrows.KeyOwnerKind, "AdminNetworkPolicy", nbrows.KeyOwnerName, "block-monitoring")},
			{Name: "pg_np", Ports: []string{},
				ExternalIDs: ids(nbrows.KeyOwnerKind, "NetworkPolicy", nbrows.KeyOwnerName, "tenant-a/deny-all")},
		},
		AddressSets: []nbrows.AddressSet{
			{Name: "tieracl_pods_ns_monitoring_4a165773_v4", Addresses: []string{"10.244.0.5", "10.244.1.5"},
				ExternalIDs: ids(nbrows.KeyOwnerKind, nbrows.OwnerKindPeerSet, nbrows.KeyIPFamily, "ipv4",
					nbrows.KeyPeer, "pods where namespace (kubernetes.io/metadata.name=monitoring) and pod (all)")},
			{Name: "tieracl_pods_ns_monitoring_4a165773_v6", Addresses: []string{},
				ExternalIDs: ids(nbrows.KeyOwnerKind, nbrows.OwnerKindPeerSet, nbrows.KeyIPFamily, "ipv6",
					nbrows.KeyPeer, "pods where namespace (kubernetes.io/metadata.name=monitoring) and pod (all)")},
		},
	}
	s.Meters = []nbrows.Meter{{Name: "tieracl_acl_logging", Unit: nbrows.MeterUnitPktps, Fair: true, Rate: 20, Burst: 20,
		ExternalIDs: ids(nbrows.KeyOwnerKind, nbrows.OwnerKindLogMeter, nbrows.KeyOwnerName, "tieracl_acl_logging")}}
	policies := []*policy.Policy{
		{Owner: policy.Owner{Kind: policy.KindANP, Name: "block-monitoring"}},
		{Owner: policy.Owner{Kind: policy.KindANP, Name: "twin"}, Problems: []policy.Problem{
			{Severity: policy.SeverityWarning, Reason: policy.ReasonPriorityConflict,
				Message: "priority 5 is also used by AdminNetworkPolicy/block-monitoring"}}},
		{Owner: policy.Owner{Kind: policy.KindBANP, Name: "other"}, Rejected: true, Problems: []policy.Problem{
			{Severity: policy.SeverityError, Reason: policy.ReasonInvalidName,
				Message: `a BaselineAdminNetworkPolicy must be named "default"`}}},
	}
	return s, policies
}

func TestStateGolden(t *testing.T) {
	state, policies := sampleState()
	tests := []struct {
		name     string
		format   Format
		policies []*policy.Policy
		golden   string
	}{
		{"table", Table, policies, "state.table.golden"},
		{"table without problems", Table, policies[:1], "state-no-problems.table.golden"},
		{"json", JSON, policies, "state.json.golden"},
		{"yaml", YAML, policies, "state.yaml.golden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := State(&out, tc.format, state, tc.policies); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", tc.golden), out.Bytes())
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr bool
	}{{"table", Table, false}, {"json", JSON, false}, {"yaml", YAML, false}, {"wide", "", true}}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
}

// The JSON and YAML forms must carry the whole state: decoding them gives back what was printed.
func TestStateRoundTrip(t *testing.T) {
	state, policies := sampleState()
	want := Document{State: *state, Problems: Problems(policies)}
	for _, format := range []Format{JSON, YAML} {
		t.Run(string(format), func(t *testing.T) {
			var out bytes.Buffer
			if err := State(&out, format, state, policies); err != nil {
				t.Fatal(err)
			}
			var got Document
			if err := yaml.UnmarshalStrict(out.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip differs:\ngot  %+v\nwant %+v", got, want)
			}
		})
	}
}
