// Package conformance runs the upstream network-policy-api conformance suite (v0.1.7), transcribed
// into tieracl policy test files, through the backends registered in policytest, and builds the
// suite's ConformanceReport from the results.
//
// Layout: cluster.yaml is the suite's cluster (namespaces, the StatefulSets' pods, two nodes); base/
// holds the upstream manifests; <ShortName>/NN-<subtest>.yaml is one file per upstream subtest with
// the policies in the state that subtest probes; tests.yaml lists them with each test's features.
package conformance

import "embed"

// FS holds the catalog, the cluster, the copied manifests and every test folder, so the report
// command runs from anywhere.
//
//go:embed tests.yaml cluster.yaml base AdminNetworkPolicy* BaselineAdminNetworkPolicy*
var FS embed.FS

// Display is the folder the embedded files live in, prefixed to their names in messages.
const Display = "test/conformance"
