package matrix

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
)

// Symbols of the text grids.
const (
	symAllow    = "."
	symDeny     = "X"
	symSkip     = "-"
	symDisagree = "!" // appended when the policy model disagrees with the ACLs
)

// WriteText prints, per port and view, a grid with sources as rows and destinations as numbered
// columns, then the rule that denied each denied connection of the combined view.
func WriteText(w io.Writer, m *Matrix) error {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	out := stickywriter.New(tw)
	out.Println("ENDPOINTS")
	for i, e := range m.Endpoints {
		out.Printf("%d\t%s\n", i, e)
	}
	for _, g := range m.Grids {
		for _, view := range Views {
			out.Printf("\n%s %s (%s allowed, %s denied, %s no flow, %s the policy model disagrees)\n",
				g.Port, view, symAllow, symDeny, symSkip, symDisagree)
			header := []string{"FROM \\ TO"}
			for j := range m.Endpoints {
				header = append(header, fmt.Sprint(j))
			}
			out.Println(strings.Join(header, "\t"))
			for i, from := range m.Endpoints {
				row := []string{fmt.Sprintf("%d %s", i, from)}
				for j := range m.Endpoints {
					row = append(row, symbol(g.Cells[i][j], view))
				}
				out.Println(strings.Join(row, "\t"))
			}
		}
		out.Printf("\n%s denied by\n", g.Port)
		for i, from := range m.Endpoints {
			for j, to := range m.Endpoints {
				if v, ok := g.Cells[i][j].Views[Combined]; ok && !v.Allowed {
					out.Printf("  %s -> %s: %s\n", from, to, v.Decider())
				}
			}
		}
	}
	if err := out.Err(); err != nil {
		return err
	}
	return tw.Flush()
}

func symbol(c Cell, view string) string {
	v, ok := c.Views[view]
	if !ok {
		return symSkip
	}
	s := symDeny
	if v.Allowed {
		s = symAllow
	}
	if !v.Agree {
		s += symDisagree
	}
	return s
}
