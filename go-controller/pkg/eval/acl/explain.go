package acl

import (
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnmatch"
)

// Decider is an ACL that produced a step of a verdict (allow, deny or pass), with the rows behind it.
type Decider struct {
	Side        string // Egress or Ingress
	Step        eval.Step
	ACL         nbrows.ACL
	PortGroups  []nbrows.PortGroup  // the ACL's own port group, then those its match names
	AddressSets []nbrows.AddressSet // those its match names
	Hits        []ovnmatch.Hit      // the relations that made the match true, with the elements that matched
}

// Explain judges a flow like Evaluate and also returns, in evaluation order, the ACLs that decided
// each step and the rows they depend on.
func (e *Evaluator) Explain(f eval.Flow) (eval.Verdict, []Decider, error) {
	v, trail, err := e.judge(f)
	if err != nil {
		return v, nil, err
	}
	pgs, ass := e.state.PortGroupByName(), e.state.AddressSetByName()
	out := make([]Decider, 0, len(trail))
	for _, t := range trail {
		d := v.Egress
		if t.side == "Ingress" {
			d = v.Ingress
		}
		asNames, pgNames := ovnmatch.References(t.acl.expr)
		dec := Decider{Side: t.side, Step: d.Steps[t.step], ACL: *t.acl.row, Hits: t.hits,
			PortGroups: []nbrows.PortGroup{*pgs[t.acl.row.PortGroup]}}
		for _, n := range pgNames {
			if n != t.acl.row.PortGroup {
				dec.PortGroups = append(dec.PortGroups, *pgs[n])
			}
		}
		for _, n := range asNames {
			dec.AddressSets = append(dec.AddressSets, *ass[n])
		}
		out = append(out, dec)
	}
	return v, out, nil
}
