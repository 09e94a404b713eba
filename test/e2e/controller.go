package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/test/testbed"
)

// BuildController builds go-controller/cmd/tieracl-controller from this checkout into dir.
func BuildController(ctx context.Context, dir string) (string, error) {
	repo, err := testbed.RepoRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "tieracl-controller")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./go-controller/cmd/tieracl-controller")
	cmd.Dir = repo
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building tieracl-controller: %w: %s", err, strings.TrimSpace(string(msg)))
	}
	return out, nil
}

// Controller runs tieracl-controller as a child process, one run after another (Start, Kill, Start...),
// each run logging to its own file in Dir.
type Controller struct {
	Binary     string
	Dir        string // where the logs go: controller-<run>.log
	Kubeconfig string
	NBAddress  string
	// Listen is the address of /metrics, /healthz and /readyz, 127.0.0.1:<port>.
	Listen string
	// Flags are added after the usual ones (a later flag wins), e.g. for TLS or without leader election.
	Flags []string

	mu      sync.Mutex
	runs    int
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	logFile string
}

// Identity is the replica's name in the Lease; a restarted process keeps it, as a restarted container
// of the same pod would.
const Identity = "e2e-controller"

// NewController prepares a controller on a free loopback port.
func NewController(binary, dir, kubeconfig, nbAddress string) (*Controller, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	return &Controller{Binary: binary, Dir: dir, Kubeconfig: kubeconfig, NBAddress: nbAddress,
		Listen: "127.0.0.1:" + strconv.Itoa(port)}, nil
}

// Args are the command line of every run.
func (c *Controller) Args() []string {
	args := []string{"--kubeconfig=" + c.Kubeconfig, "--nb-address=" + c.NBAddress,
		"--leader-elect=true", "--leader-election-namespace=tieracl", "--leader-election-identity=" + Identity,
		"--listen-address=" + c.Listen, "--v=4"}
	return append(args, c.Flags...)
}

// Start starts a new run; the previous one must have ended.
func (c *Controller) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running() {
		return errors.New("controller: already running")
	}
	c.runs++
	c.logFile = filepath.Join(c.Dir, fmt.Sprintf("controller-%d.log", c.runs))
	log, err := os.Create(c.logFile)
	if err != nil {
		return err
	}
	// The child holds its own copy of the file once started; this process only lets go of its handle.
	defer func() { _ = log.Close() }()
	cmd := exec.Command(c.Binary, c.Args()...)
	cmd.Stdout, cmd.Stderr = log, log
	// Its own process group, so a ^C for go test reaches it through Stop; Pdeathsig ends it with the
	// test binary.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start tieracl-controller: %w", err)
	}
	exited := make(chan struct{})
	c.cmd, c.exited, c.waitErr = cmd, exited, nil
	go func() {
		err := cmd.Wait()
		c.mu.Lock()
		c.waitErr = err
		c.mu.Unlock()
		close(exited)
	}()
	return nil
}

func (c *Controller) running() bool {
	if c.exited == nil {
		return false
	}
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// Exited tells whether the current run has ended, and how.
func (c *Controller) Exited() (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.exited == nil {
		return false, nil
	}
	return !c.running(), c.waitErr
}

// Kill ends the run with SIGKILL, as a crash would, and waits for it.
func (c *Controller) Kill() error { return c.signal(syscall.SIGKILL, 10*time.Second) }

// Stop ends the run with SIGTERM and waits; one that does not exit within 10 s is killed.
func (c *Controller) Stop() error {
	err := c.signal(syscall.SIGTERM, 10*time.Second)
	if err != nil {
		_ = c.Kill()
	}
	return err
}

func (c *Controller) signal(sig syscall.Signal, timeout time.Duration) error {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-exited:
		return nil
	default:
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-exited:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("tieracl-controller (pid %d) did not exit within %v of %v", cmd.Process.Pid, timeout, sig)
	}
}

// LogFile is the current run's log.
func (c *Controller) LogFile() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logFile
}

// Logs returns the last lines of the current run's log.
func (c *Controller) Logs(lines int) string {
	file := c.LogFile()
	if file == "" {
		return "(never started)"
	}
	return fmt.Sprintf("==> %s <==\n%s", file, ovnsandbox.TailFile(file, lines))
}

// Forbidden returns the lines of every run's log that report a request the API server refused (403).
func (c *Controller) Forbidden() []string {
	c.mu.Lock()
	runs := c.runs
	c.mu.Unlock()
	var out []string
	for run := 1; run <= runs; run++ {
		file := filepath.Join(c.Dir, fmt.Sprintf("controller-%d.log", run))
		raw, err := os.ReadFile(file)
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.Contains(line, "is forbidden") {
				out = append(out, filepath.Base(file)+": "+line)
			}
		}
	}
	return out
}

// Readyz returns the status code and body of /readyz; an error when nothing answers.
func (c *Controller) Readyz(ctx context.Context) (int, string, error) {
	return c.get(ctx, "/readyz")
}

// Metrics returns the /metrics page.
func (c *Controller) Metrics(ctx context.Context) (string, error) {
	code, body, err := c.get(ctx, "/metrics")
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("GET /metrics: %d: %s", code, body)
	}
	return body, err
}

func (c *Controller) get(ctx context.Context, path string) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.Listen+path, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }() // read to the end below; nothing left to lose
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body)), err
}

// Leading starts the /readyz answer of the replica that holds the Lease and has written NB.
const Leading = "leading:"

// WaitReadyz polls /readyz every 50 ms until it answers code (200 or 503) with a body starting with
// prefix; it fails early when the run exits.
func (c *Controller) WaitReadyz(ctx context.Context, code int, prefix string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string // what the last poll got; every pass sets it before it is read
	for {
		got, body, err := c.Readyz(ctx)
		switch {
		case err == nil && got == code && strings.HasPrefix(body, prefix):
			return nil
		case err != nil:
			last = err.Error()
		default:
			last = fmt.Sprintf("%d %s", got, body)
		}
		if done, werr := c.Exited(); done {
			return fmt.Errorf("tieracl-controller exited (%v) while waiting for /readyz %d; last: %s", werr, code, last)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/readyz did not answer %d within %v; last: %s", code, timeout, last)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for /readyz %d: %w; last: %s", code, ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }() // only the port number was wanted
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Supervise starts a new run whenever the current one exits, as a pod's restart policy would, until
// the returned stop is called, which returns how many runs it started. logf reports each exit.
func (c *Controller) Supervise(logf func(format string, args ...any)) (stop func() int) {
	done := make(chan struct{})
	finished := make(chan int)
	go func() {
		restarts := 0
		defer func() { finished <- restarts }()
		for {
			c.mu.Lock()
			exited := c.exited
			c.mu.Unlock()
			select {
			case <-done:
				return
			case <-exited:
			}
			_, err := c.Exited()
			logf("tieracl-controller exited (%v); starting it again", err)
			if err := c.Start(); err != nil {
				logf("restarting tieracl-controller: %v", err)
				return
			}
			restarts++
		}
	}()
	return func() int { close(done); return <-finished }
}
