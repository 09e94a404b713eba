package kube

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tieracl/tieracl/test/testbed"
)

// BinEnv names a folder holding the binaries (Binaries) to use instead of running test/kube/build.sh.
const BinEnv = "TIERACL_KUBE_BIN"

// Binaries are what test/kube/build.sh builds and BinDir checks for.
var Binaries = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "agnhost"}

// BinDir returns the folder holding Binaries: dir when set, else $TIERACL_KUBE_BIN, else
// the last line of test/kube/build.sh, which builds them on first use (minutes) and then returns at once.
func BinDir(ctx context.Context, dir string) (string, error) {
	if dir == "" {
		dir = os.Getenv(BinEnv)
	}
	if dir == "" {
		repo, err := testbed.RepoRoot()
		if err != nil {
			return "", err
		}
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, "bash", filepath.Join(repo, "test", "kube", "build.sh"))
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("test/kube/build.sh: %w: %s", err, strings.TrimSpace(stderr.String()))
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		dir = lines[len(lines)-1]
	}
	var missing []string
	for _, name := range Binaries {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("kube binaries in %s: missing %s (test/kube/build.sh builds them)", dir,
			strings.Join(missing, ", "))
	}
	return dir, nil
}

// Bin is the path of one of Binaries in the cluster's bin folder.
func (c *Cluster) Bin(name string) string { return filepath.Join(c.binDir, name) }
