// Package policytest reads policy test files — a cluster, its policies and probes with expected
// verdicts — resolves each probe into an eval.Flow and runs the probes against an evaluator.
//
// The file format is a contract with users; change it only compatibly:
//
//	kind: PolicyTest
//	manifests:                 # files or folders of YAML, relative to this file
//	- cluster.yaml
//	- policies/
//	objects: []                # optional: the same kinds, inline
//	probes:
//	- from: gryffindor/harry-potter-0       # <namespace>/<pod>, or an IP address
//	  to: slytherin/draco-malfoy-0          # <namespace>/<pod>, node/<name>, or an IP address
//	  protocol: TCP                         # TCP (default), UDP or SCTP
//	  port: 80                              # a number, or a named port of the destination pod
//	  family: IPv4                          # IPv4 (default) or IPv6
//	  expect: Allow                         # Allow or Deny
package policytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
)

// FileKind is the only kind a policy test file may have.
const FileKind = "PolicyTest"

// File is a policy test file as written.
type File struct {
	Kind      string            `json:"kind"`
	Manifests []string          `json:"manifests,omitempty"`
	Objects   []json.RawMessage `json:"objects,omitempty"`
	Probes    []Probe           `json:"probes"`
}

// Probe is one connection to try and the verdict expected for it.
type Probe struct {
	From     string             `json:"from"`
	To       string             `json:"to"`
	Protocol string             `json:"protocol,omitempty"`
	Port     intstr.IntOrString `json:"port"`
	Family   string             `json:"family,omitempty"`
	Expect   string             `json:"expect"`
}

// Expected verdicts.
const (
	ExpectAllow = "Allow"
	ExpectDeny  = "Deny"
)

// IP families.
const (
	IPv4 = "IPv4"
	IPv6 = "IPv6"
)

// ParseFile reads and parses a policy test file.
func ParseFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Parse decodes a policy test strictly (unknown fields are errors) and checks every field that can be
// checked without the cluster.
func Parse(data []byte) (*File, error) {
	// The kind first: another kind of file would fail on its first field, which says less.
	var head struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(data, &head); err == nil && head.Kind != FileKind {
		return nil, fmt.Errorf("kind: must be %s, not %q", FileKind, head.Kind)
	}
	var f File
	if err := manifest.DecodeStrict(data, &f); err != nil {
		return nil, err
	}
	if len(f.Manifests) == 0 && len(f.Objects) == 0 {
		return nil, errors.New("manifests: list the cluster's files (or give objects)")
	}
	if len(f.Probes) == 0 {
		return nil, errors.New("probes: at least one probe is needed")
	}
	for i := range f.Probes {
		if err := f.Probes[i].Check(); err != nil {
			return nil, fmt.Errorf("probes[%d].%w", i, err)
		}
	}
	return &f, nil
}

// Check validates a probe's fields on their own and fills in defaults. Errors start with the field name.
func (p *Probe) Check() error {
	switch {
	case p.From == "":
		return errors.New("from: required")
	case p.To == "":
		return errors.New("to: required")
	}
	switch p.Protocol {
	case "":
		p.Protocol = "TCP"
	case "TCP", "UDP", "SCTP":
	default:
		return fmt.Errorf("protocol: must be TCP, UDP or SCTP, not %q", p.Protocol)
	}
	switch p.Family {
	case "", IPv4, IPv6:
	default:
		return fmt.Errorf("family: must be IPv4 or IPv6, not %q", p.Family)
	}
	switch p.Expect {
	case ExpectAllow, ExpectDeny:
	case "":
		return errors.New("expect: required (Allow or Deny)")
	default:
		return fmt.Errorf("expect: must be Allow or Deny, not %q", p.Expect)
	}
	if p.Port.Type == intstr.String && p.Port.StrVal == "" || p.Port.Type == intstr.Int && p.Port.IntVal == 0 {
		return errors.New("port: required (a number or a named port)")
	}
	if p.Port.Type == intstr.Int && (p.Port.IntVal < 1 || p.Port.IntVal > 65535) {
		return fmt.Errorf("port: %d is not in 1-65535", p.Port.IntVal)
	}
	return nil
}
