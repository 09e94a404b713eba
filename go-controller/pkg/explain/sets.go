package explain

import (
	"net/netip"
	"regexp"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// setReference finds comparisons of an address field with address sets: "ip4.src == $name", or with a
// set of values "ip4.src == {$a, $b, 10.0.0.0/8}"; setName finds the sets' names in the latter.
var (
	setReference = regexp.MustCompile(`\b(ip[46])\.(src|dst)\s*(?:==|!=)\s*(\$[A-Za-z0-9_.]+|\{[^}]*\})`)
	setName      = regexp.MustCompile(`\$([A-Za-z0-9_.]+)`)
)

// setChecks lists, for every ACL step of a side, the address sets its match compares the flow's
// addresses with, and whether the address is in each. Comparisons of the other IP family are left
// out: they cannot match the flow.
func setChecks(f eval.Flow, d *eval.Decision, sets map[string]*nbrows.AddressSet) []SetCheck {
	if d == nil {
		return nil
	}
	family := "ip6"
	if f.Src.IP.Unmap().Is4() {
		family = "ip4"
	}
	var out []SetCheck
	for _, step := range d.Steps {
		if step.ACL == "" {
			continue
		}
		for _, m := range setReference.FindAllStringSubmatch(step.Match, -1) {
			if m[1] != family {
				continue
			}
			ip := f.Src.IP
			if m[2] == "dst" {
				ip = f.Dst.IP
			}
			seen := map[string]bool{}
			for _, n := range setName.FindAllStringSubmatch(m[3], -1) {
				c := setCheck(step.ACL, n[1], m[1]+"."+m[2], ip, sets)
				if !seen[c.Name] {
					seen[c.Name] = true
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// setCheck checks one set reference. The shards of one set are one check, named by the shard that holds
// the address (or, when none does, the shard it belongs in), with the set's name and size.
func setCheck(acl, name, field string, ip netip.Addr, sets map[string]*nbrows.AddressSet) SetCheck {
	c := SetCheck{ACL: acl, Name: name, Field: field, IP: ip.String()}
	as, ok := sets[name]
	if !ok {
		return c
	}
	c.Exists, c.Selects = true, as.ExternalIDs[nbrows.KeyPeer]
	set, _, k, sharded := translate.ShardInfo(as.ExternalIDs)
	if !sharded {
		c.Addresses, c.Contains = len(as.Addresses), setContains(as.Addresses, ip)
		return c
	}
	c.ShardOf = set
	c.Name = translate.ShardName(set, translate.ShardOf(ip.String(), k))
	for _, row := range translate.ShardRows(set, k) {
		if s, ok := sets[row]; ok {
			c.Addresses += len(s.Addresses)
			if !c.Contains && setContains(s.Addresses, ip) {
				c.Name, c.Contains = row, true
			}
		}
	}
	return c
}

// setContains reports whether ip is one of the set's addresses or in one of its CIDRs.
func setContains(addresses []string, ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, a := range addresses {
		if p, err := netip.ParsePrefix(a); err == nil {
			if p.Contains(ip) {
				return true
			}
			continue
		}
		if x, err := netip.ParseAddr(a); err == nil && x.Unmap() == ip {
			return true
		}
	}
	return false
}
