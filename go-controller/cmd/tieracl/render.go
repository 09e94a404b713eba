package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tieracl/tieracl/go-controller/pkg/render"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

func newRenderCommand() *cobra.Command {
	var in inputs
	var output, failOn string
	var logRate int
	cmd := &cobra.Command{
		Use:   "render [-f PATH]... [--kubeconfig K] [-o table|json|yaml]",
		Short: "Print the OVN ACLs, port groups and address sets the policies translate to",
		Long: `render reads Namespaces, Pods, Nodes and policies from YAML or JSON files and folders and prints
the Northbound rows they translate to: ACLs in ovn-nbctl acl-list order (tier, direction, priority),
the problems found in the policies, then port groups and address sets.

With --kubeconfig or --context it reads them from the cluster; with neither nor -f it renders the
embedded example ` + defaultExampleName + `.`,
		// `-f a b c` (a shell glob after -f) names three paths: the words after the flag are more paths.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := render.ParseFormat(output)
			if err != nil {
				return err
			}
			snap, err := in.load(cmd, args)
			if err != nil {
				return err
			}
			if logRate < 1 {
				return fmt.Errorf("--acl-log-rate must be at least 1, not %d", logRate)
			}
			res := translate.Translate(snap, translate.Options{ACLLogRate: logRate})
			if err := render.State(cmd.OutOrStdout(), format, &res.State, res.Policies); err != nil {
				return err
			}
			return checkProblems(cmd, failOn, res.Policies, false)
		},
	}
	in.register(cmd, "manifest file or folder; default: the embedded example", true)
	cmd.Flags().StringVarP(&output, "output", "o", string(render.Table), "output format: table, json or yaml")
	addFailOn(cmd, &failOn)
	cmd.Flags().IntVar(&logRate, "acl-log-rate", translate.DefaultACLLogRate,
		"log messages per second each logged ACL may write, as tieracl-controller's flag of that name")
	return cmd
}
