// Package conformance runs the upstream network-policy-api conformance suites (v0.1.7 for
// AdminNetworkPolicy and BaselineAdminNetworkPolicy, v0.3.0 for ClusterNetworkPolicy), transcribed into
// tieracl policy test files, through the backends registered in policytest, and builds each suite's
// ConformanceReport from the results.
//
// Layout: one folder per suite, named after its release (v0.1.7/, v0.3.0/). In each, cluster.yaml is
// the suite's cluster (namespaces, the StatefulSets' pods, two nodes); base/ holds the upstream
// manifests; <ShortName>/NN-<subtest>.yaml is one file per upstream subtest (NN-<subtest>-stepK.yaml
// per step when upstream changes the cluster or a policy between probes) with the policies and the
// cluster in the state that subtest probes; tests.yaml lists them with each test's features.
package conformance

import "embed"

// FS holds every suite's folder, so the report command runs from anywhere.
//
//go:embed v0.1.7 v0.3.0
var FS embed.FS

// Display is the folder the embedded files live in, prefixed to their names in messages.
const Display = "test/conformance"
