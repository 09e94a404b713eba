package policytest

import (
	"errors"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// batchEvaluator allows flows to port 80, and records what Run handed it.
type batchEvaluator struct {
	got       []ExpectedFlow
	short     bool // return one verdict too few
	closed    bool
	evaluated int // calls of Evaluate, which Run must not make
}

func (b *batchEvaluator) Evaluate(eval.Flow) (eval.Verdict, error) {
	b.evaluated++
	return eval.Verdict{}, errors.New("Evaluate called on a batch evaluator")
}

func (b *batchEvaluator) EvaluateBatch(flows []ExpectedFlow) ([]eval.Verdict, []error) {
	b.got = flows
	verdicts, errs := make([]eval.Verdict, len(flows)), make([]error, len(flows))
	for i, f := range flows {
		verdicts[i].Allowed = f.Flow.Port == 80
	}
	if b.short {
		return verdicts[1:], errs
	}
	return verdicts, errs
}

func (b *batchEvaluator) Close() error {
	b.closed = true
	return nil
}

func TestRunBatch(t *testing.T) {
	suite := &Suite{
		Probes: []Probe{{Expect: ExpectAllow}, {Expect: ExpectDeny}, {Expect: ExpectDeny}},
		Flows:  []eval.Flow{{Port: 80}, {Port: 81}, {Port: 80}},
	}
	tests := []struct {
		name     string
		short    bool
		wantPass []bool
		wantErr  bool
	}{
		{name: "one verdict per flow", wantPass: []bool{true, true, false}},
		{name: "too few verdicts fail every probe", short: true, wantPass: []bool{false, false, false}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &batchEvaluator{short: tt.short}
			results := Run(ev, suite)
			if ev.evaluated != 0 {
				t.Errorf("Run called Evaluate %d times", ev.evaluated)
			}
			if len(ev.got) != 3 || !ev.got[0].ExpectAllow || ev.got[1].ExpectAllow || ev.got[2].Flow.Port != 80 {
				t.Errorf("EvaluateBatch got %+v", ev.got)
			}
			for i, r := range results {
				if r.Pass != tt.wantPass[i] || (r.Err != nil) != tt.wantErr {
					t.Errorf("result %d: pass %v err %v, want pass %v err %v", i, r.Pass, r.Err, tt.wantPass[i], tt.wantErr)
				}
			}
			if err := Close(ev); err != nil || !ev.closed {
				t.Errorf("Close: err %v, closed %v", err, ev.closed)
			}
		})
	}
}

func TestCloseWithoutCloser(t *testing.T) {
	if err := Close(fakeEvaluator{}); err != nil {
		t.Errorf("Close of an evaluator without Close: %v", err)
	}
}
