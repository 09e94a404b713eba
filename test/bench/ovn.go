package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
)

// Paths in the unpacked OVN root the bench runs programs from (the bed's own layout).
const (
	ovnLoader      = "usr/lib64/ld-linux-x86-64.so.2"
	ovnLibraries   = "usr/lib/x86_64-linux-gnu"
	ovsdbServerBin = "usr/sbin/ovsdb-server"
	ovsdbClientBin = "usr/bin/ovsdb-client"
	ovsdbToolBin   = "usr/bin/ovsdb-tool"
	ovnNorthdBin   = "usr/bin/ovn-northd"
	ovnAppctlBin   = "usr/bin/ovn-appctl"
	sbSchema       = "usr/share/ovn/ovn-sb.ovsschema"
	nbSchema       = "usr/share/ovn/ovn-nb.ovsschema"
)

// ovnCommand runs the root's program rel through the root's own loader, as the bed runs every OVN
// program, with every OVS and OVN default folder set to dir.
func ovnCommand(ctx context.Context, root, dir, rel string, args ...string) *exec.Cmd {
	argv := append([]string{"--library-path", filepath.Join(root, ovnLibraries), filepath.Join(root, rel)}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(root, ovnLoader), argv...)
	cmd.Env = os.Environ()
	for _, v := range []string{"OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVS_SYSCONFDIR", "OVN_RUNDIR", "OVN_LOGDIR",
		"OVN_DBDIR", "OVN_SYSCONFDIR"} {
		cmd.Env = append(cmd.Env, v+"="+dir)
	}
	cmd.Dir = dir
	return cmd
}

// runOVN runs a program to its end and returns its standard output.
func runOVN(ctx context.Context, root, dir, rel string, args ...string) ([]byte, error) {
	cmd := ovnCommand(ctx, root, dir, rel, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", filepath.Base(rel), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// daemon is an OVS or OVN process the bench started itself, in the foreground, in its own folder.
type daemon struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// startDaemon starts rel with the flags that keep its files in dir (pid file, log, control socket
// name.ctl) and waits until every socket in ready accepts connections.
func startDaemon(ctx context.Context, root, dir, name, rel string, ready []string, args ...string) (*daemon, error) {
	flags := []string{"--no-chdir", "--pidfile=" + filepath.Join(dir, name+".pid"),
		"--log-file=" + filepath.Join(dir, name+".log"), "--unixctl=" + filepath.Join(dir, name+".ctl"), "-vconsole:off"}
	// Not ctx: the daemon is stopped by stop, and must not die half-way through a measurement.
	cmd := ovnCommand(context.Background(), root, dir, rel, append(flags, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	d := &daemon{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { d.err = cmd.Wait(); close(d.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for _, path := range ready {
		for !listening(path) {
			select {
			case <-d.done:
				return nil, fmt.Errorf("%s exited early (%v): see %s", name, d.err, filepath.Join(dir, name+".log"))
			case <-ctx.Done():
				d.stop()
				return nil, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				d.stop()
				return nil, fmt.Errorf("%s does not listen on %s", name, path)
			}
		}
	}
	return d, nil
}

func listening(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

func (d *daemon) pid() int { return d.cmd.Process.Pid }

// stop ends the daemon with SIGTERM, and kills it when it has not gone within 10 s.
func (d *daemon) stop() {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// startOVSDB serves the database file db on dir/name.sock and returns the daemon and the socket's
// remote ("unix:<path>").
func startOVSDB(ctx context.Context, root, dir, name, db string) (*daemon, string, error) {
	sock := filepath.Join(dir, name+".sock")
	d, err := startDaemon(ctx, root, dir, name, ovsdbServerBin, []string{sock}, "--remote=punix:"+sock, db)
	if err != nil {
		return nil, "", err
	}
	return d, "unix:" + sock, nil
}

// peakRSSMB is a process's VmHWM in MiB; 0 when it cannot be read.
func peakRSSMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb); err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

// ovnRoot is the unpacked package root the bed runs OVN from; the limit and the fresh ovn-northd run
// their own daemons from it. An OVN found on PATH or in a bin folder has none, and those phases then
// fail saying so.
func ovnRoot(bed *ovnsandbox.Bed) string { return bed.OVN.Dir }
