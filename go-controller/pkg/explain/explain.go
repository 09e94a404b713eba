// Package explain shows why a flow is allowed or denied: it runs both evaluators, the policy model and
// the ACL evaluator over the translated NB rows, and lays their steps side by side, with the address
// sets the matched ACLs depend on, so a disagreement points at the rule or row to blame.
package explain

import (
	"fmt"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/acl"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/model"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// Sides, in evaluation order.
const (
	Egress  = "Egress"
	Ingress = "Ingress"
)

// Report is everything explain prints; the JSON form is the same fields.
type Report struct {
	Flow         Flow   `json:"flow"`
	Sides        []Side `json:"sides"` // egress, then ingress
	ModelAllowed bool   `json:"modelAllowed"`
	// Rows is "live NB" when the ACL evaluator judged a live NB's rows (RunLive), else empty.
	Rows       string `json:"rows,omitempty"`
	ACLAllowed bool   `json:"aclAllowed"`
	Agree      bool   `json:"agree"`
}

// Flow is eval.Flow with JSON names.
type Flow struct {
	Src      Endpoint `json:"src"`
	Dst      Endpoint `json:"dst"`
	Protocol string   `json:"protocol"`
	Port     int32    `json:"port"`
	Text     string   `json:"text"` // as eval.Flow prints it
}

// Endpoint is eval.Endpoint with JSON names.
type Endpoint struct {
	IP          string `json:"ip"`
	Pod         string `json:"pod,omitempty"`
	Node        string `json:"node,omitempty"`
	LogicalPort string `json:"logicalPort,omitempty"`
	Text        string `json:"text"`
}

// Side is one side's judgement by both evaluators; Model and ACL are nil when the side's endpoint has
// no logical port, so nothing judges it.
type Side struct {
	Side        string     `json:"side"`
	Endpoint    string     `json:"endpoint"`
	Model       *Decision  `json:"model,omitempty"`
	ACL         *Decision  `json:"acl,omitempty"`
	AddressSets []SetCheck `json:"addressSets,omitempty"`
	// PortGroups, with live NB rows only: the port groups that should hold the endpoint's logical port
	// or do.
	PortGroups []GroupCheck `json:"portGroups,omitempty"`
}

// Decision is eval.Decision with JSON names.
type Decision struct {
	Allowed bool        `json:"allowed"`
	Steps   []eval.Step `json:"steps"`
}

// SetCheck says whether the address a matched ACL compares with an address set is in it.
type SetCheck struct {
	ACL       string `json:"acl"`
	Name      string `json:"name"`
	Field     string `json:"field"` // the match field compared with the set, e.g. ip4.src
	IP        string `json:"ip"`    // that field's value in the flow
	Contains  bool   `json:"contains"`
	Addresses int    `json:"addresses"` // the set's size; 0 also when the set does not exist
	Exists    bool   `json:"exists"`
	// ShardOf, for a set written as shards, is the set's name; Name is then its shard that holds the
	// address, or the one it belongs in, and Addresses the size of all shards together.
	ShardOf string `json:"shardOf,omitempty"`
	Selects string `json:"selects,omitempty"`
	// ShouldContain, with live NB rows only, is whether the translated set holds the address.
	ShouldContain *bool `json:"shouldContain,omitempty"`
}

// Run translates the snapshot and judges the flow with both evaluators.
func Run(s *cluster.Snapshot, f eval.Flow, opts translate.Options) (*Report, error) {
	res := translate.Translate(s, opts)
	return judge(s, f, &res.State)
}

// judge runs the model over the snapshot and the ACL evaluator over rows.
func judge(s *cluster.Snapshot, f eval.Flow, rows *nbrows.State) (*Report, error) {
	aclEval, err := acl.New(rows)
	if err != nil {
		return nil, fmt.Errorf("ACL evaluator: %w", err)
	}
	mv, err := model.New(s).Evaluate(f)
	if err != nil {
		return nil, fmt.Errorf("model evaluator: %w", err)
	}
	av, err := aclEval.Evaluate(f)
	if err != nil {
		return nil, fmt.Errorf("ACL evaluator: %w", err)
	}
	sets := rows.AddressSetByName()
	r := &Report{Flow: flowView(f), ModelAllowed: mv.Allowed, ACLAllowed: av.Allowed, Agree: mv.Allowed == av.Allowed}
	for _, side := range []struct {
		name     string
		endpoint eval.Endpoint
		model    *eval.Decision
		acl      *eval.Decision
	}{{Egress, f.Src, mv.Egress, av.Egress}, {Ingress, f.Dst, mv.Ingress, av.Ingress}} {
		r.Sides = append(r.Sides, Side{Side: side.name, Endpoint: side.endpoint.String(),
			Model: decisionView(side.model), ACL: decisionView(side.acl), AddressSets: setChecks(f, side.acl, sets)})
	}
	return r, nil
}

func flowView(f eval.Flow) Flow {
	return Flow{Src: endpointView(f.Src), Dst: endpointView(f.Dst), Protocol: string(f.Protocol), Port: f.Port,
		Text: f.String()}
}

func endpointView(e eval.Endpoint) Endpoint {
	return Endpoint{IP: e.IP.String(), Pod: e.Pod, Node: e.Node, LogicalPort: e.LogicalPort, Text: e.String()}
}

func decisionView(d *eval.Decision) *Decision {
	if d == nil {
		return nil
	}
	return &Decision{Allowed: d.Allowed, Steps: d.Steps}
}

func verdictWord(allowed bool) string {
	if allowed {
		return "Allow"
	}
	return "Deny"
}
