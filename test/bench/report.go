package bench

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"text/tabwriter"
)

// Machine describes where the bench ran.
type Machine struct {
	CPUs   int    `json:"cpus"`
	MemGiB int    `json:"mem_gib"`
	Go     string `json:"go"`
	OS     string `json:"os"`
	Kernel string `json:"kernel"`
}

// ThisMachine reads nproc, total memory, the Go version and the kernel release.
func ThisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemGiB = (kb + (1 << 19)) >> 20
		}
	}
	if out, err := exec.Command("uname", "-r").Output(); err == nil {
		m.Kernel = strings.TrimSpace(string(out))
	}
	return m
}

// Target is one of the performance targets (docs/performance.md#results), judged on a report.
type Target struct {
	Name  string `json:"name"`
	Limit string `json:"limit"`
	Value string `json:"value"`
	Met   bool   `json:"met"`
}

// Targets judges the report against the targets set for its workload: W2 has its own (full sync within
// 30 s and 2 GB, restart within 15 s, 1,000 events/s with p99 under 100 ms); every other workload is
// judged by those set for the reference w1 (programmed within 10 s, at most 500 MB peak RSS, at most a
// million address-set entries, the full sync within twice its operations' own time, restart within
// 1.5 s, 1,000 events/s with p50 at most 10 ms and p99 under 50 ms, and at the writers' highest rate at
// least 5,000 events/s with p99 under a second). A restart must write nothing on every workload.
func (r *Report) Targets() []Target {
	w2 := r.Workload == "W2"
	sync, rss, restart, p99 := 10.0, 500.0, 1.5, 50.0
	if w2 {
		sync, rss, restart, p99 = 30, 2048, 15, 100
	}
	t := []Target{
		{"programmed (full sync to Ready)", fmt.Sprintf("<= %.0f s", sync), fmt.Sprintf("%.1f s", r.FullSync.Seconds),
			r.FullSync.Seconds <= sync},
		{"peak RSS of the full sync", megabytes(rss), fmt.Sprintf("%.0f MB", r.FullSync.Usage.PeakRSSMB),
			r.FullSync.Usage.PeakRSSMB <= rss},
	}
	if !w2 {
		t = append(t, Target{"address-set entries", "<= 1,000,000", commas(r.Rows.AddressSetEntries),
			r.Rows.AddressSetEntries <= 1_000_000})
		if r.Limit != nil {
			t = append(t, Target{"full sync / its operations alone (limit_ratio)", "<= 2",
				fmt.Sprintf("%.2f", r.LimitRatio), r.LimitRatio > 0 && r.LimitRatio <= 2})
		}
	}
	t = append(t,
		Target{"restart: NB operations", "0", commas(int(r.Restart.Ops)), r.Restart.Ops == 0 && r.Restart.Seconds > 0},
		Target{"restart to Ready", fmt.Sprintf("<= %g s", restart), fmt.Sprintf("%.2f s", r.Restart.Seconds),
			r.Restart.Seconds > 0 && r.Restart.Seconds <= restart})
	for _, s := range r.Streams {
		if s.OfferedRate == 0 {
			if !w2 {
				t = append(t, maxRateTargets(s)...)
			}
			continue
		}
		t = append(t,
			Target{"pod events/s committed (" + s.Name + ")", ">= 1,000/s", fmt.Sprintf("%.0f/s", s.Throughput),
				s.Throughput >= 1000*0.99 && s.OfferedRate >= 1000},
			Target{"p99 event-to-commit (" + s.Name + ")", fmt.Sprintf("< %.0f ms", p99), fmt.Sprintf("%.1f ms", s.P99ms),
				s.Committed > 0 && s.P99ms < p99})
		if !w2 {
			t = append(t, Target{"p50 event-to-commit (" + s.Name + ")", "<= 10 ms", fmt.Sprintf("%.1f ms", s.P50ms),
				s.Committed > 0 && s.P50ms <= 10})
		}
	}
	return t
}

// maxRateTargets judges the stream without an offered rate, whose writers go as fast as they can: at
// least 5,000 events/s committed, with p99 under a second.
func maxRateTargets(s Stream) []Target {
	return []Target{
		{"pod events/s committed (" + s.Name + ")", ">= 5,000/s", fmt.Sprintf("%.0f/s", s.Throughput),
			s.Throughput >= 5000},
		{"p99 event-to-commit (" + s.Name + ")", "< 1,000 ms", fmt.Sprintf("%.1f ms", s.P99ms),
			s.Committed > 0 && s.P99ms < 1000},
	}
}

func megabytes(mb float64) string {
	if mb >= 1024 {
		return fmt.Sprintf("<= %.0f GB", mb/1024)
	}
	return fmt.Sprintf("<= %.0f MB", mb)
}

