package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes: 0 success (every probe passed), 1 some probe failed, 2 an error (bad input, bad flags,
// an evaluator failing).
const (
	exitOK     = 0
	exitFailed = 1
	exitError  = 2
)

// exitCodeError carries an exit code out of a command. A nil err means the command already said what
// went wrong.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// run executes the command line and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int { return runIO(args, os.Stdin, stdout, stderr) }

// runIO is run with standard input, which -f - reads.
func runIO(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ec *exitCodeError
	if errors.As(err, &ec) {
		if ec.err != nil {
			reportError(stderr, ec.err)
		}
		return ec.code
	}
	reportError(stderr, err)
	return exitError
}

// reportError prints a command's error on standard error.
func reportError(stderr io.Writer, err error) {
	// Standard error is the last place to report to: when it fails too, the exit code is all that is left.
	_, _ = fmt.Fprintf(stderr, "tieracl: %v\n", err)
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use: "tieracl",
		// As a kubectl plugin, help and usage say "kubectl tieracl".
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: commandName(os.Args[0])},
		Short:       "Translate cluster network policy and NetworkPolicy into OVN ACL tiers",
		Long: `tieracl turns Kubernetes ClusterNetworkPolicy of tier Admin and AdminNetworkPolicy (ACL tier 1),
NetworkPolicy (tier 2), and ClusterNetworkPolicy of tier Baseline and BaselineAdminNetworkPolicy (tier 3)
into OVN Northbound ACLs, port groups and address sets.

render, test, explain, selects and matrix read YAML manifests (-f, - for standard input) and need no
cluster; with --kubeconfig they read the cluster's objects instead. diff, sync and acl-list, and
explain and selects with --nb, read a live Northbound database with the controller's NB flags.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRenderCommand(), newTestCommand(), newExplainCommand(), newDiffCommand(), newSyncCommand(),
		newACLListCommand(), newSelectsCommand(), newMatrixCommand(), newVersionCommand())
	return root
}

// commandName is how help text names the program: "kubectl tieracl" when it runs as the kubectl plugin
// kubectl-tieracl (kubectl finds plugins on $PATH by that name and runs them with the words after
// "kubectl tieracl").
func commandName(argv0 string) string {
	if name := filepath.Base(argv0); strings.HasPrefix(name, "kubectl-") {
		return "kubectl " + strings.ReplaceAll(strings.TrimPrefix(name, "kubectl-"), "_", "-")
	}
	return "tieracl"
}
