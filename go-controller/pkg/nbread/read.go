// Package nbread reads what a live OVN Northbound database holds, for the CLI's live commands: every
// ACL, port group and address set, tieracl's own and other clients', with the switches and port groups
// that hold each ACL. It reads through the controller's monitored client (nbsync.Connect), so it sees
// exactly what the controller sees; the port groups and address sets, which that client's cache holds
// without their members, it selects from NB.
package nbread

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// ACL is one live ACL row. Its PortGroup is the first port group holding it, "" when only switches do.
type ACL struct {
	nbrows.ACL
	UUID       string   `json:"uuid"`
	Owned      bool     `json:"owned"`
	PortGroups []string `json:"portGroups,omitempty"` // every port group holding the ACL
	Switches   []string `json:"switches,omitempty"`   // every logical switch holding the ACL directly
}

// PortGroup is one live port group; Ports are logical switch port names.
type PortGroup struct {
	nbrows.PortGroup
	UUID  string `json:"uuid"`
	Owned bool   `json:"owned"`
}

// AddressSet is one live address set with its addresses.
type AddressSet struct {
	nbrows.AddressSet
	UUID  string `json:"uuid"`
	Owned bool   `json:"owned"`
}

// Switch is one logical switch and the names of its ports.
type Switch struct {
	Name  string   `json:"name"`
	UUID  string   `json:"uuid"`
	Ports []string `json:"ports"`
	acls  []string
}

// NB is a read of the whole database, rows sorted as nbrows.State sorts them.
type NB struct {
	ACLs        []ACL        `json:"acls"`
	PortGroups  []PortGroup  `json:"portGroups"`
	AddressSets []AddressSet `json:"addressSets"`
	Switches    []Switch     `json:"switches"`
	// Ports are the names of every logical switch port.
	Ports map[string]bool `json:"-"`
}

func isOwned(ids map[string]string) bool { return ids[nbrows.KeyManagedBy] == nbrows.ManagedByValue }

// Read reads NB through c, a client from nbsync.Connect.
func Read(ctx context.Context, c client.Client) (*NB, error) {
	var acls []*nbdb.ACL
	var lsps []*nbdb.LogicalSwitchPort
	if err := c.List(ctx, &acls); err != nil {
		return nil, fmt.Errorf("read ACLs: %w", err)
	}
	groups, err := nbsync.ReadPortGroups(ctx, c, false) // the cache holds them without their ports
	if err != nil {
		return nil, err
	}
	if err := c.List(ctx, &lsps); err != nil {
		return nil, fmt.Errorf("read logical switch ports: %w", err)
	}
	sets, err := nbsync.ReadAddressSets(ctx, c, false)
	if err != nil {
		return nil, err
	}
	switches, err := readSwitches(ctx, c)
	if err != nil {
		return nil, err
	}
	nb := &NB{Ports: map[string]bool{}}
	portName := map[string]string{}
	for _, p := range lsps {
		portName[p.UUID] = p.Name
		nb.Ports[p.Name] = true
	}
	holders := map[string]*ACL{}
	for _, a := range acls {
		row := ACL{UUID: a.UUID, Owned: isOwned(a.ExternalIDs), ACL: nbrows.ACL{Name: deref(a.Name), Tier: a.Tier,
			Priority: a.Priority, Direction: a.Direction, Match: a.Match, Action: a.Action, Log: a.Log,
			Severity: deref(a.Severity), Options: a.Options, ExternalIDs: a.ExternalIDs}}
		nb.ACLs = append(nb.ACLs, row)
	}
	for i := range nb.ACLs {
		holders[nb.ACLs[i].UUID] = &nb.ACLs[i]
	}
	slices.SortFunc(groups, func(a, b *nbdb.PortGroup) int { return strings.Compare(a.Name, b.Name) })
	for _, g := range groups {
		pg := PortGroup{UUID: g.UUID, Owned: isOwned(g.ExternalIDs),
			PortGroup: nbrows.PortGroup{Name: g.Name, Ports: []string{}, ExternalIDs: g.ExternalIDs}}
		for _, uuid := range g.Ports {
			pg.Ports = append(pg.Ports, nameOr(portName, uuid))
		}
		slices.Sort(pg.Ports)
		nb.PortGroups = append(nb.PortGroups, pg)
		for _, uuid := range g.ACLs {
			if a := holders[uuid]; a != nil {
				a.PortGroups = append(a.PortGroups, g.Name)
			}
		}
	}
	for i := range switches {
		sw := &switches[i]
		for j, uuid := range sw.Ports {
			sw.Ports[j] = nameOr(portName, uuid)
		}
		slices.Sort(sw.Ports)
		for _, uuid := range sw.acls {
			if a := holders[uuid]; a != nil {
				a.Switches = append(a.Switches, sw.Name)
			}
		}
	}
	nb.Switches = switches
	for i := range nb.ACLs {
		if a := &nb.ACLs[i]; len(a.PortGroups) > 0 {
			a.PortGroup = a.PortGroups[0]
		}
	}
	slices.SortStableFunc(nb.ACLs, func(a, b ACL) int {
		switch {
		case nbrows.ACLLess(&a.ACL, &b.ACL):
			return -1
		case nbrows.ACLLess(&b.ACL, &a.ACL):
			return 1
		}
		return strings.Compare(a.UUID, b.UUID)
	})
	slices.SortFunc(sets, func(a, b *nbdb.AddressSet) int { return strings.Compare(a.Name, b.Name) })
	for _, s := range sets {
		addrs := append([]string{}, s.Addresses...)
		slices.Sort(addrs)
		nb.AddressSets = append(nb.AddressSets, AddressSet{UUID: s.UUID, Owned: isOwned(s.ExternalIDs),
			AddressSet: nbrows.AddressSet{Name: s.Name, Addresses: addrs, ExternalIDs: s.ExternalIDs}})
	}
	return nb, nil
}

