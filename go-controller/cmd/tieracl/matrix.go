package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tieracl/tieracl/go-controller/pkg/matrix"
	"github.com/tieracl/tieracl/go-controller/pkg/render"
)

func newMatrixCommand() *cobra.Command {
	var in inputs
	var ports, ips []string
	var family, output string
	var nodes bool
	cmd := &cobra.Command{
		Use: "matrix [-f PATH... | --kubeconfig K] [--port [PROTO/]PORT]... [--nodes] [--ip ADDR]... " +
			"[-o text|html|json|yaml]",
		Short: "Print the connectivity matrix of pods for some ports: egress, ingress and combined",
		Long: `matrix judges the flow from every pod to every other (and nodes with --nodes, outside addresses with
--ip) on each --port (80, TCP/80, UDP/53, TCP/http for a named port; default TCP/80), and prints
per port three grids: the source's egress, the destination's ingress, and both combined. A cell is
the ACLs' verdict; the text form marks with ! where the policy model disagrees and lists, for each
denied connection, the tier, policy and rule that denied it. -o html writes one self-contained page
whose every cell names the tier, policy and rule that decided it.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := matrix.Options{Family: family, Nodes: nodes, IPs: ips}
			for _, p := range ports {
				port, err := matrix.ParsePort(p)
				if err != nil {
					return fmt.Errorf("--port: %w", err)
				}
				opts.Ports = append(opts.Ports, port)
			}
			if output != "text" && output != "html" {
				if _, err := render.ParseFormat(output); err != nil || output == string(render.Table) {
					return fmt.Errorf("unknown output format %q; use text, html, json or yaml", output)
				}
			}
			snap, err := in.load(cmd, args)
			if err != nil {
				return err
			}
			m, err := matrix.Build(snap, opts)
			if err != nil {
				return err
			}
			switch output {
			case "text":
				return matrix.WriteText(cmd.OutOrStdout(), m)
			case "html":
				return matrix.WriteHTML(cmd.OutOrStdout(), m)
			}
			return render.Value(cmd.OutOrStdout(), render.Format(output), m, nil)
		},
	}
	in.register(cmd, "manifest file or folder; default: the embedded example", true)
	f := cmd.Flags()
	f.StringArrayVar(&ports, "port", nil, "port to probe: PORT or PROTOCOL/PORT, a number or a named port (repeatable)")
	f.StringArrayVar(&ips, "ip", nil, "an outside address to add as an endpoint (repeatable)")
	f.BoolVar(&nodes, "nodes", false, "add the nodes as endpoints")
	f.StringVar(&family, "family", "", "IPv4 or IPv6 (default IPv4)")
	f.StringVarP(&output, "output", "o", "text", "output format: text, html, json or yaml")
	return cmd
}
