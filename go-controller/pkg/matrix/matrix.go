// Package matrix computes connectivity matrices, in the spirit of Policy Assistant's probe tables:
// for every pair of endpoints (pods, and nodes or outside addresses when asked) and every port, the
// egress, ingress and combined verdicts of the policy model and of the ACLs, each naming the tier,
// policy and rule that decided it.
package matrix

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/acl"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/model"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// Views of a matrix, in print order.
const (
	Egress   = "egress"   // the source's egress side alone
	Ingress  = "ingress"  // the destination's ingress side alone
	Combined = "combined" // both: what a connection gets
)

// Views lists the views in print order.
var Views = []string{Egress, Ingress, Combined}

// Port is one protocol and port (a number, or a named port of each destination pod).
type Port struct {
	Protocol string `json:"protocol"`
	Port     string `json:"port"`
}

func (p Port) String() string { return p.Protocol + "/" + p.Port }

// ParsePort reads "80", "TCP/80", "udp/53" or "TCP/http".
func ParsePort(s string) (Port, error) {
	proto, port, ok := strings.Cut(s, "/")
	if !ok {
		proto, port = "TCP", s
	}
	proto = strings.ToUpper(proto)
	switch proto {
	case "TCP", "UDP", "SCTP":
	default:
		return Port{}, fmt.Errorf("port %q: protocol must be TCP, UDP or SCTP", s)
	}
	if port == "" {
		return Port{}, fmt.Errorf("port %q: no port", s)
	}
	if n, err := strconv.Atoi(port); err == nil && (n < 1 || n > 65535) {
		return Port{}, fmt.Errorf("port %q: out of range 1-65535", s)
	}
	return Port{Protocol: proto, Port: port}, nil
}

// Options choose the endpoints and ports.
type Options struct {
	Ports  []Port
	Family string   // IPv4 (default) or IPv6
	Nodes  bool     // add every node as an endpoint
	IPs    []string // outside addresses to add as endpoints
	// PortName names pods' logical switch ports; nil for "<namespace>_<pod>".
	PortName cluster.PortNamer
}

// Matrix is every cell, by port, then source, then destination.
type Matrix struct {
	Endpoints []string `json:"endpoints"`
	Ports     []Port   `json:"ports"`
	Grids     []Grid   `json:"grids"`
}

// Grid is one port's cells: Cells[i][j] is the flow from Endpoints[i] to Endpoints[j].
type Grid struct {
	Port  Port     `json:"port"`
	Cells [][]Cell `json:"cells"`
}

// Cell is one flow's verdicts. Empty when the flow cannot be made (the destination lacks the named
// port, the endpoint has no address of the family, a flow to itself).
type Cell struct {
	Flow  string             `json:"flow,omitempty"`
	Skip  string             `json:"skip,omitempty"` // why there is no flow
	Views map[string]Verdict `json:"views,omitempty"`
}

// Verdict is one view's outcome by the ACLs, the step that decided it, and whether the model agrees.
type Verdict struct {
	Allowed bool   `json:"allowed"`
	Agree   bool   `json:"agree"` // the policy model gives the same verdict
	Tier    int    `json:"tier"`
	Policy  string `json:"policy,omitempty"`
	Rule    string `json:"rule,omitempty"`
	ACL     string `json:"acl,omitempty"`
	Action  string `json:"action"`
}

// Decider says in words which rule decided: "tier 1 AdminNetworkPolicy/x #0 name", or "default".
func (v Verdict) Decider() string {
	if v.Policy == "" {
		if v.Action == eval.StepDefault || v.Action == "" {
			return "no policy (default allow)"
		}
		return fmt.Sprintf("tier %d %s", v.Tier, v.Action)
	}
	rule := v.Rule
	switch {
	case rule == "" && v.ACL != "":
		rule = "ACL " + v.ACL // e.g. a NetworkPolicy's isolation: no rule allows the flow
	case rule == "":
		rule = "(" + v.Action + ")"
	}
	return fmt.Sprintf("tier %d %s %s", v.Tier, v.Policy, rule)
}

