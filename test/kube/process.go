package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// process is etcd or kube-apiserver, run in the foreground as our child with its output in a log file.
type process struct {
	name    string
	logFile string
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd.Wait returns
	waitErr error
}

func startProcess(dir, name, binary string, args ...string) (*process, error) {
	p := &process{name: name, logFile: filepath.Join(dir, name+".log"), exited: make(chan struct{})}
	log, err := os.OpenFile(p.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	// The child holds its own copy of the file once started; this process only lets go of its handle.
	defer func() { _ = log.Close() }()
	p.cmd = exec.Command(binary, args...)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = log, log
	// Own process group: a ^C meant for `go test` reaches the cluster through Stop, not behind its back.
	// Pdeathsig ends the process if the test binary dies without calling Stop.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { p.waitErr = p.cmd.Wait(); close(p.exited) }()
	return p, nil
}

// stop sends SIGTERM and waits; a process that does not exit in time is killed.
func (p *process) stop(timeout time.Duration) error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return nil
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s (pid %d) did not exit within %v of SIGTERM; killed", p.name, p.cmd.Process.Pid, timeout)
	}
}

// waitReady polls ready every 100ms until it returns nil, the process exits, or timeout or ctx ends. The
// errors carry the end of the process's log.
func (p *process) waitReady(ctx context.Context, timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ready()
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited (%v):\n%s", p.name, p.waitErr, p.tail(20))
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w (last: %v):\n%s", p.name, ctx.Err(), err, p.tail(20))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v (last: %v):\n%s", p.name, timeout, err, p.tail(20))
		}
	}
}

// portTaken tells whether the process died because a port freePorts picked was taken in between.
func (p *process) portTaken() bool {
	select {
	case <-p.exited:
		return strings.Contains(tailFile(p.logFile, 50), "address already in use")
	default:
		return false
	}
}

func (p *process) tail(lines int) string {
	return fmt.Sprintf("==> %s <==\n%s", p.logFile, tailFile(p.logFile, lines))
}

func tailFile(path string, lines int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// freePorts returns n loopback ports that were free a moment ago; a process may still lose one to
// someone else, which launch handles by trying again.
func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, errors.Join(fmt.Errorf("picking a free port"), err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
