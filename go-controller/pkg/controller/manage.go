package controller

import (
	"fmt"
	"slices"
	"strings"
)

// PolicyKinds are the policy kinds the controller can program, for --manage.
var PolicyKinds = []Kind{KindCNP, KindANP, KindBANP, KindNetworkPolicy}

// ParseManage reads a comma-separated list of policy kinds, or "all". Leaving NetworkPolicy out is for
// clusters whose CNI (OVN-Kubernetes, Kube-OVN) programs tier 2 itself.
func ParseManage(s string) (map[Kind]bool, error) {
	out := map[Kind]bool{}
	if strings.TrimSpace(s) == "all" {
		for _, k := range PolicyKinds {
			out[k] = true
		}
		return out, nil
	}
	for _, word := range strings.Split(s, ",") {
		k := Kind(strings.TrimSpace(word))
		if !slices.Contains(PolicyKinds, k) {
			return nil, fmt.Errorf("unknown policy kind %q; use all or a comma-separated list of %s", k, kindList())
		}
		out[k] = true
	}
	return out, nil
}

func kindList() string {
	names := make([]string, len(PolicyKinds))
	for i, k := range PolicyKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// manages reports whether the controller programs kind: every kind when Config.Manage is nil.
func (c *Controller) manages(kind Kind) bool { return c.cfg.Manage == nil || c.cfg.Manage[kind] }
