package policytest

import (
	"io"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// ExpectedFlow is a flow with the verdict its probe expects.
type ExpectedFlow struct {
	Flow        eval.Flow
	ExpectAllow bool
}

// BatchEvaluator is an evaluator that judges a whole suite faster at once, e.g. by sending real packets
// side by side. It may use the expectation only to size its waiting (an expected drop needs a short
// timeout, an expected connection a retry before it counts as dropped), never to decide a verdict.
// Run uses EvaluateBatch when an evaluator has it.
type BatchEvaluator interface {
	eval.Evaluator
	// EvaluateBatch returns one verdict and one error per flow, in order.
	EvaluateBatch(flows []ExpectedFlow) ([]eval.Verdict, []error)
}

// Close releases what an evaluator holds, such as a running OVN test bed, when it implements
// io.Closer; other evaluators hold nothing and Close returns nil.
func Close(ev eval.Evaluator) error {
	if c, ok := ev.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
