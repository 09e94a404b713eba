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

// OwnerOf is the OWNER column of the ACL table for a row's external IDs: Kind/name, Kind/namespace/name,
// or "-" for a row no policy owns.
func OwnerOf(ids map[string]string) string { return owner(ids) }

// RuleOf is the RULE column of the ACL table: "#index name" for a policy rule's ACL, "(role)" for the
// rows a policy adds on its own, or "-".
func RuleOf(ids map[string]string) string { return rule(ids) }

// ActionOf is the ACTION column of the ACL table: the ACL's action, with ",log=severity" when it logs.
func ActionOf(acl nbrows.ACL) string { return aclAction(acl) }
