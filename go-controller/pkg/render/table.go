package render

import (
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
)

// writeTables prints the ACLs, the problems, the port groups, the log meter and the address sets, one
// table each. A logged ACL's meter is not in its row: every logged ACL has the one log meter.
// Matches come last on their line and whole, so they neither push other columns aside nor lose the
// text people grep for.
func writeTables(w io.Writer, doc Document) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	out := stickywriter.New(tw)
	out.Printf("ACLS (%d)\n", len(doc.ACLs))
	out.Println("TIER\tDIRECTION\tPRIORITY\tACTION\tOWNER\tRULE\tMATCH")
	for _, acl := range doc.ACLs {
		out.Printf("%d\t%s\t%d\t%s\t%s\t%s\t%s\n", acl.Tier, acl.Direction, acl.Priority,
			aclAction(acl), owner(acl.ExternalIDs), rule(acl.ExternalIDs), acl.Match)
	}
	if len(doc.Problems) > 0 {
		out.Printf("\nPROBLEMS (%d)\n", len(doc.Problems))
		out.Println("POLICY\tSEVERITY\tREASON\tMESSAGE")
		for _, p := range doc.Problems {
			name := p.Policy
			if p.Rejected {
				name += " (rejected)"
			}
			out.Printf("%s\t%s\t%s\t%s\n", name, p.Severity, p.Reason, p.Message)
		}
	}
	out.Printf("\nPORT GROUPS (%d)\n", len(doc.PortGroups))
	out.Println("NAME\tPORTS\tOWNER")
	for _, pg := range doc.PortGroups {
		out.Printf("%s\t%d\t%s\n", pg.Name, len(pg.Ports), owner(pg.ExternalIDs))
	}
	if len(doc.Meters) > 0 {
		out.Printf("\nMETERS (%d)\n", len(doc.Meters))
		out.Println("NAME\tRATE\tBURST\tFAIR")
		for _, m := range doc.Meters {
			out.Printf("%s\t%d %s\t%d\t%v\n", m.Name, m.Rate, m.Unit, m.Burst, m.Fair)
		}
	}
	out.Printf("\nADDRESS SETS (%d)\n", len(doc.AddressSets))
	out.Println("NAME\tADDRESSES\tFAMILY\tSELECTS")
	for _, as := range doc.AddressSets {
		out.Printf("%s\t%d\t%s\t%s\n", as.Name, len(as.Addresses), dash(as.ExternalIDs[nbrows.KeyIPFamily]),
			dash(as.ExternalIDs[nbrows.KeyPeer]))
	}
	if err := out.Err(); err != nil {
		return err
	}
	return tw.Flush()
}

func aclAction(acl nbrows.ACL) string {
	action := acl.Action
	if acl.Log {
		action += ",log=" + acl.Severity
	}
	return action
}

// owner is the policy a row belongs to, as policy.Owner prints it: Kind/name or Kind/namespace/name.
func owner(ids map[string]string) string {
	kind, name := ids[nbrows.KeyOwnerKind], ids[nbrows.KeyOwnerName]
	if kind == "" {
		return "-"
	}
	return kind + "/" + name
}

// rule says what an ACL does for its policy: rule "#index name" of the ACL's direction, or its role
// for the rows a NetworkPolicy adds on its own.
func rule(ids map[string]string) string {
	switch role := ids[nbrows.KeyACLRole]; role {
	case nbrows.RoleRule:
		return strings.TrimSpace("#" + ids[nbrows.KeyRuleIndex] + " " + ids[nbrows.KeyRuleName])
	case "":
		return "-"
	default:
		return "(" + role + ")"
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
