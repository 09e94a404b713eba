// Command verdict judges a run of an upstream conformance suite: it reads the harness's go test -json
// output, the run file the harness wrote (skip list, recorded API calls) and the upstream report, then
// writes the verdict (per test: passed, skipped, sctp-not-judged, failed, not-run; latencies) and exits 1
// unless every test passed, was skipped by name, or failed only on SCTP probes.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/tieracl/tieracl/test/upstream/harness"
)

// Result is the verdict file.
type Result struct {
	Suite    string                `json:"suite"`
	Report   string                `json:"report"`
	WallTime harness.Duration      `json:"wallTime"`
	Counts   map[string]int        `json:"counts"`
	Setup    []string              `json:"setup,omitempty"`
	Skip     []string              `json:"skip"`
	Options  map[string]string     `json:"options,omitempty"`
	Latency  harness.Latency       `json:"latency"`
	Tests    []harness.TestVerdict `json:"tests"`
}

func main() {
	log := flag.String("log", "", "go test -json output of the harness")
	runPath := flag.String("run", "", "run file the harness wrote")
	report := flag.String("report", "", "upstream report the harness wrote")
	out := flag.String("out", "", "verdict file to write (YAML)")
	top := flag.String("test", "TestConformance", "the harness test whose subtests are the upstream tests")
	name := flag.String("suite", "", "the suite's name when the run file has none")
	flag.Parse()
	if err := run(*log, *runPath, *report, *out, *top, *name); err != nil {
		fmt.Fprintln(os.Stderr, "verdict:", err)
		os.Exit(1)
	}
}

func run(logPath, runPath, reportPath, out, top, name string) error {
	res := Result{Suite: name, Report: filepath.Base(reportPath)}
	r, err := harness.ReadRun(runPath)
	if err != nil {
		res.Setup = append(res.Setup, fmt.Sprintf("no run file: %v", err))
	} else {
		res.Suite, res.WallTime, res.Skip, res.Options = r.Suite, r.WallTime, r.Skip, r.Options
		res.Latency = harness.Summarize(r.Events)
	}
	f, err := os.Open(logPath)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read-only: closing cannot lose data
	v, err := harness.Judge(f, top, res.Skip)
	if err != nil {
		return err
	}
	res.Counts, res.Tests = v.Counts, v.Tests
	res.Setup = append(res.Setup, v.Setup...)
	if b, err := os.ReadFile(reportPath); err != nil || !strings.Contains(string(b), "profiles:") {
		res.Setup = append(res.Setup, fmt.Sprintf("upstream report %s not written or empty (%v)", reportPath, err))
	}
	b, err := yaml.Marshal(res)
	if err != nil {
		return err
	}
	if out != "" {
		if err := os.WriteFile(out, b, 0o644); err != nil {
			return err
		}
	}
	printSummary(res)
	ok := harness.Verdict{Tests: v.Tests, Setup: res.Setup, Counts: v.Counts}.OK()
	if !ok {
		return fmt.Errorf("%s: not every non-SCTP test passed (verdict in %s)", res.Suite, out)
	}
	return nil
}

func printSummary(res Result) {
	fmt.Printf("%s: wall time %s\n", res.Suite, res.WallTime)
	for _, t := range res.Tests {
		fmt.Printf("  %-16s %-50s %s\n", t.Verdict, t.Name, t.Elapsed)
		for _, f := range t.Failures {
			fmt.Printf("      %s\n", f)
		}
	}
	for _, s := range res.Setup {
		fmt.Printf("  setup: %s\n", s)
	}
	l := res.Latency
	fmt.Printf("  write -> Programmed: n=%d p50=%s p99=%s max=%s (not seen: %d)\n",
		l.Programmed.Count, l.Programmed.P50, l.Programmed.P99, l.Programmed.Max, l.Unprogrammed)
	fmt.Printf("  write -> next probe: n=%d min=%s p50=%s p99=%s\n",
		l.ProbeGap.Count, l.ProbeGap.Min, l.ProbeGap.P50, l.ProbeGap.P99)
	fmt.Printf("  probes: %d, exec set up in p50=%s p99=%s\n", l.ExecSetup.Count, l.ExecSetup.P50, l.ExecSetup.P99)
	fmt.Printf("%d passed, %d failed, %d skipped\n", res.Counts[harness.Passed],
		res.Counts[harness.Failed]+res.Counts[harness.NotRun], res.Counts[harness.Skipped]+res.Counts[harness.SCTPNotJudged])
}
