package conformance

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// result makes a one-subtest result whose probes pass or fail as given.
func result(name string, pass []bool, features ...Feature) TestResult {
	sub := SubtestResult{Subtest: Subtest{Name: "s", File: name + "/01-s.yaml", Probes: len(pass)}}
	for i, p := range pass {
		sub.Results = append(sub.Results, policytest.Result{Index: i, Pass: p})
	}
	return TestResult{Test: Test{ShortName: name, Features: features}, Subtests: []SubtestResult{sub}}
}

// unjudged makes a one-subtest result of SCTP probes the backend could not judge.
func unjudged(name string, probes int, features ...Feature) TestResult {
	r := result(name, make([]bool, probes), features...)
	for i := range r.Subtests[0].Results {
		r.Subtests[0].Results[i].Probe.Protocol = "SCTP"
		r.Subtests[0].Results[i].Err = policytest.ErrNotJudged
	}
	return r
}

func TestBuildReport(t *testing.T) {
	impl := Implementation{Organization: "tieracl", Project: "tieracl", URL: "u", Version: "v", Contact: []string{"c"},
		AdditionalInformation: "a"}
	tests := []struct {
		name    string
		suite   *Suite
		results []TestResult
		want    string
	}{{
		name:  "all pass; experimental tests get their own level",
		suite: V017,
		results: []TestResult{
			result("AnpTCP", []bool{true, true}, FeatureANP),
			result("AnpNamed", []bool{true}, FeatureANP, FeatureANPNamedPorts),
			result("BanpTCP", []bool{true}, FeatureBANP),
		},
		want: `apiVersion: policy.networking.k8s.io/v1alpha1
date: "2025-01-02T03:04:05Z"
implementation:
  additionalInformation: a
  contact:
  - c
  organization: tieracl
  project: tieracl
  url: u
  version: v
kind: ConformanceReport
networkPolicyV2APIVersion: v0.1.7
profiles:
- experimental:
    result: success
    statistics:
      Failed: 0
      Passed: 1
      Skipped: 0
    summary: 'backend acl: 1 of 1 experimental tests passed (1 of 1 probes).'
    supportedFeatures:
    - AdminNetworkPolicyEgressNodePeers
    - AdminNetworkPolicyNamedPorts
  name: AdminNetworkPolicy
  standard:
    result: success
    statistics:
      Failed: 0
      Passed: 1
      Skipped: 0
    summary: 'backend acl: 1 of 1 standard tests passed (2 of 2 probes).'
- name: BaselineAdminNetworkPolicy
  standard:
    result: success
    statistics:
      Failed: 0
      Passed: 1
      Skipped: 0
    summary: 'backend acl: 1 of 1 standard tests passed (1 of 1 probes).'
`,
	}, {
		name: "one failed probe fails its test and the level; tests needing both profiles are noted; profiles without " +
			"tests are left out",
		suite: V017,
		results: []TestResult{
			result("AnpTCP", []bool{true, false}, FeatureANP),
			result("AnpUDP", []bool{true}, FeatureANP),
			result("Integration", []bool{false}, FeatureANP, FeatureBANP),
			result("Priority", []bool{true}, FeatureANP, FeatureBANP),
		},
		want: `- name: AdminNetworkPolicy
  standard:
    failedTests:
    - AnpTCP
    result: failure
    statistics:
      Failed: 1
      Passed: 1
      Skipped: 0
    summary: 'backend acl: 1 of 2 standard tests passed (2 of 3 probes). Tests needing
      features of both profiles count in neither, as upstream reports them; of those,
      passed: Priority; FAILED: Integration.'
`,
	}, {
		name:  "v0.1.7: a test none of whose probes could be judged is skipped and the level partial",
		suite: V017,
		results: []TestResult{
			result("AnpTCP", []bool{true}, FeatureANP),
			unjudged("AnpSCTP", 2, FeatureANP),
		},
		want: `- name: AdminNetworkPolicy
  standard:
    result: partial
    skippedTests:
    - AnpSCTP
    statistics:
      Failed: 0
      Passed: 1
      Skipped: 1
    summary: 'backend acl: 1 of 2 standard tests passed (1 of 3 probes, 2 not judged).'
`,
	}, {
		name:  "v0.3.0: the bundle version, one profile, and a skipped test fails its level",
		suite: V030,
		results: []TestResult{
			result("CnpTCP", []bool{true}, FeatureCNP),
			unjudged("CnpSCTP", 1, FeatureCNP),
			result("CnpNamed", []bool{true}, FeatureCNP, FeatureCNPNamedPorts),
		},
		want: `kind: ConformanceReport
networkPolicyBundleVersion: v0.3.0
profiles:
- experimental:
    result: success
    statistics:
      Failed: 0
      Passed: 1
      Skipped: 0
    summary: 'backend acl: 1 of 1 experimental tests passed (1 of 1 probes).'
    supportedFeatures:
    - ClusterNetworkPolicyEgressNodePeers
    - ClusterNetworkPolicyNamedPorts
  name: ClusterNetworkPolicy
  standard:
    result: failure
    skippedTests:
    - CnpSCTP
    statistics:
      Failed: 0
      Passed: 1
      Skipped: 1
    summary: 'backend acl: 1 of 2 standard tests passed (1 of 2 probes, 1 not judged).
      Required tests skipped: CnpSCTP.'
`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := yaml.Marshal(tc.suite.BuildReport(impl, "2025-01-02T03:04:05Z", "acl", tc.results))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(string(out), tc.want) {
				t.Errorf("got\n%s\nwant it to end with\n%s", out, tc.want)
			}
		})
	}
}
