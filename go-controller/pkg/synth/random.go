// Package synth makes synthetic clusters: small adversarial ones for the property test that checks the
// ACL evaluator against the policy model, and large ones for benchmarks.
package synth

import (
	"fmt"
	"math/rand"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// Random returns a small cluster with random policies. Label values come from tiny vocabularies so that
// selectors overlap often; priorities collide; some pods are host-network, dual-stack or carry named
// ports that resolve differently on different pods; a few policies hold input that must fail closed.
func Random(rng *rand.Rand) *cluster.Snapshot {
	g := &gen{rng: rng, s: &cluster.Snapshot{}}
	g.nodes(2 + rng.Intn(2))
	g.namespaces(3 + rng.Intn(3))
	for i := rng.Intn(5); i > 0; i-- {
		g.anp(i)
	}
	if rng.Intn(4) > 0 {
		g.banp()
	}
	for i := rng.Intn(4); i > 0; i-- {
		g.networkPolicy(i)
	}
	// Drawn last, so the draws above, and the clusters a seed made before, stay as they were.
	for i := rng.Intn(5); i > 0; i-- {
		g.cnp(i)
	}
	return g.s
}

type gen struct {
	rng *rand.Rand
	s   *cluster.Snapshot
	pod int
}

var (
	tiers = []string{"web", "db"}
	envs  = []string{"prod", "dev"}
	apps  = []string{"a", "b", "c"}
	roles = []string{"front", "back"}
)

func (g *gen) pick(vals []string) string { return vals[g.rng.Intn(len(vals))] }
func (g *gen) chance(n int) bool         { return g.rng.Intn(n) == 0 }

func (g *gen) nodes(n int) {
	for i := 0; i < n; i++ {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%d", i),
			Labels: map[string]string{"zone": g.pick([]string{"z1", "z2"})}}}
		if i == 0 {
			node.Labels["node-role.kubernetes.io/control-plane"] = ""
		}
		node.Status.Addresses = []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("172.18.0.%d", 10+i)},
			{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("fd00:18::%d", 10+i)},
			{Type: corev1.NodeHostName, Address: node.Name},
		}
		g.s.Nodes = append(g.s.Nodes, node)
	}
}

func (g *gen) namespaces(n int) {
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("ns%d", i)
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			corev1.LabelMetadataName: name, "tier": g.pick(tiers)}}}
		if !g.chance(3) {
			ns.Labels["env"] = g.pick(envs)
		}
		if i%3 == 1 {
			ns.Annotations = map[string]string{loggingAnnotation: logging(i)}
		}
		g.s.Namespaces = append(g.s.Namespaces, ns)
		for j := 1 + g.rng.Intn(3); j > 0; j-- {
			g.addPod(name)
		}
	}
}

func (g *gen) addPod(ns string) {
	g.pod++
	node := g.s.Nodes[g.rng.Intn(len(g.s.Nodes))]
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("p%d", g.pod),
		Labels: map[string]string{"app": g.pick(apps)}},
		Spec: corev1.PodSpec{NodeName: node.Name}, Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	if !g.chance(3) {
		p.Labels["role"] = g.pick(roles)
	}
	var ports []corev1.ContainerPort
	switch g.rng.Intn(4) {
	case 0:
		ports = append(ports, corev1.ContainerPort{Name: "web", ContainerPort: 8080, Protocol: corev1.ProtocolTCP})
	case 1:
		ports = append(ports, corev1.ContainerPort{Name: "web", ContainerPort: 8081, Protocol: corev1.ProtocolUDP})
	case 2:
		ports = append(ports, corev1.ContainerPort{Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP})
	}
	if g.chance(12) { // the API server rejects it, but a pod can still carry one: it must be ignored
		ports = append([]corev1.ContainerPort{{Name: "web", ContainerPort: 65536, Protocol: corev1.ProtocolTCP}}, ports...)
	}
	p.Spec.Containers = []corev1.Container{{Name: "c", Ports: ports}}
	switch {
	case g.chance(8):
		p.Spec.HostNetwork = true
		p.Status.PodIPs = []corev1.PodIP{{IP: node.Status.Addresses[0].Address}, {IP: node.Status.Addresses[1].Address}}
	default:
		p.Status.PodIPs = []corev1.PodIP{{IP: fmt.Sprintf("10.244.%d.%d", g.pod/200, g.pod%200+2)}}
		if g.chance(3) {
			p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: fmt.Sprintf("fd00:10:244::%x", g.pod+2)})
		}
	}
	g.s.Pods = append(g.s.Pods, p)
}

