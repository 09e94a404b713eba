package render

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// Value prints v whole as JSON or YAML, or calls table for the table format: the CLI's commands other
// than render print their own documents this way.
func Value(w io.Writer, format Format, v any, table func(io.Writer) error) error {
	switch format {
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	case YAML:
		return writeYAML(w, v)
	case Table:
		return table(w)
	}
	return fmt.Errorf("unknown output format %q", format)
}

// OwnerOf, RuleOf and ActionOf are the OWNER, RULE and ACTION columns of the ACL table.
func OwnerOf(ids map[string]string) string { return owner(ids) }

func RuleOf(ids map[string]string) string { return rule(ids) }

func ActionOf(acl nbrows.ACL) string { return aclAction(acl) }
