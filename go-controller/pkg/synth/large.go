package synth

import (
	"fmt"
	"math/rand"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// Large describes a synthetic cluster of any size for benchmarks. Its shape follows the reference
// workloads w0 and w1 (docs/performance.md#workloads): namespace labels tenant, tier and env; pod labels
// app and role; ANP and BANP peers over those labels, some networks peers and named ports. It adds
// namespaced NetworkPolicies, which the reference workloads lack.
type Large struct {
	Namespaces       int
	PodsPerNamespace int
	Nodes            int
	ANPs             int
	RulesPerANP      int // split between ingress (the odd one) and egress
	NetworkPolicies  int // spread round-robin over the namespaces
	BANPRules        int // 0: no BANP
	Seed             int64
}

// W1 is the large benchmark preset: 1,000 namespaces, 20,000 pods, 100 ANPs of 20 rules, 2,000
// NetworkPolicies and a BANP of 20 rules.
var W1 = Large{Namespaces: 1000, PodsPerNamespace: 20, Nodes: 10, ANPs: 100, RulesPerANP: 20,
	NetworkPolicies: 2000, BANPRules: 20, Seed: 20260101}

// W2 is the scale preset: 5,000 namespaces, 100,000 pods, 500 ANPs of 20 rules, 10,000 NetworkPolicies
// and a BANP of 20 rules.
var W2 = Large{Namespaces: 5000, PodsPerNamespace: 20, Nodes: 100, ANPs: 500, RulesPerANP: 20,
	NetworkPolicies: 10000, BANPRules: 20, Seed: 20260101}

// AntreaScale is the size Antrea publishes for its controller's scale test: 25,000 namespaces,
// 100,000 pods and 75,000 NetworkPolicies, no cluster-wide policy.
var AntreaScale = Large{Namespaces: 25000, PodsPerNamespace: 4, Nodes: 1000, NetworkPolicies: 75000,
	Seed: 20260101}

// Pod label vocabularies of Large clusters: app is a0..a4, role one of LargeRoles.
var (
	LargeApps  = []string{"a0", "a1", "a2", "a3", "a4"}
	LargeRoles = []string{"frontend", "backend"}
	largeTiers = []string{"web", "db", "cache", "batch"}
	largeEnvs  = []string{"prod", "dev"}
	largeCIDRs = []string{"203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24", "172.20.0.0/16", "10.200.0.0/16",
		"8.8.8.8/32", "1.1.1.1/32"}
)

// Validate says what is wrong with the sizes, if anything.
func (l Large) Validate() error {
	switch {
	case l.Namespaces < 1 || l.PodsPerNamespace < 0 || l.Nodes < 1:
		return fmt.Errorf("synth: need at least one namespace and one node, and a non-negative pod count")
	case l.ANPs < 0 || l.RulesPerANP < 0 || l.NetworkPolicies < 0 || l.BANPRules < 0:
		return fmt.Errorf("synth: policy counts must not be negative")
	case l.ANPs > 1001:
		return fmt.Errorf("synth: at most 1,001 ANPs (priorities 0 to 1000 are distinct)")
	case l.Namespaces*l.PodsPerNamespace > 1<<22:
		return fmt.Errorf("synth: at most %d pods", 1<<22)
	}
	return nil
}

// Generate makes the cluster. The same Large (seed included) always gives the same objects.
func (l Large) Generate() (*cluster.Snapshot, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	g := &largeGen{Large: l, rng: rand.New(rand.NewSource(l.Seed)), s: &cluster.Snapshot{}}
	g.cluster()
	prios := g.rng.Perm(1001)
	for a := 0; a < l.ANPs; a++ {
		g.anp(a, int32(prios[a]))
	}
	if l.BANPRules > 0 {
		g.banp()
	}
	for i := 0; i < l.NetworkPolicies; i++ {
		g.networkPolicy(i)
	}
	return g.s, nil
}

type largeGen struct {
	Large
	rng *rand.Rand
	s   *cluster.Snapshot
}

func (g *largeGen) pick(vals []string) string { return vals[g.rng.Intn(len(vals))] }
func (g *largeGen) percent(p int) bool        { return g.rng.Intn(100) < p }

// LargeNamespaceName names namespace i of a Large cluster.
func LargeNamespaceName(i int) string { return fmt.Sprintf("ns-%04d", i) }

func (g *largeGen) cluster() {
	for n := 0; n < g.Nodes; n++ {
		name := fmt.Sprintf("node-%d", n)
		g.s.Nodes = append(g.s.Nodes, &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}},
			Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: nodeIP(n).String()},
				{Type: corev1.NodeHostName, Address: name}}},
		})
	}
	base := netip.MustParseAddr("10.128.0.3").As4()
	first := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	k := uint32(0)
	for i := 0; i < g.Namespaces; i++ {
		name := LargeNamespaceName(i)
		env := "dev"
		if i%3 == 0 {
			env = "prod"
		}
		g.s.Namespaces = append(g.s.Namespaces, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name,
			Labels: map[string]string{corev1.LabelMetadataName: name, "tenant": fmt.Sprintf("t%d", i%50),
				"tier": largeTiers[i%4], "env": env}}})
		for j := 0; j < g.PodsPerNamespace; j++ {
			a := first + k
			ip := netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}).String()
			node := int(k) % g.Nodes
			g.s.Pods = append(g.s.Pods, &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Namespace: name, Name: fmt.Sprintf("p-%02d", j),
					Labels: map[string]string{"app": LargeApps[j%5], "role": LargeRoles[j%2]}},
				Spec: corev1.PodSpec{NodeName: fmt.Sprintf("node-%d", node), Containers: []corev1.Container{{
					Name: "c", Image: "registry.k8s.io/pause:3.10", Ports: []corev1.ContainerPort{
						{Name: "web", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
						{Name: "metrics", ContainerPort: 9090, Protocol: corev1.ProtocolTCP}}}}},
				Status: corev1.PodStatus{Phase: corev1.PodRunning, HostIP: nodeIP(node).String(), PodIP: ip,
					PodIPs: []corev1.PodIP{{IP: ip}}},
			})
			k++
		}
	}
}

