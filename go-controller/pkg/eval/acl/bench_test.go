package acl

import (
	"fmt"
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// benchState builds a cluster-sized state: 1000 pods, 200 port groups of 25 pods, 200 address sets of
// 50 pod IPs and nAcls ACLs in the translator's shapes, spread over tiers 1-3 and both directions.
func benchState(nACLs int) *nbrows.State {
	s := &nbrows.State{}
	podIP := func(i int) string { return fmt.Sprintf("10.%d.%d.%d", 128+i/65536, (i/256)%256, i%256) }
	for g := 0; g < 200; g++ {
		pg := nbrows.PortGroup{Name: fmt.Sprintf("pg%d", g)}
		for k := 0; k < 25; k++ {
			pg.Ports = append(pg.Ports, fmt.Sprintf("lsp%d", (g*7+k*41)%1000))
		}
		as := nbrows.AddressSet{Name: fmt.Sprintf("as%d", g)}
		for k := 0; k < 50; k++ {
			as.Addresses = append(as.Addresses, podIP((g*13+k*17)%1000))
		}
		s.PortGroups = append(s.PortGroups, pg)
		s.AddressSets = append(s.AddressSets, as)
	}
	actions := []string{nbrows.ActionAllowRelated, nbrows.ActionDrop, nbrows.ActionPass}
	for i := 0; i < nACLs; i++ {
		g, peer := i%200, (i*31)%200
		dir, port := nbrows.ToLport, "outport"
		if i%2 == 1 {
			dir, port = nbrows.FromLport, "inport"
		}
		match := fmt.Sprintf("%s == @pg%d && ip4.src == {$as%d, 172.16.%d.0/24} && ((tcp && tcp.dst == {80, %d}) || (udp "+
			"&& udp.dst >= 5000 && udp.dst <= %d))",
			port, g, peer, i%256, 1000+i%5000, 5000+i%100)
		s.ACLs = append(s.ACLs, nbrows.ACL{
			Name: fmt.Sprintf("acl%d", i), PortGroup: fmt.Sprintf("pg%d", g), Direction: dir,
			Tier: 1 + i%3, Priority: 1000 + i%500, Match: match, Action: actions[i%3],
			ExternalIDs: map[string]string{nbrows.KeyOwnerKind: "AdminNetworkPolicy",
				nbrows.KeyOwnerName: fmt.Sprintf("anp%d", i/10)},
		})
	}
	return s
}

func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("acls=%d", n), func(b *testing.B) {
			ev, err := New(benchState(n))
			if err != nil {
				b.Fatal(err)
			}
			flows := make([]eval.Flow, 64)
			for i := range flows {
				src, dst := (i*97)%1000, (i*389+5)%1000
				flows[i] = eval.Flow{
					Src: eval.Endpoint{IP: netip.MustParseAddr(fmt.Sprintf("10.128.%d.%d", src/256, src%256)),
						LogicalPort: fmt.Sprintf("lsp%d", src)},
					Dst: eval.Endpoint{IP: netip.MustParseAddr(fmt.Sprintf("10.128.%d.%d", dst/256, dst%256)),
						LogicalPort: fmt.Sprintf("lsp%d", dst)},
					Protocol: corev1.ProtocolTCP, Port: 80,
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := ev.Evaluate(flows[i%len(flows)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	s := benchState(5000)
	for i := 0; i < b.N; i++ {
		if _, err := New(s); err != nil {
			b.Fatal(err)
		}
	}
}
