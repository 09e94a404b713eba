package ovnsandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// Serve starts a probe server in the endpoint's namespace on the given ports and returns what it
// opened once it is listening. Servers run until Stop.
func (b *Bed) Serve(ctx context.Context, n *Netns, ports ...probe.Listen) (probe.Ready, error) {
	if b.datapath == nil || n == nil {
		return probe.Ready{}, fmt.Errorf("serve: no datapath or no namespace")
	}
	args := []string{b.datapath.probe, "serve", "--name=" + n.Key}
	for _, p := range ports {
		args = append(args, p.String())
	}
	cmd := b.startInNetns(n, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderrPath := filepath.Join(b.Dir, "probe-"+n.Name+".stderr")
	stderr, err := os.OpenFile(stderrPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return probe.Ready{}, err
	}
	// The child holds its own copy of the file once started; this process only lets go of its handle.
	defer func() { _ = stderr.Close() }()
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return probe.Ready{}, err
	}
	if err := cmd.Start(); err != nil {
		return probe.Ready{}, err
	}
	b.datapath.servers = append(b.datapath.servers, cmd)

	type line struct {
		ready probe.Ready
		err   error
	}
	got := make(chan line, 1)
	go func() {
		raw, err := bufio.NewReader(stdout).ReadBytes('\n')
		if err != nil {
			got <- line{err: fmt.Errorf("probe server in %s: %v: %s", n.Name, err, tailFile(stderrPath, 5))}
			return
		}
		var r probe.Ready
		err = json.Unmarshal(raw, &r)
		got <- line{ready: r, err: err}
	}()
	select {
	case l := <-got:
		return l.ready, l.err
	case <-ctx.Done():
		return probe.Ready{}, ctx.Err()
	case <-time.After(10 * time.Second):
		return probe.Ready{}, fmt.Errorf("probe server in %s: no ready line within 10s", n.Name)
	}
}

// Probe runs the probe client in the endpoint's namespace against every target at once and returns
// one result per target, in order. timeout 0 means probe.DefaultTimeout.
func (b *Bed) Probe(ctx context.Context, from *Netns, timeout time.Duration,
	targets ...probe.Target) ([]probe.Result, error) {
	if b.datapath == nil || from == nil {
		return nil, fmt.Errorf("probe: no datapath or no source namespace")
	}
	if timeout == 0 {
		timeout = probe.DefaultTimeout
	}
	args := []string{"ip", "netns", "exec", from.Name, b.datapath.probe, "dial", timeoutArg(timeout)}
	for _, t := range targets {
		args = append(args, t.String())
	}
	out, err := b.runArgv(ctx, args)
	if err != nil {
		return nil, err
	}
	var results []probe.Result
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r probe.Result
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("probe output %q: %w", out, err)
		}
		results = append(results, r)
	}
	if len(results) != len(targets) {
		return nil, fmt.Errorf("probe gave %d results for %d targets: %q", len(results), len(targets), out)
	}
	return results, nil
}
