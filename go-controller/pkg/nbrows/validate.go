package nbrows

import "fmt"

// MaxACLNameLength is the longest ACL name OVN logs whole (ovn-nb(5): longer names are truncated).
const MaxACLNameLength = 63

// Validate checks what the OVSDB layer relies on: rows are keyed by name, so every ACL, port group,
// address set and meter name is unique, and every ACL's port group and meter is in the
// state. A state that fails is a bug
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
	meters := map[string]bool{}
	for _, m := range s.Meters {
		switch {
		case meters[m.Name]:
			return fmt.Errorf("two meters are named %s", m.Name)
		case m.Rate < 1 || m.Burst < 0 || m.Unit != MeterUnitPktps:
			return fmt.Errorf("meter %s: rate %d, burst %d, unit %q: want a rate of at least 1 %s",
				m.Name, m.Rate, m.Burst, m.Unit, MeterUnitPktps)
		}
		meters[m.Name] = true
	}
	acls := map[string]bool{}
	for _, a := range s.ACLs {
		switch {
		case a.Meter != "" && (!a.Log || !meters[a.Meter]):
			return fmt.Errorf("ACL %s names meter %q but does not log or the state holds no such meter",
				a.Name, a.Meter)
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
