package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/test/kube"
	"github.com/tieracl/tieracl/test/testbed"
)

// RunCommand is the subcommand of tieracl-cluster that Up starts in the background: the supervisor.
const RunCommand = "run"

// Binaries Up builds from this checkout into the state folder's bin/.
var Binaries = []string{"./test/cluster/cmd/tieracl-cluster", "./test/vnode/cmd/tieracl-vnode",
	"./test/vnode/cmd/tieracl-vnode-init",
	"./go-controller/cmd/tieracl-controller", "./go-controller/cmd/tieracl-probe"}

// Up starts the cluster in the background unless it runs already, and returns once it is ready: it
// builds Binaries, fetches OVN and builds the kube binaries when not cached, and starts
// `tieracl-cluster run`, detached, with its log in <state>/cluster.log. A supervisor that exits
// before it is ready makes Up fail with the end of that log.
func Up(ctx context.Context, o Options, timeout time.Duration) error {
	if err := o.check(); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return errors.New("the cluster needs root: pods are network namespaces")
	}
	if pid, ok := running(o); ok {
		if _, err := os.Stat(o.readyFile()); err == nil {
			return nil
		}
		return fmt.Errorf("a supervisor (pid %d) runs but is not ready; see %s or run cluster-down", pid, o.logFile())
	}
	if err := os.MkdirAll(o.binDir(), 0o755); err != nil {
		return err
	}
	// Fail here, in the foreground, if a part cannot be had.
	if _, err := testbed.OVN(ctx); err != nil {
		return err
	}
	if _, err := kube.BinDir(ctx, ""); err != nil {
		return err
	}
	if err := build(ctx, o.binDir()); err != nil {
		return err
	}
	_ = os.Remove(o.readyFile())
	logf, err := os.OpenFile(o.logFile(), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	// The child holds its own copy of the file once started; this process only lets go of its handle.
	defer func() { _ = logf.Close() }()
	cmd := exec.Command(filepath.Join(o.binDir(), "tieracl-cluster"), RunCommand, "--state="+o.State,
		"--nodes="+strconv.Itoa(o.Nodes), "--crds="+o.CRDs)
	cmd.Stdout, cmd.Stderr = logf, logf
	// A session of its own: it outlives this command and the terminal.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(timeout)
	for {
		if _, err := os.Stat(o.readyFile()); err == nil {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("the cluster's supervisor exited (%v):\n%s", err, ovnsandbox.TailFile(o.logFile(), 40))
		case <-deadline:
			_ = Down(o, time.Minute)
			return fmt.Errorf("the cluster was not ready within %v:\n%s", timeout, ovnsandbox.TailFile(o.logFile(), 40))
		case <-ctx.Done():
			_ = Down(o, time.Minute)
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// build builds Binaries into dir with one go build from the checkout.
func build(ctx context.Context, dir string) error {
	repo, err := testbed.RepoRoot()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", dir + "/"}, Binaries...)...)
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// running returns the supervisor's pid when it runs.
func running(o Options) (int, bool) {
	raw, err := os.ReadFile(o.pidFile())
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return 0, false
	}
	return pid, true
}

// Down stops the supervisor, which stops everything it started, and waits for it; one that does not
// exit within timeout is killed. Then namespaces a killed cluster left are deleted. Down on a cluster
// that is not running does only that, so it can always be called.
func Down(o Options, timeout time.Duration) error {
	var errs []error
	if pid, ok := running(o); ok {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		deadline := time.Now().Add(timeout)
		for {
			if _, ok := running(o); !ok {
				break
			}
			if time.Now().After(deadline) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				errs = append(errs, fmt.Errorf("supervisor (pid %d) did not stop within %v; killed", pid, timeout))
				time.Sleep(2 * time.Second) // its children end with it (Pdeathsig)
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	if _, err := os.Stat(o.State); err == nil {
		errs = append(errs, ovnsandbox.SweepStale(o.State))
	}
	_ = os.Remove(o.readyFile())
	_ = os.Remove(o.pidFile())
	return errors.Join(errs...)
}

// Ready tells whether the cluster is up, with the summary its supervisor wrote.
func Ready(o Options) (string, bool) {
	if _, ok := running(o); !ok {
		return "", false
	}
	raw, err := os.ReadFile(o.readyFile())
	return strings.TrimSpace(string(raw)), err == nil
}
