package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tieracl/tieracl/go-controller/pkg/policy"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
)

// failOnLevels are the --fail-on values: the least severe policy problem that fails the command.
var failOnLevels = map[string][]policy.Severity{
	"":        nil,
	"warning": {policy.SeverityWarning, policy.SeverityError},
	"error":   {policy.SeverityError},
}

// failOnValue is --fail-on, checked when the flag is parsed so a typo fails before any work.
type failOnValue struct{ level *string }

func (v failOnValue) String() string { return *v.level }
func (v failOnValue) Type() string   { return "warning|error" }
func (v failOnValue) Set(s string) error {
	s = strings.ToLower(s)
	if _, ok := failOnLevels[s]; !ok || s == "" {
		return fmt.Errorf("want warning or error, not %q", s)
	}
	*v.level = s
	return nil
}

func addFailOn(cmd *cobra.Command, level *string) {
	cmd.Flags().Var(failOnValue{level}, "fail-on",
		"exit 1 when some policy has a problem of this severity or worse: warning or error (for CI)")
}

// checkProblems fails the command with exit code 1 when a policy has a problem at level or worse.
// print says to name the problems on standard error, for commands whose output does not list them.
func checkProblems(cmd *cobra.Command, level string, policies []*policy.Policy, print bool) error {
	failing := failOnLevels[level]
	stderr := stickywriter.New(cmd.ErrOrStderr())
	n := 0
	for _, p := range policies {
		for _, pr := range p.Problems {
			if !slices.Contains(failing, pr.Severity) {
				continue
			}
			n++
			if print {
				stderr.Printf("tieracl: %s: %s\n", p.Owner, pr)
			}
		}
	}
	if err := stderr.Err(); err != nil {
		return fmt.Errorf("standard error: %w", err)
	}
	if n > 0 {
		return &exitCodeError{code: exitFailed, err: fmt.Errorf("--fail-on %s: %d policy problems", level, n)}
	}
	return nil
}
