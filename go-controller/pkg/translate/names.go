package translate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// OVN port group and address set names are referenced from matches as @name and $name, so they may hold
// only letters, digits and underscores. A readable prefix says what the row is; a hash of the exact
// identity keeps two names apart when sanitizing or truncating made their prefixes equal.

const readableMax = 40

func hash8(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

func sanitize(s string) string {
	if out, ok := sanitizeASCII(s); ok {
		return out
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if len(out) > readableMax {
		out = out[:readableMax]
	}
	return out
}

// sanitizeASCII is sanitize for text of ASCII only, byte by byte; ok is false for other text.
func sanitizeASCII(s string) (string, bool) {
	b := make([]byte, min(len(s), readableMax))
	for i := range b {
		switch c := s[i]; {
		case c >= 0x80:
			return "", false
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b[i] = c
		default:
			b[i] = '_'
		}
	}
	for i := len(b); i < len(s); i++ { // a later rune of several bytes would shift what is kept
		if s[i] >= 0x80 {
			return "", false
		}
	}
	return string(b), true
}

func kindAbbrev(k policy.Kind) string {
	switch k {
	case policy.KindANP:
		return "anp"
	case policy.KindBANP:
		return "banp"
	case policy.KindNetworkPolicy:
		return "np"
	case policy.KindCNP:
		return "cnp"
	}
	return strings.ToLower(string(k))
}

// portGroupName is the port group of one policy's subject, e.g. tieracl_anp_allow_monitoring_1a2b3c4d.
func portGroupName(o policy.Owner) string {
	name := o.Name
	if o.Namespace != "" {
		name = o.Namespace + "_" + o.Name
	}
	return "tieracl_" + kindAbbrev(o.Kind) + "_" + sanitize(name) + "_" + hash8(o.String())
}

// peerSetNames are the IPv4 and IPv6 address sets of one peer selector.
func peerSetNames(kind, readable, key string) (v4, v6 string) {
	base := "tieracl_" + kind + "_" + sanitize(readable) + "_" + hash8(key) + "_"
	return base + "v4", base + "v6"
}

// aclName is the short id OVN logs and `ovn-nbctl acl-list` shows: kind:name:direction:what, at most 63
// characters, e.g. "anp:allow-monitoring:in:0" or "np:default/web:eg:isolate". A ClusterNetworkPolicy's
// kind names its tier too, "cnp-admin" or "cnp-baseline", as one kind lives in two tiers.
func aclName(p *policy.Policy, d policy.Direction, what string) string {
	o := p.Owner
	abbrev := kindAbbrev(o.Kind)
	if o.Kind == policy.KindCNP {
		abbrev += "-" + strings.ToLower(p.Tier.String())
	}
	name := o.Name
	if o.Namespace != "" {
		name = o.Namespace + "/" + o.Name
	}
	dir := "in"
	if d == policy.Egress {
		dir = "eg"
	}
	full := abbrev + ":" + name + ":" + dir + ":" + what
	if len(full) <= nbrows.MaxACLNameLength {
		return full
	}
	suffix := fmt.Sprintf(":%s:%s", dir, what)
	prefix := abbrev + ":"
	tag := "~" + hash8(o.String())[:6]
	keep := nbrows.MaxACLNameLength - len(prefix) - len(suffix) - len(tag)
	return prefix + name[:keep] + tag + suffix
}
