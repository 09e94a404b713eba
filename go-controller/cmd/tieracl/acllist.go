package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tieracl/tieracl/go-controller/pkg/nbread"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnmatch"
	"github.com/tieracl/tieracl/go-controller/pkg/render"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
)

// aclListing is what acl-list prints: the ACLs, in ovn-nbctl acl-list order, and the sets they use.
type aclListing struct {
	ACLs        []listedACL `json:"acls"`
	PortGroups  []usedSet   `json:"portGroups"`
	AddressSets []usedSet   `json:"addressSets"`
}

type listedACL struct {
	nbread.ACL
	Owner       string   `json:"owner"` // Kind/name, or "foreign" for rows tieracl does not own
	Rule        string   `json:"rule"`
	UsesSets    []string `json:"usesAddressSets,omitempty"`
	UsesGroups  []string `json:"usesPortGroups,omitempty"`
	MatchIssues string   `json:"matchError,omitempty"` // the match does not parse
}

type usedSet struct {
	Name    string   `json:"name"`
	Exists  bool     `json:"exists"`
	Owned   bool     `json:"owned"`
	Size    int      `json:"size"`
	Members []string `json:"members,omitempty"` // with -v
}

func newACLListCommand() *cobra.Command {
	var output, policyName, podKey string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "acl-list --nb ADDR [SWITCH] [--policy KIND/NAME] [--pod NS/NAME] [-v] [-o table|json|yaml]",
		Short: "List the live NB ACLs with the policy and rule each comes from",
		Long: `acl-list lists the ACLs of the Northbound database in ovn-nbctl acl-list order (tier, direction,
priority from high to low), each with the policy, rule index and name it comes from, its action, log
and severity, and the address sets and port groups its match uses with their sizes (-v: members).
ACLs tieracl does not own are listed as foreign, never hidden. SWITCH keeps the ACLs that apply on
that logical switch (its own and those of port groups with a port on it); --policy those of one
policy (e.g. AdminNetworkPolicy/block-monitoring, NetworkPolicy/ns/name); --pod those of the port
groups holding the pod's logical port.`,
		Args: cobra.MaximumNArgs(1),
	}
	nb := addNBFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := render.ParseFormat(output)
		if err != nil {
			return err
		}
		portName, err := nb.PortNamer()
		if err != nil {
			return err
		}
		live, err := readNB(context.Background(), nb)
		if err != nil {
			return err
		}
		keep := func(nbread.ACL) bool { return true }
		var filters []func(nbread.ACL) bool
		if len(args) == 1 {
			f, err := switchFilter(live, args[0])
			if err != nil {
				return err
			}
			filters = append(filters, f)
		}
		if policyName != "" {
			filters = append(filters, func(a nbread.ACL) bool { return render.OwnerOf(a.ExternalIDs) == policyName })
		}
		if podKey != "" {
			ns, name, ok := strings.Cut(podKey, "/")
			if !ok {
				return fmt.Errorf("--pod: want NAMESPACE/NAME, not %q", podKey)
			}
			port := portName(ns, name)
			if !live.Ports[port] {
				return fmt.Errorf("--pod: NB has no logical switch port %s for pod %s", port, podKey)
			}
			groups := groupsHolding(live, port)
			filters = append(filters, func(a nbread.ACL) bool {
				for _, g := range a.PortGroups {
					if groups[g] {
						return true
					}
				}
				return false
			})
		}
		if len(filters) > 0 {
			keep = func(a nbread.ACL) bool {
				for _, f := range filters {
					if !f(a) {
						return false
					}
				}
				return true
			}
		}
		listing := listACLs(live, keep, verbose)
		return render.Value(cmd.OutOrStdout(), format, listing, func(w io.Writer) error {
			return writeACLList(w, listing, verbose)
		})
	}
	f := cmd.Flags()
	f.StringVar(&policyName, "policy", "", "only the ACLs of this policy: KIND/NAME or NetworkPolicy/NAMESPACE/NAME")
	f.StringVar(&podKey, "pod", "", "only the ACLs of the port groups holding this pod's logical port: NAMESPACE/NAME")
	f.BoolVarP(&verbose, "verbose", "v", false, "list the members of the sets the ACLs use")
	f.StringVarP(&output, "output", "o", string(render.Table), "output format: table, json or yaml")
	return cmd
}

