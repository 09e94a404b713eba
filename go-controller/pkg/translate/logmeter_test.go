package translate

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// TestLogMeter: logged ACLs name the fair rate-limiting meter, ACLs that do not log name none, and the
// meter exists only while something logs, at the configured rate.
func TestLogMeter(t *testing.T) {
	logged := testobj.ANP("logged", 1, testobj.SubjectNamespaces(testobj.Sel()))
	logged.Annotations = map[string]string{"k8s.ovn.org/acl-logging": `{"deny":"alert"}`}
	logged.Spec.Egress = []anpv1alpha1.AdminNetworkPolicyEgressRule{
		egressRule("Deny", anpv1alpha1.AdminNetworkPolicyEgressPeer{Nodes: &metav1.LabelSelector{}}),
		egressRule("Allow", anpv1alpha1.AdminNetworkPolicyEgressPeer{Namespaces: &metav1.LabelSelector{}})}
	quiet := testobj.ANP("quiet", 2, testobj.SubjectNamespaces(testobj.Sel()))
	quiet.Spec.Egress = []anpv1alpha1.AdminNetworkPolicyEgressRule{
		egressRule("Deny", anpv1alpha1.AdminNetworkPolicyEgressPeer{Nodes: &metav1.LabelSelector{}}),
	}
	meter := func(rate int) []nbrows.Meter {
		return []nbrows.Meter{{Name: LogMeterName, Unit: "pktps", Fair: true, Rate: rate, Burst: rate,
			ExternalIDs: map[string]string{
				nbrows.KeyManagedBy: "tieracl",
				nbrows.KeyOwnerKind: "ACLLogging",
				nbrows.KeyOwnerName: LogMeterName,
			}}}
	}
	tests := []struct {
		name     string
		policies []any
		rate     int
		meters   []nbrows.Meter
		metered  map[string]string // ACL name -> meter
	}{
		{"default rate", []any{logged, quiet}, 0, meter(DefaultACLLogRate),
			map[string]string{
				"anp:logged:eg:0":       LogMeterName,
				"anp:logged:eg:1":       "",
				"anp:quiet:eg:0":        "",
				"anp:quiet:in:stateful": "",
			}},
		{
			"configured rate",
			[]any{logged},
			5,
			meter(5),
			map[string]string{"anp:logged:eg:0": LogMeterName, "anp:logged:eg:1": ""},
		},
		{
			"nothing logs: no meter",
			[]any{quiet},
			5,
			nil,
			map[string]string{"anp:quiet:eg:0": "", "anp:quiet:in:stateful": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Translate(with(baseCluster(), tt.policies...), Options{ACLLogRate: tt.rate}).State
			checkRows(t, st)
			if !reflect.DeepEqual(st.Meters, tt.meters) {
				t.Errorf("meters = %+v, want %+v", st.Meters, tt.meters)
			}
			got := map[string]string{}
			for _, a := range st.ACLs {
				got[a.Name] = a.Meter
				if (a.Meter != "") != a.Log {
					t.Errorf(
						"ACL %s: log=%v meter=%q: a meter goes with logging and only with it",
						a.Name,
						a.Log,
						a.Meter,
					)
				}
			}
			if !reflect.DeepEqual(got, tt.metered) {
				t.Errorf("ACL meters = %v, want %v", got, tt.metered)
			}
		})
	}
}
