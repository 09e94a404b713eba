package ovnsandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// BridgeName is the integration bridge; it lives in the bed's own network namespace, so beds side by
// side each have theirs.
const BridgeName = "br-int"

// datapath is the state of StartDatapath: the bed's switch namespace, the pods and the probe servers.
type datapath struct {
	switchNS string // network namespace of ovs-vswitchd, br-int and the host ends of the veths
	chassis  string
	probe    string // tieracl-probe binary
	// namespaces in creation order, so Stop deletes exactly what the bed made.
	namespaces []string
	endpoints  map[string]*Netns
	servers    []*exec.Cmd
	// firstDaemon is the index in Bed.daemons of the datapath's first daemon.
	firstDaemon int
	// linkPrefix starts the names of the veth host ends; nextIndex numbers endpoints, never reused.
	linkPrefix string
	nextIndex  int
}

// Chassis is the datapath's chassis name; empty before StartDatapath.
func (b *Bed) Chassis() string {
	if b.datapath == nil {
		return ""
	}
	return b.datapath.chassis
}

// StartDatapath starts an Open_vSwitch database, ovs-vswitchd with the userspace datapath (no kernel
// module needed) and ovn-controller bound to the bed's SB, and waits until the chassis is registered.
// ovs-vswitchd and ovn-controller run inside a network namespace of the bed's own, so the bridge's
// tap device and the veth host ends never meet the host's or another bed's.
func (b *Bed) StartDatapath(ctx context.Context) error {
	if b.datapath != nil {
		return fmt.Errorf("datapath already started")
	}
	// Every pod needs `ethtool -K eth0 tx off`, or the userspace datapath forwards TCP segments whose
	// checksum was never filled in and TCP silently fails.
	if err := requireHostTools("ethtool", "ip"); err != nil {
		return err
	}
	if err := b.OVN.check(datapathPrograms, b.OVN.vsSchema()); err != nil {
		return fmt.Errorf("the datapath: %w", err)
	}
	dp := &datapath{switchNS: "tb" + b.ID + "-sw", chassis: "tieracl-" + b.ID, endpoints: map[string]*Netns{},
		firstDaemon: len(b.daemons), linkPrefix: "vp"}
	b.datapath = dp
	probe, err := b.probeBinary()
	if err != nil {
		return err
	}
	dp.probe = probe

	if err := b.addNetns(ctx, dp.switchNS); err != nil {
		return err
	}
	if _, err := b.run(ctx, "ovsdb-tool", "create", b.dbFile("vs"), b.OVN.vsSchema()); err != nil {
		return err
	}
	if _, err := b.startDaemon(ctx, "ovsdb-vs", "", "ovsdb-server", []string{b.socketFile("vs")},
		"--remote=punix:"+b.socketFile("vs"), b.dbFile("vs")); err != nil {
		return err
	}
	if _, err := b.VSCtl(ctx, "--no-wait", "init", "--", "set", "open_vswitch", ".",
		"external_ids:system-id="+dp.chassis, "external_ids:hostname="+dp.chassis,
		"external_ids:ovn-remote="+b.SBSocket(), "external_ids:ovn-encap-type=geneve",
		"external_ids:ovn-encap-ip=127.0.0.1", "external_ids:ovn-bridge="+BridgeName); err != nil {
		return err
	}
	if _, err := b.startDaemon(ctx, "ovs-vswitchd", dp.switchNS, "ovs-vswitchd", []string{b.ctlSocket("ovs-vswitchd")},
		"unix:"+b.socketFile("vs")); err != nil {
		return err
	}
	// Without --no-wait, ovs-vsctl returns once ovs-vswitchd has made the bridge.
	if _, err := b.VSCtl(ctx, "--timeout=20", "add-br", BridgeName, "--", "set", "bridge", BridgeName,
		"datapath_type=netdev", "fail-mode=secure", "other_config:disable-in-band=true"); err != nil {
		return err
	}
	if _, err := b.startDaemon(ctx, "ovn-controller", dp.switchNS, "ovn-controller",
		[]string{b.ctlSocket("ovn-controller")}, "unix:"+b.socketFile("vs")); err != nil {
		return err
	}
	if _, err := b.SBCtl(ctx, "--timeout=20", "wait-until", "chassis", dp.chassis); err != nil {
		return fmt.Errorf("chassis %s did not register: %w\n%s", dp.chassis, err, b.Logs(10))
	}
	return nil
}

// VSCtl runs ovs-vsctl against the datapath's Open_vSwitch database.
func (b *Bed) VSCtl(ctx context.Context, args ...string) (string, error) {
	return b.run(ctx, "ovs-vsctl", append([]string{"--db=unix:" + b.socketFile("vs")}, args...)...)
}

// OFCtl runs ovs-ofctl against br-int, e.g. OFCtl(ctx, "dump-flows").
func (b *Bed) OFCtl(ctx context.Context, cmd string, args ...string) (string, error) {
	mgmt := "unix:" + filepath.Join(b.Dir, BridgeName+".mgmt")
	return b.run(ctx, "ovs-ofctl", append([]string{cmd, mgmt}, args...)...)
}

// ProbeName is the probe command's name, as `go install .../go-controller/cmd/tieracl-probe` installs it.
const ProbeName = "tieracl-probe"

// probeBinary returns Options.ProbeBinary, else the tieracl-probe next to the running program (as a
// release puts them), else the one on PATH.
func (b *Bed) probeBinary() (string, error) {
	if b.opts.ProbeBinary != "" {
		if _, err := os.Stat(b.opts.ProbeBinary); err != nil {
			return "", fmt.Errorf("probe binary: %w", err)
		}
		return b.opts.ProbeBinary, nil
	}
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), ProbeName); isFile(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath(ProbeName); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s is neither next to this program nor on PATH; the datapath runs it in every pod: "+
		"go install github.com/tieracl/tieracl/go-controller/cmd/%s", ProbeName, ProbeName)
}

// stopProbes ends the probe servers.
func (dp *datapath) stopProbes() error {
	var errs []error
	for _, cmd := range dp.servers {
		if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			errs = append(errs, err)
		}
		_ = cmd.Wait() // reports the kill; the server has no other way to end
	}
	dp.servers = nil
	return errors.Join(errs...)
}

// deleteNamespaces deletes the bed's namespaces, newest first (the veths go with them), those of
// attached beds left in the record, and then the record SweepStale reads.
func (dp *datapath) deleteNamespaces(runDir string) error {
	// The record also lists the namespaces of beds attached to this one (Attach) that are still there.
	names := dp.namespaces
	if raw, err := os.ReadFile(filepath.Join(runDir, netnsRecord)); err == nil {
		for _, name := range strings.Fields(string(raw)) {
			if _, err := os.Stat(filepath.Join("/run/netns", name)); err == nil && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	err := deleteNetns(names)
	dp.namespaces = nil
	if err == nil {
		err = os.Remove(filepath.Join(runDir, netnsRecord))
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
	}
	return err
}

func deleteNetns(names []string) error {
	var errs []error
	for i := len(names) - 1; i >= 0; i-- {
		if out, err := exec.Command("ip", "netns", "delete", names[i]).CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("ip netns delete %s: %w: %s", names[i], err, strings.TrimSpace(string(out))))
		}
	}
	return errors.Join(errs...)
}
