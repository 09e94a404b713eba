package acl

import (
	"strconv"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// aclStep describes a matched ACL, with the policy and rule it came from read off its external IDs.
func aclStep(c *compiledACL, stage, detail string) eval.Step {
	ids := c.row.ExternalIDs
	s := eval.Step{
		Tier:        c.row.Tier,
		Action:      c.action,
		Rule:        ids[nbrows.KeyRuleName],
		RuleIndex:   -1,
		Stage:       stage,
		ACL:         c.row.Name,
		ACLPriority: c.row.Priority,
		Match:       c.row.Match,
		Detail:      detail,
	}
	if kind, name := ids[nbrows.KeyOwnerKind], ids[nbrows.KeyOwnerName]; kind != "" && name != "" {
		s.Policy = kind + "/" + name
	}
	if p, err := strconv.ParseInt(ids[nbrows.KeyPriority], 10, 32); err == nil {
		s.Priority = int32(p)
	}
	if i, err := strconv.Atoi(ids[nbrows.KeyRuleIndex]); err == nil && i >= 0 {
		s.RuleIndex = i
	}
	return s
}
