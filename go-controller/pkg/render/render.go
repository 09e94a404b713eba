// Package render prints a desired NB state and the problems found while translating: as tables for
// people (ACLs in `ovn-nbctl acl-list` order), or whole as JSON or YAML for programs.
package render

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// Format is an output format.
type Format string

// The formats: aligned tables for people, or the whole Document as indented JSON or as YAML for programs.
const (
	Table Format = "table"
	JSON  Format = "json"
	YAML  Format = "yaml"
)

// Formats lists the formats State accepts.
var Formats = []Format{Table, JSON, YAML}

// ParseFormat checks a user's format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q; use table, json or yaml", s)
}

// Document is what the JSON and YAML formats print: the whole state and every problem.
type Document struct {
	nbrows.State
	Problems []Problem `json:"problems"`
}

// Problem is one policy problem, flattened for printing.
type Problem struct {
	Policy   string `json:"policy"`
	Rejected bool   `json:"rejected,omitempty"` // the policy is not programmed at all
	Severity string `json:"severity"`
	Reason   string `json:"reason"`
	Message  string `json:"message"`
}

// Problems flattens the policies' problems in policy order.
func Problems(policies []*policy.Policy) []Problem {
	out := []Problem{}
	for _, p := range policies {
		for _, pr := range p.Problems {
			out = append(out, Problem{Policy: p.Owner.String(), Rejected: p.Rejected,
				Severity: string(pr.Severity), Reason: pr.Reason, Message: pr.Message})
		}
	}
	return out
}

// State prints state and the policies' problems in format. The state is printed in the order it is
// in; translate.Translate returns it sorted.
func State(w io.Writer, format Format, state *nbrows.State, policies []*policy.Policy) error {
	doc := Document{State: *state, Problems: Problems(policies)}
	switch format {
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // matches hold &&, < and >, which should print as written
		return enc.Encode(doc)
	case YAML:
		return writeYAML(w, doc)
	case Table:
		return writeTables(w, doc)
	}
	return fmt.Errorf("unknown output format %q", format)
}
