package main

import (
	"github.com/spf13/cobra"

	"github.com/tieracl/tieracl/go-controller/pkg/render"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

func newRenderCommand() *cobra.Command {
	var files []string
	var output string
	cmd := &cobra.Command{
		Use:   "render [-f PATH]... [-o table|json|yaml]",
		Short: "Print the OVN ACLs, port groups and address sets the policies translate to",
		Long: `render reads Namespaces, Pods, Nodes and policies from YAML or JSON files and folders and prints
the Northbound rows they translate to: ACLs in ovn-nbctl acl-list order (tier, direction, priority),
the problems found in the policies, then port groups and address sets.

Without -f it renders the embedded example ` + defaultExampleName + `.`,
		// `-f a b c` (a shell glob after -f) names three paths: the words after the flag are more paths.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			files = append(files, args...)
			format, err := render.ParseFormat(output)
			if err != nil {
				return err
			}
			snap, err := loadSnapshot(files)
			if err != nil {
				return err
			}
			res := translate.Translate(snap, translate.Options{})
			return render.State(cmd.OutOrStdout(), format, &res.State, res.Policies)
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "manifest file or folder (repeatable); default: the embedded example")
	cmd.Flags().StringVarP(&output, "output", "o", string(render.Table), "output format: table, json or yaml")
	return cmd
}
