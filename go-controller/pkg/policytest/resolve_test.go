package policytest

import (
	"net/netip"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
)

func testIndex(t *testing.T) *cluster.Index {
	t.Helper()
	snap, err := manifest.Load("testdata/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cluster.NewIndex(snap, nil)
}

func pod(key, ip string) eval.Endpoint {
	return eval.Endpoint{IP: netip.MustParseAddr(ip), Pod: key, LogicalPort: strings.Replace(key, "/", "_", 1)}
}

func TestResolve(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		name  string
		probe Probe
		want  eval.Flow
	}{{
		name:  "pod to pod by number",
		probe: Probe{From: "gryffindor/harry", To: "slytherin/draco", Port: intstr.FromInt32(80)},
		want: eval.Flow{Src: pod("gryffindor/harry", "10.244.1.5"), Dst: pod("slytherin/draco", "10.244.2.7"),
			Protocol: "TCP", Port: 80},
	}, {
		name:  "named port of the destination pod",
		probe: Probe{From: "slytherin/draco", To: "gryffindor/harry", Port: intstr.FromString("http")},
		want: eval.Flow{Src: pod("slytherin/draco", "10.244.2.7"), Dst: pod("gryffindor/harry", "10.244.1.5"),
			Protocol: "TCP", Port: 8080},
	}, {
		name:  "named UDP port",
		probe: Probe{From: "slytherin/draco", To: "gryffindor/harry", Protocol: "UDP", Port: intstr.FromString("dns")},
		want: eval.Flow{Src: pod("slytherin/draco", "10.244.2.7"), Dst: pod("gryffindor/harry", "10.244.1.5"),
			Protocol: "UDP", Port: 53},
	}, {
		name:  "a quoted number is a number",
		probe: Probe{From: "slytherin/draco", To: "gryffindor/harry", Port: intstr.FromString("443")},
		want: eval.Flow{Src: pod("slytherin/draco", "10.244.2.7"), Dst: pod("gryffindor/harry", "10.244.1.5"),
			Protocol: "TCP", Port: 443},
	}, {
		name:  "IPv6 pod to node",
		probe: Probe{From: "gryffindor/harry", To: "node/worker", Port: intstr.FromInt32(10250), Family: IPv6},
		want: eval.Flow{Src: pod("gryffindor/harry", "fd00:10:244:1::5"),
			Dst: eval.Endpoint{IP: netip.MustParseAddr("fc00:f853:ccd:e793::3"), Node: "worker"}, Protocol: "TCP", Port: 10250},
	}, {
		name:  "host-network pod has no logical port",
		probe: Probe{From: "slytherin/kube-proxy", To: "gryffindor/harry", Port: intstr.FromInt32(8080)},
		want: eval.Flow{Src: eval.Endpoint{IP: netip.MustParseAddr("172.18.0.3"), Pod: "slytherin/kube-proxy"},
			Dst: pod("gryffindor/harry", "10.244.1.5"), Protocol: "TCP", Port: 8080},
	}, {
		name:  "outside IP",
		probe: Probe{From: "gryffindor/harry", To: "8.8.8.8", Protocol: "UDP", Port: intstr.FromInt32(53)},
		want: eval.Flow{Src: pod("gryffindor/harry", "10.244.1.5"), Dst: eval.Endpoint{IP: netip.MustParseAddr("8.8.8.8")},
			Protocol: "UDP", Port: 53},
	}, {
		name:  "an IPv6 literal sets the family",
		probe: Probe{From: "2001:db8::1", To: "gryffindor/harry", Port: intstr.FromString("http")},
		want: eval.Flow{Src: eval.Endpoint{IP: netip.MustParseAddr("2001:db8::1")},
			Dst: pod("gryffindor/harry", "fd00:10:244:1::5"), Protocol: "TCP", Port: 8080},
	}, {
		name:  "a pod's IP is that pod, and its named ports work",
		probe: Probe{From: "gryffindor/harry", To: "10.244.2.7", Port: intstr.FromString("http")},
		want: eval.Flow{Src: pod("gryffindor/harry", "10.244.1.5"), Dst: pod("slytherin/draco", "10.244.2.7"),
			Protocol: "TCP", Port: 80},
	}, {
		name:  "a node's IP is the node, not its host-network pod",
		probe: Probe{From: "172.18.0.3", To: "slytherin/draco", Port: intstr.FromInt32(80)},
		want: eval.Flow{Src: eval.Endpoint{IP: netip.MustParseAddr("172.18.0.3"), Node: "worker"},
			Dst: pod("slytherin/draco", "10.244.2.7"), Protocol: "TCP", Port: 80},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.probe
			p.Expect = ExpectAllow
			if err := p.Check(); err != nil {
				t.Fatal(err)
			}
			got, err := Resolve(ix, p)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		name  string
		probe Probe
		want  string
	}{
		{"unknown pod", Probe{From: "gryffindor/harry", To: "slytherin/x", Port: intstr.FromInt32(80)},
			"to: pod slytherin/x not found"},
		{"unknown node", Probe{From: "gryffindor/harry", To: "node/master", Port: intstr.FromInt32(80)},
			"to: node master not found"},
		{"not an endpoint", Probe{From: "harry", To: "slytherin/draco", Port: intstr.FromInt32(80)},
			`from: "harry" is not <namespace>/<pod>, node/<name> or an IP address`},
		{"pod without an IPv6 address",
			Probe{From: "slytherin/draco", To: "gryffindor/harry", Port: intstr.FromInt32(80), Family: IPv6},
			"from: pod slytherin/draco has no IPv6 address in status.podIPs"},
		{"IP of the other family", Probe{From: "gryffindor/harry", To: "10.0.0.1", Port: intstr.FromInt32(80), Family: IPv6},
			"family: 10.0.0.1 is an IPv4 address, but the probe's family is IPv6"},
		{"two IPs of different families", Probe{From: "10.0.0.1", To: "2001:db8::1", Port: intstr.FromInt32(80)},
			"to: 2001:db8::1 is an IPv6 address, but the probe's family is IPv4"},
		{"unknown named port", Probe{From: "gryffindor/harry", To: "slytherin/draco", Port: intstr.FromString("grpc")},
			`port: pod slytherin/draco has no container port named "grpc"`},
		{"named port of another protocol",
			Probe{From: "slytherin/draco", To: "gryffindor/harry", Port: intstr.FromString("dns")},
			`port: port "dns" of pod gryffindor/harry is UDP, but the probe's protocol is TCP`},
		{"named port of a node", Probe{From: "gryffindor/harry", To: "node/worker", Port: intstr.FromString("http")},
			`port: named port "http" needs a pod as the destination`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.probe
			p.Expect = ExpectDeny
			if err := p.Check(); err != nil {
				t.Fatal(err)
			}
			_, err := Resolve(ix, p)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}