// selector draws a label selector over one of the vocabularies, sometimes with expressions, sometimes
// empty (everything), rarely malformed.
func (g *gen) selector(kind string) *metav1.LabelSelector {
	key, vals := "tier", tiers
	switch kind {
	case "pod":
		key, vals = "app", apps
		if g.chance(2) {
			key, vals = "role", roles
		}
	case "node":
		key, vals = "zone", []string{"z1", "z2"}
	default:
		if g.chance(2) {
			key, vals = "env", envs
		}
	}
	switch g.rng.Intn(9) {
	case 0:
		return &metav1.LabelSelector{}
	case 1:
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: key,
			Operator: metav1.LabelSelectorOpIn, Values: []string{g.pick(vals), g.pick(vals)}}}}
	case 2:
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: key,
			Operator: metav1.LabelSelectorOpNotIn, Values: []string{g.pick(vals)}}}}
	case 3:
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: key,
			Operator: metav1.LabelSelectorOpExists}}}
	case 4:
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: key,
			Operator: metav1.LabelSelectorOpDoesNotExist}}}
	case 5:
		if g.chance(6) {
			return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: key, Operator: "Near",
				Values: vals}}}
		}
	}
	return &metav1.LabelSelector{MatchLabels: map[string]string{key: g.pick(vals)}}
}

func (g *gen) subject() anpv1alpha1.AdminNetworkPolicySubject {
	if g.chance(2) {
		return anpv1alpha1.AdminNetworkPolicySubject{Namespaces: g.selector("ns")}
	}
	return anpv1alpha1.AdminNetworkPolicySubject{Pods: g.namespacedPod()}
}

func (g *gen) namespacedPod() *anpv1alpha1.NamespacedPod {
	return &anpv1alpha1.NamespacedPod{NamespaceSelector: *g.selector("ns"), PodSelector: *g.selector("pod")}
}

func (g *gen) action(pass bool) string {
	actions := []string{"Allow", "Deny", "Pass"}
	if !pass {
		actions = actions[:2]
	}
	return g.pick(actions)
}

func (g *gen) ports() *[]anpv1alpha1.AdminNetworkPolicyPort {
	if g.chance(3) {
		return nil
	}
	var out []anpv1alpha1.AdminNetworkPolicyPort
	for i := 1 + g.rng.Intn(2); i > 0; i-- {
		proto := corev1.Protocol(g.pick([]string{"TCP", "UDP", "SCTP", ""}))
		switch g.rng.Intn(4) {
		case 0:
			out = append(out,
				anpv1alpha1.AdminNetworkPolicyPort{PortNumber: &anpv1alpha1.Port{Protocol: proto, Port: int32(g.pick2(80, 8080))}})
		case 1:
			out = append(out,
				anpv1alpha1.AdminNetworkPolicyPort{PortRange: &anpv1alpha1.PortRange{Protocol: proto, Start: 8000,
					End: int32(g.pick2(8080, 8100))}})
		case 2:
			name := g.pick([]string{"web", "dns", "nothere"})
			out = append(out, anpv1alpha1.AdminNetworkPolicyPort{NamedPort: &name})
		default:
			if g.chance(5) {
				out = append(out, anpv1alpha1.AdminNetworkPolicyPort{PortNumber: &anpv1alpha1.Port{Protocol: "ICMP", Port: 1}})
			} else {
				out = append(out, anpv1alpha1.AdminNetworkPolicyPort{PortNumber: &anpv1alpha1.Port{Protocol: proto, Port: 53}})
			}
		}
	}
	return &out
}

// loggingAnnotation asks for ACL logging (policy.LoggingAnnotation; synth does not import the compiler).
const loggingAnnotation = "k8s.ovn.org/acl-logging"

