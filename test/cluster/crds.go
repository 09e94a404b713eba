package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tieracl/tieracl/test/kube"
)

// crdFiles are the manifests of the CRD set: dist/crds (v0.1.7's ANP and BANP) and, for v0.3.0, the
// ClusterNetworkPolicy CRD, from dist/crds when it is there, else from sigs.k8s.io/network-policy-api@v0.3.0
// in the module cache. v0.3.0 keeps
// ANP and BANP too: a controller that watches them can start, and v0.3.0's suite does not look at them.
func crdFiles(ctx context.Context, set string) ([]string, error) {
	dist, err := kube.CRDFiles()
	if err != nil {
		return nil, err
	}
	var files []string
	hasCNP := false
	for _, f := range dist {
		switch base := filepath.Base(f); {
		case strings.Contains(base, "_clusternetworkpolicies."):
			hasCNP = true
			if set == CRDsV030 {
				files = append(files, f)
			}
		default:
			files = append(files, f)
		}
	}
	if set == CRDsV017 || hasCNP {
		return files, nil
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", "sigs.k8s.io/network-policy-api@v0.3.0")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go mod download network-policy-api@v0.3.0: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(stdout.Bytes(), &mod); err != nil || mod.Dir == "" {
		return nil, fmt.Errorf("go mod download gave no folder (%v): %s", err, stdout.String())
	}
	cnp, err := filepath.Glob(filepath.Join(mod.Dir, "config", "crd", "experimental", "policy.networking.k8s.io_*.yaml"))
	if err == nil && len(cnp) == 0 {
		err = fmt.Errorf("no CRDs in %s/config/crd/experimental", mod.Dir)
	}
	return append(files, cnp...), err
}
