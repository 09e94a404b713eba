package ovnsandbox

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tieracl/tieracl/test/testbed"
)

// startBed starts a control plane that is stopped when the test ends; a failed test keeps the run
// folder and prints the daemons' logs. These tests need root and the real binaries: when either is
// missing they fail, never skip, except under -short (make unit).
func startBed(t *testing.T, ctx context.Context) *Bed {
	t.Helper()
	return startBedWith(t, ctx, Options{})
}

func startBedWith(t *testing.T, ctx context.Context, opts Options) *Bed {
	t.Helper()
	if testing.Short() {
		t.Skip("needs root and OVN 25.03 (test/ovn/fetch.sh); skipped under -short")
	}
	if os.Geteuid() != 0 {
		t.Fatal("the test bed needs root (network namespaces, ovs-vswitchd)")
	}
	parts, err := testbed.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts.OVN, opts.ProbeBinary = parts.OVN, parts.ProbeBinary
	start := time.Now()
	b, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("control plane up in %v (run folder %s)", time.Since(start).Round(time.Millisecond), b.Dir)
	t.Cleanup(func() {
		if t.Failed() {
			b.KeepRunDir()
			t.Logf("daemon logs:\n%s", b.Logs(15))
		}
		if err := b.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return b
}

// aclSpec is one ACL written with ovn-nbctl; PortGroup, when set, makes it a port group's ACL.
type aclSpec struct {
	PortGroup string
	Tier      int
	Direction string // from-lport or to-lport
	Priority  int
	Match     string
	Action    string
}

// setACLs replaces every ACL of the bed's switch and of the given port groups with acls.
func setACLs(t *testing.T, ctx context.Context, b *Bed, acls []aclSpec) {
	t.Helper()
	args := []string{"acl-del", SwitchName}
	for _, pg := range portGroups(acls) {
		args = append(args, "--", "--type=port-group", "acl-del", pg)
	}
	for _, a := range acls {
		args = append(args, "--", "--tier="+strconv.Itoa(a.Tier))
		entity := SwitchName
		if a.PortGroup != "" {
			args = append(args, "--type=port-group")
			entity = a.PortGroup
		}
		args = append(args, "acl-add", entity, a.Direction, strconv.Itoa(a.Priority), a.Match, a.Action)
	}
	if _, err := b.NBCtl(ctx, args...); err != nil {
		t.Fatalf("writing ACLs: %v", err)
	}
	if err := b.WaitNorthd(ctx); err != nil {
		t.Fatalf("WaitNorthd: %v", err)
	}
}

func portGroups(acls []aclSpec) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range acls {
		if a.PortGroup != "" && !seen[a.PortGroup] {
			seen[a.PortGroup] = true
			out = append(out, a.PortGroup)
		}
	}
	return out
}