// Build translates the snapshot and judges every cell with both evaluators.
func Build(s *cluster.Snapshot, opts Options) (*Matrix, error) {
	if len(opts.Ports) == 0 {
		opts.Ports = []Port{{Protocol: "TCP", Port: "80"}}
	}
	res := translate.Translate(s, translate.Options{PortName: opts.PortName})
	aclEval, err := acl.New(&res.State)
	if err != nil {
		return nil, fmt.Errorf("ACL evaluator: %w", err)
	}
	modelEval := model.New(s)
	ix := cluster.NewIndex(s, opts.PortName)
	m := &Matrix{Endpoints: endpoints(ix, opts), Ports: opts.Ports}
	for _, port := range opts.Ports {
		g := Grid{Port: port, Cells: make([][]Cell, len(m.Endpoints))}
		for i, from := range m.Endpoints {
			g.Cells[i] = make([]Cell, len(m.Endpoints))
			for j, to := range m.Endpoints {
				if i == j {
					g.Cells[i][j] = Cell{Skip: "itself"}
					continue
				}
				cell, err := judge(ix, aclEval, modelEval, policytest.Probe{From: from, To: to, Protocol: port.Protocol,
					Port: intstr.Parse(port.Port), Family: opts.Family, Expect: policytest.ExpectAllow})
				if err != nil {
					return nil, err
				}
				g.Cells[i][j] = cell
			}
		}
		m.Grids = append(m.Grids, g)
	}
	return m, nil
}

func endpoints(ix *cluster.Index, opts Options) []string {
	var out []string
	for _, p := range ix.Pods() {
		// Host-network pods are endpoints too (with the node's address, judged on the other side only);
		// finished pods hold no address.
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			out = append(out, p.Key())
		}
	}
	if opts.Nodes {
		for _, n := range ix.Nodes() {
			out = append(out, policytest.NodePrefix+n.Name)
		}
	}
	return append(out, opts.IPs...)
}

// judge evaluates one probe. A probe that does not resolve (no such named port on the destination, no
// address of the family) is a skipped cell; an evaluator failing is an error.
func judge(ix *cluster.Index, aclEval *acl.Evaluator, modelEval eval.Evaluator, p policytest.Probe) (Cell, error) {
	if err := p.Check(); err != nil {
		return Cell{}, err
	}
	f, err := policytest.Resolve(ix, p)
	if err != nil {
		return Cell{Skip: err.Error()}, nil
	}
	av, err := aclEval.Evaluate(f)
	if err != nil {
		return Cell{}, fmt.Errorf("%s: ACL evaluator: %w", f, err)
	}
	mv, err := modelEval.Evaluate(f)
	if err != nil {
		return Cell{}, fmt.Errorf("%s: model evaluator: %w", f, err)
	}
	c := Cell{Flow: f.String(), Views: map[string]Verdict{
		Egress:  verdict(av.Egress, mv.Egress),
		Ingress: verdict(av.Ingress, mv.Ingress),
	}}
	comb := c.Views[Egress]
	if comb.Allowed {
		comb = c.Views[Ingress]
	}
	comb.Agree = av.Allowed == mv.Allowed
	comb.Allowed = av.Allowed
	c.Views[Combined] = comb
	return c, nil
}

// verdict is a side's outcome: the last step decided it. A side with no logical port (a node, an
// outside address) is not judged by OVN: allowed.
func verdict(a, m *eval.Decision) Verdict {
	if a == nil {
		return Verdict{Allowed: true, Agree: m == nil || m.Allowed, Action: "not judged"}
	}
	v := Verdict{Allowed: a.Allowed, Agree: m != nil && m.Allowed == a.Allowed}
	if n := len(a.Steps); n > 0 {
		s := a.Steps[n-1]
		v.Tier, v.Policy, v.ACL, v.Action = s.Tier, s.Policy, s.ACL, s.Action
		if s.RuleIndex >= 0 && s.Policy != "" {
			v.Rule = strings.TrimSpace(fmt.Sprintf("#%d %s", s.RuleIndex, s.Rule))
		}
	}
	return v
}
