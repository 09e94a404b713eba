package zones

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// Placement says which zone each node is in; a pod is in its node's zone, as in OVN-Kubernetes, where
// each node is a zone.
type Placement map[string]int

// Spread places the snapshot's nodes, sorted by name, round robin over n zones.
func Spread(snap *cluster.Snapshot, n int) Placement {
	var names []string
	for _, node := range snap.Nodes {
		names = append(names, node.Name)
	}
	for _, p := range snap.Pods {
		if p.Spec.NodeName != "" && !slices.Contains(names, p.Spec.NodeName) {
			names = append(names, p.Spec.NodeName)
		}
	}
	sort.Strings(names)
	out := Placement{}
	for i, name := range names {
		out[name] = i % n
	}
	return out
}

// nodesIn counts the nodes placed in zone.
func (p Placement) nodesIn(zone int) int {
	n := 0
	for _, z := range p {
		if z == zone {
			n++
		}
	}
	return n
}

// ZoneOfPod is the zone of the pod's node; a pod without a node is in the first zone.
func (p Placement) ZoneOfPod(pod *corev1.Pod) int { return p[pod.Spec.NodeName] }

// Split is the part of the snapshot in each zone: its nodes and the pods on them. Policies, namespaces
// and the rest are in every part, as every zone's controller sees the whole cluster.
func (p Placement) Split(snap *cluster.Snapshot, zones int) []*cluster.Snapshot {
	out := make([]*cluster.Snapshot, zones)
	for i := range out {
		part := *snap
		part.Nodes, part.Pods = nil, nil
		out[i] = &part
	}
	for _, n := range snap.Nodes {
		out[p[n.Name]].Nodes = append(out[p[n.Name]].Nodes, n)
	}
	for _, pod := range snap.Pods {
		i := p.ZoneOfPod(pod)
		out[i].Pods = append(out[i].Pods, pod)
	}
	return out
}

// ApplyTopology writes each zone's ports (ovnsandbox.Bed.ApplyTopology on its part of the snapshot) and
// routes between the zones: each zone's router reaches every remote address through the transit
// switch, and answers ARP and ND for them on the pods' switch, whose endpoints use on-link routes. It
// only adds, as ovnsandbox.Bed.ApplyTopology does.
func (b *Bed) ApplyTopology(ctx context.Context, snap *cluster.Snapshot, place Placement) error {
	for i, part := range place.Split(snap, len(b.Zones)) {
		if _, err := b.Zones[i].ApplyTopology(ctx, part); err != nil {
			return fmt.Errorf("zone %s: %w", b.Zones[i].Name, err)
		}
	}
	local := make([][]netip.Addr, len(b.Zones))
	for i, z := range b.Zones {
		for _, port := range z.Topology().Ports() {
			local[i] = append(local[i], port.IPs...)
		}
	}
	for _, z := range b.Zones {
		if err := b.route(ctx, z, local); err != nil {
			return fmt.Errorf("zone %s: %w", z.Name, err)
		}
	}
	return nil
}

// route writes the zone's router port on the pods' switch, with an address in every /24 (IPv4) or /64
// (IPv6) of a local endpoint so the router reaches them as connected, and a /32 or /128 static route
// through the transit switch for every remote address, which beats the connected prefix it may share.
func (b *Bed) route(ctx context.Context, z *Zone, local [][]netip.Addr) error {
	var remote []netip.Addr
	var via []string
	for j, ips := range local {
		if j == z.index {
			continue
		}
		for _, ip := range ips {
			remote = append(remote, ip)
			via = append(via, nextHop(j, ip))
		}
	}
	nets, err := connectedNetworks(local[z.index], slices.Concat(local...))
	if err != nil {
		return err
	}
	if len(nets) == 0 {
		return nil // nothing local to route to yet
	}
	args := []string{"set", "Logical_Router_Port", routerClusterPort, "networks=" + quoteSet(nets),
		"--", "lsp-set-options", clusterRouterPort, "router-port=" + routerClusterPort}
	if len(remote) > 0 {
		var proxied []string
		for _, ip := range remote {
			proxied = append(proxied, ip.String())
		}
		args = append(args, "arp_proxy="+strings.Join(proxied, " "))
	}
	for i, ip := range remote {
		args = append(args, "--", "--may-exist", "lr-route-add", RouterName,
			netip.PrefixFrom(ip, ip.BitLen()).String(), via[i])
	}
	if _, err := z.NBCtl(ctx, args...); err != nil {
		return err
	}
	return z.WaitNorthd(ctx)
}

// nextHop is zone j's transit address of ip's family.
func nextHop(j int, ip netip.Addr) string {
	ips := transitIPs(j)
	if ip.Is4() {
		return ips[0]
	}
	return ips[1]
}

// connectedNetworks returns, for each /24 or /64 holding a local address, the router's address in it:
// the highest one no endpoint of any zone uses.
func connectedNetworks(local, all []netip.Addr) ([]string, error) {
	var out []string
	seen := map[netip.Prefix]bool{}
	for _, ip := range local {
		bits := 24
		if ip.Is6() {
			bits = 64
		}
		pfx, err := ip.Prefix(bits)
		if err != nil {
			return nil, err
		}
		if seen[pfx] {
			continue
		}
		seen[pfx] = true
		gw, ok := freeTop(pfx, all)
		if !ok {
			return nil, fmt.Errorf("no free address for the router in %s", pfx)
		}
		out = append(out, netip.PrefixFrom(gw, bits).String())
	}
	sort.Strings(out)
	return out, nil
}

// freeTop is the highest address of pfx, broadcast excluded, that is not in used.
func freeTop(pfx netip.Prefix, used []netip.Addr) (netip.Addr, bool) {
	a := pfx.Addr().As16()
	// Set the host bits, then step down from the broadcast address.
	for i := pfx.Bits() + (128 - pfx.Addr().BitLen()); i < 128; i++ {
		a[i/8] |= 1 << (7 - i%8)
	}
	top := netip.AddrFrom16(a)
	if pfx.Addr().Is4() {
		top = top.Unmap()
	}
	for ip, n := top.Prev(), 0; pfx.Contains(ip) && n < 256; ip, n = ip.Prev(), n+1 {
		if !slices.Contains(used, ip) {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

func quoteSet(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// waitCount polls count until it returns want, for waitTimeout.
func waitCount(ctx context.Context, count func() (int, error), want int) error {
	deadline := time.Now().Add(waitTimeout)
	for {
		n, err := count()
		if err != nil {
			return err
		}
		if n == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("have %d, want %d after %v", n, want, waitTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
