package ovnmatch

import (
	"fmt"
	"net/netip"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokLParen
	tokRParen
	tokLBrace
	tokRBrace
	tokComma
	tokAnd
	tokOr
	tokNot
	tokEq
	tokNe
	tokLt
	tokLe
	tokGt
	tokGe
	tokIdent
	tokString
	tokInt
	tokAddr          // an IP address
	tokPrefix        // an IP CIDR
	tokAddressSetRef // $name
	tokPortGroupRef  // @name
)

var tokenNames = map[tokenKind]string{
	tokEOF: "end of input", tokLParen: "`('", tokRParen: "`)'", tokLBrace: "`{'", tokRBrace: "`}'",
	tokComma: "`,'", tokAnd: "`&&'", tokOr: "`||'", tokNot: "`!'", tokEq: "`=='", tokNe: "`!='",
	tokLt: "`<'", tokLe: "`<='", tokGt: "`>'", tokGe: "`>='", tokIdent: "identifier", tokString: "string",
	tokInt: "integer", tokAddr: "IP address", tokPrefix: "IP prefix", tokAddressSetRef: "address set",
	tokPortGroupRef: "port group",
}

func (k tokenKind) String() string { return tokenNames[k] }

// token is one lexeme. pos is its byte offset in the input.
type token struct {
	kind   tokenKind
	pos    int
	text   string // the source text
	str    string // tokString: the unescaped value; tokIdent and refs: the name
	num    uint64 // tokInt
	isDec  bool   // tokInt written in decimal (only decimal 0 and 1 are booleans, as in OVN)
	addr   netip.Addr
	prefix netip.Prefix
}

// Error is a parse or bind error at a byte offset of the match.
type Error struct {
	Pos int // byte offset, from 0
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("column %d: %s", e.Pos+1, e.Msg) }

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
