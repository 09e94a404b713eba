package explain

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// GroupCheck says whether a port group should hold an endpoint's logical port, and whether the live
// NB's does.
type GroupCheck struct {
	Name   string `json:"name"`
	Port   string `json:"port"`
	Should bool   `json:"should"`
	Holds  bool   `json:"holds"`
}

// RunLive is Run with the ACL evaluator judging live, the rows tieracl owns in a live NB, instead of
// the translation, so the ACL steps name the NB rows that decide. Each side also says which port
// groups should hold its endpoint and which do, and each address set check whether the translated set
// holds the address too. Live rows that do not evaluate (an ACL naming a set NB lacks) are an error
// that says so.
func RunLive(s *cluster.Snapshot, f eval.Flow, opts translate.Options, live *nbrows.State) (*Report, error) {
	if opts.Shards == nil {
		opts.Shards = translate.StateShards(live) // the controller translates from NB's shard counts
	}
	res := translate.Translate(s, opts)
	r, err := judge(s, f, live)
	if err != nil {
		return nil, fmt.Errorf("the live NB rows: %w (tieracl diff shows how they differ from the policies)", err)
	}
	r.Rows = "live NB"
	desired := res.State.AddressSetByName()
	for i := range r.Sides {
		side := &r.Sides[i]
		for j := range side.AddressSets {
			c := &side.AddressSets[j]
			should := false
			if as := desired[c.Name]; as != nil {
				ip, err := netip.ParseAddr(c.IP)
				should = err == nil && setContains(as.Addresses, ip)
			} else if c.ShardOf != "" {
				ip, err := netip.ParseAddr(c.IP)
				should = err == nil && setContains(shardAddresses(desired, c.ShardOf), ip)
			}
			c.ShouldContain = &should
		}
		port := f.Src.LogicalPort
		if side.Side == Ingress {
			port = f.Dst.LogicalPort
		}
		if port != "" {
			side.PortGroups = groupChecks(port, &res.State, live)
		}
	}
	return r, nil
}

// groupChecks lists the port groups of either state that hold port.
func groupChecks(port string, desired, live *nbrows.State) []GroupCheck {
	byName := map[string]*GroupCheck{}
	for _, st := range []struct {
		state *nbrows.State
		set   func(*GroupCheck)
	}{{desired, func(g *GroupCheck) { g.Should = true }}, {live, func(g *GroupCheck) { g.Holds = true }}} {
		for _, pg := range st.state.PortGroups {
			if !slices.Contains(pg.Ports, port) {
				continue
			}
			if byName[pg.Name] == nil {
				byName[pg.Name] = &GroupCheck{Name: pg.Name, Port: port}
			}
			st.set(byName[pg.Name])
		}
	}
	out := make([]GroupCheck, 0, len(byName))
	for _, g := range byName {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b GroupCheck) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// writeGroups prints the port group checks of a live side, flagging what NB lacks or holds too much.
func writeGroups(w *stickywriter.Writer, groups []GroupCheck) {
	if len(groups) == 0 {
		return
	}
	w.Println("  port groups (live NB):")
	w.Println("    GROUP\tPORT\tRESULT")
	for _, g := range groups {
		result := "holds it"
		switch {
		case g.Should && !g.Holds:
			result = "MISSING: the policies put the port here, NB does not hold it"
		case !g.Should && g.Holds:
			result = "EXTRA: NB holds the port, the policies do not put it here"
		}
		w.Printf("    %s\t%s\t%s\n", g.Name, g.Port, result)
	}
}

// liveSetNote says when a live set's answer differs from the translation's.
func liveSetNote(c SetCheck) string {
	switch {
	case c.ShouldContain == nil || *c.ShouldContain == c.Contains:
		return ""
	case *c.ShouldContain:
		return "  MISSING: the policies put the address in this set"
	}
	return "  EXTRA: the policies do not put the address in this set"
}

// shardAddresses are the addresses of a set of the translation, whole or in shards.
func shardAddresses(rows map[string]*nbrows.AddressSet, set string) []string {
	if as := rows[set]; as != nil {
		return as.Addresses
	}
	var out []string
	for i := 0; ; i++ {
		as := rows[translate.ShardName(set, i)]
		if as == nil {
			return out
		}
		out = append(out, as.Addresses...)
	}
}
