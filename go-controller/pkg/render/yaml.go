package render

import (
	"encoding/json"
	"io"

	yaml "go.yaml.in/yaml/v3"
)

// writeYAML prints v as YAML by way of its JSON form, so the field names are the JSON ones. Unlike
// sigs.k8s.io/yaml it does not fold long strings, which would split ACL matches across lines, and it
// keeps the fields in struct order.
func writeYAML(w io.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return err
	}
	plainStyle(&node)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return err
	}
	return enc.Close()
}

// plainStyle drops the JSON quoting and flow style the parse recorded, so the encoder picks YAML's
// block style and quotes only the strings that need it.
func plainStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		plainStyle(c)
	}
}