// Print writes the report as text tables and returns the first write error.
func (r *Report) Print(out io.Writer, m Machine) error {
	w := &stickyWriter{w: out}
	// Tables write through w too, so w.err holds their first error as well.
	tprintf := func(tw *tabwriter.Writer, format string, args ...any) { _, _ = fmt.Fprintf(tw, format, args...) }
	z := r.Size
	w.printf("workload %s: %s namespaces, %s pods, %d nodes, %d ANPs (%s rules), BANP %d rules, %s NetworkPolicies\n",
		r.Workload, commas(z.Namespaces), commas(z.Pods), z.Nodes, z.ANPs, commas(z.ANPRules), z.BANPRules,
		commas(z.NetworkPolicies))
	if z.AdminCNPs+z.BaselineCNPs > 0 {
		w.printf("ClusterNetworkPolicies: %d Admin (%s rules), %d Baseline (%s rules)\n",
			z.AdminCNPs, commas(z.AdminRules), z.BaselineCNPs, commas(z.BaselineRules))
	}
	w.printf("machine: %d cores, %d GiB, %s, %s, kernel %s; ovn-northd %s\n",
		m.CPUs, m.MemGiB, m.Go, m.OS, m.Kernel, r.Setup.Northd)
	w.printf("setup: %s logical switch ports in %.1f s, fake API loaded in %.1f s\n",
		commas(r.Rows.LogicalSwitchPorts), r.Setup.PortsSeconds, r.Setup.FakeSeconds)
	w.printf("NB after the full sync: %s ACLs, %s port groups (%s ports), %s address sets (%s entries)\n\n",
		commas(r.Rows.ACLs), commas(r.Rows.PortGroups), commas(r.Rows.PortGroupPorts), commas(r.Rows.AddressSets),
		commas(r.Rows.AddressSetEntries))

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	f := r.FullSync
	unconfirmed := ""
	if f.Unconfirmed > 0 {
		unconfirmed = fmt.Sprintf(" (+%s unanswered)", commas(int(f.Unconfirmed)))
	}
	tprintf(tw, "full sync\t%.2f s to Ready\t%s NB ops%s, %d transaction(s)\t"+
		"peak RSS %.0f MB (%.0f MB before), heap %.0f MB\tCPU %.1f s (NB server %.1f s)\tNB = translation: %s\n",
		f.Seconds, commas(int(f.Ops)), unconfirmed, f.Transactions, f.Usage.PeakRSSMB, f.Usage.StartRSSMB,
		f.Usage.PeakHeapMB, f.Usage.CPUSeconds, f.Usage.NBCPU, yes(f.Matches))
	tprintf(tw, "restart\t%.2f s to Ready\t%s NB ops\t\tCPU %.1f s (NB server %.1f s)\t\n", r.Restart.Seconds,
		commas(int(r.Restart.Ops)), r.Restart.Usage.CPUSeconds, r.Restart.Usage.NBCPU)
	if l := r.Limit; l != nil {
		tprintf(tw, "limit\t%.2f s: the same ops, one transaction, plain client, fresh NB\t%s NB ops\t"+
			"full sync / limit = %.2f\tNB server CPU %.1f s\t\n",
			l.Seconds, commas(l.Ops), r.LimitRatio, l.NBCPU)
	}
	_ = tw.Flush() // its error is the one w keeps
	if n := r.Northd; n != nil {
		w.printf("\nfresh ovn-northd and SB on this NB (informational): cold compile %.1f s (northd CPU %.1f s), "+
			"northd peak RSS %.0f MB, SB server %.0f MB\n",
			n.ColdSeconds, n.CPUSeconds, n.PeakRSSMB, n.SBPeakRSSMB)
		var stages []string
		for _, st := range stagesByCount(n.FlowsByStage) {
			stages = append(stages, fmt.Sprintf("%s %s", st, commas(n.FlowsByStage[st])))
		}
		w.printf("SB logical flows: %s, of which ACL stages %s (%s)\n",
			commas(n.Flows), commas(n.ACLFlows), strings.Join(stages, ", "))
		w.printf("one pod move: NB commit to SB (sb_cfg) %.0f ms, API write to SB %.0f ms\n",
			1000*n.PodMoveSeconds, 1000*n.PodMoveAPISeconds)
	}
	if len(r.Streams) > 0 {
		w.printf("\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		tprintf(tw, "pod label stream\tevents\tsent/s\tcommitted/s\tp50 ms\tp99 ms\tmax ms\tctrl p99 ms\t"+
			"ops/event\ttxns\tbatch ms\tNB txn ms\tfull syncs\tset changes\tCPU ms/event\tNB CPU ms/event\t"+
			"peak RSS MB\t\n")
		for _, s := range r.Streams {
			tprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.1f\t%.1f\t%.1f\t<= %.1f\t%.2f\t%s\t%.1f\t%.1f\t%d\t%s\t%.2f\t%.2f\t%.0f\t\n",
				s.Name, commas(s.Events), s.SentRate, s.Throughput, s.P50ms, s.P99ms, s.Maxms, s.CtrlP99ms,
				s.OpsPerEvent, commas(int(s.Transactions)), s.BatchMs, s.CommitMs, s.FullSyncs, commas(s.SetChanges),
				perEvent(s.Usage.CPUSeconds, s.Events), perEvent(s.Usage.NBCPU, s.Events), s.Usage.PeakRSSMB)
		}
		_ = tw.Flush() // its error is the one w keeps
		for _, s := range r.Streams {
			if s.Reshards > 0 {
				w.printf("%s: %d address sets re-sharded (written anew, in one whole-state write each)\n", s.Name,
					s.Reshards)
			}
		}
		w.printf("NB = translation of the moved cluster: %s\n", yes(r.FinalMatch))
	}
	w.printf("\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	set := "w1"
	if r.Workload == "W2" {
		set = "W2"
	}
	tprintf(tw, "target (set for %s)\tlimit\tmeasured\t\n", set)
	for _, t := range r.Targets() {
		verdict := "met"
		if !t.Met {
			verdict = "MISSED"
		}
		tprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Limit, t.Value, verdict)
	}
	_ = tw.Flush() // its error is the one w keeps
	for _, f := range r.Failures {
		w.printf("FAILED: %s\n", f)
	}
	return w.err
}

// stickyWriter keeps the first write error and drops every write after it, so a report is checked once.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

// printf writes to s; its error, if any, is the one s keeps.
func (s *stickyWriter) printf(format string, args ...any) { _, _ = fmt.Fprintf(s, format, args...) }

// perEvent is milliseconds of CPU per event.
func perEvent(seconds float64, events int) float64 {
	if events == 0 {
		return 0
	}
	return 1000 * seconds / float64(events)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

// commas formats an integer with thousands separators.
func commas(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + commas(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
