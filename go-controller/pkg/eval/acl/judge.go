package acl

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnmatch"
)

// Evaluate judges a flow: the source's from-lport stages when it has a logical port, the destination's
// to-lport stage when it has one.
func (e *Evaluator) Evaluate(f eval.Flow) (eval.Verdict, error) {
	v, _, err := e.judge(f)
	return v, err
}

// decided is an ACL that produced a step, kept for Explain.
type decided struct {
	side string
	step int // index into the side's Steps
	acl  *compiledACL
	hits []ovnmatch.Hit
}

func (e *Evaluator) judge(f eval.Flow) (eval.Verdict, []decided, error) {
	pkt, err := packetOf(f)
	if err != nil {
		return eval.Verdict{}, nil, fmt.Errorf("flow %s: %w", f, err)
	}
	v := eval.Verdict{Allowed: true}
	var trail []decided
	if port := f.Src.LogicalPort; port != "" {
		// OVN only knows outport after the ACL stages of the source switch's ingress pipeline.
		egress := pkt
		egress.OutPort = ""
		v.Egress, trail = e.side("Egress", port, &egress, trail, StageFromLport, StageFromLportAfterLB)
		v.Allowed = v.Allowed && v.Egress.Allowed
	}
	if port := f.Dst.LogicalPort; port != "" {
		v.Ingress, trail = e.side("Ingress", port, &pkt, trail, StageToLport)
		v.Allowed = v.Allowed && v.Ingress.Allowed
	}
	return v, trail, nil
}

// packetOf builds the first packet of a flow. inport is the source's logical port, which is what a
// to-lport ACL sees only when both pods hang off the same logical switch.
func packetOf(f eval.Flow) (ovnmatch.Packet, error) {
	src, dst := f.Src.IP.Unmap(), f.Dst.IP.Unmap()
	if !src.IsValid() || !dst.IsValid() {
		return ovnmatch.Packet{}, fmt.Errorf("source and destination need IP addresses")
	}
	if src.Is4() != dst.Is4() {
		return ovnmatch.Packet{}, fmt.Errorf("source and destination are of different IP families")
	}
	switch f.Protocol {
	case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
	default:
		return ovnmatch.Packet{}, fmt.Errorf("unsupported protocol %q", f.Protocol)
	}
	if f.Port < 0 || f.Port > 65535 {
		return ovnmatch.Packet{}, fmt.Errorf("port %d out of range", f.Port)
	}
	return ovnmatch.Packet{
		InPort: f.Src.LogicalPort, OutPort: f.Dst.LogicalPort,
		Src: src, Dst: dst, Protocol: string(f.Protocol), DstPort: int(f.Port),
	}, nil
}

// side runs stages in order; the first stage that denies ends the side, as the packet is dropped there.
func (e *Evaluator) side(name, port string, pkt *ovnmatch.Packet, trail []decided,
	stages ...string) (*eval.Decision, []decided) {
	d := &eval.Decision{Allowed: true}
	for _, stage := range stages {
		allowed := e.stage(name, stage, port, pkt, d, &trail)
		if !allowed {
			d.Allowed = false
			break
		}
	}
	return d, trail
}

// stage walks the tiers of one stage, appending a step per tier that has ACLs for the port.
func (e *Evaluator) stage(side, stage, port string, pkt *ovnmatch.Packet, d *eval.Decision, trail *[]decided) bool {
	acls := e.byStage[stage][port]
	for tier := 0; tier <= MaxTier; tier++ {
		var inTier []*compiledACL
		acls, inTier = splitTier(acls, tier)
		if len(inTier) == 0 {
			continue
		}
		winner, ties := firstMatch(inTier, pkt, e.sets)
		if winner == nil {
			d.Steps = append(d.Steps, eval.Step{Tier: tier, Action: eval.StepNoMatch, Stage: stage, RuleIndex: -1,
				Detail: fmt.Sprintf("none of %d ACLs matched", len(inTier))})
			continue
		}
		_, hits := ovnmatch.Explain(winner.expr, pkt, e.sets)
		*trail = append(*trail, decided{side: side, step: len(d.Steps), acl: winner, hits: hits})
		d.Steps = append(d.Steps, aclStep(winner, stage, detail(winner, hits, ties)))
		switch winner.action {
		case eval.StepAllow:
			return true
		case eval.StepDeny:
			return false
		}
	}
	d.Steps = append(d.Steps, eval.Step{Tier: 0, Action: eval.StepDefault, Stage: stage, RuleIndex: -1,
		Detail: "no tier decided: allowed (default_acl_drop=false)"})
	return true
}

// splitTier takes the leading ACLs of one tier off a list sorted by tier.
func splitTier(acls []*compiledACL, tier int) (rest, inTier []*compiledACL) {
	n := 0
	for n < len(acls) && acls[n].row.Tier == tier {
		n++
	}
	return acls[n:], acls[:n]
}

// firstMatch returns the highest-priority matching ACL of a tier and the names of any others that
// match at the same priority; OVN leaves that choice undefined, we take the first by name.
func firstMatch(acls []*compiledACL, pkt *ovnmatch.Packet, res ovnmatch.Resolver) (*compiledACL, []string) {
	for i, c := range acls {
		if !c.expr.Eval(pkt, res) {
			continue
		}
		var ties []string
		for _, o := range acls[i+1:] {
			if o.row.Priority != c.row.Priority {
				break
			}
			if o.expr.Eval(pkt, res) {
				ties = append(ties, o.row.Name)
			}
		}
		return c, ties
	}
	return nil, nil
}

// detail says what matched, leaving out the test of the ACL's own port group, which every candidate
// passes.
func detail(c *compiledACL, hits []ovnmatch.Hit, ties []string) string {
	var parts []string
	for _, h := range hits {
		if h.Set != "@"+c.row.PortGroup {
			parts = append(parts, h.String())
		}
	}
	if len(ties) > 0 {
		parts = append(parts, fmt.Sprintf("also matched at the same priority: %s (OVN's choice is undefined; took the "+
			"first by name)",
			strings.Join(ties, ", ")))
	}
	return strings.Join(parts, "; ")
}
