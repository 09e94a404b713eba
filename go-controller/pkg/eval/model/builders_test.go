package model

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
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
			namespace("a", map[string]string{"team": "a", "env": "prod"}),
			namespace("b", map[string]string{"team": "b", "env": "dev"}),
			namespace("c", nil),
		},
		Pods: []*corev1.Pod{
			pod("a", "web", 1, map[string]string{"app": "web"},
				withPorts(corev1.ContainerPort{Name: "http", ContainerPort: 8080},
					corev1.ContainerPort{Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP},
					corev1.ContainerPort{Name: "sctp", ContainerPort: 9000, Protocol: corev1.ProtocolSCTP})),
			pod("a", "db", 2, map[string]string{"app": "db"}),
			pod("b", "client", 3, map[string]string{"app": "client"}),
			pod("b", "host", 0, nil, hostNetwork("172.18.0.2", "fc00::2")),
			pod("b", "done", 4, map[string]string{"app": "client"}, withPhase(corev1.PodSucceeded)),
			pod("c", "x", 5, map[string]string{"app": "web"}),
		},
		Nodes: []*corev1.Node{
			node("n1", map[string]string{"role": "worker"}, "172.18.0.2", "fc00::2"),
			node("n2", map[string]string{"role": "control"}, "172.18.0.3", "fc00::3"),
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

func namespace(name string, lbls map[string]string) *corev1.Namespace {
	all := map[string]string{corev1.LabelMetadataName: name}
	for k, v := range lbls {
		all[k] = v
	}
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: all}}
}

type podOption func(*corev1.Pod)

// pod makes a running pod with IPs 10.0.0.<n> and fd00::<n>.
func pod(ns, name string, n int, lbls map[string]string, opts ...podOption) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbls},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{
			{IP: fmt.Sprintf("10.0.0.%d", n)}, {IP: fmt.Sprintf("fd00::%d", n)}}},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

func withPorts(ports ...corev1.ContainerPort) podOption {
	return func(p *corev1.Pod) {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "c", Ports: ports})
	}
}

func withPhase(phase corev1.PodPhase) podOption {
	return func(p *corev1.Pod) { p.Status.Phase = phase }
}

func hostNetwork(ips ...string) podOption {
	return func(p *corev1.Pod) {
		p.Spec.HostNetwork = true
		p.Status.PodIPs = nil
		for _, ip := range ips {
			p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: ip})
		}
	}
}

func node(name string, lbls map[string]string, ips ...string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls}}
	for _, ip := range ips {
		n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip})
	}
	return n
}

// sel is a matchLabels selector from "k=v" pairs; sel() selects everything.
func sel(pairs ...string) *metav1.LabelSelector {
	ls := &metav1.LabelSelector{MatchLabels: map[string]string{}}
	for _, kv := range pairs {
		k, v, _ := strings.Cut(kv, "=")
		ls.MatchLabels[k] = v
	}
	return ls
}

func expr(key string, op metav1.LabelSelectorOperator, values ...string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: key, Operator: op, Values: values}}}
}

