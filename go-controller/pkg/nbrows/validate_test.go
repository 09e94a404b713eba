package nbrows

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	pg := []PortGroup{{Name: "pg"}}
	acl := func(name string) ACL { return ACL{Name: name, PortGroup: "pg"} }
	tests := []struct {
		name  string
		state State
		want  string
	}{
		{"valid", State{PortGroups: pg, ACLs: []ACL{acl("a"), acl("b")}}, ""},
		{"duplicate ACL names", State{PortGroups: pg, ACLs: []ACL{acl("a"), acl("a")}}, "two ACLs are named a"},
		{"ACL name too long", State{PortGroups: pg, ACLs: []ACL{acl(strings.Repeat("x", 64))}}, "longer than 63"},
		{"ACL without a name", State{PortGroups: pg, ACLs: []ACL{acl("")}}, "empty"},
		{"ACL on a missing port group", State{ACLs: []ACL{acl("a")}}, "port group pg, which the state does not hold"},
		{"duplicate port groups", State{PortGroups: append(pg, pg...)}, "two port groups are named pg"},
		{"duplicate address sets", State{AddressSets: []AddressSet{{Name: "s"}, {Name: "s"}}},
			"two address sets are named s"},
	}
	for _, tt := range tests {
		err := tt.state.Validate()
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Validate() = %v, want %q", tt.name, err, tt.want)
		}
	}
}
