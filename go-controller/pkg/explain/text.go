package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
)

// WriteJSON prints the whole report.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // matches hold &&, < and >, which should print as written
	return enc.Encode(r)
}

// WriteText prints the report for people: per side, the model's steps, the ACL evaluator's steps and
// the address sets, then both verdicts and, when they differ, a DISAGREE line.
func WriteText(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	out := stickywriter.New(tw)
	out.Printf("flow: %s\n", r.Flow.Text)
	if r.Rows != "" {
		out.Printf("ACL rows: %s\n", r.Rows)
	}
	for _, side := range r.Sides {
		out.Printf("\n%s of %s\n", side.Side, side.Endpoint)
		if side.Model == nil && side.ACL == nil {
			out.Println("  not judged: this end has no logical port")
			continue
		}
		writeModelSteps(out, side.Model)
		writeACLSteps(out, side.ACL)
		writeSets(out, side.AddressSets)
		writeGroups(out, side.PortGroups)
	}
	out.Printf("\nverdict: model %s, acl %s\n", verdictWord(r.ModelAllowed), verdictWord(r.ACLAllowed))
	if !r.Agree {
		out.Printf("DISAGREE: the policy model says %s but the ACLs say %s\n", verdictWord(r.ModelAllowed),
			verdictWord(r.ACLAllowed))
	}
	if err := out.Err(); err != nil {
		return err
	}
	return tw.Flush()
}

func writeModelSteps(w *stickywriter.Writer, d *Decision) {
	if d == nil {
		w.Println("  model: not judged")
		return
	}
	w.Printf("  model: %s\n", verdictWord(d.Allowed))
	w.Println("    TIER\tPOLICY\tPRIORITY\tRULE\tACTION")
	for _, s := range d.Steps {
		w.Printf("    %d\t%s\t%s\t%s\t%s\n", s.Tier, dash(s.Policy), policyPriority(s), ruleText(s), s.Action)
	}
}

func writeACLSteps(w *stickywriter.Writer, d *Decision) {
	if d == nil {
		w.Println("  acl: not judged")
		return
	}
	w.Printf("  acl: %s\n", verdictWord(d.Allowed))
	w.Println("    STAGE\tTIER\tACL\tPRIORITY\tACTION\tMATCH")
	for _, s := range d.Steps {
		prio := "-"
		if s.ACL != "" {
			prio = strconv.Itoa(s.ACLPriority)
		}
		match := dash(s.Match)
		if s.Detail != "" {
			match += "  [" + s.Detail + "]"
		}
		w.Printf("    %s\t%d\t%s\t%s\t%s\t%s\n", dash(s.Stage), s.Tier, dash(s.ACL), prio, s.Action, match)
	}
}

func writeSets(w *stickywriter.Writer, sets []SetCheck) {
	if len(sets) == 0 {
		return
	}
	w.Println("  address sets:")
	w.Println("    ACL\tSET\tADDRESSES\tCHECK\tRESULT")
	for _, c := range sets {
		result := "not in set"
		switch {
		case !c.Exists:
			result = "set missing from the NB state"
		case c.Contains:
			result = "in set"
		}
		name := c.Name
		if c.ShardOf != "" {
			name += " (shard of " + c.ShardOf + ")"
		}
		w.Printf("    %s\t%s\t%d\t%s %s\t%s%s\n", c.ACL, name, c.Addresses, c.Field, c.IP, result, liveSetNote(c))
	}
}

// policyPriority is the API priority of a cluster policy's step; NetworkPolicy and tier-wide steps
// have none.
func policyPriority(s eval.Step) string {
	if s.Policy == "" || s.Tier == 2 {
		return "-"
	}
	return strconv.Itoa(int(s.Priority))
}

func ruleText(s eval.Step) string {
	switch {
	case s.RuleIndex < 0:
		return "-"
	case s.Rule != "":
		return fmt.Sprintf("#%d %s", s.RuleIndex, s.Rule)
	}
	return fmt.Sprintf("#%d", s.RuleIndex)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
