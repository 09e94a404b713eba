package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/test/kube"
)

func TestCommandName(t *testing.T) {
	for argv0, want := range map[string]string{
		"tieracl": "tieracl", "/usr/local/bin/tieracl": "tieracl", "/home/u/bin/kubectl-tieracl": "kubectl tieracl",
		"./kubectl-tier_acl": "kubectl tier-acl",
	} {
		if got := commandName(argv0); got != want {
			t.Errorf("commandName(%q) = %q, want %q", argv0, got, want)
		}
	}
}

// TestKubectlPlugin builds the CLI as kubectl-tieracl and runs it through a real kubectl, which finds
// plugins on $PATH.
func TestKubectlPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("needs kubectl from test/kube/build.sh; skipped under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	kubeBin, err := kube.BinDir(ctx, "")
	if err != nil {
		t.Fatalf("no kubectl to run the plugin with: %v", err)
	}
	kubectl := filepath.Join(kubeBin, "kubectl")
	if _, err := os.Stat(kubectl); err != nil {
		t.Fatalf("no kubectl to run the plugin with: %v", err)
	}
	dir := t.TempDir()
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "kubectl-tieracl"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"KUBECONFIG="+filepath.Join(dir, "none"))
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"plugin", "list"}, []string{filepath.Join(dir, "kubectl-tieracl")}},
		{[]string{"tieracl", "render", "-f", "testdata/cluster.yaml"}, []string{"AdminNetworkPolicy/pass-monitoring"}},
		{[]string{"tieracl", "--help"}, []string{"kubectl tieracl [command]", "acl-list", "diff", "sync"}},
	} {
		cmd := exec.CommandContext(ctx, kubectl, tc.args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("kubectl %v: %v\n%s", tc.args, err, out)
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(string(out), want) {
				t.Errorf("kubectl %v lacks %q:\n%s", tc.args, want, out)
			}
		}
	}
}
