package nbrows

import "fmt"

// MaxACLNameLength is the longest ACL name OVN logs whole (ovn-nb(5): longer names are truncated).
const MaxACLNameLength = 63

// Validate checks what the OVSDB layer relies on: rows are keyed by name, so every ACL, port group and
// address set name is unique, and every ACL's port group is in the state. A state that fails is a bug
// in its producer; committing it would leave NB different from it for good.
func (s *State) Validate() error {
	groups := map[string]bool{}
	for _, pg := range s.PortGroups {
		if groups[pg.Name] {
			return fmt.Errorf("two port groups are named %s", pg.Name)
		}
		groups[pg.Name] = true
	}
	sets := map[string]bool{}
	for _, as := range s.AddressSets {
		if sets[as.Name] {
			return fmt.Errorf("two address sets are named %s", as.Name)
		}
		sets[as.Name] = true
	}
	acls := map[string]bool{}
	for _, a := range s.ACLs {
		switch {
		case acls[a.Name]:
			return fmt.Errorf("two ACLs are named %s", a.Name)
		case a.Name == "" || len(a.Name) > MaxACLNameLength:
			return fmt.Errorf("ACL name %q is empty or longer than %d characters", a.Name, MaxACLNameLength)
		case !groups[a.PortGroup]:
			return fmt.Errorf("ACL %s hangs from port group %s, which the state does not hold", a.Name, a.PortGroup)
		}
		acls[a.Name] = true
	}
	return nil
}
