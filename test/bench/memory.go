package bench

import (
	"bufio"
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

// Memory is what one phase used.
type Memory struct {
	PeakRSSMB   float64 `json:"peak_rss_mb"`   // VmHWM over the phase: the figure compared with targets
	StartRSSMB  float64 `json:"start_rss_mb"`  // VmRSS when the phase began (fake API server, bench data)
	PeakHeapMB  float64 `json:"peak_heap_mb"`  // largest Go heap objects size sampled
	PeakGoMemMB float64 `json:"peak_gomem_mb"` // largest memory mapped by the Go runtime sampled
	MaxRSSMB    float64 `json:"maxrss_mb"`     // getrusage ru_maxrss: the whole process's life so far
	CPUSeconds  float64 `json:"cpu_seconds"`   // user+system CPU of the bench process over the phase
}

var memSamples = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}}

// startMemory frees what it can, restarts the peak RSS and begins sampling.
func startMemory() (*memSampler, Memory) {
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
	return m, Memory{StartRSSMB: procStatusMB("VmRSS"), CPUSeconds: cpuSeconds()}
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
func (m *memSampler) finish(start Memory) Memory {
	close(m.stop)
	m.wg.Wait()
	m.sample()
	out := start
	out.PeakRSSMB = procStatusMB("VmHWM")
	out.PeakHeapMB = float64(m.heap) / (1 << 20)
	out.PeakGoMemMB = float64(m.goMB) / (1 << 20)
	out.CPUSeconds = cpuSeconds() - start.CPUSeconds
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
	defer f.Close()
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
