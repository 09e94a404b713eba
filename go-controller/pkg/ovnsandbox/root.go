package ovnsandbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// RootEnv names an unpacked OVN root to use instead of running test/ovn/fetch.sh.
const RootEnv = "TIERACL_OVN_ROOT"

// RepoRoot is the checkout this package was compiled from; the fetch script and the probe command
// live there.
func RepoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the ovnsandbox package source")
	}
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "test", "ovn", "fetch.sh")); err != nil {
		return "", fmt.Errorf("repository root %s has no test/ovn/fetch.sh: %w", root, err)
	}
	return root, nil
}

// OVNRoot returns the unpacked trixie root: $TIERACL_OVN_ROOT when set, else the output of fetch.sh,
// which returns at once when its cache is complete.
func OVNRoot(ctx context.Context) (string, error) {
	if root := os.Getenv(RootEnv); root != "" {
		if _, err := os.Stat(filepath.Join(root, loaderPath)); err != nil {
			return "", fmt.Errorf("%s=%s is not an unpacked OVN root: %w", RootEnv, root, err)
		}
		return root, nil
	}
	repo, err := RepoRoot()
	if err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(repo, "test", "ovn", "fetch.sh"))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("test/ovn/fetch.sh: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	return lines[len(lines)-1], nil
}

// Paths of the unpacked root that the bed uses, relative to it.
const (
	loaderPath   = "usr/lib64/ld-linux-x86-64.so.2"
	libraryPath  = "usr/lib/x86_64-linux-gnu"
	nbSchemaPath = "usr/share/ovn/ovn-nb.ovsschema"
	sbSchemaPath = "usr/share/ovn/ovn-sb.ovsschema"
	vsSchemaPath = "usr/share/openvswitch/vswitch.ovsschema"
)

// binaries maps a program name to its place in the root.
var binaries = map[string]string{
	"ovsdb-tool":     "usr/bin/ovsdb-tool",
	"ovsdb-server":   "usr/sbin/ovsdb-server",
	"ovsdb-client":   "usr/bin/ovsdb-client",
	"ovn-northd":     "usr/bin/ovn-northd",
	"ovn-nbctl":      "usr/bin/ovn-nbctl",
	"ovn-sbctl":      "usr/bin/ovn-sbctl",
	"ovn-trace":      "usr/bin/ovn-trace",
	"ovn-appctl":     "usr/bin/ovn-appctl",
	"ovn-controller": "usr/bin/ovn-controller",
	"ovs-vsctl":      "usr/bin/ovs-vsctl",
	"ovs-appctl":     "usr/bin/ovs-appctl",
	"ovs-ofctl":      "usr/bin/ovs-ofctl",
	"ovs-vswitchd":   "usr/lib/openvswitch-switch/ovs-vswitchd",
}

// argv returns the command line that runs program through the root's own loader, so the trixie
// binaries find trixie's libraries on a bookworm host.
func argv(root, program string, args ...string) ([]string, error) {
	rel, ok := binaries[program]
	if !ok {
		return nil, fmt.Errorf("unknown OVN program %q", program)
	}
	out := []string{filepath.Join(root, loaderPath), "--library-path", filepath.Join(root, libraryPath),
		filepath.Join(root, rel)}
	return append(out, args...), nil
}
