package model

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

type direction int

const (
	egress direction = iota
	ingress
)

func (d direction) String() string {
	if d == ingress {
		return "Ingress"
	}
	return "Egress"
}

// side is one half of a flow as its subject sees it: for egress the source pod towards the destination,
// for ingress the destination pod receiving from the source.
type side struct {
	dir     direction
	subject *cluster.Pod
	peer    eval.Endpoint
	// peerPod is the peer when it is a pod of the snapshot (selectable or not), else nil.
	peerPod  *cluster.Pod
	protocol corev1.Protocol
	port     int32
}

// selectablePeer is the peer pod when policy may select it as a pod peer, else nil.
func (s side) selectablePeer() *cluster.Pod {
	if s.peerPod != nil && s.peerPod.Selectable() {
		return s.peerPod
	}
	return nil
}

// destinationPod is the pod named ports resolve on: the receiving end of the flow, when it is a pod
// policy can select.
func (s side) destinationPod() *cluster.Pod {
	if s.dir == ingress {
		return s.subject
	}
	return s.selectablePeer()
}

// judge runs the three tiers for one side; a tier that does not decide hands over to the next.
func (e *Evaluator) judge(s side) eval.Decision {
	var steps []eval.Step
	for _, tier := range []func(side) (bool, bool, []eval.Step){e.adminTier, e.networkPolicyTier, e.baselineTier} {
		decided, allowed, tierSteps := tier(s)
		steps = append(steps, tierSteps...)
		if decided {
			return eval.Decision{Allowed: allowed, Steps: steps}
		}
	}
	steps = append(steps, eval.Step{Action: eval.StepDefault, RuleIndex: -1})
	return eval.Decision{Allowed: true, Steps: steps}
}
