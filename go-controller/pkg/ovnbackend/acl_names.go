package ovnbackend

import (
	"strconv"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// nameSteps fills in which generated ACL each traced step is, and so its policy and rule: the one of the
// step's tier, priority and direction whose match northd wrapped into the logical flow's match.
func nameSteps(state *nbrows.State, d *eval.Decision) {
	if d == nil {
		return
	}
	for i := range d.Steps {
		s := &d.Steps[i]
		if s.Tier == 0 || s.Match == "" {
			continue
		}
		direction := nbrows.ToLport
		if strings.HasPrefix(s.Stage, "from-lport") {
			direction = nbrows.FromLport
		}
		for _, acl := range state.ACLs {
			if acl.Tier != s.Tier || acl.Priority != s.ACLPriority || acl.Direction != direction ||
				!strings.Contains(s.Match, "("+acl.Match+")") {
				continue
			}
			ids := acl.ExternalIDs
			s.ACL, s.Match, s.Rule = acl.Name, acl.Match, ids[nbrows.KeyRuleName]
			if kind, name := ids[nbrows.KeyOwnerKind], ids[nbrows.KeyOwnerName]; kind != "" && name != "" {
				s.Policy = kind + "/" + name
			}
			if p, err := strconv.ParseInt(ids[nbrows.KeyPriority], 10, 32); err == nil {
				s.Priority = int32(p)
			}
			if n, err := strconv.Atoi(ids[nbrows.KeyRuleIndex]); err == nil && n >= 0 {
				s.RuleIndex = n
			}
			break
		}
	}
}
