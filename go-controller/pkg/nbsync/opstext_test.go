package nbsync_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// opsText renders operations one a line, columns and map keys sorted, so that equal operations read the
// same whatever order Go iterates their maps in.
func opsText(ops []ovsdb.Operation) string {
	var b strings.Builder
	for _, op := range ops {
		b.WriteString(op.Op + " " + op.Table)
		if op.UUIDName != "" {
			b.WriteString(" as " + op.UUIDName)
		}
		for _, c := range op.Where {
			fmt.Fprintf(&b, " where %s %s %s", c.Column, c.Function, value(c.Value))
		}
		for _, col := range slices.Sorted(maps.Keys(op.Row)) {
			fmt.Fprintf(&b, "\n\t%s=%s", col, value(op.Row[col]))
		}
		for _, m := range op.Mutations {
			fmt.Fprintf(&b, "\n\t%s %s %s", m.Column, m.Mutator, value(m.Value))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func value(v any) string {
	switch v := v.(type) {
	case ovsdb.UUID:
		return v.GoUUID
	case ovsdb.OvsSet:
		var out []string
		for _, e := range v.GoSet {
			out = append(out, value(e))
		}
		return "[" + strings.Join(out, " ") + "]"
	case ovsdb.OvsMap:
		var out []string
		for k, e := range v.GoMap {
			out = append(out, value(k)+":"+value(e))
		}
		slices.Sort(out)
		return "{" + strings.Join(out, " ") + "}"
	case string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprint(v)
}
