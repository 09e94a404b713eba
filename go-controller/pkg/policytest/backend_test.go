package policytest

import (
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

func TestBackendsLookup(t *testing.T) {
	backends := Backends{"fake-for-test": func(*cluster.Snapshot) (eval.Evaluator, error) { return fakeEvaluator{}, nil }}
	b, err := backends.Lookup("fake-for-test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b(&cluster.Snapshot{}); err != nil {
		t.Fatal(err)
	}
	_, err = backends.Lookup("nope")
	if err == nil || !strings.Contains(err.Error(), `unknown backend "nope"; known: fake-for-test`) {
		t.Errorf("unknown backend: got %v", err)
	}
}