// logging picks an ACL logging annotation by index (some actions logged, one that does not parse),
// without drawing from the generator, so the clusters of a seed stay what they were before logging.
func logging(i int) string {
	return []string{`{"deny":"alert"}`, `{"allow":"notice","deny":"warning","pass":"info"}`, `{"pass":"debug"}`,
		`{"deny":"loud"}`}[i%4]
}

func (g *gen) pick2(a, b int) int {
	if g.chance(2) {
		return a
	}
	return b
}

// networks draws CIDRs that cover some pod or node addresses, or none, or are malformed.
func (g *gen) networks() []anpv1alpha1.CIDR {
	choices := []string{"10.244.0.0/24", "10.244.0.0/28", "172.18.0.0/24", "0.0.0.0/0", "fd00:10:244::/64", "::/0",
		"192.0.2.0/24", "10.244.0.9/28"}
	out := []anpv1alpha1.CIDR{anpv1alpha1.CIDR(g.pick(choices))}
	if g.chance(3) {
		out = append(out, anpv1alpha1.CIDR(g.pick(choices)))
	}
	if g.chance(15) {
		out = append(out, "10.0.0.300/8")
	}
	return out
}

func (g *gen) egressPeer() anpv1alpha1.AdminNetworkPolicyEgressPeer {
	switch g.rng.Intn(12) {
	case 0, 1, 2:
		return anpv1alpha1.AdminNetworkPolicyEgressPeer{Namespaces: g.selector("ns")}
	case 3, 4, 5:
		return anpv1alpha1.AdminNetworkPolicyEgressPeer{Pods: g.namespacedPod()}
	case 6, 7:
		return anpv1alpha1.AdminNetworkPolicyEgressPeer{Nodes: g.selector("node")}
	case 8, 9:
		return anpv1alpha1.AdminNetworkPolicyEgressPeer{Networks: g.networks()}
	case 10:
		return anpv1alpha1.AdminNetworkPolicyEgressPeer{DomainNames: []anpv1alpha1.DomainName{"example.com"}}
	}
	return anpv1alpha1.AdminNetworkPolicyEgressPeer{} // no field: must fail closed
}

func (g *gen) ingressPeer() anpv1alpha1.AdminNetworkPolicyIngressPeer {
	switch g.rng.Intn(10) {
	case 0, 1, 2, 3, 4:
		return anpv1alpha1.AdminNetworkPolicyIngressPeer{Namespaces: g.selector("ns")}
	case 9:
		return anpv1alpha1.AdminNetworkPolicyIngressPeer{}
	}
	return anpv1alpha1.AdminNetworkPolicyIngressPeer{Pods: g.namespacedPod()}
}

func (g *gen) anp(i int) {
	prio := int32(g.rng.Intn(4))
	if g.chance(4) {
		prio = int32(500 + g.rng.Intn(501))
	}
	a := &anpv1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("anp-%d", i)},
		Spec: anpv1alpha1.AdminNetworkPolicySpec{Priority: prio, Subject: g.subject()}}
	if i%2 == 0 {
		a.Annotations = map[string]string{loggingAnnotation: logging(i)}
	}
	for r := g.rng.Intn(4); r > 0; r-- {
		rule := anpv1alpha1.AdminNetworkPolicyIngressRule{Name: fmt.Sprintf("in-%d", r),
			Action: anpv1alpha1.AdminNetworkPolicyRuleAction(g.action(true)), Ports: g.ports()}
		for p := 1 + g.rng.Intn(2); p > 0; p-- {
			rule.From = append(rule.From, g.ingressPeer())
		}
		a.Spec.Ingress = append(a.Spec.Ingress, rule)
	}
	for r := g.rng.Intn(4); r > 0; r-- {
		rule := anpv1alpha1.AdminNetworkPolicyEgressRule{Name: fmt.Sprintf("eg-%d", r),
			Action: anpv1alpha1.AdminNetworkPolicyRuleAction(g.action(true)), Ports: g.ports()}
		for p := 1 + g.rng.Intn(2); p > 0; p-- {
			rule.To = append(rule.To, g.egressPeer())
		}
		a.Spec.Egress = append(a.Spec.Egress, rule)
	}
	g.s.ANPs = append(g.s.ANPs, a)
}

