package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdiff"
	"github.com/tieracl/tieracl/go-controller/pkg/render"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

func newDiffCommand() *cobra.Command {
	in := inputs{cluster: true}
	var output string
	cmd := &cobra.Command{
		Use:   "diff (-f PATH... | --kubeconfig K) --nb ADDR [-o table|json|yaml]",
		Short: "Compare the rows the policies translate to with the rows a live NB holds",
		Long: `diff translates the objects of the files, or of the cluster (--kubeconfig, $KUBECONFIG, in-cluster)
when no -f is given, and compares the result with the rows tieracl owns in the Northbound database:
rows missing, extra or changed, and members (addresses, logical ports) missing or extra, grouped by
the policy that owns them. Desired port group members that have no logical switch port in NB are
listed as absent.
Exit status: 0 when NB holds exactly the desired rows, 1 when it differs, 2 on errors.`,
		Args: cobra.ArbitraryArgs,
	}
	nb := addNBFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := render.ParseFormat(output)
		if err != nil {
			return err
		}
		snap, portName, _, err := loadWithNB(cmd, args, &in, nb)
		if err != nil {
			return err
		}
		live, err := readNB(context.Background(), nb)
		if err != nil {
			return err
		}
		// From NB's shard counts, as the controller translates: a set inside its hysteresis band is not drift.
		res := translate.Translate(snap, translate.Options{PortName: portName, Shards: translate.StateShards(live.Owned())})
		report := nbdiff.Compare(&res.State, live.Owned(), live.Ports)
		if err := render.Value(cmd.OutOrStdout(), format, report, func(w io.Writer) error {
			return writeDiff(w, report)
		}); err != nil {
			return err
		}
		if report.Differs {
			return &exitCodeError{code: exitFailed}
		}
		return nil
	}
	in.register(cmd, "manifest file or folder; default: the cluster", true)
	cmd.Flags().StringVarP(&output, "output", "o", string(render.Table), "output format: table, json or yaml")
	return cmd
}

// writeDiff prints one block per policy, one line per row, and the members and columns below it.
func writeDiff(w io.Writer, r *nbdiff.Report) error {
	if !r.Differs {
		_, err := fmt.Fprintln(w, "NB matches: no differences")
		return err
	}
	out := stickywriter.New(w)
	for _, p := range r.Policies {
		out.Printf("%s\n", p.Owner)
		for _, row := range p.Rows {
			out.Printf("  %-8s %-12s %s\n", row.Change, row.Table, row.Name)
			for _, f := range row.Fields {
				out.Printf("      %s: want %s, NB has %s\n", f.Column, f.Want, f.Have)
			}
			memberLine(out, "- missing", row.MembersMissing)
			memberLine(out, "+ extra", row.MembersExtra)
			memberLine(out, "! no logical switch port", row.PortsAbsent)
		}
	}
	c := r.Counts
	out.Printf("%d missing, %d extra, %d changed rows; %d members missing, %d extra; %d ports absent\n",
		c.Missing, c.Extra, c.Changed, c.MembersMissing, c.MembersExtra, c.PortsAbsent)
	return out.Err()
}

func memberLine(w *stickywriter.Writer, label string, members []string) {
	if len(members) > 0 {
		w.Printf("      %s: %s\n", label, strings.Join(members, " "))
	}
}
