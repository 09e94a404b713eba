package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// memSampler records the peak of the Go heap (live and not yet swept objects) and of all memory the
// Go runtime has mapped, sampled every 10 ms, and the process's peak RSS (VmHWM), which resetPeakRSS
// restarts from the current RSS.
type memSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	heap uint64
	goMB uint64
}

// Usage is the memory and CPU one phase used.
type Usage struct {
	PeakRSSMB   float64 `json:"peak_rss_mb"`    // VmHWM over the phase: the figure compared with targets
	StartRSSMB  float64 `json:"start_rss_mb"`   // VmRSS when the phase began (fake API server, bench data)
	PeakHeapMB  float64 `json:"peak_heap_mb"`   // largest Go heap objects size sampled
	PeakGoMemMB float64 `json:"peak_gomem_mb"`  // largest memory mapped by the Go runtime sampled
	MaxRSSMB    float64 `json:"maxrss_mb"`      // getrusage ru_maxrss: the whole process's life so far
	CPUSeconds  float64 `json:"cpu_seconds"`    // user+system CPU of the bench process over the phase
	NBCPU       float64 `json:"nb_cpu_seconds"` // user+system CPU of the NB ovsdb-server over the phase
	nbPid       int
}

var memSamples = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}}

// startUsage frees what it can, restarts the peak RSS and begins sampling; nbPid is the NB server's.
func startUsage(nbPid int) (*memSampler, Usage) {
	debug.FreeOSMemory()
	resetPeakRSS()
	m := &memSampler{stop: make(chan struct{})}
	m.sample()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				m.sample()
			}
		}
	}()
	return m, Usage{StartRSSMB: procStatusMB("VmRSS"), CPUSeconds: cpuSeconds(), NBCPU: processCPU(nbPid), nbPid: nbPid}
}

func (m *memSampler) sample() {
	s := make([]metrics.Sample, len(memSamples))
	copy(s, memSamples)
	metrics.Read(s)
	m.mu.Lock()
	m.heap = max(m.heap, s[0].Value.Uint64())
	m.goMB = max(m.goMB, s[1].Value.Uint64())
	m.mu.Unlock()
}

// finish stops sampling and fills in the peaks.
func (m *memSampler) finish(start Usage) Usage {
	close(m.stop)
	m.wg.Wait()
	m.sample()
	out := start
	out.PeakRSSMB = procStatusMB("VmHWM")
	out.PeakHeapMB = float64(m.heap) / (1 << 20)
	out.PeakGoMemMB = float64(m.goMB) / (1 << 20)
	out.CPUSeconds = cpuSeconds() - start.CPUSeconds
	out.NBCPU = processCPU(start.nbPid) - start.NBCPU
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		out.MaxRSSMB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	return out
}

// resetPeakRSS makes VmHWM start again from the current RSS (Linux 4.0 and later).
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// procStatusMB reads one "kB" field of /proc/self/status in MiB; 0 when it is missing.
func procStatusMB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer func() { _ = f.Close() }() // read-only
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		if err != nil {
			return 0
		}
		return kb / 1024
	}
	return 0
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// processCPU is the user+system CPU seconds of another process so far, from /proc/PID/stat; 0 when it
// cannot be read.
func processCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if pid <= 0 || err != nil {
		return 0
	}
	// Fields after the command (which may hold spaces) start after its closing parenthesis; utime
	// and stime are fields 14 and 15, counted in clock ticks (100 per second on Linux).
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b)[i+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100
}

// readPid reads a pid file.
func readPid(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}
