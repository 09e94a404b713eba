package main

import (
	"fmt"
	"io"
	"path"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/tieracl/tieracl/examples"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
)

func newTestCommand() *cobra.Command {
	var files []string
	var backend, ovnBin string
	cmd := &cobra.Command{
		Use:   "test [-f FILE]... [--backend NAME]",
		Short: "Run policy tests: probes with the verdict each should get",
		Long: `test loads policy test files (kind: PolicyTest), resolves every probe into a flow and judges it
with a backend: "acl" evaluates the generated OVN ACLs with OVN's semantics, "model" the policy APIs'
semantics, "ovn" traces each flow with ovn-trace through a real OVN 25.03 holding the generated rows, and
"datapath" sends real TCP/UDP/SCTP connections through OVN's userspace datapath (needs root and
tieracl-probe, next to tieracl or on PATH). Both run the OVN of --ovn-bin, else $TIERACL_OVN_BIN, else
PATH, and refuse an OVN without ACL tiers (23.03 and older). It prints
one line per probe and, last, "N passed, M failed".

Exit status: 0 when every probe passes, 1 when some fail, 2 on errors (a file that does not load, an
evaluator that fails). Without -f it runs the embedded example ` + defaultExampleName + `.`,
		// `-f a b c` (a shell glob after -f) names three paths: the words after the flag are more paths.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			files = append(files, args...)
			newEvaluator, err := backends(ovnBin).Lookup(backend)
			if err != nil {
				return err
			}
			out, errOut := stickywriter.New(cmd.OutOrStdout()), stickywriter.New(cmd.ErrOrStderr())
			var passed, failed int
			broken := false
			for _, file := range testFiles(files) {
				if len(files) > 1 {
					out.Printf("# %s\n", file.name)
				}
				suite, err := file.load()
				if err != nil {
					errOut.Printf("tieracl: %v\n", err)
					broken = true
					continue
				}
				ev, err := newEvaluator(suite.Snapshot)
				if err != nil {
					errOut.Printf("tieracl: %s: backend %s: %v\n", file.name, backend, err)
					broken = true
					continue
				}
				results := policytest.Run(ev, suite)
				// A real-OVN evaluator holds a test bed: stop it before the next file starts its own.
				if err := policytest.Close(ev); err != nil {
					errOut.Printf("tieracl: %s: backend %s: %v\n", file.name, backend, err)
					broken = true
				}
				if err := printResults(out, results); err != nil {
					return err
				}
				for _, r := range results {
					switch {
					case r.Pass:
						passed++
					case r.Err != nil:
						failed++
						broken = true
					default:
						failed++
					}
				}
			}
			out.Printf("%d passed, %d failed\n", passed, failed)
			if err := out.Err(); err != nil {
				return err
			}
			if err := errOut.Err(); err != nil {
				return fmt.Errorf("standard error: %w", err)
			}
			switch {
			case broken:
				return &exitCodeError{code: exitError}
			case failed > 0:
				return &exitCodeError{code: exitFailed}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil,
		"policy test file (repeatable); default: the embedded example's")
	cmd.Flags().StringVar(&backend, "backend", policytest.BackendACL,
		"what judges the probes: "+strings.Join(backends("").Names(), ", "))
	cmd.Flags().StringVar(&ovnBin, "ovn-bin", "", "the OVN installation the ovn and datapath backends run: a "+
		"folder with its programs or an unpacked package root (default: $"+ovnsandbox.BinEnv+", else PATH)")
	return cmd
}

// testFile is a policy test to load, from disk or from the embedded examples.
type testFile struct {
	name string
	load func() (*policytest.Suite, error)
}

func testFiles(paths []string) []testFile {
	if len(paths) == 0 {
		name := path.Join(examples.Default, "test.yaml")
		return []testFile{{name: path.Join("examples", name), load: func() (*policytest.Suite, error) {
			return policytest.LoadFS(examples.FS, name, "examples")
		}}}
	}
	out := make([]testFile, len(paths))
	for i, p := range paths {
		out[i] = testFile{name: p, load: func() (*policytest.Suite, error) { return policytest.Load(p) }}
	}
	return out
}

// printResults prints one aligned line per probe: outcome, endpoints, protocol/port, family, expected
// and actual verdicts, and for failures what decided the verdict (or the evaluator's error).
func printResults(w io.Writer, results []policytest.Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	out := stickywriter.New(tw)
	for _, r := range results {
		outcome, why := "PASS", ""
		switch {
		case r.Err != nil:
			outcome, why = "ERROR", r.Err.Error()
		case !r.Pass:
			outcome, why = "FAIL", policytest.Deciding(r.Verdict)
		}
		out.Printf("%s\t%s\t->\t%s\t%s\t%s\texpected %s\tgot %s", outcome, r.Probe.From, r.Probe.To,
			portText(r), familyText(r), r.Probe.Expect, r.Got())
		if why != "" {
			out.Printf("\t%s", why)
		}
		out.Println()
	}
	if err := out.Err(); err != nil {
		return err
	}
	return tw.Flush()
}

// portText is protocol/port as the probe wrote it, with the number a named port resolved to.
func portText(r policytest.Result) string {
	if r.Probe.Port.Type == intstr.String && r.Probe.Port.StrVal != fmt.Sprint(r.Flow.Port) {
		return fmt.Sprintf("%s/%s(%d)", r.Flow.Protocol, r.Probe.Port.StrVal, r.Flow.Port)
	}
	return fmt.Sprintf("%s/%d", r.Flow.Protocol, r.Flow.Port)
}

func familyText(r policytest.Result) string {
	if r.Flow.Src.IP.Is4() {
		return policytest.IPv4
	}
	return policytest.IPv6
}