func nodeIP(n int) netip.Addr {
	return netip.AddrFrom4([4]byte{172, 18, byte(n / 200), byte(10 + n%200)})
}

// nsSelector draws a namespace selector as the reference workloads' namespace peers do.
func (g *largeGen) nsSelector() *metav1.LabelSelector {
	switch r := g.rng.Intn(100); {
	case r < 40:
		return &metav1.LabelSelector{MatchLabels: map[string]string{"tier": g.pick(largeTiers)}}
	case r < 55:
		return &metav1.LabelSelector{MatchLabels: map[string]string{"env": g.pick(largeEnvs)}}
	case r < 85:
		return &metav1.LabelSelector{
			MatchLabels: map[string]string{"tier": g.pick(largeTiers), "env": g.pick(largeEnvs)},
		}
	}
	a := g.rng.Intn(4)
	b := (a + 1 + g.rng.Intn(3)) % 4
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{
			Key:      "tier",
			Operator: metav1.LabelSelectorOpIn,
			Values:   []string{largeTiers[min(a, b)], largeTiers[max(a, b)]},
		},
		{Key: "env", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"prod"}}}}
}

// podSelector draws a pod selector over app and role.
func (g *largeGen) podSelector() *metav1.LabelSelector {
	switch r := g.rng.Intn(100); {
	case r < 50:
		return &metav1.LabelSelector{MatchLabels: map[string]string{"app": g.pick(LargeApps)}}
	case r < 80:
		return &metav1.LabelSelector{MatchLabels: map[string]string{"role": g.pick(LargeRoles)}}
	}
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app": g.pick(LargeApps), "role": g.pick(LargeRoles)}}
}

func (g *largeGen) podPeer() *anpv1alpha1.NamespacedPod {
	ns := &metav1.LabelSelector{MatchLabels: map[string]string{"tier": g.pick(largeTiers)}}
	if g.percent(40) {
		ns = &metav1.LabelSelector{MatchLabels: map[string]string{"env": g.pick(largeEnvs)}}
	}
	return &anpv1alpha1.NamespacedPod{NamespaceSelector: *ns, PodSelector: *g.podSelector()}
}

