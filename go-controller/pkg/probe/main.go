package probe

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sync"
	"time"
)

// DefaultTimeout covers one TCP SYN retransmission (1s), so a first packet lost while flows are
// being installed does not pass for a drop.
const DefaultTimeout = 2 * time.Second

// Main is the tieracl-probe command:
//
//	tieracl-probe serve [--name N] tcp:80 udp:53 sctp:9000   # prints one Ready line, then serves
//	tieracl-probe dial [--timeout 2s] tcp:10.0.0.2:80 ...      # one Result line per target, in order
//
// It returns the exit status: 0 when every probe ran (whatever its outcome), 2 on bad usage.
//
// Writes to stderr discard their error: stderr is where failures go, there is nowhere left to report one.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		_, _ = fmt.Fprintln(stderr, "usage: tieracl-probe serve|dial ...")
		return 2
	}
	switch args[0] {
	case "serve":
		return mainServe(args[1:], stdout, stderr)
	case "dial":
		return mainDial(args[1:], stdout, stderr)
	}
	_, _ = fmt.Fprintf(stderr, "tieracl-probe: unknown command %q\n", args[0])
	return 2
}

func mainServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "probe", "name put in every reply")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var ports []Listen
	for _, a := range fs.Args() {
		l, err := ParseListen(a)
		if err != nil {
			_, _ = fmt.Fprintln(stderr, err)
			return 2
		}
		ports = append(ports, l)
	}
	srv, err := NewServer(*name, ports)
	if err != nil {
		_, _ = fmt.Fprintln(stderr, err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(srv.Ready()); err != nil {
		return 1
	}
	_, _ = fmt.Fprintln(stderr, srv.Serve())
	return 1
}

func mainDial(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dial", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", DefaultTimeout, "how long to wait for each reply")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var targets []Target
	for _, a := range fs.Args() {
		t, err := ParseTarget(a)
		if err != nil {
			_, _ = fmt.Fprintln(stderr, err)
			return 2
		}
		targets = append(targets, t)
	}
	// Probes run side by side, so a batch of drops costs one timeout, not one each.
	results := make([]Result, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = Dial(t, *timeout) }()
	}
	wg.Wait()
	enc := json.NewEncoder(stdout)
	for _, r := range results {
		if err := enc.Encode(r); err != nil {
			return 1
		}
	}
	return 0
}
