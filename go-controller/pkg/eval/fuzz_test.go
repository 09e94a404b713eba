package eval_test

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/acl"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/model"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// FuzzTranslate drives synth.Random with the fuzzer's bytes (so a mutation changes a few choices, not
// the whole cluster) and writes the fuzzer's strings and numbers into the fields the API leaves loose or
// that old or unvalidated objects can hold: CIDRs, excepts, port names and numbers, protocols, label
// values in selectors, the logging annotation, priorities. Whatever the input, the translation must not
// panic, every match must parse, the state must be one nbsync writes (names unique and at most 63
// characters), and the ACL evaluator must agree with the policy model on sampled flows.
//
// `go test` runs the seeds in testdata/fuzz/FuzzTranslate; `go test -fuzz FuzzTranslate` searches.
func FuzzTranslate(f *testing.F) {
	f.Add([]byte("tieracl"), uint16(0), "10.244.0.1/24", "10.244.0.0/28", "web", "TCP", int32(8080), int32(8100), "a",
		`{"deny":"alert"}`, int32(5))
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uint16(0xffff), "fd00:10:244::/64", "10.0.0.0/8", "dns", "UDP",
		int32(65536), int32(0), "a b", "{", int32(1001))
	f.Fuzz(func(t *testing.T, choices []byte, shape uint16, cidr, except, portName, proto string, port, endPort int32,
		label, logging string, prio int32) {
		bad := badInput{shape: shape, cidr: cidr, except: except, portName: portName, proto: proto, port: port,
			endPort: endPort, label: label, logging: logging, priority: prio}
		rng := rand.New(&byteSource{data: choices, fallback: rand.New(rand.NewSource(int64(hashOf(choices))))})
		snap := synth.Random(rng)
		bad.inject(snap)
		checkTranslation(t, snap, rng, bad.ports())
	})
}

// checkTranslation is the fuzz property for one snapshot.
func checkTranslation(t *testing.T, snap *cluster.Snapshot, rng *rand.Rand, extraPorts []int32) {
	res := translate.Translate(snap, translate.Options{})
	if err := res.State.Validate(); err != nil {
		t.Fatalf("the state nbsync would refuse: %v\n%s", err, dump(snap))
	}
	checkUTF8(t, &res.State)
	// acl.New parses every match with ovnmatch and resolves its $sets and @groups.
	aclEval, err := acl.New(&res.State)
	if err != nil {
		t.Fatalf("ACL evaluator rejects the rows: %v\n%s", err, dump(snap))
	}
	modelEval := model.New(snap)
	ix := cluster.NewIndex(snap, nil)
	for tries, judged := 0, 0; tries < 100 && judged < 12; tries++ {
		flow, ok := randomFlow(rng, ix)
		if !ok {
			continue
		}
		if len(extraPorts) > 0 && rng.Intn(2) == 0 {
			flow.Port = extraPorts[rng.Intn(len(extraPorts))]
		}
		judged++
		if _, disagreement := judgeBoth(t, modelEval, aclEval, flow); disagreement != "" {
			t.Fatalf("%s\nrows:\n%s\ncluster:\n%s", disagreement, js(res.State.ACLs), dump(snap))
		}
	}
}

// checkUTF8: OVSDB strings are UTF-8; one invalid byte in any row fails the whole transaction.
func checkUTF8(t *testing.T, st *nbrows.State) {
	t.Helper()
	check := func(what, s string) {
		if !utf8.ValidString(s) {
			t.Fatalf("%s %q is not valid UTF-8", what, s)
		}
	}
	for _, a := range st.ACLs {
		check("ACL name", a.Name)
		check("ACL match", a.Match)
		for k, v := range a.ExternalIDs {
			check("ACL external_ids", k+v)
		}
	}
	for _, pg := range st.PortGroups {
		check("port group name", pg.Name)
		for k, v := range pg.ExternalIDs {
			check("port group external_ids", k+v)
		}
	}
	for _, as := range st.AddressSets {
		check("address set name", as.Name)
		for k, v := range as.ExternalIDs {
			check("address set external_ids", k+v)
		}
	}
}

// badInput is what the fuzzer writes into the snapshot. Strings are made valid UTF-8 first, as the API
// server's JSON decoding makes every string it stores. shape's bits choose how the parts are used, apart
// from the cluster generator's draws, so a seed keeps its meaning when the generator changes.
type badInput struct {
	shape                                         uint16
	cidr, except, portName, proto, label, logging string
	port, endPort, priority                       int32
}

// bits returns shape's bits from lo, n of them, modulo mod.
func (b badInput) bits(lo, n uint, mod int) int { return int(b.shape>>lo&(1<<n-1)) % mod }

func (b badInput) ports() []int32 {
	var out []int32
	for _, p := range []int32{b.port - 1, b.port, b.port + 1, b.endPort - 1, b.endPort, b.endPort + 1} {
		if p >= 1 && p <= 65535 {
			out = append(out, p)
		}
	}
	return out
}

