package policytest

import (
	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/acl"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/model"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// The built-in backends' names: the policy model (the API's semantics) and the ACL evaluator over the
// rows the translator generates. Backends that need a running OVN live in pkg/ovnbackend.
const (
	BackendModel = "model"
	BackendACL   = "acl"
)

// Model is the "model" backend.
func Model(s *cluster.Snapshot) (eval.Evaluator, error) { return model.New(s), nil }

// ACL is the "acl" backend.
func ACL(s *cluster.Snapshot) (eval.Evaluator, error) {
	return acl.New(&translate.Translate(s, translate.Options{}).State)
}

// Builtin returns the backends that need nothing running, model and acl.
func Builtin() Backends { return Backends{BackendModel: Model, BackendACL: ACL} }