func nsSubject(ns *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicySubject {
	return anpv1alpha1.AdminNetworkPolicySubject{Namespaces: ns}
}

func podSubject(ns, pods *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicySubject {
	return anpv1alpha1.AdminNetworkPolicySubject{Pods: &anpv1alpha1.NamespacedPod{NamespaceSelector: *ns, PodSelector: *pods}}
}

// Egress peers.
func toNamespaces(ns *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyEgressPeer {
	return anpv1alpha1.AdminNetworkPolicyEgressPeer{Namespaces: ns}
}

func toPods(ns, pods *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyEgressPeer {
	return anpv1alpha1.AdminNetworkPolicyEgressPeer{Pods: &anpv1alpha1.NamespacedPod{NamespaceSelector: *ns, PodSelector: *pods}}
}

func toNodes(nodes *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyEgressPeer {
	return anpv1alpha1.AdminNetworkPolicyEgressPeer{Nodes: nodes}
}

func toNetworks(cidrs ...anpv1alpha1.CIDR) anpv1alpha1.AdminNetworkPolicyEgressPeer {
	return anpv1alpha1.AdminNetworkPolicyEgressPeer{Networks: cidrs}
}

// Ingress peers.
func fromNamespaces(ns *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyIngressPeer {
	return anpv1alpha1.AdminNetworkPolicyIngressPeer{Namespaces: ns}
}

func fromPods(ns, pods *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyIngressPeer {
	return anpv1alpha1.AdminNetworkPolicyIngressPeer{Pods: &anpv1alpha1.NamespacedPod{NamespaceSelector: *ns, PodSelector: *pods}}
}

// Ports.
func ports(ps ...anpv1alpha1.AdminNetworkPolicyPort) *[]anpv1alpha1.AdminNetworkPolicyPort {
	return &ps
}

func portNumber(proto corev1.Protocol, port int32) anpv1alpha1.AdminNetworkPolicyPort {
	return anpv1alpha1.AdminNetworkPolicyPort{PortNumber: &anpv1alpha1.Port{Protocol: proto, Port: port}}
}

func portRange(proto corev1.Protocol, start, end int32) anpv1alpha1.AdminNetworkPolicyPort {
	return anpv1alpha1.AdminNetworkPolicyPort{PortRange: &anpv1alpha1.PortRange{Protocol: proto, Start: start, End: end}}
}

func namedPort(name string) anpv1alpha1.AdminNetworkPolicyPort {
	return anpv1alpha1.AdminNetworkPolicyPort{NamedPort: &name}
}

// Rules.
const (
	allow = anpv1alpha1.AdminNetworkPolicyRuleActionAllow
	deny  = anpv1alpha1.AdminNetworkPolicyRuleActionDeny
	pass  = anpv1alpha1.AdminNetworkPolicyRuleActionPass
)

func egressRule(name string, action anpv1alpha1.AdminNetworkPolicyRuleAction, ps *[]anpv1alpha1.AdminNetworkPolicyPort, to ...anpv1alpha1.AdminNetworkPolicyEgressPeer) anpv1alpha1.AdminNetworkPolicyEgressRule {
	return anpv1alpha1.AdminNetworkPolicyEgressRule{Name: name, Action: action, To: to, Ports: ps}
}

func ingressRule(name string, action anpv1alpha1.AdminNetworkPolicyRuleAction, ps *[]anpv1alpha1.AdminNetworkPolicyPort, from ...anpv1alpha1.AdminNetworkPolicyIngressPeer) anpv1alpha1.AdminNetworkPolicyIngressRule {
	return anpv1alpha1.AdminNetworkPolicyIngressRule{Name: name, Action: action, From: from, Ports: ps}
}

func anp(name string, priority int32, subject anpv1alpha1.AdminNetworkPolicySubject, ingress []anpv1alpha1.AdminNetworkPolicyIngressRule, egress []anpv1alpha1.AdminNetworkPolicyEgressRule) *anpv1alpha1.AdminNetworkPolicy {
	return &anpv1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: anpv1alpha1.AdminNetworkPolicySpec{Priority: priority, Subject: subject, Ingress: ingress, Egress: egress}}
}

func egressANP(name string, priority int32, subject anpv1alpha1.AdminNetworkPolicySubject, rules ...anpv1alpha1.AdminNetworkPolicyEgressRule) *anpv1alpha1.AdminNetworkPolicy {
	return anp(name, priority, subject, nil, rules)
}

func ingressANP(name string, priority int32, subject anpv1alpha1.AdminNetworkPolicySubject, rules ...anpv1alpha1.AdminNetworkPolicyIngressRule) *anpv1alpha1.AdminNetworkPolicy {
	return anp(name, priority, subject, rules, nil)
}

const (
	banpAllow = anpv1alpha1.BaselineAdminNetworkPolicyRuleActionAllow
	banpDeny  = anpv1alpha1.BaselineAdminNetworkPolicyRuleActionDeny
)

func banp(name string, subject anpv1alpha1.AdminNetworkPolicySubject, ingress []anpv1alpha1.BaselineAdminNetworkPolicyIngressRule, egress []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule) *anpv1alpha1.BaselineAdminNetworkPolicy {
	return &anpv1alpha1.BaselineAdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: anpv1alpha1.BaselineAdminNetworkPolicySpec{Subject: subject, Ingress: ingress, Egress: egress}}
}

func banpEgress(name string, action anpv1alpha1.BaselineAdminNetworkPolicyRuleAction, ps *[]anpv1alpha1.AdminNetworkPolicyPort, to ...anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer) anpv1alpha1.BaselineAdminNetworkPolicyEgressRule {
	return anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{Name: name, Action: action, To: to, Ports: ps}
}

func banpIngress(name string, action anpv1alpha1.BaselineAdminNetworkPolicyRuleAction, ps *[]anpv1alpha1.AdminNetworkPolicyPort, from ...anpv1alpha1.AdminNetworkPolicyIngressPeer) anpv1alpha1.BaselineAdminNetworkPolicyIngressRule {
	return anpv1alpha1.BaselineAdminNetworkPolicyIngressRule{Name: name, Action: action, From: from, Ports: ps}
}

// NetworkPolicy.
func netpol(ns, name string, podSel *metav1.LabelSelector, types []networkingv1.PolicyType, ingress []networkingv1.NetworkPolicyIngressRule, egress []networkingv1.NetworkPolicyEgressRule) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: *podSel, PolicyTypes: types, Ingress: ingress, Egress: egress}}
}

var (
	ingressOnly = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	egressOnly  = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	bothTypes   = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
)

func npPeer(podSel, nsSel *metav1.LabelSelector) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{PodSelector: podSel, NamespaceSelector: nsSel}
}

func ipBlock(cidr string, except ...string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr, Except: except}}
}

func npPort(proto corev1.Protocol, port intstr.IntOrString) networkingv1.NetworkPolicyPort {
	p := networkingv1.NetworkPolicyPort{Port: &port}
	if proto != "" {
		p.Protocol = &proto
	}
	return p
}

func npRange(proto corev1.Protocol, start, end int32) networkingv1.NetworkPolicyPort {
	p := npPort(proto, intstr.FromInt32(start))
	p.EndPort = &end
	return p
}

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
			f := eval.Flow{Src: endpoint(t, s, tc.src, tc.v6), Dst: endpoint(t, s, tc.dst, tc.v6), Protocol: proto, Port: tc.port}
			v, err := New(s).Evaluate(f)
			if err != nil {
				t.Fatalf("Evaluate(%s): %v", f, err)
			}
			if v.Allowed != tc.allowed {
				t.Errorf("Evaluate(%s).Allowed = %v, want %v (egress %q, ingress %q)", f, v.Allowed, tc.allowed, summary(v.Egress), summary(v.Ingress))
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
