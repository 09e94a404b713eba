package policytest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
)

func TestParseErrors(t *testing.T) {
	const head = "kind: PolicyTest\nmanifests: [cluster.yaml]\nprobes:\n"
	tests := []struct {
		name, file, want string
	}{
		{"wrong kind", "kind: Test\nmanifests: [a]\nprobes: [{from: a/b, to: c/d, port: 1, expect: Allow}]\n",
			`kind: must be PolicyTest, not "Test"`},
		{"unknown top-level field", "kind: PolicyTest\nmanifest: [a]\n", "manifest: unknown field"},
		{"unknown probe field",
			head + "- {from: a/b, to: c/d, port: 1, expect: Allow}\n- {from: a/b, to: c/d, port: 1, expcet: Allow}\n",
			"probes[1].expcet: unknown field"},
		{"no cluster", "kind: PolicyTest\nprobes: [{from: a/b, to: c/d, port: 1, expect: Allow}]\n",
			"manifests: list the cluster's files (or give objects)"},
		{"no probes", "kind: PolicyTest\nmanifests: [a]\n", "probes: at least one probe is needed"},
		{"missing from", head + "- {to: c/d, port: 1, expect: Allow}\n", "probes[0].from: required"},
		{"missing port", head + "- {from: a/b, to: c/d, expect: Allow}\n",
			"probes[0].port: required (a number or a named port)"},
		{"port out of range", head + "- {from: a/b, to: c/d, port: 70000, expect: Allow}\n",
			"probes[0].port: 70000 is not in 1-65535"},
		{"bad protocol", head + "- {from: a/b, to: c/d, protocol: tcp, port: 1, expect: Allow}\n",
			`probes[0].protocol: must be TCP, UDP or SCTP, not "tcp"`},
		{"bad family", head + "- {from: a/b, to: c/d, family: v6, port: 1, expect: Allow}\n",
			`probes[0].family: must be IPv4 or IPv6, not "v6"`},
		{"missing expect", head + "- {from: a/b, to: c/d, port: 1}\n", "probes[0].expect: required (Allow or Deny)"},
		{"bad expect", head + "- {from: a/b, to: c/d, port: 1, expect: Pass}\n",
			`probes[0].expect: must be Allow or Deny, not "Pass"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.file))
			if err == nil || err.Error() != tc.want {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"probe to an unknown pod",
			"kind: PolicyTest\nmanifests: [cluster.yaml]\nprobes:\n" +
				"- {from: slytherin/draco, to: gryffindor/harry, port: 80, expect: Allow}\n" +
				"- {from: slytherin/draco, to: slytherin/x, port: 80, expect: Allow}\n",
			"probes[1].to: pod slytherin/x not found"},
		{"missing manifest",
			"kind: PolicyTest\nmanifests: [cluster.yaml, nope/]\nprobes: [{from: a/b, to: c/d, port: 1, expect: Allow}]\n",
			"manifests[1]: "},
		{"bad inline object",
			"kind: PolicyTest\nobjects: [{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containerz: []}}]\n" +
				"probes: [{from: a/b, to: c/d, port: 1, expect: Allow}]\n",
			"objects[0]: spec.containerz: unknown field"},
		{"inline object duplicates a manifest's",
			"kind: PolicyTest\nmanifests: [cluster.yaml]\nobjects: [{apiVersion: v1, kind: Node, metadata: {name: worker}}]\n" +
				"probes: [{from: a/b, to: c/d, port: 1, expect: Allow}]\n",
			"objects[0]: duplicate Node worker, first defined at "},
	}
	// The suites are written beside a copy of the manifest they name, never into the source tree, which may
	// be read-only.
	dir := t.TempDir()
	manifest, err := os.ReadFile(filepath.Join("testdata", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cluster.yaml"), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "t-"+strings.ReplaceAll(tc.name, " ", "-")+".yaml")
			if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.HasPrefix(err.Error(), path+": "+tc.want) {
				t.Errorf("got  %v\nwant %s: %s...", err, path, tc.want)
			}
		})
	}
}

// fakeEvaluator denies flows to one port at the destination's ingress and allows the rest.
type fakeEvaluator struct {
	denyPort int32
	failPort int32
}

func (f fakeEvaluator) Evaluate(flow eval.Flow) (eval.Verdict, error) {
	if flow.Port == f.failPort {
		return eval.Verdict{}, errors.New("evaluator broke")
	}
	allow := eval.Step{Tier: 3, Action: eval.StepDefault, RuleIndex: -1}
	deny := eval.Step{Tier: 1, Action: eval.StepDeny, Policy: "AdminNetworkPolicy/deny-slytherin", Priority: 10,
		Rule: "deny-slytherin", RuleIndex: 0}
	v := eval.Verdict{Allowed: flow.Port != f.denyPort,
		Egress: &eval.Decision{Allowed: true, Steps: []eval.Step{allow}}}
	if v.Allowed {
		v.Ingress = &eval.Decision{Allowed: true, Steps: []eval.Step{allow}}
	} else {
		v.Ingress = &eval.Decision{Allowed: false, Steps: []eval.Step{deny}}
	}
	return v, nil
}

func TestLoadAndRun(t *testing.T) {
	suite, err := Load("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(suite.Snapshot.Pods); got != 4 {
		t.Errorf("got %d pods, want 4 (3 from cluster.yaml, 1 inline)", got)
	}
	if got := len(suite.Snapshot.ANPs); got != 1 {
		t.Errorf("got %d ANPs, want 1 from policies/", got)
	}
	if got := suite.Sources[manifestKey("Pod", "gryffindor", "ron")].File; got != "testdata/good.yaml: objects[0]" {
		t.Errorf("inline pod source: %q", got)
	}
	results := Run(fakeEvaluator{denyPort: 8080, failPort: 53}, suite)
	want := []struct {
		pass bool
		got  string
		err  bool
	}{{true, "Deny", false}, {false, "Deny", false}, {false, "Error", true}}
	for i, w := range want {
		r := results[i]
		if r.Pass != w.pass || r.Got() != w.got || (r.Err != nil) != w.err {
			t.Errorf("probe %d: pass=%v got=%s err=%v; want pass=%v got=%s err=%v", i, r.Pass, r.Got(), r.Err, w.pass, w.got,
				w.err)
		}
	}
	const wantWhy = `ingress: Deny in tier 1 by AdminNetworkPolicy/deny-slytherin rule "deny-slytherin" (#0)`
	if got := Deciding(results[1].Verdict); got != wantWhy {
		t.Errorf("deciding step:\ngot  %s\nwant %s", got, wantWhy)
	}
}

func TestDeciding(t *testing.T) {
	allowEgress := &eval.Decision{Allowed: true,
		Steps: []eval.Step{{Tier: 2, Action: eval.StepAllow, Policy: "NetworkPolicy/ns/web", RuleIndex: 1}}}
	denyEgress := &eval.Decision{Allowed: false,
		Steps: []eval.Step{{Tier: 2, Action: eval.StepIsolated, Policy: "NetworkPolicy/ns/web", RuleIndex: -1}}}
	aclDeny := &eval.Decision{Allowed: false, Steps: []eval.Step{
		{Tier: 1, Action: eval.StepNoMatch, RuleIndex: -1},
		{Tier: 3, Action: eval.StepDeny, RuleIndex: -1, Stage: "to-lport", ACL: "banp:default:in:0", ACLPriority: 1000,
			Detail: "src in $set"}}}
	tests := []struct {
		name string
		v    eval.Verdict
		want string
	}{
		{"allowed: both sides", eval.Verdict{Allowed: true, Egress: allowEgress, Ingress: allowEgress},
			"egress: Allow in tier 2 by NetworkPolicy/ns/web rule #1; ingress: Allow in tier 2 by NetworkPolicy/ns/web rule #1"},
		{"denied at egress stops there", eval.Verdict{Egress: denyEgress, Ingress: aclDeny},
			"egress: Isolated in tier 2 by NetworkPolicy/ns/web"},
		{"denied at ingress by an ACL", eval.Verdict{Egress: allowEgress, Ingress: aclDeny},
			"ingress: Deny in tier 3 ACL banp:default:in:0 (to-lport, priority 1000): src in $set"},
		{"nothing judged", eval.Verdict{Allowed: true}, "no side judged the flow (neither end has a logical port)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Deciding(tc.v); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func manifestKey(kind, ns, name string) manifest.ObjectKey {
	return manifest.ObjectKey{Kind: kind, Namespace: ns, Name: name}
}

func TestLoadFS(t *testing.T) {
	fsys := os.DirFS("testdata")
	suite, err := LoadFS(fsys, "good.yaml", "embedded")
	if err != nil {
		t.Fatal(err)
	}
	if len(suite.Flows) != 3 || len(suite.Snapshot.ANPs) != 1 {
		t.Errorf("got %d flows and %d ANPs, want 3 and 1", len(suite.Flows), len(suite.Snapshot.ANPs))
	}
	got := suite.Sources[manifestKey("AdminNetworkPolicy", "", "deny-slytherin")].File
	if got != "embedded/policies/deny.yaml" {
		t.Errorf("source of the ANP: got %q", got)
	}
	_, err = LoadFS(fsys, "cluster.yaml", "embedded")
	if want := `embedded/cluster.yaml: kind: must be PolicyTest, not "Namespace"`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
