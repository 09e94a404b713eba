package translate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnmatch"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// Rows are checked before they leave the translator: OVN silently drops an ACL whose match it cannot
// parse (or that names a port it cannot hold), so a Deny written that way lets everything through.

// checkPort rejects a port number or range OVN cannot match: numbers in 1-65535, start <= end.
func checkPort(p policy.Port) error {
	if p.Name != "" || (p.Start == 0 && p.End == 0) {
		return nil
	}
	if p.Start < 1 || p.End > 65535 || p.Start > p.End {
		return fmt.Errorf("port %s is not a valid port or range (1-65535, start <= end)", p)
	}
	return nil
}

// checkMatch parses a match as OVN would.
func checkMatch(match string) error {
	if _, err := ovnmatch.Parse(match); err != nil {
		return fmt.Errorf("generated match %q does not parse: %v", match, err)
	}
	return nil
}

// checkRuleMatch is checkMatch with a memory of match shapes that parsed (see appendMatchShape): tens of
// thousands of policies emit a few shapes of match that differ only in their port group and set names.
func (b *builder) checkRuleMatch(match string) error {
	var ok bool
	b.shape, ok = appendMatchShape(b.shape[:0], match)
	if ok && b.parsedShapes[string(b.shape)] { // a lookup by string(bytes) copies nothing
		return nil
	}
	err := checkMatch(match)
	if err == nil && ok {
		if b.parsedShapes == nil {
			b.parsedShapes = map[string]bool{}
		}
		b.parsedShapes[string(b.shape)] = true
	}
	return err
}

// appendMatchShape appends the shape of match to b: the match with the name of every $ and @ reference
// replaced by "n". The parser reads a reference's name only into the value it returns, so a match parses
// exactly when its shape does. ok is false when that cannot be told from the text alone: a string
// literal (which may hold $ or @) or a reference without a name.
func appendMatchShape(b []byte, match string) ([]byte, bool) {
	if strings.IndexByte(match, '"') >= 0 {
		return b, false
	}
	for i := 0; i < len(match); {
		c := match[i]
		b = append(b, c)
		i++
		if c != '$' && c != '@' {
			continue
		}
		if i == len(match) || !nameStart(match[i]) {
			return b, false
		}
		b = append(b, 'n')
		for i < len(match) && (nameStart(match[i]) || (match[i] >= '0' && match[i] <= '9')) {
			i++
		}
	}
	return b, true
}

// nameStart is what the match lexer accepts as the first character of a name.
func nameStart(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.'
}

// validRuleMatch is ruleMatch with the rule failing closed when its match is not valid: an Allow rule
// then matches nothing (no row), a Deny or Pass rule denies all traffic of its direction, as the API
// says for a rule that cannot be understood. r is rewritten to what is emitted.
func (b *builder) validRuleMatch(pg string, r *policy.Rule) (string, bool) {
	match, ok, err := b.ruleMatch(pg, *r)
	if err == nil {
		return match, ok
	}
	where := fmt.Sprintf("%s rule %d", strings.ToLower(string(r.Direction)), r.Index)
	if r.Name != "" {
		where += fmt.Sprintf(" %q", r.Name)
	}
	if r.Action == policy.ActionAllow {
		b.problem(policy.SeverityError, policy.ReasonFailClosed, where+": "+err.Error()+"; the rule matches no traffic")
		return "", false
	}
	b.problem(policy.SeverityError, policy.ReasonFailClosed, where+": "+err.Error()+"; the rule denies all traffic")
	*r = policy.Rule{Direction: r.Direction, Index: r.Index, Name: r.Name, Action: policy.ActionDeny, AnyPeer: true,
		AnyPort: true, FailedClosed: err.Error()}
	match, ok, err = b.ruleMatch(pg, *r)
	if err != nil { // "subject && ip" always parses; if it did not, nothing could be emitted safely
		panic(fmt.Sprintf("translate: the fail-closed match does not parse: %v", err))
	}
	return match, ok
}

// problem records a problem on the policy being emitted, once.
func (b *builder) problem(sev policy.Severity, reason, msg string) {
	pr := policy.Problem{Severity: sev, Reason: reason, Message: msg}
	if b.cur != nil && !slices.Contains(b.cur.Problems, pr) {
		b.cur.Problems = append(b.cur.Problems, pr)
	}
}

// checkNames reports ACL names that are not unique or longer than OVN logs them: the names key NB rows,
// so two rows of one name would never match the translation. It cannot happen; if it does, the policies
// involved say so and nbsync refuses to commit the state (nbrows.State.Validate).
func (b *builder) checkNames(policies []*policy.Policy) {
	var byOwner map[string]*policy.Policy // built on the first bad name
	seen := make(map[string]bool, len(b.state.ACLs))
	for _, a := range b.state.ACLs {
		bad := ""
		switch {
		case seen[a.Name]:
			bad = "two ACLs are named " + a.Name
		case len(a.Name) > nbrows.MaxACLNameLength:
			bad = fmt.Sprintf("ACL name %s is longer than %d characters", a.Name, nbrows.MaxACLNameLength)
		}
		seen[a.Name] = true
		if bad == "" {
			continue
		}
		if byOwner == nil {
			byOwner = map[string]*policy.Policy{}
			for _, p := range policies {
				byOwner[ownerIDs(p)[nbrows.KeyOwnerName]+"/"+string(p.Owner.Kind)] = p
			}
		}
		b.cur = byOwner[a.ExternalIDs[nbrows.KeyOwnerName]+"/"+a.ExternalIDs[nbrows.KeyOwnerKind]]
		b.problem(policy.SeverityError, policy.ReasonInternalError, bad+"; NB is not changed until this is fixed")
	}
}
