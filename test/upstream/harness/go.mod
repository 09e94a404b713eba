// What the upstream conformance harnesses share: recording the suite's API calls, timing them, and
// judging its go test output. Standard library and sigs.k8s.io/yaml only, so that both suite modules
// (k8s.io 0.33 for v0.1.7, 0.36 for v0.3.0) can require it.
module github.com/tieracl/tieracl/test/upstream/harness

go 1.24.0

require sigs.k8s.io/yaml v1.4.0
