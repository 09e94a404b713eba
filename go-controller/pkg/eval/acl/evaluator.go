// Package acl judges flows from the OVN Northbound rows tieracl generates, with OVN's ACL semantics:
// per-port stages, tiers 0-3 in order, the highest-priority match deciding within a tier, pass falling
// to the next tier, and allow when no tier decides (NB_Global default_acl_drop=false).
package acl

import (
	"fmt"
	"sort"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnmatch"
)

// Stages, in the order OVN applies them. The two from-lport stages run in the source switch's ingress
// pipeline, before and after load balancing; to-lport runs in the destination's egress pipeline.
const (
	StageFromLport        = "from-lport"
	StageFromLportAfterLB = "from-lport/after-lb"
	StageToLport          = "to-lport"
)

// MaxTier is OVN's highest ACL tier.
const MaxTier = 3

// Evaluator implements eval.Evaluator over an nbrows.State.
type Evaluator struct {
	state *nbrows.State
	sets  *ovnmatch.Sets
	// byStage[stage][port] holds the ACLs whose port group contains port, in evaluation order.
	byStage map[string]map[string][]*compiledACL
}

var _ eval.Evaluator = (*Evaluator)(nil)

// compiledACL is an ACL row with its match parsed once.
type compiledACL struct {
	row    *nbrows.ACL
	expr   ovnmatch.Expr
	stage  string
	action string // eval.StepAllow, StepDeny or StepPass
}

// New parses every ACL's match and indexes the state. It fails on anything OVN would reject or that
// leaves an ACL's meaning unclear: a bad match, an unknown $/@ name, an unknown port group, tier,
// direction or action.
func New(state *nbrows.State) (*Evaluator, error) {
	sets, err := compileSets(state)
	if err != nil {
		return nil, err
	}
	e := &Evaluator{state: state, sets: sets, byStage: map[string]map[string][]*compiledACL{
		StageFromLport: {}, StageFromLportAfterLB: {}, StageToLport: {},
	}}
	for i := range state.ACLs {
		row := &state.ACLs[i]
		c, err := compileACL(row, sets)
		if err != nil {
			return nil, fmt.Errorf("ACL %q (port group %s, %s, tier %d, priority %d): %w",
				row.Name, row.PortGroup, row.Direction, row.Tier, row.Priority, err)
		}
		for port := range sets.PortGroups[row.PortGroup].Ports() {
			e.byStage[c.stage][port] = append(e.byStage[c.stage][port], c)
		}
	}
	for _, ports := range e.byStage {
		for _, acls := range ports {
			sort.SliceStable(acls, func(i, j int) bool { return evalLess(acls[i].row, acls[j].row) })
		}
	}
	return e, nil
}

// evalLess orders ACLs as they are tried: tier up, priority down, then name so that a tie at one
// priority (which OVN leaves undefined) is broken the same way every time.
func evalLess(a, b *nbrows.ACL) bool {
	if a.Tier != b.Tier {
		return a.Tier < b.Tier
	}
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Match < b.Match
}

func compileSets(state *nbrows.State) (*ovnmatch.Sets, error) {
	sets := &ovnmatch.Sets{
		AddressSets: make(map[string]*ovnmatch.AddressSet, len(state.AddressSets)),
		PortGroups:  make(map[string]*ovnmatch.PortGroup, len(state.PortGroups)),
	}
	for _, as := range state.AddressSets {
		if _, dup := sets.AddressSets[as.Name]; dup {
			return nil, fmt.Errorf("address set %s appears twice", as.Name)
		}
		s, err := ovnmatch.NewAddressSet(as.Name, as.Addresses)
		if err != nil {
			return nil, err
		}
		sets.AddressSets[as.Name] = s
	}
	for _, pg := range state.PortGroups {
		if _, dup := sets.PortGroups[pg.Name]; dup {
			return nil, fmt.Errorf("port group %s appears twice", pg.Name)
		}
		sets.PortGroups[pg.Name] = ovnmatch.NewPortGroup(pg.Name, pg.Ports)
	}
	return sets, nil
}

func compileACL(row *nbrows.ACL, sets *ovnmatch.Sets) (*compiledACL, error) {
	if sets.PortGroups[row.PortGroup] == nil {
		return nil, fmt.Errorf("unknown port group %q", row.PortGroup)
	}
	if row.Tier < 0 || row.Tier > MaxTier {
		return nil, fmt.Errorf("tier %d is outside 0..%d", row.Tier, MaxTier)
	}
	c := &compiledACL{row: row}
	switch row.Direction {
	case nbrows.FromLport:
		c.stage = StageFromLport
		if row.Options[nbrows.OptionApplyAfterLB] == "true" {
			c.stage = StageFromLportAfterLB
		}
	case nbrows.ToLport:
		c.stage = StageToLport // OVN ignores apply-after-lb here
	default:
		return nil, fmt.Errorf("unknown direction %q", row.Direction)
	}
	switch row.Action {
	case nbrows.ActionAllow, nbrows.ActionAllowRelated, "allow-stateless":
		c.action = eval.StepAllow
	case nbrows.ActionDrop, "reject":
		c.action = eval.StepDeny
	case nbrows.ActionPass:
		c.action = eval.StepPass
	default:
		return nil, fmt.Errorf("unknown action %q", row.Action)
	}
	expr, err := ovnmatch.ParseAndCheck(row.Match, sets)
	if err != nil {
		return nil, fmt.Errorf("match %q: %w", row.Match, err)
	}
	c.expr = expr
	return c, nil
}
