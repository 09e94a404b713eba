package policy

import (
	"fmt"
	"net/netip"
	"strings"
)

// StrictSubset reports whether inner is a strict subset of outer: the same IP family, a longer prefix,
// inside outer. Host bits are ignored, as the API masks them.
func StrictSubset(inner, outer netip.Prefix) bool {
	return inner.Addr().Is4() == outer.Addr().Is4() && inner.Bits() > outer.Bits() &&
		outer.Masked().Contains(inner.Addr())
}

// warnHostBits reports every CIDR of raw whose address has bits set past its prefix length: it is
// programmed masked, which may not be what the writer meant (10.0.0.1/8 is all of 10.0.0.0/8).
func (p *Policy) warnHostBits(where string, raw []string) {
	var masked []string
	for _, r := range raw {
		pfx, err := netip.ParsePrefix(r)
		if err == nil && pfx != pfx.Masked() {
			masked = append(masked, fmt.Sprintf("%s is %s", r, pfx.Masked()))
		}
	}
	if len(masked) > 0 {
		p.Problems = append(p.Problems, Problem{SeverityWarning, ReasonCIDRHostBits,
			fmt.Sprintf("%s: CIDR with host bits, programmed masked: %s", where, strings.Join(masked, ", "))})
	}
}

func cidrStrings[T ~string](cs []T) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}
