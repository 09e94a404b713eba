package policytest

import (
	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/acl"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/model"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// The built-in backends: the policy model (the API's semantics) and the ACL evaluator over the rows
// the translator generates. Backends that need a running OVN register themselves elsewhere.
const (
	BackendModel = "model"
	BackendACL   = "acl"
)

func init() {
	RegisterBackend(BackendModel, func(s *cluster.Snapshot) (eval.Evaluator, error) { return model.New(s), nil })
	RegisterBackend(BackendACL, func(s *cluster.Snapshot) (eval.Evaluator, error) {
		return acl.New(&translate.Translate(s, translate.Options{}).State)
	})
}
