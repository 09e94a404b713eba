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

// BinEnv names a folder holding kube-apiserver and etcd to use instead of running test/kube/build.sh.
const BinEnv = "TIERACL_KUBE_BIN"

// BinDir returns the folder holding kube-apiserver and etcd: dir when set, else $TIERACL_KUBE_BIN, else
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
	for _, name := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return "", fmt.Errorf("kube binaries in %s: %w", dir, err)
		}
	}
	return dir, nil
}
