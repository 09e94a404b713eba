package zones

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
)

// maxZones is how many zones one underlay veth joins.
const maxZones = 2

// Names of the interconnect parts. The transit switch and each zone's router are named alike in every
// zone, as OVN-Kubernetes names them, since every zone has an NB of its own.
const (
	TransitSwitch = "transit"
	RouterName    = "zone-router"
	// routerClusterPort is the router's port on the pods' switch; clusterRouterPort its peer there.
	routerClusterPort = "rtr-cluster"
	clusterRouterPort = "cluster-rtr"
	// underlayBridge carries the geneve tunnels of the userspace datapath: it holds the underlay veth
	// and, on its internal port, the zone's encap IP.
	underlayBridge = "br-ul"
)

// Per-zone addresses; i is the zone's index.
func underlayIP(i int) string   { return fmt.Sprintf("172.31.0.%d", i+1) }
func underlayMAC(i int) string  { return fmt.Sprintf("02:00:ac:1f:00:%02x", i+1) }
func underlayLink(i int) string { return fmt.Sprintf("ul%d", i) }
func transitIPs(i int) []string {
	return []string{fmt.Sprintf("100.64.0.%d", i+1), fmt.Sprintf("fd64::%d", i+1)}
}
func transitMAC(i int) string { return fmt.Sprintf("0a:58:64:40:00:%02x", i+1) }
func clusterMAC(i int) string { return fmt.Sprintf("0a:58:a9:fe:00:%02x", i+1) }

// routerTransitPort is the zone's router port on the transit switch, transitRouterPort its peer there.
// They carry the zone's name: ovn-ic copies every zone's transit switch ports into the others by name.
func routerTransitPort(z *Zone) string { return "rtr-transit-" + z.Name }
func transitRouterPort(z *Zone) string { return "transit-rtr-" + z.Name }

// icSocket is the unix socket of an interconnect database ("ic-nb" or "ic-sb") in the first zone.
func (b *Bed) icSocket(db string) string { return filepath.Join(b.Zones[0].Dir, db+".sock") }

// ICNBSocket is the interconnect Northbound database's remote, where transit switches are made.
func (b *Bed) ICNBSocket() string { return "unix:" + b.icSocket("ic-nb") }

// ICSBSocket is the interconnect Southbound database's remote, where ovn-ic publishes each zone.
func (b *Bed) ICSBSocket() string { return "unix:" + b.icSocket("ic-sb") }

// ICNBCtl runs ovn-ic-nbctl against the interconnect NB.
func (b *Bed) ICNBCtl(ctx context.Context, args ...string) (string, error) {
	return b.Zones[0].Run(ctx, "ovn-ic-nbctl", append([]string{"--db=" + b.ICNBSocket()}, args...)...)
}

// ICSBCtl runs ovn-ic-sbctl against the interconnect SB.
func (b *Bed) ICSBCtl(ctx context.Context, args ...string) (string, error) {
	return b.Zones[0].Run(ctx, "ovn-ic-sbctl", append([]string{"--db=" + b.ICSBSocket()}, args...)...)
}

func (b *Bed) startInterconnect(ctx context.Context) error {
	first := b.Zones[0]
	for _, db := range []string{"ic-nb", "ic-sb"} {
		file := filepath.Join(first.Dir, db+".db")
		schema, err := first.ICSchema(db)
		if err != nil {
			return err
		}
		if _, err := first.Run(ctx, "ovsdb-tool", "create", file, schema); err != nil {
			return err
		}
		if err := first.StartProgram(ctx, "ovsdb-"+db, "ovsdb-server", []string{b.icSocket(db)},
			"--remote=punix:"+b.icSocket(db), file); err != nil {
			return err
		}
	}
	if err := b.linkUnderlay(ctx); err != nil {
		return err
	}
	for _, z := range b.Zones {
		if err := z.StartProgram(ctx, "ovn-ic", "ovn-ic", []string{z.ControlSocket("ovn-ic")},
			"--ovnnb-db="+z.NBSocket(), "--ovnsb-db="+z.SBSocket(),
			"--ic-nb-db="+b.ICNBSocket(), "--ic-sb-db="+b.ICSBSocket()); err != nil {
			return fmt.Errorf("zone %s: %w", z.Name, err)
		}
	}
	if _, err := b.ICNBCtl(ctx, "--may-exist", "ts-add", TransitSwitch); err != nil {
		return err
	}
	for _, z := range b.Zones {
		// ovn-ic makes the transit switch in every zone's NB; the zone's router joins it.
		if _, err := z.NBCtl(ctx, fmt.Sprintf("--timeout=%d", int(waitTimeout.Seconds())), "wait-until",
			"Logical_Switch", TransitSwitch); err != nil {
			return fmt.Errorf("zone %s: ovn-ic made no transit switch: %w\n%s", z.Name, err, b.Logs(10))
		}
		if err := b.addRouter(ctx, z); err != nil {
			return fmt.Errorf("zone %s: %w", z.Name, err)
		}
	}
	return b.waitInterconnected(ctx)
}