// switchFilter keeps the ACLs that apply on a switch: its own, and those of port groups with a port on it.
func switchFilter(live *nbread.NB, name string) (func(nbread.ACL) bool, error) {
	for _, sw := range live.Switches {
		if sw.Name != name && sw.UUID != name {
			continue
		}
		groups := map[string]bool{}
		for _, p := range sw.Ports {
			for g := range groupsHolding(live, p) {
				groups[g] = true
			}
		}
		return func(a nbread.ACL) bool {
			if slices.Contains(a.Switches, sw.Name) {
				return true
			}
			for _, g := range a.PortGroups {
				if groups[g] {
					return true
				}
			}
			return false
		}, nil
	}
	return nil, fmt.Errorf("NB has no logical switch %q", name)
}

func groupsHolding(live *nbread.NB, port string) map[string]bool {
	out := map[string]bool{}
	for _, g := range live.PortGroups {
		if slices.Contains(g.Ports, port) {
			out[g.Name] = true
		}
	}
	return out
}

func listACLs(live *nbread.NB, keep func(nbread.ACL) bool, verbose bool) *aclListing {
	l := &aclListing{ACLs: []listedACL{}, PortGroups: []usedSet{}, AddressSets: []usedSet{}}
	usedAS, usedPG := map[string]bool{}, map[string]bool{}
	for _, a := range live.ACLs {
		if !keep(a) {
			continue
		}
		row := listedACL{ACL: a, Owner: "foreign", Rule: "-"}
		if a.Owned {
			row.Owner, row.Rule = render.OwnerOf(a.ExternalIDs), render.RuleOf(a.ExternalIDs)
		}
		if e, err := ovnmatch.Parse(a.Match); err != nil {
			row.MatchIssues = err.Error()
		} else {
			row.UsesSets, row.UsesGroups = ovnmatch.References(e)
		}
		for _, s := range row.UsesSets {
			usedAS[s] = true
		}
		for _, g := range row.UsesGroups {
			usedPG[g] = true
		}
		for _, g := range a.PortGroups {
			usedPG[g] = true
		}
		l.ACLs = append(l.ACLs, row)
	}
	groups, sets := live.PortGroupByName(), live.AddressSetByName()
	for _, name := range slices.Sorted(maps.Keys(usedPG)) {
		u := usedSet{Name: name}
		if g := groups[name]; g != nil {
			u.Exists, u.Owned, u.Size = true, g.Owned, len(g.Ports)
			if verbose {
				u.Members = g.Ports
			}
		}
		l.PortGroups = append(l.PortGroups, u)
	}
	for _, name := range slices.Sorted(maps.Keys(usedAS)) {
		u := usedSet{Name: name}
		if s := sets[name]; s != nil {
			u.Exists, u.Owned, u.Size = true, s.Owned, len(s.Addresses)
			if verbose {
				u.Members = s.Addresses
			}
		}
		l.AddressSets = append(l.AddressSets, u)
	}
	return l
}

func writeACLList(w io.Writer, l *aclListing, verbose bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	out := stickywriter.New(tw)
	out.Printf("ACLS (%d)\n", len(l.ACLs))
	out.Println("TIER\tDIRECTION\tPRIORITY\tACTION\tOWNER\tRULE\tON\tMATCH")
	for _, a := range l.ACLs {
		on := append(slices.Clone(a.PortGroups), a.Switches...)
		out.Printf("%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", a.Tier, a.Direction, a.Priority, render.ActionOf(a.ACL.ACL),
			a.Owner, a.Rule, strings.Join(on, ","), a.Match)
	}
	for _, t := range []struct {
		title string
		sets  []usedSet
	}{{"PORT GROUPS", l.PortGroups}, {"ADDRESS SETS", l.AddressSets}} {
		out.Printf("\n%s USED (%d)\n", t.title, len(t.sets))
		out.Println("NAME\tSIZE\tOWNER")
		for _, s := range t.sets {
			size, owner := fmt.Sprint(s.Size), "foreign"
			if !s.Exists {
				size, owner = "-", "(not in NB)"
			} else if s.Owned {
				owner = "tieracl"
			}
			out.Printf("%s\t%s\t%s\n", s.Name, size, owner)
			if verbose && len(s.Members) > 0 {
				out.Printf("  %s\n", strings.Join(s.Members, " "))
			}
		}
	}
	if err := out.Err(); err != nil {
		return err
	}
	return tw.Flush()
}
