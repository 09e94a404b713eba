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

// Targets judges the report against the performance targets, set for the reference w1: programmed within
// 10 s, at most 500 MB peak RSS, at most a million address-set entries, and the steady stream sustained
// at 1,000 events/s or more with p99 event-to-commit under 50 ms.
func (r *Report) Targets() []Target {
	t := []Target{
		{"programmed (full sync to Ready)", "<= 10 s", fmt.Sprintf("%.1f s", r.FullSync.Seconds), r.FullSync.Seconds <= 10},
		{"peak RSS of the full sync", "<= 500 MB", fmt.Sprintf("%.0f MB", r.FullSync.Usage.PeakRSSMB), r.FullSync.Usage.PeakRSSMB <= 500},
		{"address-set entries", "<= 1,000,000", commas(r.Rows.AddressSetEntries), r.Rows.AddressSetEntries <= 1_000_000},
	}
	for _, s := range r.Streams {
		if s.OfferedRate == 0 {
			continue
		}
		t = append(t,
			Target{"pod events/s committed (" + s.Name + ")", ">= 1,000/s", fmt.Sprintf("%.0f/s", s.Throughput),
				s.Throughput >= 1000*0.99 && s.OfferedRate >= 1000},
			Target{"p99 event-to-commit (" + s.Name + ")", "< 50 ms", fmt.Sprintf("%.1f ms", s.P99ms), s.Committed > 0 && s.P99ms < 50})
	}
	return t
}

// Print writes the report as text tables.
func (r *Report) Print(w io.Writer, m Machine) {
	z := r.Size
	fmt.Fprintf(w, "workload %s: %s namespaces, %s pods, %d nodes, %d ANPs (%s rules), BANP %d rules, %s NetworkPolicies\n",
		r.Workload, commas(z.Namespaces), commas(z.Pods), z.Nodes, z.ANPs, commas(z.ANPRules), z.BANPRules, commas(z.NetworkPolicies))
	if z.AdminCNPs+z.BaselineCNPs > 0 {
		fmt.Fprintf(w, "ClusterNetworkPolicies: %d Admin (%s rules), %d Baseline (%s rules)\n",
			z.AdminCNPs, commas(z.AdminRules), z.BaselineCNPs, commas(z.BaselineRules))
	}
	fmt.Fprintf(w, "machine: %d cores, %d GiB, %s, %s, kernel %s; ovn-northd %s\n", m.CPUs, m.MemGiB, m.Go, m.OS, m.Kernel, r.Setup.Northd)
	fmt.Fprintf(w, "setup: %s logical switch ports in %.1f s, fake API loaded in %.1f s\n",
		commas(r.Rows.LogicalSwitchPorts), r.Setup.PortsSeconds, r.Setup.FakeSeconds)
	fmt.Fprintf(w, "NB after the full sync: %s ACLs, %s port groups (%s ports), %s address sets (%s entries)\n\n",
		commas(r.Rows.ACLs), commas(r.Rows.PortGroups), commas(r.Rows.PortGroupPorts), commas(r.Rows.AddressSets),
		commas(r.Rows.AddressSetEntries))

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	f := r.FullSync
	fmt.Fprintf(tw, "full sync\t%.2f s to Ready\t%s NB ops, %d transaction(s)\tpeak RSS %.0f MB (%.0f MB before), heap %.0f MB\tCPU %.1f s (NB server %.1f s)\tNB = translation: %s\n",
		f.Seconds, commas(int(f.Ops)), f.Transactions, f.Usage.PeakRSSMB, f.Usage.StartRSSMB, f.Usage.PeakHeapMB, f.Usage.CPUSeconds, f.Usage.NBCPU, yes(f.Matches))
	fmt.Fprintf(tw, "restart\t%.2f s to Ready\t%s NB ops\t\t\t\n", r.Restart.Seconds, commas(int(r.Restart.Ops)))
	tw.Flush()
	if len(r.Streams) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "pod label stream\tevents\tsent/s\tcommitted/s\tp50 ms\tp99 ms\tmax ms\tctrl p99 ms\tops/event\ttxns\tbatch ms\tNB txn ms\tfull syncs\tset changes\tCPU ms/event\tNB CPU ms/event\tpeak RSS MB\t")
		for _, s := range r.Streams {
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.1f\t%.1f\t%.1f\t<= %.1f\t%.2f\t%s\t%.1f\t%.1f\t%d\t%s\t%.2f\t%.2f\t%.0f\t\n", s.Name, commas(s.Events), s.SentRate,
				s.Throughput, s.P50ms, s.P99ms, s.Maxms, s.CtrlP99ms, s.OpsPerEvent, commas(int(s.Transactions)), s.BatchMs, s.CommitMs, s.FullSyncs,
				commas(s.SetChanges), perEvent(s.Usage.CPUSeconds, s.Events), perEvent(s.Usage.NBCPU, s.Events), s.Usage.PeakRSSMB)
		}
		tw.Flush()
		fmt.Fprintf(w, "NB = translation of the moved cluster: %s\n", yes(r.FinalMatch))
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target (set for w1)\tlimit\tmeasured\t")
	for _, t := range r.Targets() {
		verdict := "met"
		if !t.Met {
			verdict = "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Limit, t.Value, verdict)
	}
	tw.Flush()
	for _, f := range r.Failures {
		fmt.Fprintf(w, "FAILED: %s\n", f)
	}
}

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
