package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/test/e2e"
	"github.com/tieracl/tieracl/test/testbed"
)

// TestDebuggingCommands runs the tieracl CLI's live commands against the e2e's real API server and NB:
// they read the cluster through a kubeconfig and NB as the controller does. Drift made with ovn-nbctl
// while the controller is stopped (an ACL destroyed, an address-set member removed) makes diff report
// both and exit 1; the controller, started again, repairs them, and diff exits 0.
func TestDebuggingCommands(t *testing.T) {
	env := environment(t)
	pols := policies(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	guard := denyIngress("e2e-debug-guard", 60, "slytherin", "gryffindor")
	apply(t, ctx, env, pols, anps(t, guard))

	dir := t.TempDir()
	cli := buildCLI(t, ctx, dir)
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := env.Kube.Kubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	live := []string{"--kubeconfig", kubeconfig, "--nb", env.Bed.NBSocket()}
	// tieracl runs a command with the kubeconfig and the NB; matrix reads no NB, acl-list no cluster.
	tieracl := func(code int, args ...string) string {
		t.Helper()
		flags := live
		switch args[0] {
		case "matrix":
			flags = live[:2]
		case "acl-list":
			flags = live[2:]
		}
		got, out, errOut := runTieracl(ctx, cli, append(args, flags...)...)
		if got != code {
			t.Fatalf("tieracl %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, code, out, errOut)
		}
		return out
	}
	contains := func(what, out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, out)
			}
		}
	}
	aclName := "anp:" + guard.Name + ":in:0"
	contains("diff", tieracl(0, "diff"), "NB matches")
	contains("explain", tieracl(0, "explain", "--from", harry0, "--to", draco0, "--port", "80"),
		"ACL rows: live NB", aclName, "verdict: model Deny, acl Deny")
	contains("selects", tieracl(0, "selects", "--pod", draco0), "AdminNetworkPolicy/"+guard.Name, "subject", "yes")
	contains("matrix", tieracl(0, "matrix", "--port", "80"), "tier 1 AdminNetworkPolicy/"+guard.Name+" #0")

	var listing struct {
		ACLs []struct {
			UUID       string   `json:"uuid"`
			Name       string   `json:"name"`
			PortGroups []string `json:"portGroups"`
		} `json:"acls"`
		AddressSets []struct {
			Name    string   `json:"name"`
			Members []string `json:"members"`
		} `json:"addressSets"`
	}
	out := tieracl(0, "acl-list", "--policy", "AdminNetworkPolicy/"+guard.Name, "-v", "-o", "json")
	if err := json.Unmarshal([]byte(out), &listing); err != nil {
		t.Fatalf("acl-list -o json: %v\n%s", err, out)
	}
	var aclUUID, aclGroup string
	for _, a := range listing.ACLs {
		if a.Name == aclName && len(a.PortGroups) == 1 {
			aclUUID, aclGroup = a.UUID, a.PortGroups[0]
		}
	}
	if aclUUID == "" {
		t.Fatalf("acl-list --policy: %+v, want the ACL %s on one port group", listing.ACLs, aclName)
	}
	var set, member string
	for _, s := range listing.AddressSets {
		if strings.HasSuffix(s.Name, "_v4") && len(s.Members) > 0 {
			set, member = s.Name, s.Members[0]
		}
	}
	if set == "" {
		t.Fatalf("acl-list -v names no IPv4 address set with members: %+v", listing.AddressSets)
	}

	// The controller repairs drift at once: stop it so that diff sees the drift first.
	if err := env.Controller.Stop(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	restart := func() {
		if restarted {
			return
		}
		restarted = true
		if err := env.Controller.Start(); err != nil {
			t.Fatal(err)
		}
		if err := env.Controller.WaitReadyz(ctx, http.StatusOK, e2e.Leading, readyTimeout); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(restart)
	env.BedMu.Lock()
	_, err := env.Bed.NBCtl(ctx, "remove", "Port_Group", aclGroup, "acls", aclUUID,
		"--", "remove", "Address_Set", set, "addresses", `"`+member+`"`)
	env.BedMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	contains("diff after drift", tieracl(1, "diff"), "AdminNetworkPolicy/"+guard.Name,
		"missing  ACL          "+aclName, "changed  Address_Set  "+set, "- missing: "+member)

	began := time.Now()
	restart()
	deadline := time.Now().Add(programTimeout)
	for {
		code, out, errOut := runTieracl(ctx, cli, append([]string{"diff"}, live...)...)
		if code == 0 {
			t.Logf("drift repaired: diff exits 0 %v after the controller was started again",
				time.Since(began).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restarted controller did not repair the drift in %v: diff exits %d\n%s%s", programTimeout, code, out,
				errOut)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// buildCLI builds go-controller/cmd/tieracl from this checkout into dir.
func buildCLI(t *testing.T, ctx context.Context, dir string) string {
	t.Helper()
	repo, err := testbed.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "tieracl")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./go-controller/cmd/tieracl")
	cmd.Dir = repo
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building tieracl: %v\n%s", err, msg)
	}
	return out
}

// runTieracl runs the CLI and returns its exit code, stdout and stderr; a CLI that cannot run is -1.
func runTieracl(ctx context.Context, cli string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	return -1, stdout.String(), fmt.Sprintf("%s%v", stderr.String(), err)
}