// ports draws rule ports as the reference workloads do: none (20%) or one to three numbers and ranges, sometimes the
// named port "web" too.
func (g *largeGen) ports(namedOK bool) (*[]anpv1alpha1.AdminNetworkPolicyPort, bool) {
	if g.percent(20) {
		return nil, false
	}
	numbers := []anpv1alpha1.Port{
		{Protocol: "TCP", Port: 80},
		{Protocol: "TCP", Port: 443},
		{Protocol: "TCP", Port: 8080},
		{Protocol: "TCP", Port: 5432},
		{Protocol: "TCP", Port: 6379},
		{Protocol: "TCP", Port: 9090},
		{Protocol: "UDP", Port: 53},
		{Protocol: "UDP", Port: 123},
	}
	ranges := []anpv1alpha1.PortRange{
		{Protocol: "TCP", Start: 8000, End: 8100},
		{Protocol: "TCP", Start: 30000, End: 32767},
		{Protocol: "UDP", Start: 5000, End: 5100},
		{Protocol: "TCP", Start: 10250, End: 10259},
	}
	var out []anpv1alpha1.AdminNetworkPolicyPort
	seen := map[string]bool{}
	for n := 1 + g.rng.Intn(3); n > 0; n-- {
		var p anpv1alpha1.AdminNetworkPolicyPort
		if g.percent(60) {
			v := numbers[g.rng.Intn(len(numbers))]
			p.PortNumber = &v
		} else {
			v := ranges[g.rng.Intn(len(ranges))]
			p.PortRange = &v
		}
		var key string
		if p.PortNumber != nil {
			key = fmt.Sprint(*p.PortNumber)
		} else {
			key = fmt.Sprint(*p.PortRange)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	named := namedOK && g.percent(4)
	if named {
		web := "web"
		out = append(out, anpv1alpha1.AdminNetworkPolicyPort{NamedPort: &web})
	}
	return &out, named
}

func (g *largeGen) action(withPass bool) string {
	if !withPass {
		return []string{"Allow", "Deny"}[g.rng.Intn(2)]
	}
	switch r := g.rng.Intn(10); {
	case r < 4:
		return "Allow"
	case r < 8:
		return "Deny"
	}
	return "Pass"
}

// peers draws one rule's peers: one (70%) or two namespaces or pods peers, and for egress rules of ANPs
// sometimes networks. A rule with a named port gets exactly one narrow pods peer.
func (g *largeGen) peers(
	named, networksOK bool,
) (nss []*metav1.LabelSelector, pods []*anpv1alpha1.NamespacedPod, nets []anpv1alpha1.CIDR) {
	if named {
		return nil, []*anpv1alpha1.NamespacedPod{{
			NamespaceSelector: metav1.LabelSelector{MatchLabels: map[string]string{"tier": g.pick(largeTiers)}},
			PodSelector:       metav1.LabelSelector{MatchLabels: map[string]string{"app": g.pick(LargeApps)}}}}, nil
	}
	n := 1
	if g.percent(30) {
		n = 2
	}
	for ; n > 0; n-- {
		if g.percent(55) {
			nss = append(nss, g.nsSelector())
		} else {
			pods = append(pods, g.podPeer())
		}
	}
	if networksOK && g.percent(15) {
		perm := g.rng.Perm(len(largeCIDRs))
		for _, i := range perm[:1+g.rng.Intn(3)] {
			nets = append(nets, anpv1alpha1.CIDR(largeCIDRs[i]))
		}
	}
	return nss, pods, nets
}

func (g *largeGen) anp(a int, prio int32) {
	tenant := fmt.Sprintf("t%d", a%50)
	spec := anpv1alpha1.AdminNetworkPolicySpec{Priority: prio}
	if g.percent(50) {
		spec.Subject.Namespaces = &metav1.LabelSelector{MatchLabels: map[string]string{"tenant": tenant}}
	} else {
		spec.Subject.Pods = &anpv1alpha1.NamespacedPod{
			NamespaceSelector: metav1.LabelSelector{MatchLabels: map[string]string{"tenant": tenant}},
			PodSelector:       metav1.LabelSelector{MatchLabels: map[string]string{"app": g.pick(LargeApps)}}}
	}
	for i := 0; i < (g.RulesPerANP+1)/2; i++ {
		spec.Ingress = append(spec.Ingress, g.ingressRule(i, true))
	}
	for i := 0; i < g.RulesPerANP/2; i++ {
		spec.Egress = append(spec.Egress, g.egressRule(i, true))
	}
	g.s.ANPs = append(
		g.s.ANPs,
		&anpv1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("anp-%03d", a)}, Spec: spec},
	)
}

// ingressRule and egressRule draw one rule in the ANP form; for the BANP (admin false) without Pass,
// named ports and networks peers.
func (g *largeGen) ingressRule(i int, admin bool) anpv1alpha1.AdminNetworkPolicyIngressRule {
	ports, named := g.ports(admin)
	rule := anpv1alpha1.AdminNetworkPolicyIngressRule{Name: fmt.Sprintf("ing-%d", i),
		Action: anpv1alpha1.AdminNetworkPolicyRuleAction(g.action(admin)), Ports: ports}
	nss, pods, _ := g.peers(named, false)
	for _, s := range nss {
		rule.From = append(rule.From, anpv1alpha1.AdminNetworkPolicyIngressPeer{Namespaces: s})
	}
	for _, p := range pods {
		rule.From = append(rule.From, anpv1alpha1.AdminNetworkPolicyIngressPeer{Pods: p})
	}
	return rule
}

