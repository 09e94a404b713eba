package model

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// The test world: three namespaces, dual-stack pods, two nodes. Policies are added per case.
//
//	a (team=a, env=prod): web (app=web; ports http TCP/8080, dns UDP/53, sctp SCTP/9000), db (app=db)
//	b (team=b, env=dev):  client (app=client), host (host network, on n1's IPs), done (app=client, Succeeded)
//	c (no labels):        x (app=web)
//	nodes: n1 (role=worker) 172.18.0.2 fc00::2, n2 (role=control) 172.18.0.3 fc00::3
func world(policies ...any) *cluster.Snapshot {
	s := &cluster.Snapshot{
		Namespaces: []*corev1.Namespace{
			testobj.Namespace("a", testobj.Labels("team", "a", "env", "prod")),
			testobj.Namespace("b", testobj.Labels("team", "b", "env", "dev")),
			testobj.Namespace("c"),
		},
		Pods: []*corev1.Pod{
			testobj.Pod("a", "web", testobj.Labels("app", "web"), testobj.IP("10.0.0.1", "fd00::1"),
				testobj.Ports(testobj.Port("http", 8080, ""), testobj.Port("dns", 53, corev1.ProtocolUDP),
					testobj.Port("sctp", 9000, corev1.ProtocolSCTP))),
			testobj.Pod("a", "db", testobj.Labels("app", "db"), testobj.IP("10.0.0.2", "fd00::2")),
			testobj.Pod("b", "client", testobj.Labels("app", "client"), testobj.IP("10.0.0.3", "fd00::3")),
			testobj.Pod("b", "host", testobj.HostNetwork("172.18.0.2", "fc00::2")),
			testobj.Pod("b", "done", testobj.Labels("app", "client"), testobj.IP("10.0.0.4", "fd00::4"),
				testobj.Phase(corev1.PodSucceeded)),
			testobj.Pod("c", "x", testobj.Labels("app", "web"), testobj.IP("10.0.0.5", "fd00::5")),
		},
		Nodes: []*corev1.Node{
			testobj.Node("n1", testobj.Labels("role", "worker"), testobj.NodeIP("172.18.0.2", "fc00::2")),
			testobj.Node("n2", testobj.Labels("role", "control"), testobj.NodeIP("172.18.0.3", "fc00::3")),
		},
	}
	for _, p := range policies {
		switch p := p.(type) {
		case *anpv1alpha1.AdminNetworkPolicy:
			s.ANPs = append(s.ANPs, p)
		case *anpv1alpha1.BaselineAdminNetworkPolicy:
			s.BANPs = append(s.BANPs, p)
		case *networkingv1.NetworkPolicy:
			s.NetworkPolicies = append(s.NetworkPolicies, p)
		case *cnpv1beta1.ClusterNetworkPolicy:
			s.CNPs = append(s.CNPs, p)
		default:
			panic(fmt.Sprintf("world: unexpected %T", p))
		}
	}
	return s
}

// Rule actions.
const (
	allow     = anpv1alpha1.AdminNetworkPolicyRuleActionAllow
	deny      = anpv1alpha1.AdminNetworkPolicyRuleActionDeny
	pass      = anpv1alpha1.AdminNetworkPolicyRuleActionPass
	banpAllow = anpv1alpha1.BaselineAdminNetworkPolicyRuleActionAllow
	banpDeny  = anpv1alpha1.BaselineAdminNetworkPolicyRuleActionDeny
)

// endpoint resolves "ns/pod", "node:name" or "ip:addr" against the world, picking the pod or node address
// of the wanted family.
func endpoint(t testing.TB, s *cluster.Snapshot, spec string, v6 bool) eval.Endpoint {
	t.Helper()
	ix := cluster.NewIndex(s, nil)
	pick := func(ips []netip.Addr) netip.Addr {
		for _, ip := range ips {
			if ip.Is6() == v6 {
				return ip
			}
		}
		t.Fatalf("endpoint %q has no address of the wanted family", spec)
		return netip.Addr{}
	}
	switch {
	case strings.HasPrefix(spec, "ip:"):
		return eval.Endpoint{IP: netip.MustParseAddr(strings.TrimPrefix(spec, "ip:"))}
	case strings.HasPrefix(spec, "node:"):
		n := ix.Node(strings.TrimPrefix(spec, "node:"))
		if n == nil {
			t.Fatalf("no node %q", spec)
		}
		return eval.Endpoint{IP: pick(n.IPs), Node: n.Name}
	}
	p := ix.Pod(spec)
	if p == nil {
		t.Fatalf("no pod %q", spec)
	}
	return eval.Endpoint{IP: pick(p.IPs), Pod: p.Key(), LogicalPort: p.LogicalPort}
}

// summary renders a decision's steps compactly: "1:Pass AdminNetworkPolicy/p#0, 2:Isolated"; "" for nil.
func summary(d *eval.Decision) string {
	if d == nil {
		return ""
	}
	var parts []string
	for _, st := range d.Steps {
		p := fmt.Sprintf("%d:%s", st.Tier, st.Action)
		if st.Policy != "" {
			p += fmt.Sprintf(" %s#%d", st.Policy, st.RuleIndex)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// flowCase is one flow through a world with some policies, and the verdict it must get.
type flowCase struct {
	name     string
	policies []any
	src, dst string
	proto    corev1.Protocol // TCP when empty
	port     int32
	v6       bool
	allowed  bool
	// egress and ingress are the summaries of each side's steps; "" when the side is not judged.
	egress, ingress string
}

func runFlowCases(t *testing.T, cases []flowCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := world(tc.policies...)
			proto := tc.proto
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			src, dst := endpoint(t, s, tc.src, tc.v6), endpoint(t, s, tc.dst, tc.v6)
			f := eval.Flow{Src: src, Dst: dst, Protocol: proto, Port: tc.port}
			v, err := New(s).Evaluate(f)
			if err != nil {
				t.Fatalf("Evaluate(%s): %v", f, err)
			}
			if v.Allowed != tc.allowed {
				t.Errorf("Evaluate(%s).Allowed = %v, want %v (egress %q, ingress %q)", f, v.Allowed, tc.allowed, summary(v.Egress),
					summary(v.Ingress))
			}
			if got := summary(v.Egress); got != tc.egress {
				t.Errorf("egress steps = %q, want %q", got, tc.egress)
			}
			if got := summary(v.Ingress); got != tc.ingress {
				t.Errorf("ingress steps = %q, want %q", got, tc.ingress)
			}
			for _, d := range []*eval.Decision{v.Egress, v.Ingress} {
				if d != nil && v.Allowed && !d.Allowed {
					t.Errorf("verdict allowed although a side denied")
				}
			}
		})
	}
}
