// Command tieracl-bench benchmarks the tieracl controller on one workload against a real NB
// ovsdb-server (see docs/performance.md):
//
//	go run ./test/bench/cmd/tieracl-bench --workload W1|W2|synth|w0|w1|DIR [--json FILE]
//
// W1 is the synthetic preset (1,000 namespaces, 20,000 pods, 100 ANPs of 20 rules, 2,000
// NetworkPolicies, a BANP of 20 rules) and W2 the scale preset (5,000 namespaces, 100,000 pods, 500 ANPs of
// 20 rules, 10,000 NetworkPolicies, a BANP of 20 rules), both generated in Go; synth is the generator with
// the sizes of the flags; w0 and w1 are the reference workloads (docs/performance.md#workloads), made by a
// generator that is not part of this repository, gen.py, named by --genpy or $TIERACL_GENPY; DIR is a
// folder of manifests. --cnp restates the workload's ANPs and BANP as ClusterNetworkPolicies (same rules,
// Admin and Baseline tier). It prints a table
// and exits non-zero when a measurement fails (or, with --enforce-targets, when a target is missed).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // --pprof-address
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"

	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/memlimit"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
	"github.com/tieracl/tieracl/test/bench"
)

func main() {
	if bench.IsZoneWorker() {
		if err := zoneWorker(); err != nil {
			fmt.Fprintf(os.Stderr, "tieracl-bench zone worker: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "tieracl-bench: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	l := synth.W1
	workload := flag.String("workload", "W1",
		"W1, W2, synth (the generator with the size flags), w0, w1 (gen.py), or a folder of manifests")
	flag.IntVar(&l.Namespaces, "namespaces", l.Namespaces, "generator: namespaces")
	flag.IntVar(&l.PodsPerNamespace, "pods-per-namespace", l.PodsPerNamespace, "generator: pods in each namespace")
	flag.IntVar(&l.Nodes, "nodes", l.Nodes, "generator: nodes")
	flag.IntVar(&l.ANPs, "anps", l.ANPs, "generator: AdminNetworkPolicies")
	flag.IntVar(&l.RulesPerANP, "anp-rules", l.RulesPerANP, "generator: rules per ANP (ingress and egress)")
	flag.IntVar(&l.NetworkPolicies, "network-policies", l.NetworkPolicies, "generator: NetworkPolicies")
	flag.IntVar(&l.BANPRules, "banp-rules", l.BANPRules, "generator: BANP rules (0: no BANP)")
	flag.Int64Var(&l.Seed, "seed", l.Seed, "generator and stream seed")
	genpy := flag.String("genpy", os.Getenv("TIERACL_GENPY"),
		"w0 and w1: the reference workload generator gen.py, not in this repository (nb_transact.py beside it); "+
			"default $TIERACL_GENPY")
	python := flag.String("python", "python3", "Python 3 for gen.py and nb_transact.py")
	northd := flag.String("northd", "pause",
		"pause: the bed's ovn-northd is stopped, the cores measure the controller and NB; run: it works on every change")
	rate := flag.Float64("rate", 1000, "steady stream: pod label changes per second")
	duration := flag.Duration("duration", 15*time.Second, "steady stream length (0: none)")
	maxDuration := flag.Duration("max-duration", 10*time.Second,
		"stream at the highest rate the writers reach, length (0: none)")
	writers := flag.Int("writers", 4, "goroutines writing pod updates")
	jsonOut := flag.String("json", "", "also write the report as JSON to this file")
	enforce := flag.Bool("enforce-targets", false, "exit non-zero when a target is missed")
	logFile := flag.String("log", "", "controller log file (default: tieracl-bench-*/controller.log in the temp folder)")
	keep := flag.Bool("keep", false,
		"keep the temp folder (gen.py output, controller log) and the test bed's run folder (OVN databases and logs)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run here")
	phaseProfiles := flag.String("phase-profiles", "",
		"write a CPU profile and an execution trace of the full sync and of the restart into this folder")
	memProfile := flag.String("memprofile", "",
		"write a heap profile here after the last phase, while the controller still runs")
	asCNP := flag.Bool("cnp", false,
		"restate the workload's ANPs and BANP as ClusterNetworkPolicies (Admin and Baseline tier) before the run")
	limit := flag.Bool("limit", true, "replay the full sync's operations as one transaction into a fresh NB (limit_ratio)")
	northdCompile := flag.Bool("northd-compile", true,
		"start a fresh ovn-northd and SB on the NB after the full sync: cold compile, logical flows, one pod move")
	zones := flag.Int("zones", 0, "W1, W2, synth: spread the workload over this many zones, one NB and one zone-mode "+
		"controller process each, and report per zone (0: one central controller)")
	moves := flag.Int("moves", 50, "with --zones: pod moves timed until every zone has committed each")
	pprofAddress := flag.String("pprof-address", "", "serve net/http/pprof here (127.0.0.1:6060), to take heap "+
		"profiles during a phase")
	memoryLimit := flag.String("memory-limit", memlimit.Auto, "the Go runtime's soft memory limit for the bench "+
		"process (controller and fake API server): as tieracl-controller's --memory-limit")
	shardBound := flag.Int("shard-bound", 0, "the controller's address-set shard bound (0, the default: "+
		"every set one row)")
	maxInFlight := flag.Int("max-in-flight", 0, "the controller's limit of NB transactions in flight (0: its default)")
	flag.Parse()
	memLimit, err := memlimit.Resolve(*memoryLimit)
	if err != nil {
		return fmt.Errorf("--memory-limit: %w", err)
	}
	memLimit.Apply()

	tmp, err := os.MkdirTemp("", "tieracl-bench-")
	if err != nil {
		return err
	}
	defer func() {
		if !*keep {
			if err := os.RemoveAll(tmp); err != nil {
				fmt.Fprintln(os.Stderr, "tieracl-bench: removing the temporary folder:", err)
			}
		}
	}()
	if *logFile == "" {
		*logFile = filepath.Join(tmp, "controller.log")
	}
	if err := quietKlog(*logFile); err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	name := *workload
	if name == "W1" && l != synth.W1 {
		name = "synth"
	}
	progress := func(s string) { fmt.Fprintf(os.Stderr, "[%s] %s: %s\n", time.Now().Format("15:04:05"), name, s) }
	progress("Go memory limit " + memLimit.String())
	progress("building the workload")
	if *zones > 0 {
		return runZones(ctx, name, *workload, l, *zones, *moves, *jsonOut, tmp, keep, progress)
	}
	w, err := bench.LoadWorkload(ctx, *workload,
		bench.WorkloadOptions{Synth: l, GenPy: *genpy, Python: *python, TempDir: tmp})
	if err != nil {
		return err
	}
	w.Name = name
	if *asCNP {
		if err := bench.AsClusterNetworkPolicies(w.Snapshot); err != nil {
			return fmt.Errorf("--cnp: %w", err)
		}
		w.Name += "-cnp"
	}

	if *cpuProfile != "" && *phaseProfiles != "" {
		return fmt.Errorf("--cpuprofile and --phase-profiles exclude each other: Go runs one CPU profile at a time")
	}
	if *pprofAddress != "" {
		ln, err := net.Listen("tcp", *pprofAddress)
		if err != nil {
			return fmt.Errorf("--pprof-address: %w", err)
		}
		srv := &http.Server{ReadHeaderTimeout: 10 * time.Second} // http.DefaultServeMux, where net/http/pprof is
		go func() { _ = srv.Serve(ln) }()                        // ends with the process
		defer func() { _ = srv.Close() }()
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, runErr := bench.Run(ctx, w, bench.Options{Northd: *northd, Rate: *rate, Duration: *duration,
		MaxDuration: *maxDuration, Writers: *writers, Seed: l.Seed, Progress: progress, HeapProfile: *memProfile,
		KeepBed: *keep, NoLimit: !*limit, NoNorthdCompile: !*northdCompile,
		PhaseProfiles: *phaseProfiles, ShardBound: *shardBound, MaxInFlight: *maxInFlight})
	m := bench.ThisMachine()
	fmt.Println()
	printErr := rep.Print(os.Stdout, m)
	if *jsonOut != "" {
		if err := writeJSON(*jsonOut, m, rep.Targets(), rep); err != nil {
			return err
		}
	}
	if runErr != nil {
		*keep = true
		return fmt.Errorf("%w (controller log: %s)", runErr, *logFile)
	}
	if printErr != nil {
		return fmt.Errorf("writing the report: %w", printErr)
	}
	if *enforce {
		for _, t := range rep.Targets() {
			if !t.Met {
				return fmt.Errorf("target missed: %s %s, measured %s", t.Name, t.Limit, t.Value)
			}
		}
	}
	return nil
}

// runZones runs the zone bench (bench.RunZones) on a generated workload and prints its report.
func runZones(ctx context.Context, name, workload string, l synth.Large, zones, moves int, jsonOut, tmp string,
	keep *bool, progress func(string)) error {
	switch workload {
	case "W1", "synth":
	case "W2":
		l = synth.W2
	default:
		return fmt.Errorf("--zones needs a generated workload (W1, W2, synth), not %s", workload)
	}
	dir := filepath.Join(tmp, "zones") // the NBs and the workers' logs; kept with --keep or on failure
	rep, runErr := bench.RunZones(ctx,
		bench.ZoneOptions{Zones: zones, Synth: l, Moves: moves, Progress: progress, Dir: dir})
	if rep == nil {
		*keep = true
		return fmt.Errorf("%w (NBs and worker logs: %s)", runErr, dir)
	}
	rep.Workload = name
	m := bench.ThisMachine()
	fmt.Println()
	printErr := rep.Print(os.Stdout, m)
	if jsonOut != "" {
		if err := writeJSON(jsonOut, m, rep.Targets(), rep); err != nil {
			return err
		}
	}
	if runErr != nil {
		*keep = true
		return fmt.Errorf("%w (NBs and worker logs: %s)", runErr, dir)
	}
	return printErr
}

// writeJSON writes the report's fields, with the machine and the targets, as one JSON object to path.
func writeJSON(path string, m bench.Machine, targets []bench.Target, rep any) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	fields := map[string]any{}
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	fields["machine"], fields["targets"] = m, targets
	if b, err = json.MarshalIndent(fields, "", "  "); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// zoneWorker is this binary started again by bench.RunZones as one zone's controller process.
func zoneWorker() error {
	if err := quietKlog(os.Getenv(bench.ZoneWorkerLogEnv)); err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	return bench.RunZoneWorker(ctx, os.Stdin, os.Stdout)
}

// quietKlog sends the controller's log to a file: the bench's own output is the table.
func quietKlog(file string) error {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	for k, v := range map[string]string{"logtostderr": "false", "alsologtostderr": "false", "stderrthreshold": "FATAL",
		"log_file": file, "one_output": "true"} {
		if err := fs.Set(k, v); err != nil {
			return err
		}
	}
	return nil
}
