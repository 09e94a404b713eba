package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbread"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnmatch"
	"github.com/tieracl/tieracl/go-controller/pkg/render"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// selection is one way a policy selects a pod: as the subject (through its port group) or as a peer
// of one rule (through an address set the rule's ACL compares addresses with).
type selection struct {
	Pod       string `json:"pod"`
	Policy    string `json:"policy"`
	Tier      int    `json:"tier"`
	Direction string `json:"direction"` // Ingress or Egress of the policy's subject
	Role      string `json:"role"`      // subject, peer, or named-port
	Rule      string `json:"rule"`
	Table     string `json:"table"` // Port_Group or Address_Set
	Row       string `json:"row"`
	Member    string `json:"member"`         // the logical port or address the row should hold
	Live      string `json:"live,omitempty"` // with --nb: "yes" when NB holds it, "NO" when not
}

func newSelectsCommand() *cobra.Command {
	var in inputs
	var podKey, policyName, output string
	cmd := &cobra.Command{
		Use:   "selects (--pod NS/NAME | --policy KIND/NAME) [-f PATH... | --kubeconfig K] [--nb ADDR] [-o table|json|yaml]",
		Short: "Show which policies select a pod, as subject or peer, and whether NB holds it",
		Long: `selects lists, for a pod (--pod), every policy that selects it: as the subject, through the policy's
port group, or as a peer of a rule, through the address set that rule's ACL compares addresses with;
per tier and direction, with the row and member that should hold the pod. --policy lists the reverse:
every pod the policy selects. With --nb it says whether the live NB holds each member, and without
-f it then reads the objects from the cluster.`,
		Args: cobra.ArbitraryArgs,
	}
	nb := addNBFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := render.ParseFormat(output)
		if err != nil {
			return err
		}
		if (podKey == "") == (policyName == "") {
			return fmt.Errorf("give one of --pod NS/NAME and --policy KIND/NAME")
		}
		snap, portName, live, err := loadWithNB(cmd, args, &in, nb)
		if err != nil {
			return err
		}
		ix := cluster.NewIndex(snap, portName)
		if podKey != "" && ix.Pod(podKey) == nil {
			return fmt.Errorf("--pod: pod %s not found", podKey)
		}
		opts := translate.Options{PortName: portName}
		var state *nbread.NB
		if live {
			if state, err = readNB(context.Background(), nb); err != nil {
				return err
			}
			opts.Shards = translate.StateShards(state.Owned()) // NB's shard counts, as the controller's
		}
		res := translate.Translate(snap, opts)
		rows := selections(ix, &res.State, func(s selection) bool {
			return s.Pod == podKey || s.Policy == policyName
		})
		if live {
			markLive(rows, state)
		}
		return render.Value(cmd.OutOrStdout(), format, rows, func(w io.Writer) error {
			return writeSelections(w, rows, live)
		})
	}
	in.register(cmd, "manifest file or folder; default: the embedded example, or the cluster with --nb", true)
	f := cmd.Flags()
	f.StringVar(&podKey, "pod", "", "the pod: NAMESPACE/NAME")
	f.StringVar(&policyName, "policy", "", "the policy: KIND/NAME or NetworkPolicy/NAMESPACE/NAME")
	f.StringVarP(&output, "output", "o", string(render.Table), "output format: table, json or yaml")
	return cmd
}

// selections lists every (pod, policy) selection that keep accepts, in tier, policy, pod order.
func selections(ix *cluster.Index, s *nbrows.State, keep func(selection) bool) []selection {
	out := []selection{}
	byPort, byIP := map[string]*cluster.Pod{}, map[string][]*cluster.Pod{}
	for _, p := range ix.Pods() {
		if p.LogicalPort != "" {
			byPort[p.LogicalPort] = p
		}
		for _, ip := range p.IPs {
			byIP[ip.String()] = append(byIP[ip.String()], p)
		}
	}
	groups, sets := s.PortGroupByName(), s.AddressSetByName()
	subjects := map[string]bool{} // port group and direction already listed
	for _, a := range s.ACLs {
		dir := "Ingress"
		if a.Direction == nbrows.FromLport {
			dir = "Egress"
		}
		owner := render.OwnerOf(a.ExternalIDs)
		if g := groups[a.PortGroup]; g != nil && !subjects[g.Name+dir] {
			subjects[g.Name+dir] = true
			for _, port := range g.Ports {
				if p := byPort[port]; p != nil {
					add(&out, keep, selection{Pod: p.Key(), Policy: owner, Tier: a.Tier, Direction: dir, Role: "subject",
						Rule: "-", Table: "Port_Group", Row: g.Name, Member: port})
				}
			}
		}
		expr, err := ovnmatch.Parse(a.Match)
		if err != nil || a.ExternalIDs[nbrows.KeyACLRole] != nbrows.RoleRule {
			continue
		}
		names, _ := ovnmatch.References(expr)
		for _, name := range names {
			as := sets[name]
			if as == nil {
				continue
			}
			role := "peer"
			if as.ExternalIDs[nbrows.KeyOwnerKind] == nbrows.OwnerKindNamedPort {
				role = "named-port"
			}
			for _, addr := range as.Addresses {
				for _, p := range byIP[addr] {
					add(&out, keep, selection{Pod: p.Key(), Policy: owner, Tier: a.Tier, Direction: dir, Role: role,
						Rule: render.RuleOf(a.ExternalIDs), Table: "Address_Set", Row: name, Member: addr})
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b selection) int {
		if a.Tier != b.Tier {
			return a.Tier - b.Tier
		}
		return strings.Compare(a.Policy+"\x00"+a.Pod, b.Policy+"\x00"+b.Pod)
	})
	return out
}

func add(out *[]selection, keep func(selection) bool, s selection) {
	if keep(s) {
		*out = append(*out, s)
	}
}

// markLive says, for each selection, whether the live row holds its member.
func markLive(rows []selection, nb *nbread.NB) {
	groups, sets := nb.PortGroupByName(), nb.AddressSetByName()
	for i := range rows {
		r := &rows[i]
		held := false
		switch r.Table {
		case "Port_Group":
			held = groups[r.Row] != nil && slices.Contains(groups[r.Row].Ports, r.Member)
		case "Address_Set":
			held = sets[r.Row] != nil && holds(sets[r.Row].Addresses, r.Member)
		}
		r.Live = "NO"
		if held {
			r.Live = "yes"
		}
	}
}

// holds reports whether addresses hold ip, as an address or inside a CIDR.
func holds(addresses []string, ip string) bool {
	a, err := netip.ParseAddr(ip)
	for _, x := range addresses {
		if x == ip {
			return true
		}
		if p, perr := netip.ParsePrefix(x); err == nil && perr == nil && p.Contains(a) {
			return true
		}
	}
	return false
}

func writeSelections(w io.Writer, rows []selection, live bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	out := stickywriter.New(tw)
	header := "POD\tTIER\tPOLICY\tDIRECTION\tROLE\tRULE\tROW\tMEMBER"
	if live {
		header += "\tIN NB"
	}
	out.Println(header)
	for _, r := range rows {
		line := fmt.Sprintf("%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s", r.Pod, r.Tier, r.Policy, r.Direction, r.Role, r.Rule,
			r.Row, r.Member)
		if live {
			line += "\t" + r.Live
		}
		out.Println(line)
	}
	if len(rows) == 0 {
		out.Println("(no policy selects it)")
	}
	if err := out.Err(); err != nil {
		return err
	}
	return tw.Flush()
}
