package ovnmatch

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"true", "1", "1"},
		{"false", "0", "0"},
		{"predicate", "ip", "ip"},
		{"all predicates", "ip4 || ip6 || tcp || udp || sctp || arp || nd", "ip4 || ip6 || tcp || udp || sctp || arp || nd"},
		{"port group", "outport == @pg", "outport == @pg"},
		{"quoted port", `inport=="a\"b\\c"`, `inport == "a\"b\\c"`},
		{"string set", `inport == {"a" "b",}`, `inport == {"a", "b"}`},
		{"cidr", "ip4.dst == 10.0.0.0/8", "ip4.dst == 10.0.0.0/8"},
		{"ipv6 canonical", "ip6.src == FD00:0:0::1", "ip6.src == fd00::1"},
		{"ipv6 prefix starting with letter", "ip6.dst == {fd00::/64, ::1}", "ip6.dst == {fd00::/64, ::1}"},
		{"single value in braces keeps braces", "ip4.src == {$a}", "ip4.src == {$a}"},
		{"mixed set", "ip4.dst == {$a, $b, 10.1.0.0/16}", "ip4.dst == {$a, $b, 10.1.0.0/16}"},
		{"host bits are masked off, as OVN does", "ip4.src == 10.0.0.1/8", "ip4.src == 10.0.0.0/8"},
		{"hex port", "tcp.dst == 0x50", "tcp.dst == 80"},
		{"range", "tcp.dst >= 8000 && tcp.dst <= 8100", "tcp.dst >= 8000 && tcp.dst <= 8100"},
		{"redundant parens", "((tcp))", "tcp"},
		{"nested same op flattens", "ip && (tcp && (udp))", "ip && tcp && udp"},
		{"other op keeps parens", "ip && (tcp || udp)", "ip && (tcp || udp)"},
		{"not pushes into relation", "!(ip4.src == 10.0.0.0/8)", "ip4.src != 10.0.0.0/8"},
		{"not of set becomes none-of", "!(ip4.src == {$a, $b})", "ip4.src != {$a, $b}"},
		{"de morgan", "!(tcp.dst == 80 && udp.dst == 53)", "tcp.dst != 80 || udp.dst != 53"},
		{"not inverts ordering", "!(tcp.dst < 1024)", "tcp.dst >= 1024"},
		{"double negation", `!(!(inport == "a"))`, `inport == "a"`},
		{"not of not-equal port", `!(inport != "a")`, `inport == "a"`},
		{"not of boolean", "!1", "0"},
		{"not of parenthesized list", "!(0 || 0)", "1 && 1"},
		{"translator anp",
			"outport == @tieracl_anp_x_1a2b3c4d && (ip4.src == {$tieracl_pods_x_v4} || ip6.src == {$tieracl_pods_x_v6}) && " +
				"((tcp && tcp.dst == {80, 443}) || (udp && udp.dst >= 5000 && udp.dst <= 5100) || (ip4.dst == " +
				"$tieracl_namedport_web_tcp_8080_v4 && tcp.dst == 8080))",
			"outport == @tieracl_anp_x_1a2b3c4d && (ip4.src == {$tieracl_pods_x_v4} || ip6.src == {$tieracl_pods_x_v6}) && " +
				"((tcp && tcp.dst == {80, 443}) || (udp && udp.dst >= 5000 && udp.dst <= 5100) || (ip4.dst == " +
				"$tieracl_namedport_web_tcp_8080_v4 && tcp.dst == 8080))"},
		{"translator except", "inport == @pg && (ip4.dst == {10.0.0.0/8, 192.168.1.0/24} && ip4.dst != {10.1.0.0/16})",
			"inport == @pg && ip4.dst == {10.0.0.0/8, 192.168.1.0/24} && ip4.dst != {10.1.0.0/16}"},
		{"translator neighbor", "outport == @pg && (arp || nd)", "outport == @pg && (arp || nd)"},
		{"translator ip", "inport == @pg && ip", "inport == @pg && ip"},
		{"whitespace", " \tip4\n&&\r\ntcp ", "ip4 && tcp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if got := e.String(); got != tc.want {
				t.Fatalf("String() = %q, want %q", got, tc.want)
			}
			again, err := Parse(e.String())
			if err != nil || again.String() != tc.want {
				t.Fatalf("canonical form does not round-trip: %v, %q", err, again)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		pos      int // byte offset the error names
		msg      string
	}{
		{"and then or", "ip && tcp || udp", 10, "&& and || must be parenthesized"},
		{"or then and", "ip || tcp && udp", 10, "&& and || must be parenthesized"},
		{"long and then or", "ip && tcp && udp || arp", 17, "&& and || must be parenthesized"},
		{"not without parens", "!tcp.dst == 80", 0, "missing parentheses around operand of !"},
		{"double bang", "!!tcp", 1, "expecting field, predicate"},
		{"not predicate", "!tcp", 1, "nominal predicate tcp"},
		{"not predicate in parens", "!(ip4.src == 1.2.3.4 || arp)", 24, "nominal predicate arp"},
		{"port not equal", `inport != "a"`, 0, "nominal field inport"},
		{"port negated equal", `!(outport == @pg)`, 2, "nominal field outport"},
		{"string ordering", `inport < "a"`, 7, "only == and != may be used with string field"},
		{"ordering with set", "tcp.dst < {80}", 8, "value sets"},
		{"ordering with prefix", "ip4.src < 10.0.0.0/8", 8, "prefixes"},
		{"ordering with address set", "ip4.src < $a", 8, "address sets"},
		{"predicate with operator", "tcp == 1", 4, "predicate tcp takes no relational operator"},
		{"unknown field", "eth.src == 1", 0, `unknown field or predicate "eth.src"`},
		{"missing operator", "tcp.dst 80", 8, "expecting relational operator"},
		{"empty literal set", "tcp.dst == {}", 12, "expecting integer"},
		{"unclosed set", "tcp.dst == {80", 14, "expecting integer"},
		{"unclosed paren", "(tcp", 4, "expecting `)'"},
		{"trailing garbage", "tcp)", 3, "expecting end of input"},
		{"empty input", "", 0, "expecting field"},
		{"ipv6 in ip4 field", "ip4.src == ::1", 11, "expecting IPv4"},
		{"ipv4 in ip6 field", "ip6.src == 10.0.0.0/8", 11, "expecting IPv6"},
		{"bad address", "ip4.src == 10.0.0.256", 11, "invalid IP address"},
		{"port too wide", "tcp.dst == 65536", 11, "does not fit 16-bit field"},
		{"address set in port field", "tcp.dst == $a", 11, "expecting integer"},
		{"port group in ip field", "ip4.src == @a", 11, "expecting IPv4"},
		{"address set in string field", "inport == $a", 10, "expecting \"port name\""},
		{"bare field", "tcp.dst", 7, "expecting relational operator"},
		{"masked integer", "tcp.dst == 0x10/0xf0", 11, "masked integers"},
		{"bad escape", `inport == "a\n"`, 12, "escapes"},
		{"unterminated string", `inport == "a`, 10, "unterminated string"},
		{"lone sigil", "ip4.src == $", 11, "expecting a name"},
		{"stray character", "tcp # udp", 4, "unexpected character"},
		{"single equals", "tcp.dst = 80", 8, "unexpected character"},
		{"integer two is not boolean", "2", 0, "expecting field"},
		{"hex one is not boolean", "0x1", 0, "expecting field"},
		{"too deep", strings.Repeat("(", 500) + "1" + strings.Repeat(")", 500), 201, "nested too deeply"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tc.in, e)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if !strings.Contains(pe.Msg, tc.msg) || pe.Pos != tc.pos {
				t.Fatalf("error = %q at %d, want %q at %d", pe.Msg, pe.Pos, tc.msg, tc.pos)
			}
			if !strings.HasPrefix(err.Error(), "column ") {
				t.Fatalf("error text %q does not name the column", err)
			}
		})
	}
}

func TestReferences(t *testing.T) {
	e, err := Parse("outport == {@b, @a} && (ip4.src == {$z, 1.2.3.4} || ip6.src == $y) && ip4.dst != $z")
	if err != nil {
		t.Fatal(err)
	}
	as, pg := References(e)
	if strings.Join(as, ",") != "y,z" || strings.Join(pg, ",") != "a,b" {
		t.Fatalf("References = %v %v", as, pg)
	}
}
