package nbsync

import (
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// ACLMatches reports whether an NB row is the desired ACL, by the same comparison Ops makes.
func ACLMatches(have *nbdb.ACL, want nbrows.ACL) bool { return sameACL(have, aclRow(want)) }