func (g *gen) banp() {
	name := "default"
	if g.chance(8) {
		name = "not-default"
	}
	b := &anpv1alpha1.BaselineAdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: anpv1alpha1.BaselineAdminNetworkPolicySpec{Subject: g.subject()}}
	for r := g.rng.Intn(4); r > 0; r-- {
		rule := anpv1alpha1.BaselineAdminNetworkPolicyIngressRule{Name: fmt.Sprintf("in-%d", r),
			Action: anpv1alpha1.BaselineAdminNetworkPolicyRuleAction(g.action(false)), Ports: g.ports()}
		rule.From = append(rule.From, g.ingressPeer())
		b.Spec.Ingress = append(b.Spec.Ingress, rule)
	}
	for r := g.rng.Intn(4); r > 0; r-- {
		rule := anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{Name: fmt.Sprintf("eg-%d", r),
			Action: anpv1alpha1.BaselineAdminNetworkPolicyRuleAction(g.action(false)), Ports: g.ports()}
		p := g.egressPeer()
		rule.To = append(rule.To,
			anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: p.Namespaces, Pods: p.Pods, Nodes: p.Nodes,
				Networks: p.Networks})
		b.Spec.Egress = append(b.Spec.Egress, rule)
	}
	g.s.BANPs = append(g.s.BANPs, b)
}

func (g *gen) networkPolicy(i int) {
	ns := g.s.Namespaces[g.rng.Intn(len(g.s.Namespaces))].Name
	np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("np-%d", i)},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: *g.selector("pod")}}
	switch g.rng.Intn(4) {
	case 0:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	case 1:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	case 2:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
	}
	if g.chance(8) { // a type listed twice, which the API server accepts
		np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress, networkingv1.PolicyTypeEgress)
	}
	for r := g.rng.Intn(3); r > 0; r-- {
		np.Spec.Ingress = append(np.Spec.Ingress,
			networkingv1.NetworkPolicyIngressRule{From: g.npPeers(), Ports: g.npPorts()})
	}
	for r := g.rng.Intn(3); r > 0; r-- {
		np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: g.npPeers(), Ports: g.npPorts()})
	}
	g.s.NetworkPolicies = append(g.s.NetworkPolicies, np)
}

func (g *gen) npPeers() []networkingv1.NetworkPolicyPeer {
	var out []networkingv1.NetworkPolicyPeer
	for p := g.rng.Intn(3); p > 0; p-- {
		switch g.rng.Intn(5) {
		case 0:
			out = append(out, networkingv1.NetworkPolicyPeer{PodSelector: g.selector("pod")})
		case 1:
			out = append(out, networkingv1.NetworkPolicyPeer{NamespaceSelector: g.selector("ns")})
		case 2:
			out = append(out,
				networkingv1.NetworkPolicyPeer{PodSelector: g.selector("pod"), NamespaceSelector: g.selector("ns")})
		case 3:
			// Excepts: valid, with host bits, of the other IP family, outside the cidr.
			except := g.pick([]string{"10.244.0.0/29", "10.244.0.5/29", "fd00:10:244::/120", "192.0.2.0/28"})
			out = append(out,
				networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: "10.244.0.0/24", Except: []string{except}}})
		default:
			out = append(out,
				networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: g.pick([]string{"0.0.0.0/0", "172.18.0.0/16",
					"fd00:10:244::/64"})}})
		}
	}
	return out
}

func (g *gen) npPorts() []networkingv1.NetworkPolicyPort {
	var out []networkingv1.NetworkPolicyPort
	for p := g.rng.Intn(3); p > 0; p-- {
		port := networkingv1.NetworkPolicyPort{}
		if !g.chance(3) {
			proto := corev1.Protocol(g.pick([]string{"TCP", "UDP", "SCTP"}))
			port.Protocol = &proto
		}
		switch g.rng.Intn(4) {
		case 0:
			v := intstr.FromInt32(int32(g.pick2(80, 8080)))
			port.Port = &v
		case 1:
			v := intstr.FromInt32(8000)
			end := int32(8100)
			port.Port, port.EndPort = &v, &end
		case 2:
			v := intstr.FromString(g.pick([]string{"web", "dns"}))
			port.Port = &v
		}
		out = append(out, port)
	}
	return out
}
