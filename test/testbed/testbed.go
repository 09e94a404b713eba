// Package testbed supplies the real parts that tests run go-controller/pkg/ovnsandbox with, from this
// checkout: OVN 25.03 from test/ovn/fetch.sh's cache, the host tools of test/ovn/host-deps.sh, and a
// tieracl-probe built from source. Product code finds OVN by flag, environment or PATH; tests pass
// these in explicitly (Options), so they never depend on what the host has installed.
package testbed

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// RepoRoot is the checkout this package was compiled from; the fetch script and the commands live there.
func RepoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the testbed package source")
	}
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "test", "ovn", "fetch.sh")); err != nil {
		return "", fmt.Errorf("repository root %s has no test/ovn/fetch.sh: %w", root, err)
	}
	return root, nil
}

// OVN returns the unpacked trixie root of test/ovn/fetch.sh, which returns at once when its cache is
// complete, for ovnsandbox.Options.OVN.
func OVN(ctx context.Context) (string, error) {
	repo, err := RepoRoot()
	if err != nil {
		return "", err
	}
	out, err := runScript(ctx, filepath.Join(repo, "test", "ovn", "fetch.sh"))
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1], nil
}

// HostTools runs test/ovn/host-deps.sh, which installs ethtool, iproute2 and openssl when one is missing.
func HostTools(ctx context.Context) error {
	for _, name := range []string{"ethtool", "ip", "openssl"} {
		if _, err := exec.LookPath(name); err != nil {
			repo, err := RepoRoot()
			if err != nil {
				return err
			}
			_, err = runScript(ctx, filepath.Join(repo, "test", "ovn", "host-deps.sh"))
			return err
		}
	}
	return nil
}

// Parts are what a sandbox needs from the checkout, for ovnsandbox.Options.
type Parts struct {
	OVN         string // the unpacked OVN root
	ProbeBinary string // a tieracl-probe built from source
}

// Get fetches OVN, installs missing host tools and builds tieracl-probe (each once per process when
// cached).
func Get(ctx context.Context) (Parts, error) {
	root, err := OVN(ctx)
	if err != nil {
		return Parts{}, err
	}
	if err := HostTools(ctx); err != nil {
		return Parts{}, err
	}
	probe, err := ProbeBinary()
	if err != nil {
		return Parts{}, err
	}
	return Parts{OVN: root, ProbeBinary: probe}, nil
}

func runScript(ctx context.Context, script string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w: %s", script, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// ProbeBinary builds tieracl-probe once per process into the user's cache, so every datapath bed
// skips its own build.
var ProbeBinary = sync.OnceValues(func() (string, error) {
	repo, err := RepoRoot()
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "tieracl")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Build under a temporary name and rename: other processes may be running the old binary.
	tmp, err := os.CreateTemp(dir, "tieracl-probe-*")
	if err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name()) // best effort; the close error is the one returned
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", tmp.Name(), "./go-controller/cmd/tieracl-probe")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.Remove(tmp.Name()) // best effort; the build error is the one returned
		return "", fmt.Errorf("building tieracl-probe: %w: %s", err, strings.TrimSpace(string(out)))
	}
	final := filepath.Join(dir, "tieracl-probe")
	if err := os.Rename(tmp.Name(), final); err != nil {
		_ = os.Remove(tmp.Name()) // best effort; the rename error is the one returned
		return "", err
	}
	return final, nil
})