func (g *largeGen) egressRule(i int, admin bool) anpv1alpha1.AdminNetworkPolicyEgressRule {
	ports, named := g.ports(admin)
	rule := anpv1alpha1.AdminNetworkPolicyEgressRule{Name: fmt.Sprintf("egr-%d", i),
		Action: anpv1alpha1.AdminNetworkPolicyRuleAction(g.action(admin)), Ports: ports}
	nss, pods, nets := g.peers(named, admin)
	for _, s := range nss {
		rule.To = append(rule.To, anpv1alpha1.AdminNetworkPolicyEgressPeer{Namespaces: s})
	}
	for _, p := range pods {
		rule.To = append(rule.To, anpv1alpha1.AdminNetworkPolicyEgressPeer{Pods: p})
	}
	if nets != nil {
		rule.To = append(rule.To, anpv1alpha1.AdminNetworkPolicyEgressPeer{Networks: nets})
	}
	return rule
}

func (g *largeGen) banp() {
	spec := anpv1alpha1.BaselineAdminNetworkPolicySpec{
		Subject: anpv1alpha1.AdminNetworkPolicySubject{Namespaces: &metav1.LabelSelector{}},
	}
	for i := 0; i < (g.BANPRules+1)/2; i++ {
		r := g.ingressRule(i, false)
		spec.Ingress = append(spec.Ingress, anpv1alpha1.BaselineAdminNetworkPolicyIngressRule{Name: r.Name,
			Action: anpv1alpha1.BaselineAdminNetworkPolicyRuleAction(r.Action), From: r.From, Ports: r.Ports})
	}
	for i := 0; i < g.BANPRules/2; i++ {
		r := g.egressRule(i, false)
		out := anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{Name: r.Name,
			Action: anpv1alpha1.BaselineAdminNetworkPolicyRuleAction(r.Action), Ports: r.Ports}
		for _, p := range r.To {
			out.To = append(
				out.To,
				anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: p.Namespaces, Pods: p.Pods},
			)
		}
		spec.Egress = append(spec.Egress, out)
	}
	g.s.BANPs = append(
		g.s.BANPs,
		&anpv1alpha1.BaselineAdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default"}, Spec: spec},
	)
}

// networkPolicy draws one of the common NetworkPolicy shapes: default deny, allow from pods of the same
// namespace, allow from other namespaces (optionally narrowed to pods), egress to the outside.
func (g *largeGen) networkPolicy(i int) {
	ns := LargeNamespaceName(i % g.Namespaces)
	np := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("np-%d", i/g.Namespaces)},
	}
	spec := &np.Spec
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	port := func(proto *corev1.Protocol, p intstr.IntOrString) networkingv1.NetworkPolicyPort {
		return networkingv1.NetworkPolicyPort{Protocol: proto, Port: &p}
	}
	switch r := g.rng.Intn(100); {
	case r < 15: // default deny ingress
		spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	case r < 50: // allow from pods of this namespace
		spec.PodSelector = *g.podSelector()
		rule := networkingv1.NetworkPolicyIngressRule{
			From: []networkingv1.NetworkPolicyPeer{{PodSelector: g.podSelector()}},
		}
		if g.percent(80) {
			rule.Ports = []networkingv1.NetworkPolicyPort{port(&tcp, intstr.FromInt32(8080))}
			if g.percent(10) {
				rule.Ports = []networkingv1.NetworkPolicyPort{port(&tcp, intstr.FromString("web"))}
			}
		}
		spec.Ingress = []networkingv1.NetworkPolicyIngressRule{rule}
		spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	case r < 80: // allow from other namespaces, sometimes narrowed to pods
		spec.PodSelector = *g.podSelector()
		peer := networkingv1.NetworkPolicyPeer{NamespaceSelector: g.nsSelector()}
		if g.percent(40) {
			peer.PodSelector = g.podSelector()
		}
		spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{peer},
			Ports: []networkingv1.NetworkPolicyPort{
				port(&tcp, intstr.FromInt32(8080)),
				port(&tcp, intstr.FromInt32(9090)),
			}}}
		spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	default: // egress: DNS anywhere, the outside world but not the cluster, and this namespace
		spec.Egress = []networkingv1.NetworkPolicyEgressRule{
			{
				Ports: []networkingv1.NetworkPolicyPort{
					port(&udp, intstr.FromInt32(53)),
					port(&tcp, intstr.FromInt32(53)),
				},
			},
			{
				To: []networkingv1.NetworkPolicyPeer{
					{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"10.0.0.0/8"}}},
				},
			},
			{To: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}},
		}
		spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	}
	g.s.NetworkPolicies = append(g.s.NetworkPolicies, np)
}