// linkUnderlay joins the zones' switch namespaces with a veth whose ends are ports of each zone's
// underlay bridge, gives each bridge the zone's encap IP, and makes each zone's chassis its interconnect
// gateway. The userspace datapath sends a tunnel's packets out of the bridge that owns the route to the
// remote encap IP, so every neighbor is set up front rather than learned from ARP.
func (b *Bed) linkUnderlay(ctx context.Context) error {
	z0, z1 := b.Zones[0], b.Zones[1]
	if _, err := z0.RunCommand(ctx, "ip", "link", "add", underlayLink(0), "netns", z0.SwitchNS(), "type", "veth",
		"peer", "name", underlayLink(1), "netns", z1.SwitchNS()); err != nil {
		return err
	}
	for i, z := range b.Zones {
		if _, err := z.VSCtl(ctx, "--timeout=20", "add-br", underlayBridge, "--", "set", "bridge", underlayBridge,
			"datapath_type=netdev", "other-config:hwaddr="+underlayMAC(i), "--", "add-port", underlayBridge,
			underlayLink(i)); err != nil {
			return err
		}
		ns := z.SwitchNS()
		for _, step := range [][]string{
			{"ip", "-n", ns, "link", "set", underlayLink(i), "up"},
			{"ip", "-n", ns, "addr", "add", underlayIP(i) + "/24", "dev", underlayBridge},
			{"ip", "-n", ns, "link", "set", underlayBridge, "up"},
		} {
			if _, err := z.RunCommand(ctx, step...); err != nil {
				return err
			}
		}
		ctl := z.ControlSocket("ovs-vswitchd")
		if err := addRoute(ctx, z, ctl, underlayIP(1-i)+"/32"); err != nil {
			return err
		}
		if _, err := z.Run(ctx, "ovs-appctl", "-t", ctl, "tnl/neigh/set", underlayBridge, underlayIP(1-i),
			underlayMAC(1-i)); err != nil {
			return err
		}
		if _, err := z.VSCtl(ctx, "set", "open_vswitch", ".", "external_ids:ovn-encap-ip="+underlayIP(i),
			"external_ids:ovn-is-interconn=true"); err != nil {
			return err
		}
	}
	return nil
}

// addRoute adds a route through the underlay bridge to ovs-vswitchd's own table. vswitchd takes the
// route's source address from the bridge, which it learns from a netlink notification some time after
// `ip addr add`; until then it answers "Error while inserting route", so that answer is retried.
func addRoute(ctx context.Context, z *Zone, ctl, prefix string) error {
	deadline := time.Now().Add(waitTimeout)
	for {
		out, err := z.Run(ctx, "ovs-appctl", "-t", ctl, "ovs/route/add", prefix, underlayBridge)
		if err == nil || !strings.Contains(err.Error()+out, "Error while inserting route") ||
			time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("ovs/route/add %s: %w (last: %v)", prefix, ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// addRouter gives the zone its router, with a port on the transit switch bound to the zone's chassis
// (the interconnect gateway), as OVN interconnect wants of a transit switch's router ports.
func (b *Bed) addRouter(ctx context.Context, z *Zone) error {
	var nets []string
	for _, ip := range transitIPs(z.index) {
		if strings.Contains(ip, ":") {
			nets = append(nets, ip+"/64")
		} else {
			nets = append(nets, ip+"/16")
		}
	}
	args := []string{"--may-exist", "lr-add", RouterName,
		"--", "--may-exist", "lrp-add", RouterName, routerTransitPort(z), transitMAC(z.index)}
	args = append(args, nets...)
	args = append(args,
		"--", "--may-exist", "lsp-add", TransitSwitch, transitRouterPort(z),
		"--", "lsp-set-type", transitRouterPort(z), "router",
		"--", "lsp-set-addresses", transitRouterPort(z), "router",
		"--", "lsp-set-options", transitRouterPort(z), "router-port="+routerTransitPort(z),
		"--", "lrp-set-gateway-chassis", routerTransitPort(z), z.Chassis(), "1",
		// The port on the pods' switch gets its networks from ApplyTopology; until then a link-local
		// placeholder, as a router port needs one.
		"--", "--may-exist", "ls-add", ovnsandbox.SwitchName,
		"--", "--may-exist", "lrp-add", RouterName, routerClusterPort, clusterMAC(z.index), "169.254.0.1/30",
		"--", "--may-exist", "lsp-add", ovnsandbox.SwitchName, clusterRouterPort,
		"--", "lsp-set-type", clusterRouterPort, "router",
		"--", "lsp-set-addresses", clusterRouterPort, "router",
		"--", "lsp-set-options", clusterRouterPort, "router-port="+routerClusterPort)
	_, err := z.NBCtl(ctx, args...)
	return err
}

// waitInterconnected waits until ovn-ic has carried every zone's router port into the others' transit
// switch as a remote port, and every zone's gateway chassis into the others' SB as a remote chassis.
func (b *Bed) waitInterconnected(ctx context.Context) error {
	timeout := fmt.Sprintf("--timeout=%d", int(waitTimeout.Seconds()))
	for _, z := range b.Zones {
		for _, other := range b.Zones {
			if other == z {
				continue
			}
			if _, err := z.SBCtl(ctx, timeout, "wait-until", "Chassis", other.Chassis(),
				"other_config:is-remote=true"); err != nil {
				return fmt.Errorf("zone %s never learned zone %s's gateway: %w\n%s", z.Name, other.Name, err, b.Logs(10))
			}
		}
		want := len(b.Zones) - 1
		if err := waitCount(ctx, func() (int, error) {
			out, err := z.NBCtl(ctx, "--bare", "--columns=name", "find", "Logical_Switch_Port", "type=remote")
			return len(strings.Fields(out)), err
		}, want); err != nil {
			return fmt.Errorf("zone %s: remote ports on the transit switch: %w\n%s", z.Name, err, b.Logs(10))
		}
	}
	return nil
}
