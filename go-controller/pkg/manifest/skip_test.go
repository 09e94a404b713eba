package manifest

import (
	"maps"
	"strings"
	"testing"
)

func TestSkipOtherKinds(t *testing.T) {
	export := "apiVersion: v1\nkind: List\nitems:\n" +
		"- {apiVersion: v1, kind: Service, metadata: {name: s, namespace: a}}\n" +
		"- {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: a}}\n" +
		"- {apiVersion: v1, kind: Service, metadata: {name: t, namespace: a}}\n" +
		"- {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: a}}\n"
	cases := []struct {
		name, data, err string
		skipped         map[string]int
		pods            int
	}{
		{name: "other kinds of an export are counted and skipped", data: export,
			skipped: map[string]int{"Service": 2, "ConfigMap": 1}, pods: 1},
		{name: "an unknown kind of the policy group is still an error",
			data: "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicyy\nmetadata: {name: a}\n",
			err:  `unsupported kind "AdminNetworkPolicyy"`},
		{name: "a document without kind is still an error", data: "metadata: {name: d}\n", err: "kind: missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := NewSet()
			set.SkipOtherKinds = true
			err := set.AddData("x.yaml", []byte(tc.data))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(set.Skipped(), tc.skipped) || len(set.Snapshot().Pods) != tc.pods {
				t.Errorf("skipped %v and %d pods, want %v and %d", set.Skipped(), len(set.Snapshot().Pods), tc.skipped, tc.pods)
			}
		})
	}
}
