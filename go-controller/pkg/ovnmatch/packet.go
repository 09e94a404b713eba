package ovnmatch

import "net/netip"

// Addr is an IP address.
type Addr = netip.Addr

// Packet is what a match is judged against: the first packet of a flow as the ACL stage sees it.
type Packet struct {
	InPort, OutPort string // logical switch port names; "" when unknown at this stage
	Src, Dst        netip.Addr
	Protocol        string // TCP, UDP or SCTP; ignored for ARP and ND packets
	SrcPort         int
	DstPort         int
	ARP             bool // an ARP packet: not IP at all
	ND              bool // an IPv6 neighbor solicitation/advertisement: IPv6, ICMPv6, no transport port
}

// family reads the IP version from the source address, or the destination when the source is unset.
func (p *Packet) family() netip.Addr {
	if p.Src.IsValid() {
		return p.Src
	}
	return p.Dst
}

func (p *Packet) isIPv4() bool { return !p.ARP && !p.ND && p.family().Is4() }

func (p *Packet) isIPv6() bool { return !p.ARP && (p.ND || p.family().Is6()) }

func (p *Packet) isL4(proto string) bool {
	return !p.ND && p.Protocol == proto && (p.isIPv4() || p.isIPv6())
}
