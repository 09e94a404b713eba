"""Write test/conformance/<version>/ for each transcribed upstream suite: the cluster, the copied manifests, one
policy test per upstream subtest (or step of one), and the catalog tests.yaml.

Usage (from the repository root): python3 test/conformance/transcribe/generate.py test/conformance
Needs PyYAML and the upstream modules in the Go module cache ($GOMODCACHE, else ~/go/pkg/mod):
  (cd /tmp && go mod download sigs.k8s.io/network-policy-api@v0.1.7 sigs.k8s.io/network-policy-api@v0.3.0)
(outside the repository, so go.mod and go.sum stay untouched). Re-running it reproduces the files byte for byte.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import v0_1_7, v0_3_0

for suite in (v0_1_7, v0_3_0):
    suite.generate(os.path.join(sys.argv[1], suite.VERSION))
