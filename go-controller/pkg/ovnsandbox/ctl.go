package ovnsandbox

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// run executes an OVN program from the root with the bed's environment and returns its stdout.
func (b *Bed) run(ctx context.Context, program string, args ...string) (string, error) {
	cmdArgs, err := b.OVN.argv(program, args...)
	if err != nil {
		return "", err
	}
	return b.runArgv(ctx, cmdArgs)
}

// runArgv runs any command line with the bed's environment; errors carry its stderr.
func (b *Bed) runArgv(ctx context.Context, cmdArgs []string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, cmdArgs[0], cmdArgs[1:]...)
	cmd.Env = b.env()
	cmd.Dir = b.Dir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s: %w: %s", strings.Join(shortArgv(cmdArgs), " "), err,
			strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// shortArgv drops the loader prefix from error messages.
func shortArgv(cmdArgs []string) []string {
	if len(cmdArgs) > 3 && cmdArgs[1] == "--library-path" {
		return cmdArgs[3:]
	}
	return cmdArgs
}

// NBCtl runs ovn-nbctl against the bed's NB and returns its stdout.
func (b *Bed) NBCtl(ctx context.Context, args ...string) (string, error) {
	return b.run(ctx, "ovn-nbctl", append([]string{"--db=" + b.NBSocket()}, args...)...)
}

// SBCtl runs ovn-sbctl against the bed's SB and returns its stdout.
func (b *Bed) SBCtl(ctx context.Context, args ...string) (string, error) {
	return b.run(ctx, "ovn-sbctl", append([]string{"--db=" + b.SBSocket()}, args...)...)
}

// Trace runs ovn-trace against the SB (the only database it reads) and returns its stdout, e.g.
// Trace(ctx, "--ct=new", "--ct=new", "--minimal", "cluster", microflow).
func (b *Bed) Trace(ctx context.Context, args ...string) (string, error) {
	return b.run(ctx, "ovn-trace", append([]string{"--db=" + b.SBSocket()}, args...)...)
}

// WaitNorthd returns once ovn-northd has turned the current NB contents into SB logical flows.
func (b *Bed) WaitNorthd(ctx context.Context) error {
	_, err := b.NBCtl(ctx, "--timeout=30", "--wait=sb", "sync")
	return err
}

// WaitHV returns once every chassis has installed the flows for the current NB contents; it needs
// the datapath.
func (b *Bed) WaitHV(ctx context.Context) error {
	_, err := b.NBCtl(ctx, "--timeout=30", "--wait=hv", "sync")
	return err
}

// AppCtl runs ovn-appctl against one of the bed's daemons by name, e.g. AppCtl(ctx, "ovn-northd", "pause").
func (b *Bed) AppCtl(ctx context.Context, daemon string, args ...string) (string, error) {
	return b.run(ctx, "ovn-appctl", append([]string{"-t", b.ctlSocket(daemon)}, args...)...)
}