func valid(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// inject adds one ANP, one NetworkPolicy and one pod built from the bad input, and puts the logging
// annotation on a namespace; shape decides which parts are used.
func (b badInput) inject(s *cluster.Snapshot) {
	cidr, except, portName, label := valid(b.cidr), valid(b.except), valid(b.portName), valid(b.label)
	proto := corev1.Protocol(valid(b.proto))
	if len(s.Namespaces) == 0 {
		return
	}
	ns := s.Namespaces[b.bits(12, 4, len(s.Namespaces))]
	if b.bits(0, 1, 2) == 0 {
		ns.Annotations = map[string]string{"k8s.ovn.org/acl-logging": valid(b.logging)}
	}
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": label}}
	if b.bits(1, 1, 2) == 1 {
		sel = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{label, "a"}}}}
	}
	// A pod with the named port, at the fuzzer's number (perhaps outside 1-65535).
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "fuzz", Labels: map[string]string{"app": "a"}},
		Spec: corev1.PodSpec{NodeName: s.Nodes[0].Name, Containers: []corev1.Container{{Name: "c",
			Ports: []corev1.ContainerPort{{Name: portName, ContainerPort: b.port, Protocol: proto}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			PodIPs: []corev1.PodIP{{IP: "10.244.7.7"}, {IP: "fd00:10:244::707"}}}}
	s.Pods = append(s.Pods, p)

	adminPorts := []anpv1alpha1.AdminNetworkPolicyPort{
		{PortNumber: &anpv1alpha1.Port{Protocol: proto, Port: b.port}},
		{PortRange: &anpv1alpha1.PortRange{Protocol: proto, Start: b.port, End: b.endPort}},
		{NamedPort: &portName},
	}
	chosenPorts := adminPorts[b.bits(2, 2, len(adminPorts)):]
	action := anpv1alpha1.AdminNetworkPolicyRuleAction([]string{"Allow", "Deny", "Pass"}[b.bits(4, 2, 3)])
	a := &anpv1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "fuzz",
		Annotations: map[string]string{"k8s.ovn.org/acl-logging": valid(b.logging)}},
		Spec: anpv1alpha1.AdminNetworkPolicySpec{Priority: b.priority,
			Subject: anpv1alpha1.AdminNetworkPolicySubject{Pods: &anpv1alpha1.NamespacedPod{PodSelector: *sel}},
			Egress: []anpv1alpha1.AdminNetworkPolicyEgressRule{
				{Name: valid(b.label), Action: action, Ports: &chosenPorts,
					To: []anpv1alpha1.AdminNetworkPolicyEgressPeer{{Networks: []anpv1alpha1.CIDR{anpv1alpha1.CIDR(cidr)}}}},
				{Name: "fuzz-pods", Action: action,
					To: []anpv1alpha1.AdminNetworkPolicyEgressPeer{{Pods: &anpv1alpha1.NamespacedPod{PodSelector: *sel}}}},
			},
			Ingress: []anpv1alpha1.AdminNetworkPolicyIngressRule{{Name: "fuzz-in", Action: action, Ports: &chosenPorts,
				From: []anpv1alpha1.AdminNetworkPolicyIngressPeer{{Namespaces: sel}}}}}}
	s.ANPs = append(s.ANPs, a)

	npPort := intstr.FromInt32(b.port)
	if b.bits(6, 1, 2) == 0 {
		npPort = intstr.FromString(portName)
	}
	end := b.endPort
	npPorts := []networkingv1.NetworkPolicyPort{{Protocol: &proto, Port: &npPort}}
	if b.bits(7, 1, 2) == 0 {
		npPorts[0].EndPort = &end
	}
	types := []networkingv1.PolicyType{"Ingress", "Egress", "Egress", networkingv1.PolicyType(label)}[:1+b.bits(8, 2, 4)]
	np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "fuzz"},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: *sel, PolicyTypes: types,
			Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: npPorts, From: []networkingv1.NetworkPolicyPeer{
				{IPBlock: &networkingv1.IPBlock{CIDR: cidr, Except: []string{except}}}, {PodSelector: sel}}}},
			Egress: []networkingv1.NetworkPolicyEgressRule{{Ports: npPorts, To: []networkingv1.NetworkPolicyPeer{
				{IPBlock: &networkingv1.IPBlock{CIDR: cidr}}, {NamespaceSelector: sel}}}}}}
	s.NetworkPolicies = append(s.NetworkPolicies, np)
}

// byteSource feeds math/rand from the fuzzer's bytes, eight at a time, then from a generator seeded by
// them, so short inputs still make whole clusters.
type byteSource struct {
	data     []byte
	fallback *rand.Rand
}

func (s *byteSource) Int63() int64 { return int64(s.Uint64() >> 1) }

func (s *byteSource) Uint64() uint64 {
	if len(s.data) == 0 {
		return s.fallback.Uint64()
	}
	var buf [8]byte
	n := copy(buf[:], s.data)
	s.data = s.data[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

func (s *byteSource) Seed(int64) {}

func hashOf(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}