// Owned returns the rows tieracl owns as a desired state would hold them. An owned ACL that no owned
// port group holds keeps the first group that holds it, or none.
func (nb *NB) Owned() *nbrows.State {
	s := &nbrows.State{ACLs: []nbrows.ACL{}, PortGroups: []nbrows.PortGroup{}, AddressSets: []nbrows.AddressSet{}}
	owned := map[string]bool{}
	for _, g := range nb.PortGroups {
		if g.Owned {
			s.PortGroups = append(s.PortGroups, g.PortGroup)
			owned[g.Name] = true
		}
	}
	for _, a := range nb.ACLs {
		if !a.Owned {
			continue
		}
		row := a.ACL
		for _, g := range a.PortGroups {
			if owned[g] {
				row.PortGroup = g
				break
			}
		}
		s.ACLs = append(s.ACLs, row)
	}
	for _, as := range nb.AddressSets {
		if as.Owned {
			s.AddressSets = append(s.AddressSets, as.AddressSet)
		}
	}
	return s
}

// PortGroupByName indexes the live Port_Group rows by name; the values point into nb.PortGroups.
func (nb *NB) PortGroupByName() map[string]*PortGroup {
	m := make(map[string]*PortGroup, len(nb.PortGroups))
	for i := range nb.PortGroups {
		m[nb.PortGroups[i].Name] = &nb.PortGroups[i]
	}
	return m
}

// AddressSetByName indexes the live Address_Set rows by name; the values point into nb.AddressSets.
func (nb *NB) AddressSetByName() map[string]*AddressSet {
	m := make(map[string]*AddressSet, len(nb.AddressSets))
	for i := range nb.AddressSets {
		m[nb.AddressSets[i].Name] = &nb.AddressSets[i]
	}
	return m
}

// readSwitches selects the logical switches from NB: the controller's monitor leaves them out, and
// the CLI needs them once.
func readSwitches(ctx context.Context, c client.Client) ([]Switch, error) {
	op := ovsdb.Operation{Op: ovsdb.OperationSelect, Table: nbdb.LogicalSwitchTable, Where: []ovsdb.Condition{},
		Columns: []string{"_uuid", "name", "ports", "acls"}}
	results, err := c.Transact(ctx, op)
	if err == nil && len(results) == 1 && results[0].Error != "" {
		err = fmt.Errorf("%s: %s", results[0].Error, results[0].Details)
	}
	if err == nil && len(results) != 1 {
		err = fmt.Errorf("%d results for one operation", len(results))
	}
	if err != nil {
		return nil, fmt.Errorf("read logical switches: %w", err)
	}
	var out []Switch
	for _, row := range results[0].Rows {
		uuid, _ := row["_uuid"].(ovsdb.UUID)
		name, _ := row["name"].(string)
		out = append(out, Switch{Name: name, UUID: uuid.GoUUID, Ports: nbsync.RefsOf(row["ports"]),
			acls: nbsync.RefsOf(row["acls"])})
	}
	slices.SortFunc(out, func(a, b Switch) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// nameOr names a port by UUID; a reference to a port the cache does not hold shows as its UUID.
func nameOr(names map[string]string, uuid string) string {
	if n, ok := names[uuid]; ok {
		return n
	}
	return uuid
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
