package ovnmatch

import (
	"fmt"
	"iter"
	"maps"
	"net/netip"
	"strings"
)

// Resolver looks up the named sets a match refers to; nil means the name is unknown.
type Resolver interface {
	AddressSet(name string) *AddressSet
	PortGroup(name string) *PortGroup
}

// AddressSet is an Address_Set row compiled for lookups: single addresses in a map, prefixes in a list.
type AddressSet struct {
	Name     string
	exact    map[netip.Addr]string // address -> the entry as written
	prefixes []netip.Prefix
	written  []string // prefixes as written, for Lookup to return without allocating
	entries  []string
	has4     bool
	has6     bool
}

// NewAddressSet parses an Address_Set's addresses: IPs or CIDRs.
func NewAddressSet(name string, addresses []string) (*AddressSet, error) {
	s := &AddressSet{Name: name, exact: make(map[netip.Addr]string, len(addresses)), entries: addresses}
	for _, a := range addresses {
		if strings.Contains(a, "/") {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				return nil, fmt.Errorf("address set %s: invalid prefix %q", name, a)
			}
			s.prefixes = append(s.prefixes, p.Masked()) // OVN masks host bits off too
			s.written = append(s.written, a)
			s.note(p.Addr())
			continue
		}
		ip, err := netip.ParseAddr(a)
		if err != nil || ip.Zone() != "" {
			return nil, fmt.Errorf("address set %s: invalid address %q", name, a)
		}
		s.exact[ip] = a
		s.note(ip)
	}
	return s, nil
}

func (s *AddressSet) note(a netip.Addr) {
	if a.Is4() {
		s.has4 = true
	} else {
		s.has6 = true
	}
}

// Len is the number of entries.
func (s *AddressSet) Len() int { return len(s.entries) }

// Entries are the addresses as given.
func (s *AddressSet) Entries() []string { return s.entries }

// Lookup returns the entry that contains a, if any.
func (s *AddressSet) Lookup(a netip.Addr) (string, bool) {
	if e, ok := s.exact[a]; ok {
		return e, true
	}
	for i, p := range s.prefixes {
		if p.Contains(a) {
			return s.written[i], true
		}
	}
	return "", false
}

// PortGroup is a Port_Group row: a set of logical port names.
type PortGroup struct {
	Name  string
	ports map[string]bool
}

// NewPortGroup builds a port group from its port names.
func NewPortGroup(name string, ports []string) *PortGroup {
	g := &PortGroup{Name: name, ports: make(map[string]bool, len(ports))}
	for _, p := range ports {
		g.ports[p] = true
	}
	return g
}

// Len is the number of ports.
func (g *PortGroup) Len() int { return len(g.ports) }

// Contains reports whether port is in the group.
func (g *PortGroup) Contains(port string) bool { return g.ports[port] }

// Sets is a Resolver over maps, keyed by name.
type Sets struct {
	AddressSets map[string]*AddressSet
	PortGroups  map[string]*PortGroup
}

// AddressSet returns the named Address_Set, or nil when s has none of that name.
func (s *Sets) AddressSet(name string) *AddressSet { return s.AddressSets[name] }

// PortGroup returns the named Port_Group, or nil when s has none of that name.
func (s *Sets) PortGroup(name string) *PortGroup { return s.PortGroups[name] }

// Ports iterates over the group's port names, in no particular order.
func (g *PortGroup) Ports() iter.Seq[string] { return maps.Keys(g.ports) }
