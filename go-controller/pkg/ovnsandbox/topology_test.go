package ovnsandbox

import (
	"net/netip"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

func TestMACFor(t *testing.T) {
	cases := []struct {
		name string
		ip   string
		want string
	}{
		{name: "ipv4 bytes follow 0a:58", ip: "10.244.1.6", want: "0a:58:0a:f4:01:06"},
		{name: "ipv6 uses the last four bytes", ip: "fd00:10:244:1::6", want: "0a:58:00:00:00:06"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := MACFor(netip.MustParseAddr(tc.ip)); got != tc.want {
				t.Fatalf("MACFor(%s) = %s, want %s", tc.ip, got, tc.want)
			}
		})
	}
}

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

func TestTopologyOf(t *testing.T) {
	cases := []struct {
		name      string
		snap      *cluster.Snapshot
		wantPods  map[string]Port
		wantNodes map[string]Port
		wantErr   bool
	}{
		{
			name: "pods get ports, host-network pods fold into their node",
			snap: &cluster.Snapshot{
				Nodes: []*corev1.Node{node("n1", "172.18.0.2")},
				Pods: []*corev1.Pod{
					pod("ns", "dual", "n1", "10.244.0.5", "fd00::5"),
					hostNetwork(pod("ns", "host", "n1", "172.18.0.2", "172.18.0.9")),
					pod("ns", "pending", "n1"),
				},
			},
			wantPods: map[string]Port{"ns/dual": {Name: "ns_dual", MAC: "0a:58:0a:f4:00:05",
				IPs: addrs("10.244.0.5", "fd00::5"), ExternalIDs: map[string]string{"namespace": "ns", "pod": "dual"}}},
			wantNodes: map[string]Port{"n1": {Name: "k8s-n1", MAC: "0a:58:ac:12:00:02",
				IPs: addrs("172.18.0.2", "172.18.0.9"), ExternalIDs: map[string]string{"node": "n1"}}},
		},
		{
			name:      "node without addresses gets no port",
			snap:      &cluster.Snapshot{Nodes: []*corev1.Node{node("bare")}},
			wantPods:  map[string]Port{},
			wantNodes: map[string]Port{},
		},
		{
			name:    "host-network pod on an unknown node is an error",
			snap:    &cluster.Snapshot{Pods: []*corev1.Pod{hostNetwork(pod("ns", "h", "ghost", "172.18.0.7"))}},
			wantErr: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := TopologyOf(tc.snap)
			if (err != nil) != tc.wantErr {
				t.Fatalf("TopologyOf error = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if !reflect.DeepEqual(got.Pods, tc.wantPods) {
				t.Errorf("pods = %+v\nwant %+v", got.Pods, tc.wantPods)
			}
			if !reflect.DeepEqual(got.Nodes, tc.wantNodes) {
				t.Errorf("nodes = %+v\nwant %+v", got.Nodes, tc.wantNodes)
			}
		})
	}
}

func TestMicroflowExpression(t *testing.T) {
	client := Port{Name: "alpha_client", MAC: "0a:58:0a:f4:00:05", IPs: addrs("10.244.0.5", "fd00::5")}
	server := Port{Name: "beta_server", MAC: "0a:58:0a:f4:01:06", IPs: addrs("fd00::6", "10.244.1.6")}
	cases := []struct {
		name    string
		flow    Microflow
		want    string
		wantErr bool
	}{
		{
			name: "picks the destination IP of the source's family",
			flow: Microflow{From: client, To: server, Protocol: "TCP", DstPort: 80},
			want: `inport == "alpha_client" && eth.src == 0a:58:0a:f4:00:05 && eth.dst == 0a:58:0a:f4:01:06 && ip4.src == ` +
				`10.244.0.5 && ip4.dst == 10.244.1.6 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 80`,
		},
		{
			name: "ipv6 source and udp",
			flow: Microflow{From: server, To: client, Protocol: "UDP", SrcPort: 1234, DstPort: 53},
			want: `inport == "beta_server" && eth.src == 0a:58:0a:f4:01:06 && eth.dst == 0a:58:0a:f4:00:05 && ip6.src == ` +
				`fd00::6 && ip6.dst == fd00::5 && ip.ttl == 64 && udp.src == 1234 && udp.dst == 53`,
		},
		{
			name:    "no address of the family",
			flow:    Microflow{From: client, To: Port{Name: "v6only", IPs: addrs("fd00::9")}, Protocol: "TCP", DstPort: 80},
			wantErr: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.flow.Expression()
			if (err != nil) != tc.wantErr {
				t.Fatalf("Expression error = %v, want error %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("Expression =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
