package ovnsandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// netnsDir is where `ip netns add` puts its namespaces, which the bed's are.
const netnsDir = "/var/run/netns"

// DialIn runs one probe.Dial from inside the network namespace of n, in this process: a test can try a
// connection every few milliseconds without starting a process each time (Probe runs
// `ip netns exec ... tieracl-probe dial`).
func DialIn(n *Netns, target probe.Target, timeout time.Duration) (probe.Result, error) {
	ns, err := os.Open(filepath.Join(netnsDir, n.Name))
	if err != nil {
		return probe.Result{}, err
	}
	defer func() { _ = ns.Close() }() // read-only namespace handle
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return probe.Result{}, err
	}
	defer func() { _ = orig.Close() }() // read-only namespace handle
	if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return probe.Result{}, fmt.Errorf("enter %s: %w", n.Name, err)
	}
	// Only the socket's creation needs the namespace, but Dial creates it deep inside; the goroutine stays
	// on this thread until the thread is back in its own namespace.
	r := probe.Dial(target, timeout)
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		// This thread must neither run other goroutines in the pod's namespace nor exit: a thread's exit
		// sends the parent-death signal to the processes it started (the bed's and the cluster's daemons).
		// Keep it parked; this happens only if the kernel refuses to go back.
		fmt.Fprintf(os.Stderr, "ovnsandbox: cannot leave network namespace %s: %v; parking the thread\n", n.Name, err)
		select {}
	}
	runtime.UnlockOSThread()
	return r, nil
}
