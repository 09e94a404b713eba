package ovnbackend

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// TestEndpointLookup checks which port each kind of flow end uses: pods their own, nodes and
// host-network pods their node's, and addresses the cluster does not hold a stand-in outside port.
func TestEndpointLookup(t *testing.T) {
	suite, err := policytest.Load("testdata/edges-test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	topo, err := ovnsandbox.TopologyOf(suite.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	ends, err := newEndpoints(suite.Snapshot, topo)
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr
	tests := []struct {
		name     string
		end      eval.Endpoint
		wantKind string
		wantPort string
		wantKey  string
		outside  bool   // no port yet: needs an outside port
		wantErr  string // part of the error
	}{
		{name: "pod by logical port", end: eval.Endpoint{IP: ip("10.244.0.5"), Pod: "a/client", LogicalPort: "a_client"},
			wantKind: KindPod, wantPort: "a_client", wantKey: "a/client"},
		{name: "pod by its IPv6 address",
			end:      eval.Endpoint{IP: ip("fd00:10:244:1::6"), Pod: "b/server", LogicalPort: "b_server"},
			wantKind: KindPod, wantPort: "b_server", wantKey: "b/server"},
		{name: "node", end: eval.Endpoint{IP: ip("172.18.0.2"), Node: "node-1"},
			wantKind: KindNode, wantPort: "k8s-node-1", wantKey: "node/node-1"},
		{name: "node by IPv6 address", end: eval.Endpoint{IP: ip("fc00:f853:ccd:e793::2"), Node: "node-1"},
			wantKind: KindNode, wantPort: "k8s-node-1", wantKey: "node/node-1"},
		{name: "host-network pod uses its node's port",
			end:      eval.Endpoint{IP: ip("172.18.0.2"), Pod: "kube-system/node-agent"},
			wantKind: KindNode, wantPort: "k8s-node-1", wantKey: "node/node-1"},
		{name: "outside address", end: eval.Endpoint{IP: ip("192.0.2.10")}, outside: true},
		{name: "pod whose port lacks the address",
			end:     eval.Endpoint{IP: ip("10.244.9.9"), Pod: "a/client", LogicalPort: "a_client"},
			wantErr: "does not hold 10.244.9.9"},
		{name: "pod unknown to the topology", end: eval.Endpoint{IP: ip("10.244.0.5"), Pod: "x/y", LogicalPort: "x_y"},
			wantErr: "pod x/y has no port"},
		{name: "address of another pod", end: eval.Endpoint{IP: ip("10.244.1.6"), Pod: "kube-system/node-agent"},
			wantErr: "address of pod b/server's port"},
		{name: "address of another node", end: eval.Endpoint{IP: ip("172.18.0.2"), Node: "node-2"},
			wantErr: "not on node node-2's port"},
		{name: "named node without a port", end: eval.Endpoint{IP: ip("172.18.0.9"), Node: "node-9"},
			wantErr: "has no port in the bed's topology"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := ends.lookup(tt.end)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one with %q", err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatal(err)
			case ok == tt.outside:
				t.Fatalf("found %v, want found %v", ok, !tt.outside)
			case tt.outside:
				return
			}
			if got.Kind != tt.wantKind || got.Port.Name != tt.wantPort || got.Key != tt.wantKey {
				t.Errorf("got kind %s port %s key %s, want %s %s %s", got.Kind, got.Port.Name, got.Key,
					tt.wantKind, tt.wantPort, tt.wantKey)
			}
		})
	}
}

// TestOutsideEndpoint checks the stand-in port of outside addresses: a valid name per address, its
// own MAC, exactly that address, and no port group can select it.
func TestOutsideEndpoint(t *testing.T) {
	tests := []struct {
		ip       string
		wantPort string
		wantMAC  string
	}{
		{ip: "192.0.2.10", wantPort: "tieracl-outside_ip-192-0-2-10", wantMAC: "0a:58:c0:00:02:0a"},
		{ip: "2001:db8::10", wantPort: "tieracl-outside_ip-2001-db8--10", wantMAC: "0a:58:00:00:00:10"},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			ep, err := outsideEndpoint(netip.MustParseAddr(tt.ip))
			if err != nil {
				t.Fatal(err)
			}
			if ep.Kind != KindOutside || ep.Port.Name != tt.wantPort || ep.Port.MAC != tt.wantMAC {
				t.Errorf("got %s port %s MAC %s, want outside %s %s", ep.Kind, ep.Port.Name, ep.Port.MAC, tt.wantPort, tt.wantMAC)
			}
			if len(ep.Port.IPs) != 1 || ep.Port.IPs[0].String() != tt.ip {
				t.Errorf("port addresses %v, want only %s", ep.Port.IPs, tt.ip)
			}
			if ep.Pod == nil || ep.Pod.Namespace != OutsideNamespace || ep.Key != OutsideNamespace+"/"+ep.Pod.Name {
				t.Errorf("stand-in pod %+v key %s", ep.Pod, ep.Key)
			}
		})
	}
}
