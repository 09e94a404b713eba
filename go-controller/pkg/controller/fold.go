package controller

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// In zone mode every zone's controller reports its own view of each policy (zonereport.go) and one
// elected folder (folder.go) folds the live zones' views into the policy's one Programmed condition.

// Reasons of a folded condition that no single zone reports.
const (
	// ReasonPending: a live zone has not reported the policy's current generation yet.
	ReasonPending = "Pending"
	// ReasonNoZones: no zone controller is live, so nothing says the policy is enforced anywhere.
	ReasonNoZones = "NoZones"
)

// foldExamples is how many zone names a folded message names per reason before it gives a count.
const foldExamples = 3

// maxFoldedMessage bounds a folded condition's message, whatever the number of zones.
const maxFoldedMessage = 4096

// policyReport is one zone's view of one policy: the Programmed condition that zone alone would give it.
type policyReport struct {
	Generation int64                  `json:"generation"`
	Status     metav1.ConditionStatus `json:"status"`
	Reason     string                 `json:"reason"`
	Message    string                 `json:"message,omitempty"`
}

// zoneView is what one counted zone says of a policy; Report is nil when its report lacks the policy.
type zoneView struct {
	Zone   string
	Report *policyReport
}

// foldCondition folds the views of every counted zone into the policy's Programmed condition for its
// current generation. True only when every zone reports True for that generation; otherwise the worst
// reason wins: a False reason a zone reports, then Pending (a zone that has not programmed this
// generation yet), then a True warning reason. Among reasons of one rank, the one more zones report.
// The message names a few zones per reason and counts the rest, so it stays bounded.
func foldCondition(generation int64, views []zoneView) metav1.Condition {
	cond := metav1.Condition{Type: ConditionProgrammed, ObservedGeneration: generation}
	if len(views) == 0 {
		cond.Status, cond.Reason = metav1.ConditionFalse, ReasonNoZones
		cond.Message = "no zone controller is live: nothing says the policy is programmed in any zone"
		return cond
	}
	groups := groupViews(generation, views)
	worst := groups[0]
	cond.Status, cond.Reason = worst.status, worst.reason
	if worst.status == metav1.ConditionTrue && worst.reason == ReasonProgrammed {
		cond.Message = fmt.Sprintf("programmed in OVN in every zone (%d live)", len(views))
		return cond
	}
	var msg strings.Builder
	for i, g := range groups {
		if g.status == metav1.ConditionTrue && g.reason == ReasonProgrammed {
			continue
		}
		if i > 0 {
			msg.WriteString("; ")
		}
		fmt.Fprintf(&msg, "%s in %d of %d zones (%s)", g.reason, len(g.zones), len(views), nameZones(g.zones))
		if i == 0 && g.message != "" {
			msg.WriteString(": " + g.message)
		}
	}
	cond.Message = msg.String()
	if len(cond.Message) > maxFoldedMessage {
		cond.Message = cond.Message[:maxFoldedMessage-3] + "..."
	}
	return cond
}

// viewGroup is the zones that give a policy one status and reason.
type viewGroup struct {
	status  metav1.ConditionStatus
	reason  string
	message string   // the first zone's, by name
	zones   []string // sorted
}

// rank orders groups worst first: False reasons, Pending, True warnings, Programmed.
func (g viewGroup) rank() int {
	switch {
	case g.status != metav1.ConditionTrue && g.reason != ReasonPending:
		return 0
	case g.reason == ReasonPending:
		return 1
	case g.reason != ReasonProgrammed:
		return 2
	}
	return 3
}

// groupViews groups the zones by what they say of the policy's current generation, worst group first.
func groupViews(generation int64, views []zoneView) []viewGroup {
	views = slices.Clone(views)
	slices.SortFunc(views, func(a, b zoneView) int { return cmp.Compare(a.Zone, b.Zone) })
	var groups []viewGroup
	index := map[[2]string]int{}
	for _, v := range views {
		g := viewGroup{status: metav1.ConditionFalse, reason: ReasonPending}
		switch r := v.Report; {
		case r == nil:
			g.message = "the zone has not reported the policy yet"
		case r.Generation != generation:
			g.message = fmt.Sprintf("the zone has programmed generation %d, not %d yet", r.Generation, generation)
		default:
			g.status, g.reason, g.message = r.Status, r.Reason, r.Message
		}
		key := [2]string{string(g.status), g.reason}
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, g)
		}
		groups[i].zones = append(groups[i].zones, v.Zone)
	}
	slices.SortStableFunc(groups, func(a, b viewGroup) int {
		return cmp.Or(cmp.Compare(a.rank(), b.rank()), cmp.Compare(len(b.zones), len(a.zones)),
			cmp.Compare(a.reason, b.reason))
	})
	return groups
}

// nameZones is "a, b, c and 4 more": at most foldExamples names, then a count.
func nameZones(zones []string) string {
	shown := strings.Join(zones[:min(len(zones), foldExamples)], ", ")
	if extra := len(zones) - foldExamples; extra > 0 {
		shown += fmt.Sprintf(" and %d more", extra)
	}
	return shown
}
