// Package probe is the test bed's traffic generator: a server that answers on TCP, UDP and SCTP ports
// inside a pod's network namespace, and a client that tries one or more connections from another and
// reports, per target, whether it connected, timed out or was refused. A flow dropped by an ACL must show
// as a timeout; a reset or a refusal means something answered.
package probe

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Protocol is TCP, UDP or SCTP, spelled as in Kubernetes.
type Protocol string

// The protocols a probe speaks.
const (
	TCP  Protocol = "TCP"
	UDP  Protocol = "UDP"
	SCTP Protocol = "SCTP"
)

func parseProtocol(s string) (Protocol, error) {
	switch p := Protocol(strings.ToUpper(s)); p {
	case TCP, UDP, SCTP:
		return p, nil
	}
	return "", fmt.Errorf("unknown protocol %q (want tcp, udp or sctp)", s)
}

// Listen is a port the server answers on, on every address of its namespace: "tcp:80".
type Listen struct {
	Protocol Protocol
	Port     uint16
}

func (l Listen) String() string {
	return strings.ToLower(string(l.Protocol)) + ":" + strconv.Itoa(int(l.Port))
}

// ParseListen parses "tcp:80".
func ParseListen(s string) (Listen, error) {
	proto, port, ok := strings.Cut(s, ":")
	if !ok {
		return Listen{}, fmt.Errorf("listen %q: want <protocol>:<port>", s)
	}
	p, err := parseProtocol(proto)
	if err != nil {
		return Listen{}, err
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return Listen{}, fmt.Errorf("listen %q: bad port", s)
	}
	return Listen{Protocol: p, Port: uint16(n)}, nil
}

// Target is one connection to try: "tcp:10.244.1.2:80", "udp:[fd00::2]:53".
type Target struct {
	Protocol Protocol
	Addr     netip.AddrPort
}

func (t Target) String() string { return strings.ToLower(string(t.Protocol)) + ":" + t.Addr.String() }

// ParseTarget parses "<protocol>:<ip>:<port>", with IPv6 addresses in brackets.
func ParseTarget(s string) (Target, error) {
	proto, addr, ok := strings.Cut(s, ":")
	if !ok {
		return Target{}, fmt.Errorf("target %q: want <protocol>:<ip>:<port>", s)
	}
	p, err := parseProtocol(proto)
	if err != nil {
		return Target{}, err
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return Target{}, fmt.Errorf("target %q: %w", s, err)
	}
	return Target{Protocol: p, Addr: ap}, nil
}

// Outcome is what one probe found.
type Outcome string

const (
	// Connected means the server's reply came back.
	Connected Outcome = "connected"
	// TimedOut means nothing came back in time; what an ACL drop looks like.
	TimedOut Outcome = "timeout"
	// Refused means a TCP RST, ICMP port unreachable or SCTP ABORT answered the first packet.
	Refused Outcome = "refused"
	// Reset means the connection was set up and then reset.
	Reset Outcome = "reset"
	// Unreachable means the source's own stack found no route or neighbor.
	Unreachable Outcome = "unreachable"
	// SCTPUnsupported means the kernel cannot open SCTP sockets here; never a pass.
	SCTPUnsupported Outcome = "sctp-unsupported"
	// Failed is anything else; Error says what.
	Failed Outcome = "error"
)

// Result is one probe's report, printed by the client as one JSON line.
type Result struct {
	Target  string        `json:"target"`
	Outcome Outcome       `json:"outcome"`
	Reply   string        `json:"reply,omitempty"` // the server's answer: "<server name> <listen>"
	Elapsed time.Duration `json:"elapsedNs"`
	Error   string        `json:"error,omitempty"`
}
