package ovnmatch

import (
	"net/netip"
	"testing"
)

// FuzzParse checks that parsing never panics, that a parsed match prints a canonical form that parses
// back to itself, and that binding and evaluating it never panic either.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"1", "ip4 && tcp", "!(ip4.src == 10.0.0.0/8)", `inport == {"a", @pg}`,
		"ip6.dst == {fd00::/64, $pods_v6}", "tcp.dst >= 8000 && tcp.dst <= 8100", "a && b || c",
	} {
		f.Add(s)
	}
	sets := testSets(f)
	packets := []*Packet{
		pkt("10.0.0.5", "10.0.0.7", "TCP", 8080),
		pkt("fd00::5", "fd00::7", "UDP", 53),
		{ARP: true},
		{ND: true, Src: netip.MustParseAddr("fe80::1")},
		{},
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		canon := e.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, s, err)
		}
		if again.String() != canon {
			t.Fatalf("canonical form is not stable: %q -> %q", canon, again.String())
		}
		bound := Check(e, sets) == nil
		for _, p := range packets {
			got := e.Eval(p, sets)
			ok, _ := Explain(e, p, sets)
			if ok != got {
				t.Fatalf("Explain and Eval disagree on %q", canon)
			}
			if bound && again.Eval(p, sets) != got {
				t.Fatalf("canonical form evaluates differently: %q", canon)
			}
		}
	})
}
