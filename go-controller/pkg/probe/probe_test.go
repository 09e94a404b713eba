package probe

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    Target
		wantErr bool
	}{
		{name: "ipv4 tcp", in: "tcp:10.244.1.2:80", want: Target{TCP, netip.MustParseAddrPort("10.244.1.2:80")}},
		{name: "ipv6 udp upper case", in: "UDP:[fd00::2]:53", want: Target{UDP, netip.MustParseAddrPort("[fd00::2]:53")}},
		{name: "sctp", in: "sctp:10.0.0.1:9000", want: Target{SCTP, netip.MustParseAddrPort("10.0.0.1:9000")}},
		{name: "unknown protocol", in: "icmp:10.0.0.1:1", wantErr: true},
		{name: "no port", in: "tcp:10.0.0.1", wantErr: true},
		{name: "no protocol", in: "10.0.0.1", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTarget(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseTarget(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Fatalf("ParseTarget(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseListen(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    Listen
		wantErr bool
	}{
		{name: "tcp", in: "tcp:80", want: Listen{TCP, 80}},
		{name: "sctp", in: "sctp:9000", want: Listen{SCTP, 9000}},
		{name: "port zero", in: "udp:0", wantErr: true},
		{name: "port too big", in: "udp:70000", wantErr: true},
		{name: "no port", in: "tcp", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseListen(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseListen(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if !tc.wantErr && (got != tc.want || got.String() != tc.in) {
				t.Fatalf("ParseListen(%q) = %v (%s), want %v", tc.in, got, got, tc.want)
			}
		})
	}
}

// freePort returns a port that nothing listens on for the protocol, on loopback.
func freePort(t *testing.T, network string) uint16 {
	t.Helper()
	switch network {
	case "tcp":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = l.Close() }() // only its port number was wanted
		return uint16(l.Addr().(*net.TCPAddr).Port)
	default:
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.Close() }() // only its port number was wanted
		return uint16(c.LocalAddr().(*net.UDPAddr).Port)
	}
}

// TestDialLoopback runs the real server and client over loopback: every outcome but a drop, which
// needs an ACL (see the bed's datapath test), plus a silent UDP socket for a timeout.
func TestDialLoopback(t *testing.T) {
	tcpPort, udpPort, sctpPort := freePort(t, "tcp"), freePort(t, "udp"), uint16(freePort(t, "tcp"))
	srv, err := NewServer("test-server", []Listen{{TCP, tcpPort}, {UDP, udpPort}, {SCTP, sctpPort}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve() }()

	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = silent.Close() }() // test cleanup; the socket only ever stayed silent
	silentPort := uint16(silent.LocalAddr().(*net.UDPAddr).Port)

	sctpUnsupportedHere := len(srv.Ready().Unsupported) == 1
	wantSCTP := Connected
	if sctpUnsupportedHere {
		wantSCTP = SCTPUnsupported
	}
	lo := netip.MustParseAddr("127.0.0.1")
	cases := []struct {
		name      string
		target    Target
		want      Outcome
		wantReply string
	}{
		{name: "tcp connects", target: Target{TCP, netip.AddrPortFrom(lo, tcpPort)}, want: Connected,
			wantReply: "test-server tcp:" + itoa(tcpPort)},
		{name: "tcp closed port is refused", target: Target{TCP, netip.AddrPortFrom(lo, freePort(t, "tcp"))}, want: Refused},
		{name: "udp connects", target: Target{UDP, netip.AddrPortFrom(lo, udpPort)}, want: Connected,
			wantReply: "test-server udp:" + itoa(udpPort)},
		{name: "udp closed port is refused", target: Target{UDP, netip.AddrPortFrom(lo, freePort(t, "udp"))}, want: Refused},
		{name: "udp silent socket times out", target: Target{UDP, netip.AddrPortFrom(lo, silentPort)}, want: TimedOut},
		{name: "sctp connects or is reported unsupported", target: Target{SCTP, netip.AddrPortFrom(lo, sctpPort)},
			want: wantSCTP},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Dial(tc.target, 300*time.Millisecond)
			if r.Outcome != tc.want {
				t.Fatalf("Dial(%s) = %+v, want outcome %s", tc.target, r, tc.want)
			}
			if tc.wantReply != "" && r.Reply != tc.wantReply {
				t.Fatalf("Dial(%s) reply %q, want %q", tc.target, r.Reply, tc.wantReply)
			}
			if r.Target != tc.target.String() {
				t.Fatalf("result target %q, want %q", r.Target, tc.target)
			}
		})
	}
}

func itoa(p uint16) string { return Listen{TCP, p}.String()[len("tcp:"):] }
