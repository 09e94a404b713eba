package manifest

import (
	"path/filepath"
	"strings"
	"testing"
)

const cnpBeta = `apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: admin-deny, annotations: {k8s.ovn.org/acl-logging: '{"deny":"alert"}'}}
spec:
  tier: Admin
  priority: 1000
  subject: {namespaces: {matchLabels: {tier: web}}}
  egress:
  - name: no-db
    action: Deny
    to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}]
    protocols: [{tcp: {destinationPort: {range: {start: 5000, end: 5999}}}}, {destinationNamedPort: web}]
`

const cnpAlpha = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: baseline-accept}
spec:
  tier: Baseline
  priority: 3
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}
  ingress:
  - action: Accept
    from: [{namespaces: {}}]
    protocols: [{udp: {destinationPort: {number: 53}}}, {sctp: {destinationPort: {number: 9}}}]
  egress:
  - action: Pass
    to: [{networks: [10.0.0.0/8, "fd00::/8"]}, {nodes: {}}, {domainNames: [example.com]}]
`

func TestLoadClusterNetworkPolicy(t *testing.T) {
	dir := writeTree(t, map[string]string{"beta.yaml": cnpBeta, "alpha.yaml": cnpAlpha})
	snap, sources, err := LoadWithSources(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.CNPs) != 2 {
		t.Fatalf("got %d CNPs, want 2", len(snap.CNPs))
	}
	alpha, beta := snap.CNPs[0], snap.CNPs[1] // files in lexical order
	if alpha.APIVersion != "policy.networking.k8s.io/v1beta1" || alpha.Name != "baseline-accept" {
		t.Errorf("v1alpha2 object not converted to v1beta1: %s %s", alpha.APIVersion, alpha.Name)
	}
	if alpha.Spec.Tier != "Baseline" || alpha.Spec.Priority != 3 || alpha.Spec.Subject.Pods == nil ||
		alpha.Spec.Ingress[0].Protocols[1].SCTP.DestinationPort.Number != 9 ||
		string(alpha.Spec.Egress[0].To[0].Networks[1]) != "fd00::/8" || alpha.Spec.Egress[0].To[1].Nodes == nil ||
		string(alpha.Spec.Egress[0].To[2].DomainNames[0]) != "example.com" {
		t.Errorf("v1alpha2 fields lost in conversion: %+v", alpha.Spec)
	}
	if r := beta.Spec.Egress[0].Protocols[0].TCP.DestinationPort.Range; r == nil || r.Start != 5000 || r.End != 5999 {
		t.Errorf("v1beta1 port range: %+v", r)
	}
	if beta.Spec.Egress[0].Protocols[1].DestinationNamedPort != "web" ||
		beta.Annotations["k8s.ovn.org/acl-logging"] == "" {
		t.Errorf("v1beta1 named port or annotation lost: %+v", beta)
	}
	if _, ok := sources[ObjectKey{Kind: "ClusterNetworkPolicy", Name: "admin-deny"}]; !ok {
		t.Errorf("no source for the CNP: %v", sources)
	}
}

func TestLoadClusterNetworkPolicyErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"both versions of one object are one object", cnpBeta + "---\n" + strings.Replace(cnpBeta, "v1beta1", "v1alpha2", 1),
			"duplicate ClusterNetworkPolicy admin-deny, first defined at"},
		{"unknown field in v1alpha2", strings.Replace(cnpAlpha, "tier: Baseline", "tier: Baseline\n  tiers: []", 1),
			"spec.tiers: unknown field"},
		{"v1alpha1 is not served", strings.Replace(cnpAlpha, "v1alpha2", "v1alpha1", 1),
			`apiVersion: ClusterNetworkPolicy must be one of "policy.networking.k8s.io/v1beta1", ` +
				`"policy.networking.k8s.io/v1alpha2", not "policy.networking.k8s.io/v1alpha1"`},
		{"cluster-scoped", strings.Replace(cnpBeta, "name: admin-deny,", "name: admin-deny, namespace: x,", 1),
			"metadata.namespace: ClusterNetworkPolicy is cluster-scoped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"a.yaml": tc.file})
			_, err := Load(filepath.Join(dir, "a.yaml"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}
