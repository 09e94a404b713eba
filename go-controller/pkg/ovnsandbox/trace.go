package ovnsandbox

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// Microflow is the first packet of a connection between two of the bed's ports, as ovn-trace takes it.
type Microflow struct {
	From, To Port
	Protocol probe.Protocol
	SrcPort  uint16 // 0 means 40000
	DstPort  uint16
}

// Expression renders the microflow in OVN's match syntax, from the first IP of each port of the same
// family as From's first IP.
func (m Microflow) Expression() (string, error) {
	if len(m.From.IPs) == 0 {
		return "", fmt.Errorf("port %s has no IP", m.From.Name)
	}
	src := m.From.IPs[0]
	dst, ok := firstOfFamily(m.To.IPs, src.Is4())
	if !ok {
		return "", fmt.Errorf("port %s has no IP of the family of %s", m.To.Name, src)
	}
	ipField := "ip4"
	if src.Is6() {
		ipField = "ip6"
	}
	l4 := strings.ToLower(string(m.Protocol))
	if l4 == "" {
		return "", fmt.Errorf("microflow without protocol")
	}
	srcPort := m.SrcPort
	if srcPort == 0 {
		srcPort = 40000
	}
	return fmt.Sprintf(`inport == %q && eth.src == %s && eth.dst == %s && %s.src == %s && %s.dst == %s && ip.ttl == 64 `+
		`&& %s.src == %d && %s.dst == %d`,
		m.From.Name, m.From.MAC, m.To.MAC, ipField, src, ipField, dst, l4, srcPort, l4, m.DstPort), nil
}

// TraceResult is what ovn-trace made of a microflow.
type TraceResult struct {
	// Outputs are the logical ports the packet left the switch through.
	Outputs []string
	// Text is ovn-trace's --minimal output.
	Text string
}

// Delivered reports whether the packet reached port.
func (r TraceResult) Delivered(port string) bool {
	for _, o := range r.Outputs {
		if o == port {
			return true
		}
	}
	return false
}

var outputRE = regexp.MustCompile(`output\("([^"]+)"\);`)

// TraceFlow traces a new connection's first packet through the bed's switch. Both conntrack lookups it
// meets (from-lport, to-lport) see a new connection.
func (b *Bed) TraceFlow(ctx context.Context, m Microflow) (TraceResult, error) {
	expr, err := m.Expression()
	if err != nil {
		return TraceResult{}, err
	}
	out, err := b.Trace(ctx, "--ct=new", "--ct=new", "--minimal", SwitchName, expr)
	if err != nil {
		return TraceResult{}, err
	}
	r := TraceResult{Text: out}
	for _, match := range outputRE.FindAllStringSubmatch(out, -1) {
		r.Outputs = append(r.Outputs, match[1])
	}
	return r, nil
}

// TraceDetailed returns ovn-trace's full table-by-table output for the microflow, for failure messages.
func (b *Bed) TraceDetailed(ctx context.Context, m Microflow) (string, error) {
	expr, err := m.Expression()
	if err != nil {
		return "", err
	}
	return b.Trace(ctx, "--ct=new", "--ct=new", "--detailed", SwitchName, expr)
}

func firstOfFamily(ips []netip.Addr, want4 bool) (netip.Addr, bool) {
	for _, ip := range ips {
		if ip.Is4() == want4 {
			return ip, true
		}
	}
	return netip.Addr{}, false
}
