// Command report runs the transcribed network-policy-api conformance suites with each backend and
// writes the upstream-shaped ConformanceReport of each suite and backend to <out>/<backend>-<suite>.yaml,
// e.g. docs/conformance/acl-v0.3.0.yaml.
//
//	go run ./test/conformance/cmd/report [-suites v0.1.7,v0.3.0] [-backends acl,model] \
//		[-out docs/conformance] [-version v]
//
// Exit status: 0 when every test passed, 1 when some failed (the reports are written anyway), 2 on
// errors.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
	"github.com/tieracl/tieracl/test/conformance"
)

// backendInfo says what each built-in backend judges, for the report's additionalInformation.
var backendInfo = map[string]string{
	"model": "the policy model: the semantics of ClusterNetworkPolicy, ANP, NetworkPolicy and BANP " +
		"as the API's Go docs state them",
	"acl": "the OVN Northbound ACLs, Port_Groups and Address_Sets tieracl generates, " +
		"evaluated with OVN's tier and priority semantics",
	"ovn": "the generated rows written to a real OVN 25.03 Northbound database, compiled by ovn-northd, " +
		"each probe judged by ovn-trace (delivered or dropped)",
	"datapath": "the generated rows in a real OVN 25.03 with ovn-controller and ovs-vswitchd (userspace datapath); " +
		"each probe a real TCP, UDP or SCTP connection between pod network namespaces (Deny = timed out); " +
		"SCTP probes the kernel cannot send are listed as not judged and their tests as skipped",
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, conformance.Backends()))
}

func run(args []string, stdout, stderr io.Writer, known policytest.Backends) int {
	flags := flag.NewFlagSet("report", flag.ContinueOnError)
	flags.SetOutput(stderr)
	backendList := flags.String("backends", os.Getenv(conformance.EnvBackends),
		"comma-separated backends (default: $"+conformance.EnvBackends+", else every backend)")
	suiteList := flags.String("suites", os.Getenv(conformance.EnvSuites),
		"comma-separated suite versions (default: $"+conformance.EnvSuites+", else every suite)")
	out := flags.String("out", "docs/conformance", "folder to write <backend>-<suite>.yaml to")
	date := flags.String("date", time.Now().Format(time.RFC3339), "the report's date")
	version := flags.String("version", buildVersion(), "tieracl version to put in the report")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	// Errors end the run with status 2 anyway; a report line lost to a failing stdout makes it 2 too.
	outW, errW := stickywriter.New(stdout), stickywriter.New(stderr)
	suites, err := conformance.ParseSuites(*suiteList)
	if err != nil {
		errW.Println(err)
		return 2
	}
	backends, err := conformance.ParseBackends(*backendList, known)
	if err != nil {
		errW.Println(err)
		return 2
	}
	status := 0
	for _, suite := range suites {
		catalog, err := suite.Catalog()
		if err != nil {
			errW.Println(err)
			return 2
		}
		for _, backend := range backends {
			results, err := conformance.Run(conformance.FS, catalog, known, backend)
			if err != nil {
				errW.Println(err)
				return 2
			}
			report := suite.BuildReport(implementation(suite, backend, *version), *date, backend, results)
			path := filepath.Join(*out, backend+"-"+suite.Version+".yaml")
			if err := write(path, report); err != nil {
				errW.Println(err)
				return 2
			}
			t := tally(results, outW)
			outW.Printf("%s %s: %d of %d tests passed, %d skipped (%d of %d probes passed, %d not judged); wrote %s\n",
				suite.Version, backend, t.passed, len(results), t.skipped, t.probes, t.total, t.notJudged, path)
			if t.passed+t.skipped != len(results) {
				status = 1
			}
		}
	}
	if err := outW.Err(); err != nil {
		errW.Println("standard output:", err)
		return 2
	}
	return status
}

type counts struct{ passed, skipped, probes, total, notJudged int }

// tally counts tests and probes, and prints every failure and every probe that could not be judged.
func tally(results []conformance.TestResult, w *stickywriter.Writer) counts {
	var c counts
	for _, r := range results {
		switch {
		case r.Skipped():
			c.skipped++
		case r.Passed():
			c.passed++
		}
		p, t := r.Probes()
		c.probes += p
		c.total += t
		for _, s := range r.Subtests {
			for _, f := range s.Failures() {
				w.Println("FAIL", f)
			}
			for _, n := range s.NotJudged() {
				w.Println("NOT JUDGED", n)
				c.notJudged++
			}
		}
	}
	return c
}

func implementation(suite *conformance.Suite, backend, version string) conformance.Implementation {
	info := backendInfo[backend]
	if info == "" {
		info = "the backend of that name"
	}
	return conformance.Implementation{
		Organization: "tieracl",
		Project:      "tieracl",
		URL:          "https://github.com/tieracl/tieracl",
		Version:      version,
		Contact:      []string{"https://github.com/tieracl/tieracl/issues"},
		AdditionalInformation: fmt.Sprintf("backend %s: %s. The network-policy-api %s conformance tests, "+
			"transcribed as tieracl policy tests (test/conformance/%s, one file per subtest or step), judged by this backend "+
			"with "+
			"`go run ./test/conformance/cmd/report -suites %s -backends %s`; see docs/conformance/README.md.",
			backend, info, suite.Version, suite.Version, suite.Version, backend),
	}
}

func write(path string, report conformance.Report) error {
	data, err := yaml.Marshal(report)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	head := "# Generated by go run ./test/conformance/cmd/report; do not edit.\n"
	return os.WriteFile(path, append([]byte(head), data...), 0o644)
}

// buildVersion is the main module's version when the binary was built from a tagged module, else
// "devel" with the VCS revision if the build recorded one.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return "devel-" + s.Value
		}
	}
	return "devel"
}
