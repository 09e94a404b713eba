package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/explain"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

func newExplainCommand() *cobra.Command {
	var in inputs
	var probe policytest.Probe
	var port, output, failOn string
	cmd := &cobra.Command{
		Use: "explain [-f PATH... | --kubeconfig K] [--nb ADDR] --from X --to Y [--protocol P] --port N|name " +
			"[--family IPv4|IPv6] [-o text|json]",
		Short: "Show why one flow is allowed or denied, by the policy model and by the ACLs",
		Long: `explain judges one flow with both evaluators and prints, for the source's egress and then the
destination's ingress, the policy model's steps tier by tier, the ACLs that matched, and the address
sets those ACLs compare the flow's addresses with. A DISAGREE line says when the two verdicts differ,
which is a translation bug. With --nb the ACL evaluator judges the rows tieracl owns in that live NB
instead of the translation, so the steps name the NB ACL that decides, and each side says whether the
live port groups and address sets hold the endpoint as the policies say they should; without -f the
objects then come from the cluster (--kubeconfig, $KUBECONFIG, in-cluster).

--from is <namespace>/<pod> or an IP address; --to is <namespace>/<pod>, node/<name> or an IP address;
--port is a number or a named port of the destination pod. Without -f it reads the embedded example
` + defaultExampleName + `.`,
		// `-f a b c` (a shell glob after -f) names three paths: the words after the flag are more paths.
		Args: cobra.ArbitraryArgs,
	}
	nb := addNBFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if output != "text" && output != "json" {
			return fmt.Errorf("unknown output format %q; use text or json", output)
		}
		probe.Port = intstr.Parse(port)
		probe.Expect = policytest.ExpectAllow // explain has no expectation; Check wants one
		if err := probe.Check(); err != nil {
			return fmt.Errorf("--%w", err)
		}
		snap, portName, live, err := loadWithNB(cmd, args, &in, nb)
		if err != nil {
			return err
		}
		opts := translate.Options{PortName: portName}
		flow, err := policytest.Resolve(cluster.NewIndex(snap, portName), probe)
		if err != nil {
			return fmt.Errorf("--%w", err)
		}
		var report *explain.Report
		if live {
			state, rerr := readNB(context.Background(), nb)
			if rerr != nil {
				return rerr
			}
			report, err = explain.RunLive(snap, flow, opts, state.Owned())
		} else {
			report, err = explain.Run(snap, flow, opts)
		}
		if err != nil {
			return err
		}
		if output == "json" {
			err = explain.WriteJSON(cmd.OutOrStdout(), report)
		} else {
			err = explain.WriteText(cmd.OutOrStdout(), report)
		}
		if err != nil {
			return err
		}
		return checkProblems(cmd, failOn, translate.Translate(snap, opts).Policies, true)
	}
	f := cmd.Flags()
	in.register(cmd, "manifest file or folder; default: the embedded example", true)
	f.StringVar(&probe.From, "from", "", "source: <namespace>/<pod> or an IP address")
	f.StringVar(&probe.To, "to", "", "destination: <namespace>/<pod>, node/<name> or an IP address")
	f.StringVar(&probe.Protocol, "protocol", "TCP", "TCP, UDP or SCTP")
	f.StringVar(&port, "port", "", "destination port: a number or a named port of the destination pod")
	f.StringVar(&probe.Family, "family", "", "IPv4 or IPv6 (default IPv4, or the family of an IP given)")
	f.StringVarP(&output, "output", "o", "text", "output format: text or json")
	addFailOn(cmd, &failOn)
	for _, name := range []string{"from", "to", "port"} {
		if err := cmd.MarkFlagRequired(name); err != nil {
			panic(err)
		}
	}
	return cmd
}
