package controller

import (
	"context"
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// withPortIPs returns the pod with the IPs of its logical switch port when its status has none yet:
// the CNI writes them into the port before the kubelet reports them, and a peer of a Deny must be in
// the Deny's address set from its first packet. The port is trusted as the pod's status is: only the
// CNI writes NB. The tracker holds the pod so filled in, and the translation reads the same object.
func (c *Controller) withPortIPs(ctx context.Context, p *corev1.Pod) *corev1.Pod {
	if p.Spec.HostNetwork || len(cluster.PodIPs(p)) > 0 {
		return p
	}
	probe := &nbdb.LogicalSwitchPort{Name: c.portName(p.Namespace, p.Name)}
	lsp, ok := cached(c.cfg.NB, nbdb.LogicalSwitchPortTable, probe)
	if !ok {
		return p
	}
	ips := portIPs(lsp)
	if len(ips) == 0 {
		return p
	}
	out := p.DeepCopy()
	for _, ip := range ips {
		out.Status.PodIPs = append(out.Status.PodIPs, corev1.PodIP{IP: ip.String()})
	}
	return out
}

// portIPs parses a port's addresses ("MAC IP..." entries, or dynamic_addresses when addresses is
// "dynamic"); "router", "unknown" and MACs are skipped, as are prefix lengths.
func portIPs(lsp *nbdb.LogicalSwitchPort) []netip.Addr {
	entries := lsp.Addresses
	if lsp.DynamicAddresses != nil {
		entries = append(entries[:len(entries):len(entries)], *lsp.DynamicAddresses)
	}
	var out []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, e := range entries {
		for _, f := range strings.Fields(e) {
			ip, err := netip.ParseAddr(f)
			if err != nil {
				pfx, perr := netip.ParsePrefix(f)
				if perr != nil {
					continue
				}
				ip = pfx.Addr()
			}
			if !seen[ip] {
				seen[ip] = true
				out = append(out, ip)
			}
		}
	}
	return out
}
