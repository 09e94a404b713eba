// Package memlimit sets the Go runtime's soft memory limit from a flag. Without a limit the heap may
// grow to twice what is live before a collection (GOGC=100), so a controller whose live heap is 1 GB
// during a full sync can peak at 2 GB; with a limit the collector runs more often as the heap nears it.
package memlimit

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Auto is the flag value that takes the limit from GOMEMLIMIT when it is set, else from the cgroup's
// memory limit (the container's), less a tenth for what the Go runtime does not count.
const Auto = "auto"

// cgroupFraction is the part of a cgroup limit given to the Go runtime: the limit counts the heap,
// stacks and runtime metadata, not memory outside Go (none here) nor the kernel's page cache charge.
const cgroupFraction = 0.9

// cgroupFiles hold a memory limit: cgroup v2's, then v1's. "max", or a v1 value near 2^63, is none.
var cgroupFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// Limit is what a flag value resolves to: Bytes is 0 for no limit of the flag's making (the runtime
// keeps GOMEMLIMIT's or none), From says where it came from.
type Limit struct {
	Bytes int64
	From  string
}

// Resolve reads a flag value: Auto, "none" (no limit, GOMEMLIMIT too is overridden), or a quantity
// such as 1800Mi or 2G.
func Resolve(value string) (Limit, error) {
	switch v := strings.TrimSpace(value); v {
	case Auto, "":
		if env := os.Getenv("GOMEMLIMIT"); env != "" {
			return Limit{From: "GOMEMLIMIT=" + env}, nil // the runtime read it at start
		}
		for _, f := range cgroupFiles {
			if b, ok := readCgroupLimit(f); ok {
				return Limit{Bytes: int64(float64(b) * cgroupFraction), From: fmt.Sprintf("90%% of %s", f)}, nil
			}
		}
		return Limit{From: "none: no GOMEMLIMIT and no cgroup memory limit"}, nil
	case "none":
		return Limit{Bytes: math.MaxInt64, From: "none"}, nil
	default:
		q, err := resource.ParseQuantity(v)
		if err != nil {
			return Limit{}, fmt.Errorf("memory limit %q: want auto, none or a quantity such as 1800Mi: %w", v, err)
		}
		if q.Sign() <= 0 {
			return Limit{}, fmt.Errorf("memory limit %q: must be more than 0", v)
		}
		return Limit{Bytes: q.Value(), From: "flag"}, nil
	}
}

// Apply sets the runtime's limit when l names one.
func (l Limit) Apply() {
	if l.Bytes > 0 {
		debug.SetMemoryLimit(l.Bytes)
	}
}

// String is the limit for logs: "1.80 GiB (flag)".
func (l Limit) String() string {
	switch l.Bytes {
	case 0:
		return l.From
	case math.MaxInt64:
		return "none"
	}
	return fmt.Sprintf("%.2f GiB (%s)", float64(l.Bytes)/(1<<30), l.From)
}

// readCgroupLimit reads a cgroup memory limit file; ok is false when there is none.
func readCgroupLimit(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	return parseCgroupLimit(string(b))
}

func parseCgroupLimit(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	// cgroup v1 writes "no limit" as the largest page-aligned int64.
	if s == "max" || err != nil || n <= 0 || n >= math.MaxInt64&^(1<<20-1) {
		return 0, false
	}
	return n, true
}
