package model

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// TestSelectorOperators runs every matchExpressions operator as an ANP subject over the namespaces
// a (env=prod), b (env=dev) and c (no env label).
func TestSelectorOperators(t *testing.T) {
	denied, notSelected := "1:Deny "+anpP0, none
	subjectCases := []struct {
		name     string
		selector *metav1.LabelSelector
		// selected tells, per destination pod, whether the subject selects it.
		selected map[string]bool
	}{
		{"In", testobj.Expr("env", metav1.LabelSelectorOpIn, "prod", "staging"),
			map[string]bool{"a/web": true, "b/client": false, "c/x": false}},
		{"NotIn also selects a missing label", testobj.Expr("env", metav1.LabelSelectorOpNotIn, "prod"),
			map[string]bool{"a/web": false, "b/client": true, "c/x": true}},
		{"Exists", testobj.Expr("env", metav1.LabelSelectorOpExists),
			map[string]bool{"a/web": true, "b/client": true, "c/x": false}},
		{"DoesNotExist", testobj.Expr("env", metav1.LabelSelectorOpDoesNotExist),
			map[string]bool{"a/web": false, "b/client": false, "c/x": true}},
		{"matchLabels AND matchExpressions", &metav1.LabelSelector{MatchLabels: map[string]string{"team": "b"},
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "env", Operator: metav1.LabelSelectorOpExists}}},
			map[string]bool{"a/web": false, "b/client": true, "c/x": false}},
		{"requirements AND together", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "env", Operator: metav1.LabelSelectorOpIn, Values: []string{"prod", "dev"}},
			{Key: "team", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"b"}}}},
			map[string]bool{"a/web": true, "b/client": false, "c/x": false}},
		{"metadata.name label", testobj.Sel("kubernetes.io/metadata.name", "c"),
			map[string]bool{"a/web": false, "b/client": false, "c/x": true}},
	}
	var cases []flowCase
	for _, sc := range subjectCases {
		for _, dst := range []string{"a/web", "b/client", "c/x"} {
			// The ANP has ingress rules only, so the source's egress never meets it.
			src, egress := "a/db", none
			if dst == "a/web" {
				src = "c/x"
			}
			want := notSelected
			if sc.selected[dst] {
				want = denied
			}
			cases = append(cases, flowCase{name: sc.name + " " + dst, src: src, dst: dst, port: 80,
				policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(sc.selector),
					testobj.ANPIngressRule("r", deny, nil, testobj.FromNamespaces(testobj.Sel())))},
				allowed: !sc.selected[dst], egress: egress, ingress: want})
		}
	}
	runFlowCases(t, cases)
}

// TestSelectorOperatorsOnPeers checks the operators on pod labels, as an egress pods peer.
func TestSelectorOperatorsOnPeers(t *testing.T) {
	out := func(podSel *metav1.LabelSelector) []any {
		return []any{testobj.ANP("p", 1, clientSubject,
			testobj.ANPEgressRule("r", deny, nil, testobj.ToPods(testobj.Sel(), podSel)))}
	}
	denied, noMatch := "1:Deny "+anpP0, "1:NoMatch, "+none
	runFlowCases(t, []flowCase{
		{name: "In matches", src: "b/client", dst: "a/db", port: 80,
			policies: out(testobj.Expr("app", metav1.LabelSelectorOpIn, "db", "cache")),
			allowed:  false, egress: denied, ingress: none},
		{name: "In misses", src: "b/client", dst: "a/web", port: 80,
			policies: out(testobj.Expr("app", metav1.LabelSelectorOpIn, "db", "cache")),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "NotIn matches", src: "b/client", dst: "a/web", port: 80,
			policies: out(testobj.Expr("app", metav1.LabelSelectorOpNotIn, "db")),
			allowed:  false, egress: denied, ingress: none},
		{name: "NotIn misses", src: "b/client", dst: "a/db", port: 80,
			policies: out(testobj.Expr("app", metav1.LabelSelectorOpNotIn, "db")),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "Exists matches", src: "b/client", dst: "a/db", port: 80,
			policies: out(testobj.Expr("app", metav1.LabelSelectorOpExists)),
			allowed:  false, egress: denied, ingress: none},
		{name: "DoesNotExist misses", src: "b/client", dst: "a/db", port: 80,
			policies: out(testobj.Expr("app", metav1.LabelSelectorOpDoesNotExist)),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "DoesNotExist on another key matches", src: "b/client", dst: "a/db", port: 80,
			policies: out(testobj.Expr("tier", metav1.LabelSelectorOpDoesNotExist)),
			allowed:  false, egress: denied, ingress: none},
	})
}
