package nbdiff

import (
	"reflect"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

func ids(kind, name string) map[string]string {
	return map[string]string{nbrows.KeyManagedBy: nbrows.ManagedByValue, nbrows.KeyOwnerKind: kind,
		nbrows.KeyOwnerName: name}
}

func base() *nbrows.State {
	anp := ids("AdminNetworkPolicy", "a")
	return &nbrows.State{
		ACLs: []nbrows.ACL{
			{PortGroup: "pg_a", Name: "anp:a:in:0", Tier: 1, Priority: 100, Direction: nbrows.ToLport, Match: "m0",
				Action: "drop", ExternalIDs: anp},
			{PortGroup: "pg_a", Name: "anp:a:in:1", Tier: 1, Priority: 99, Direction: nbrows.ToLport, Match: "m1",
				Action: "pass", ExternalIDs: anp},
		},
		PortGroups: []nbrows.PortGroup{{Name: "pg_a", Ports: []string{"ns_p", "ns_q"}, ExternalIDs: anp}},
		AddressSets: []nbrows.AddressSet{{Name: "as_x", Addresses: []string{"10.0.0.1", "10.0.0.2"},
			ExternalIDs: ids("PeerSet", "x")}},
	}
}

func TestCompare(t *testing.T) {
	ports := map[string]bool{"ns_p": true, "ns_q": true}
	cases := []struct {
		name   string
		live   func(s *nbrows.State)
		ports  map[string]bool
		want   []Policy
		counts Counts
	}{
		{name: "equal", live: func(*nbrows.State) {}},
		{name: "ACL missing and one changed", live: func(s *nbrows.State) {
			s.ACLs = s.ACLs[1:]
			s.ACLs[0].Priority = 98
		}, want: []Policy{{Owner: "AdminNetworkPolicy/a", Rows: []Row{
			{Table: TableACL, Name: "anp:a:in:0", Change: Missing},
			{Table: TableACL, Name: "anp:a:in:1", Change: Changed,
				Fields: []Field{{Column: "priority", Want: "99", Have: "98"}}},
		}}}, counts: Counts{Missing: 1, Changed: 1}},
		{name: "extra and duplicate ACLs", live: func(s *nbrows.State) {
			s.ACLs = append(s.ACLs, s.ACLs[0], nbrows.ACL{Name: "anp:gone:in:0", ExternalIDs: ids("AdminNetworkPolicy", "gone")})
		}, want: []Policy{
			{Owner: "AdminNetworkPolicy/a", Rows: []Row{{Table: TableACL, Name: "anp:a:in:0", Change: Extra,
				Fields: []Field{{Column: "name", Want: "unique", Have: "duplicate"}}}}},
			{Owner: "AdminNetworkPolicy/gone", Rows: []Row{{Table: TableACL, Name: "anp:gone:in:0", Change: Extra}}},
		}, counts: Counts{Extra: 2}},
		{name: "members missing and extra", live: func(s *nbrows.State) {
			s.PortGroups[0].Ports = []string{"ns_q", "ns_stale"}
			s.AddressSets[0].Addresses = []string{"10.0.0.2", "10.0.0.9"}
		}, want: []Policy{
			{Owner: "AdminNetworkPolicy/a", Rows: []Row{{Table: TablePortGroup, Name: "pg_a", Change: Changed,
				MembersMissing: []string{"ns_p"}, MembersExtra: []string{"ns_stale"}}}},
			{Owner: "PeerSet/x", Rows: []Row{{Table: TableAddressSet, Name: "as_x", Change: Changed,
				MembersMissing: []string{"10.0.0.1"}, MembersExtra: []string{"10.0.0.9"}}}},
		}, counts: Counts{Changed: 2, MembersMissing: 2, MembersExtra: 2}},
		{name: "a member without a logical port is absent, not missing", ports: map[string]bool{"ns_q": true},
			live: func(s *nbrows.State) { s.PortGroups[0].Ports = []string{"ns_q"} },
			want: []Policy{{Owner: "AdminNetworkPolicy/a", Rows: []Row{{Table: TablePortGroup, Name: "pg_a", Change: Changed,
				PortsAbsent: []string{"ns_p"}}}}}, counts: Counts{Changed: 1, PortsAbsent: 1}},
		{name: "a set NB lacks lists its members", live: func(s *nbrows.State) { s.AddressSets = nil },
			want: []Policy{{Owner: "PeerSet/x", Rows: []Row{{Table: TableAddressSet, Name: "as_x", Change: Missing,
				MembersMissing: []string{"10.0.0.1", "10.0.0.2"}}}}}, counts: Counts{Missing: 1, MembersMissing: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			live := base()
			live.ACLs = append([]nbrows.ACL{}, live.ACLs...)
			tc.live(live)
			p := ports
			if tc.ports != nil {
				p = tc.ports
			}
			got := Compare(base(), live, p)
			want := tc.want
			if want == nil {
				want = []Policy{}
			}
			if !reflect.DeepEqual(got.Policies, want) || got.Counts != tc.counts || got.Differs != (len(want) > 0) {
				t.Errorf("Compare:\n got %+v %+v\nwant %+v %+v", got.Policies, got.Counts, want, tc.counts)
			}
		})
	}
}
