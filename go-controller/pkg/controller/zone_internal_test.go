package controller

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNodeZone(t *testing.T) {
	for _, tc := range []struct {
		name        string
		annotations map[string]string
		labels      map[string]string
		key         string
		want        string
	}{
		{"annotation", map[string]string{ZoneKey: "az1"}, nil, ZoneKey, "az1"},
		{"annotation before label", map[string]string{ZoneKey: "az1"}, map[string]string{ZoneKey: "az2"}, ZoneKey, "az1"},
		{"label when no annotation", nil, map[string]string{ZoneKey: "az2"}, ZoneKey, "az2"},
		{"neither: OVN-Kubernetes' one zone", map[string]string{"other": "az1"}, nil, ZoneKey, UnnamedZone},
		{"another key", map[string]string{ZoneKey: "az1", "example.com/zone": "z9"}, nil, "example.com/zone", "z9"},
		{"empty annotation is a name", map[string]string{ZoneKey: ""}, map[string]string{ZoneKey: "az2"}, ZoneKey, ""},
	} {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n", Annotations: tc.annotations, Labels: tc.labels}}
		if got := NodeZone(node, tc.key); got != tc.want {
			t.Errorf("%s: NodeZone = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPlacePort(t *testing.T) {
	for _, tc := range []struct {
		name    string
		zone    string // the controller's; empty in central mode
		inNB    bool
		podZone string
		known   bool
		want    portPlace
	}{
		{"central: port there", "", true, "", false, portEnforced},
		{"central: port missing", "", false, "", false, portMissing},
		{"central: node zones do not matter", "", false, "az2", true, portMissing},
		{"zone: this zone's pod with its port", "az1", true, "az1", true, portEnforced},
		{"zone: this zone's pod without its port", "az1", false, "az1", true, portMissing},
		{"zone: another zone's pod, port elsewhere", "az1", false, "az2", true, portEnforced},
		{"zone: another zone's pod, port here", "az1", true, "az2", true, portForeign},
		{"zone: no node yet, no port", "az1", false, "", false, portEnforced},
		{"zone: no node yet, port here", "az1", true, "", false, portEnforced},
	} {
		if got := placePort(tc.zone, tc.inNB, tc.podZone, tc.known); got != tc.want {
			t.Errorf("%s: placePort = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestGapProblem(t *testing.T) {
	for _, tc := range []struct {
		name     string
		g        gap
		severity string
		reason   string
	}{
		{"missing", gap{count: 1, examples: []string{"a/x (port a_x)"}}, "Error", ReasonPortsMissing},
		{"foreign only", gap{foreign: 2, strays: []string{"a/y (port a_y)"}}, "Warning", ReasonPortsOfOtherZones},
		{"both: the error wins", gap{count: 1, foreign: 1}, "Error", ReasonPortsMissing},
	} {
		p := tc.g.problem()
		if string(p.Severity) != tc.severity || p.Reason != tc.reason {
			t.Errorf("%s: %s %s, want %s %s", tc.name, p.Severity, p.Reason, tc.severity, tc.reason)
		}
		if tc.g.count > 0 && !strings.Contains(p.Message, "have no logical switch port") ||
			tc.g.foreign > 0 && !strings.Contains(p.Message, "nodes are in other zones") {
			t.Errorf("%s: message %q does not name every kind of gap", tc.name, p.Message)
		}
	}
}
