package policytest

import "testing"

// Both built-in backends judge the test file's probes; its policy denies slytherin -> gryffindor.
func TestBuiltinBackends(t *testing.T) {
	suite, err := Load("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{BackendModel, BackendACL} {
		t.Run(name, func(t *testing.T) {
			b, err := Builtin().Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := b(suite.Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range Run(ev, suite) {
				if !r.Pass {
					t.Errorf("probe %d %s: expected %s, got %s (%v) %s", r.Index, r.Flow, r.Probe.Expect, r.Got(), r.Err,
						Deciding(r.Verdict))
				}
			}
		})
	}
}
