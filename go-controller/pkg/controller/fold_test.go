package controller

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFoldCondition(t *testing.T) {
	ok := func(gen int64) *policyReport {
		return &policyReport{Generation: gen, Status: metav1.ConditionTrue, Reason: ReasonProgrammed,
			Message: "programmed in OVN"}
	}
	missing := &policyReport{Generation: 2, Status: metav1.ConditionFalse, Reason: ReasonPortsMissing,
		Message: "1 selected pods with IPs have no logical switch port"}
	warn := &policyReport{Generation: 2, Status: metav1.ConditionTrue, Reason: "PriorityConflict",
		Message: "same priority"}
	rejected := &policyReport{Generation: 2, Status: metav1.ConditionFalse, Reason: "Rejected", Message: "bad rule"}
	many := func(n int, r *policyReport) []zoneView {
		var out []zoneView
		for i := range n {
			out = append(out, zoneView{Zone: "z" + string(rune('a'+i)), Report: r})
		}
		return out
	}
	tests := []struct {
		name   string
		views  []zoneView
		status metav1.ConditionStatus
		reason string
		msg    string // the whole message when it starts with "=", else a part of it
	}{
		{"no zones", nil, metav1.ConditionFalse, ReasonNoZones, "no zone controller is live"},
		{"one zone true", []zoneView{{"az1", ok(2)}}, metav1.ConditionTrue, ReasonProgrammed,
			"=programmed in OVN in every zone (1 live)"},
		{"all true", []zoneView{{"az2", ok(2)}, {"az1", ok(2)}}, metav1.ConditionTrue, ReasonProgrammed,
			"=programmed in OVN in every zone (2 live)"},
		{"one zone lacks a port", []zoneView{{"az1", ok(2)}, {"az2", missing}}, metav1.ConditionFalse,
			ReasonPortsMissing,
			"=PortsMissing in 1 of 2 zones (az2): 1 selected pods with IPs have no logical switch port"},
		{"old generation is pending", []zoneView{{"az1", ok(2)}, {"az2", ok(1)}}, metav1.ConditionFalse, ReasonPending,
			"=Pending in 1 of 2 zones (az2): the zone has programmed generation 1, not 2 yet"},
		{"no report is pending", []zoneView{{"az1", ok(2)}, {"az2", nil}}, metav1.ConditionFalse, ReasonPending,
			"(az2): the zone has not reported the policy yet"},
		{"error beats pending", []zoneView{{"az1", nil}, {"az2", missing}, {"az3", nil}}, metav1.ConditionFalse,
			ReasonPortsMissing, "=PortsMissing in 1 of 3 zones (az2): 1 selected pods with IPs have no logical " +
				"switch port; Pending in 2 of 3 zones (az1, az3)"},
		{"pending beats a warning", []zoneView{{"az1", warn}, {"az2", ok(1)}}, metav1.ConditionFalse, ReasonPending,
			"; PriorityConflict in 1 of 2 zones (az1)"},
		{"a warning keeps true", []zoneView{{"az1", ok(2)}, {"az2", warn}}, metav1.ConditionTrue, "PriorityConflict",
			"=PriorityConflict in 1 of 2 zones (az2): same priority"},
		{"the reason more zones give wins", []zoneView{{"a", missing}, {"b", rejected}, {"c", rejected}},
			metav1.ConditionFalse, "Rejected",
			"=Rejected in 2 of 3 zones (b, c): bad rule; PortsMissing in 1 of 3 zones (a)"},
		{"names are bounded", many(40, missing), metav1.ConditionFalse, ReasonPortsMissing,
			"PortsMissing in 40 of 40 zones (za, zb, zc and 37 more): "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := foldCondition(2, tt.views)
			if got.Type != ConditionProgrammed || got.ObservedGeneration != 2 || got.Status != tt.status ||
				got.Reason != tt.reason {
				t.Errorf("got %s/%s gen %d, want %s/%s gen 2", got.Status, got.Reason, got.ObservedGeneration,
					tt.status, tt.reason)
			}
			if want, whole := strings.CutPrefix(tt.msg, "="); whole && got.Message != want ||
				!whole && !strings.Contains(got.Message, tt.msg) {
				t.Errorf("message %q, want %q", got.Message, tt.msg)
			}
		})
	}
}

func TestFoldConditionMessageBounded(t *testing.T) {
	long := &policyReport{Generation: 1, Status: metav1.ConditionFalse, Reason: "Rejected",
		Message: strings.Repeat("x", 10000)}
	got := foldCondition(1, []zoneView{{"az1", long}})
	if len(got.Message) != maxFoldedMessage || !strings.HasSuffix(got.Message, "...") {
		t.Errorf("message of %d bytes, want %d ending in ...", len(got.Message), maxFoldedMessage)
	}
}
