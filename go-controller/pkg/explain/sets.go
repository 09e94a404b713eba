package explain

import (
	"net/netip"
	"regexp"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// setReference finds "ip4.src == $name" style comparisons of an address field with an address set.
var setReference = regexp.MustCompile(`\b(ip[46])\.(src|dst)\s*(?:==|!=)\s*\$([A-Za-z0-9_.]+)`)

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
			c := SetCheck{ACL: step.ACL, Name: m[3], Field: m[1] + "." + m[2], IP: ip.String()}
			if as, ok := sets[c.Name]; ok {
				c.Exists = true
				c.Addresses = len(as.Addresses)
				c.Contains = setContains(as.Addresses, ip)
				c.Selects = as.ExternalIDs[nbrows.KeyPeer]
			}
			out = append(out, c)
		}
	}
	return out
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
