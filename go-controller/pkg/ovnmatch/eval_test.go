package ovnmatch

import (
	"net/netip"
	"strings"
	"testing"
)

func testSets(t testing.TB) *Sets {
	t.Helper()
	s := &Sets{AddressSets: map[string]*AddressSet{}, PortGroups: map[string]*PortGroup{}}
	for name, addrs := range map[string][]string{
		"pods_v4":  {"10.0.0.5", "10.0.1.0/24"},
		"pods_v6":  {"fd00::5"},
		"np":       {"10.0.0.7"},
		"hostbits": {"10.2.0.1/16"},
		"empty":    nil,
		"mixed":    {"10.0.0.1", "fd00::1"},
	} {
		as, err := NewAddressSet(name, addrs)
		if err != nil {
			t.Fatal(err)
		}
		s.AddressSets[name] = as
	}
	s.PortGroups["pg"] = NewPortGroup("pg", []string{"a", "b"})
	s.PortGroups["emptypg"] = NewPortGroup("emptypg", nil)
	return s
}

func pkt(src, dst, proto string, dport int) *Packet {
	return &Packet{InPort: "a", OutPort: "c", Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst),
		Protocol: proto, SrcPort: 33333, DstPort: dport}
}

func TestEval(t *testing.T) {
	tcp4 := pkt("10.0.0.5", "10.0.0.7", "TCP", 8080)
	udp4 := pkt("10.0.1.9", "192.168.1.3", "UDP", 5050)
	sctp4 := pkt("10.0.0.5", "10.0.0.7", "SCTP", 80)
	tcp6 := pkt("fd00::5", "fd00::7", "TCP", 80)
	arp := &Packet{InPort: "a", OutPort: "b", ARP: true}
	nd := &Packet{InPort: "a", OutPort: "b", Src: netip.MustParseAddr("fe80::1"), ND: true}
	anp := "outport == @pg && (ip4.src == {$pods_v4} || ip6.src == {$pods_v6}) && ((tcp && tcp.dst == {80, 443}) || " +
		"(udp && udp.dst >= 5000 && udp.dst <= 5100) || (ip4.dst == $np && tcp.dst == 8080))"
	except := "inport == @pg && (ip4.dst == {10.0.0.0/8, 192.168.1.0/24} && ip4.dst != {10.1.0.0/16})"
	withOut := func(p *Packet, out string) *Packet { c := *p; c.OutPort = out; return &c }
	withDst := func(p *Packet, dst string) *Packet { c := *p; c.Dst = netip.MustParseAddr(dst); return &c }

	tests := []struct {
		name  string
		match string
		pkt   *Packet
		want  bool
	}{
		{"true", "1", tcp4, true},
		{"false", "0", tcp4, false},
		{"ip on v4", "ip", tcp4, true},
		{"ip on v6", "ip", tcp6, true},
		{"ip on arp", "ip", arp, false},
		{"ip4 on v6", "ip4", tcp6, false},
		{"ip6 on nd", "ip6", nd, true},
		{"tcp on udp", "tcp", udp4, false},
		{"sctp", "sctp", sctp4, true},
		{"tcp on nd", "tcp", nd, false},
		{"arp", "arp || nd", arp, true},
		{"nd", "arp || nd", nd, true},
		{"neighbor rule misses tcp", "outport == @pg && (arp || nd)", tcp4, false},
		{"inport literal", `inport == "a"`, tcp4, true},
		{"inport set", `inport == {"x", "a"}`, tcp4, true},
		{"inport port group", "inport == @pg", tcp4, true},
		{"outport not in group", "outport == @pg", tcp4, false},
		{"empty port group", "inport == @emptypg", tcp4, false},
		{"exact address", "ip4.src == 10.0.0.5", tcp4, true},
		{"cidr contains", "ip4.src == 10.0.0.0/8", tcp4, true},
		{"cidr misses", "ip4.src == 10.1.0.0/16", tcp4, false},
		{"address set exact", "ip4.src == $pods_v4", tcp4, true},
		{"address set cidr", "ip4.src == $pods_v4", udp4, true},
		{"address set miss", "ip4.dst == $pods_v4", tcp4, false},
		{"mixed set literal hit", "ip4.dst == {$pods_v4, $np, 10.1.0.0/16}", tcp4, true},
		{"address set prefix with host bits is masked", "ip4.src == $hostbits", pkt("10.2.9.9", "1.1.1.1", "TCP", 1), true},
		{"empty set ==", "ip4.src == $empty", tcp4, false},
		{"empty set in braces ==", "ip4.src == {$empty}", tcp4, false},
		{"empty set != is true even without ip4 (OVN)", "ip4.src != $empty", tcp6, true},
		{"!= on wrong family is false", "ip4.src != {10.1.0.0/16}", tcp6, false},
		{"!= outside all", "ip4.src != {10.1.0.0/16, 10.2.0.0/16}", tcp4, true},
		{"!= inside one", "ip4.src != {10.1.0.0/16, 10.0.0.0/16}", tcp4, false},
		{"ip4 field on v6 packet", "ip4.src == 0.0.0.0/0", tcp6, false},
		{"ip6 field on v6 packet", "ip6.src == ::/0", tcp6, true},
		{"ip6 address set", "ip6.src == $pods_v6", tcp6, true},
		{"ip6 field on nd", "ip6.src == fe80::/10", nd, true},
		{"ip4 field on arp", "ip4.src == 0.0.0.0/0", arp, false},
		{"negated relation keeps prerequisite", "!(ip4.src == 10.0.0.0/8)", tcp6, false},
		{"negated relation on v4", "!(ip4.src == 10.1.0.0/16)", tcp4, true},
		{"tcp.dst on udp packet", "tcp.dst == 5050", udp4, false},
		{"udp.dst", "udp.dst == 5050", udp4, true},
		{"tcp.dst set", "tcp.dst == {80, 8080}", tcp4, true},
		{"tcp.src", "tcp.src == 33333", tcp4, true},
		{"sctp.dst", "sctp.dst == 80", sctp4, true},
		{"range inside", "tcp.dst >= 8000 && tcp.dst <= 8100", tcp4, true},
		{"range low edge", "tcp.dst >= 8080 && tcp.dst <= 8100", tcp4, true},
		{"range high edge", "tcp.dst > 8000 && tcp.dst < 8080", tcp4, false},
		{"range on udp packet", "tcp.dst >= 0 && tcp.dst <= 65535", udp4, false},
		{"negated range", "!(tcp.dst >= 8000 && tcp.dst <= 8100)", tcp4, false},
		{"negated range on udp stays false", "!(tcp.dst < 8000)", udp4, false},
		{"address ordering", "ip4.dst > 10.0.0.6", tcp4, true},
		{"named port clause", "ip4.dst == $np && tcp.dst == 8080", tcp4, true},
		{"named port clause wrong port", "ip4.dst == $np && tcp.dst == 8080", withDst(tcp4, "10.0.0.8"), false},
		{"anp named port", anp, withOut(tcp4, "b"), true},
		{"anp udp range", anp, withOut(udp4, "a"), true},
		{"anp wrong outport", anp, tcp4, false},
		{"anp v6 port 80", anp, withOut(tcp6, "b"), true},
		{"anp v6 port 81", anp, withOut(pkt("fd00::5", "fd00::7", "TCP", 81), "b"), false},
		{"except allows", except, pkt("10.0.0.5", "10.2.3.4", "TCP", 1), true},
		{"except excludes", except, pkt("10.0.0.5", "10.1.3.4", "TCP", 1), false},
		{"except second cidr", except, pkt("10.0.0.5", "192.168.1.200", "TCP", 1), true},
		{"except outside", except, pkt("10.0.0.5", "172.16.0.1", "TCP", 1), false},
		{"except v6", except, tcp6, false},
		{"inport and ip", "inport == @pg && ip", tcp4, true},
	}
	sets := testSets(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseAndCheck(tc.match, sets)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Eval(tc.pkt, sets); got != tc.want {
				t.Fatalf("Eval(%s) = %v, want %v", e, got, tc.want)
			}
			ok, _ := Explain(e, tc.pkt, sets)
			if ok != tc.want {
				t.Fatalf("Explain disagrees with Eval")
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name, match, err string
	}{
		{"known names", "outport == @pg && ip4.src == {$pods_v4, $empty} && ip6.src == $pods_v6", ""},
		{"unknown address set", "inport == @pg && ip4.dst == {10.0.0.1, $nope}", "column 18: unknown address set $nope"},
		{"unknown port group", `outport == {"a", @nope}`, "column 1: unknown port group @nope"},
		{"v6 set on v4 field", "ip4.src == $pods_v6", "has IPv6 entries but is used with ip4.src"},
		{"v4 set on v6 field", "ip6.dst == $np", "has IPv4 entries but is used with ip6.dst"},
		{"mixed set", "ip4.src == $mixed", "has IPv6 entries"},
		{"empty set fits both", "ip4.src == $empty || ip6.src == $empty", ""},
	}
	sets := testSets(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAndCheck(tc.match, sets)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

func TestExplainHits(t *testing.T) {
	sets := testSets(t)
	tests := []struct {
		name, match string
		pkt         *Packet
		want        string
	}{
		{"address set element", "ip4.src == {10.9.0.0/16, $pods_v4}", pkt("10.0.1.7", "1.1.1.1", "TCP", 1),
			"ip4.src == $pods_v4 (10.0.1.0/24)"},
		{"literal", "tcp.dst == {80, 8080}", pkt("10.0.1.7", "1.1.1.1", "TCP", 8080), "tcp.dst == 8080"},
		{"failed branch dropped", "(ip4.src == $pods_v4 && tcp.dst == 1) || udp.dst == 9",
			pkt("10.0.0.5", "1.1.1.1", "UDP", 9), "udp.dst == 9"},
		{"port group", "inport == @pg", pkt("10.0.0.5", "1.1.1.1", "UDP", 9), `inport == @pg ("a")`},
		{"none of", "ip4.dst != $np", pkt("10.0.0.5", "1.1.1.1", "UDP", 9), "ip4.dst matches none of the set"},
		{"range", "udp.dst >= 5 && udp.dst <= 10", pkt("10.0.0.5", "1.1.1.1", "UDP", 9), "udp.dst >= 5; udp.dst <= 10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseAndCheck(tc.match, sets)
			if err != nil {
				t.Fatal(err)
			}
			ok, hits := Explain(e, tc.pkt, sets)
			var parts []string
			for _, h := range hits {
				parts = append(parts, h.String())
			}
			if !ok || strings.Join(parts, "; ") != tc.want {
				t.Fatalf("Explain = %v %q, want %q", ok, parts, tc.want)
			}
		})
	}
}

func TestNewAddressSetRejectsBadEntries(t *testing.T) {
	for _, bad := range []string{"10.0.0.300", "10.0.0.0/33", "fe80::1%eth0", "x"} {
		if _, err := NewAddressSet("s", []string{bad}); err == nil {
			t.Errorf("NewAddressSet accepted %q", bad)
		}
	}
}
