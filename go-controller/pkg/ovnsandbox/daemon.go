package ovnsandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// daemon is one OVS or OVN process the bed started. It runs in the foreground as our child, so an
// early exit is seen at once, but it still keeps the usual pid file: Stop goes by that file, as OVS
// removes it only when the daemon has really finished.
type daemon struct {
	name    string
	pidFile string
	logFile string
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd.Wait returns
	waitErr error
}

// startDaemon runs program with the OVS daemon flags that keep every file inside dir, and waits until
// its pid file exists and every socket in ready accepts a connection. A socket file alone is not enough:
// OVS binds the path before it listens, and a client in between gets "Connection refused".
// netns, when set, runs it inside that namespace (unix sockets are reached by path from any namespace).
func (b *Bed) startDaemon(ctx context.Context, name, netns, program string, ready []string,
	args ...string) (*daemon, error) {
	d := &daemon{
		name:    name,
		pidFile: filepath.Join(b.Dir, name+".pid"),
		logFile: filepath.Join(b.Dir, name+".log"),
		exited:  make(chan struct{}),
	}
	flags := []string{"--no-chdir", "--pidfile=" + d.pidFile, "--log-file=" + d.logFile,
		"--unixctl=" + b.ctlSocket(name), "-vconsole:off"}
	cmdArgs, err := b.OVN.argv(program, append(flags, args...)...)
	if err != nil {
		return nil, err
	}
	if netns != "" {
		cmdArgs = append([]string{"ip", "netns", "exec", netns}, cmdArgs...)
	}
	d.cmd = exec.Command(cmdArgs[0], cmdArgs[1:]...)
	d.cmd.Env = b.env()
	d.cmd.Dir = b.Dir
	stderr, err := os.Create(filepath.Join(b.Dir, name+".stderr"))
	if err != nil {
		return nil, err
	}
	// The child holds its own copy of the file once started; this process only lets go of its handle.
	defer func() { _ = stderr.Close() }()
	d.cmd.Stdout, d.cmd.Stderr = stderr, stderr
	// Own process group: a ^C meant for `go test` reaches the bed through Stop, not behind its back.
	// Pdeathsig ends the daemon if the test binary dies without calling Stop.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { d.waitErr = d.cmd.Wait(); close(d.exited) }()
	b.daemons = append(b.daemons, d)

	err = waitFor(ctx, 10*time.Second, func() (bool, error) {
		select {
		case <-d.exited:
			return false, fmt.Errorf("%s exited early (%v): %s", name, d.waitErr, d.tail())
		default:
		}
		if _, err := os.Stat(d.pidFile); err != nil {
			return false, nil
		}
		for _, path := range ready {
			if !acceptsConnections(path) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s not ready: %w", name, err)
	}
	return d, nil
}

// acceptsConnections reports whether a unix socket at path is listening.
func acceptsConnections(path string) bool {
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

// stop sends SIGTERM to the pid in the pid file and waits until the file is gone; a daemon that
// does not go in time is killed. The pid file, not kill -0, tells whether it ended: a finished daemon
// that is not reaped yet still answers kill -0.
func (d *daemon) stop(timeout time.Duration) error {
	pid, err := readPid(d.pidFile)
	if errors.Is(err, os.ErrNotExist) {
		// Never wrote its pid file, or already gone: make sure our child is not left running.
		if d.cmd.Process != nil {
			_ = d.cmd.Process.Signal(syscall.SIGTERM)
		}
		return d.reap(timeout)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("%s: kill %d: %w", d.name, pid, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		if _, err := os.Stat(d.pidFile); errors.Is(err, os.ErrNotExist) {
			return d.reap(timeout)
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			_ = os.Remove(d.pidFile)
			_ = d.reap(timeout)
			return fmt.Errorf("%s (pid %d) did not exit within %v; killed", d.name, pid, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// reap waits for our child to be collected so no zombie is left behind.
func (d *daemon) reap(timeout time.Duration) error {
	select {
	case <-d.exited:
		return nil
	case <-time.After(timeout):
		_ = d.cmd.Process.Kill()
		<-d.exited
		return fmt.Errorf("%s: child did not exit within %v; killed", d.name, timeout)
	}
}

// tail returns the end of the daemon's log and stderr, for error messages.
func (d *daemon) tail() string {
	var parts []string
	for _, path := range []string{d.logFile, strings.TrimSuffix(d.logFile, ".log") + ".stderr"} {
		if t := tailFile(path, 8); t != "" {
			parts = append(parts, filepath.Base(path)+":\n"+t)
		}
	}
	return strings.Join(parts, "\n")
}

func readPid(path string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return 0, fmt.Errorf("pid file %s: %w", path, err)
	}
	return pid, nil
}

// TailFile returns the last lines of a log file, empty when it cannot be read.
func TailFile(path string, lines int) string { return tailFile(path, lines) }

func tailFile(path string, lines int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// waitFor polls check every 10ms until it reports done, fails, or timeout or ctx ends.
func waitFor(ctx context.Context, timeout time.Duration, check func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		done, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %v", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
