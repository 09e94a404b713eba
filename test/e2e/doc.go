// Package e2e runs tieracl-controller end to end: a real kube-apiserver (test/kube) with dist/'s
// manifests applied, a real OVN 25.03 with its datapath (go-controller/pkg/ovnsandbox), a node agent standing in for
// kubelet and the CNI (it gives pods IPs, logical ports, network namespaces and probe servers), and the
// controller as a separate process with its ServiceAccount's token. The tests drive it only through the
// API and judge it with real packets. See docs/e2e.md.
package e2e
