package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Targets judges a zone run against figures that make zone mode worth its cost: each zone's full sync
// and peak RSS within the w1 targets of one central controller (10 s, 500 MB), since each zone's
// instance has its node's cores and memory to share with the pods; a pod move committed in every zone
// within a second; and the zones' port group members adding up to the central translation's, each
// zone holding only its own.
func (r *ZoneReport) Targets() []Target {
	var worstSync, worstRSS float64
	members := 0
	for _, z := range r.Zones {
		worstSync = max(worstSync, z.FullSyncSeconds)
		worstRSS = max(worstRSS, z.PeakRSSMB)
		members += z.Rows.PortGroupPorts
	}
	return []Target{
		{"slowest zone's full sync to Ready", "<= 10 s", fmt.Sprintf("%.1f s", worstSync), worstSync > 0 && worstSync <= 10},
		{"largest instance's peak RSS", megabytes(500), fmt.Sprintf("%.0f MB", worstRSS), worstRSS > 0 && worstRSS <= 500},
		{"pod move committed in every zone, p99", "<= 1,000 ms", fmt.Sprintf("%.0f ms", r.Moves.P99ms),
			r.Moves.Count > 0 && r.Moves.P99ms <= 1000},
		{"port group members over all zones", "= central " + commas(r.CentralPortGroupPorts), commas(members),
			members == r.CentralPortGroupPorts},
	}
}

// Print writes the zone report as text tables and returns the first write error.
func (r *ZoneReport) Print(out io.Writer, m Machine) error {
	w := &stickyWriter{w: out}
	tprintf := func(tw *tabwriter.Writer, format string, args ...any) { _, _ = fmt.Fprintf(tw, format, args...) }
	z := r.Size
	w.printf("workload %s over %d zones: %s namespaces, %s pods, %d nodes, %d ANPs (%s rules), BANP %d rules, "+
		"%s NetworkPolicies\n", r.Workload, len(r.Zones), commas(z.Namespaces), commas(z.Pods), z.Nodes, z.ANPs,
		commas(z.ANPRules), z.BANPRules, commas(z.NetworkPolicies))
	w.printf("machine: %d cores, %d GiB, %s, %s, kernel %s; one NB ovsdb-server and one controller process per "+
		"zone, no ovn-northd\n\n", m.CPUs, m.MemGiB, m.Go, m.OS, m.Kernel)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	tprintf(tw, "zone\tnodes\tports\tACLs\tPGs\tPG ports\tsets\tset entries\tload s\tfull sync s\tNB ops\ttxns\t"+
		"move ops\tmove p50 ms\tRSS MB (before)\tNB RSS MB\tNB = translation\t\n")
	for _, x := range r.Zones {
		tprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.2f\t%s\t%d\t%s\t%.1f\t%.0f (%.0f)\t%.0f\t%s\t\n",
			x.Name, x.Nodes, commas(x.Ports), commas(x.Rows.ACLs), commas(x.Rows.PortGroups), commas(x.Rows.PortGroupPorts),
			commas(x.Rows.AddressSets), commas(x.Rows.AddressSetEntries), x.LoadSeconds, x.FullSyncSeconds,
			commas(int(x.FullSyncOps)), x.Transactions, commas(int(x.MoveOps)), x.MoveP50ms, x.PeakRSSMB, x.StartRSSMB,
			x.NBPeakRSSMB,
			yes(x.Matches))
	}
	_ = tw.Flush() // its error is the one w keeps
	mv := r.Moves
	w.printf("\npod moves: %d, one at a time, %.1f address sets each; until every zone committed: p50 %.1f ms, "+
		"p99 %.1f ms, max %.1f ms\n\n", mv.Count, mv.SetsAvg, mv.P50ms, mv.P99ms, mv.MaxMs)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	tprintf(tw, "target\tlimit\tmeasured\tmet\n")
	for _, t := range r.Targets() {
		tprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Limit, t.Value, yes(t.Met))
	}
	_ = tw.Flush() // its error is the one w keeps
	for _, f := range r.Failures {
		w.printf("FAILED: %s\n", f)
	}
	return w.err
}
