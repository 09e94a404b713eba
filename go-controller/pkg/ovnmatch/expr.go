package ovnmatch

import (
	"net/netip"
	"strconv"
	"strings"
)

// Expr is a parsed match. Negation has been pushed down to the relations, so the tree holds only
// constants, predicates, relations and flattened && / || lists.
type Expr interface {
	// String prints the canonical form, which parses back to an equal Expr.
	String() string
	// Eval judges a packet. Names the Resolver does not know count as empty sets; call Check first.
	Eval(pkt *Packet, res Resolver) bool

	write(b *strings.Builder)
	eval(pkt *Packet, res Resolver, tr *trace) bool
}

// Const is the literal 1 (true) or 0 (false).
type Const struct{ Value bool }

// PredicateTest is a bare predicate such as `tcp`.
type PredicateTest struct{ Pred Predicate }

// And is a conjunction of two or more terms, none of them an And.
type And struct{ Terms []Expr }

// Or is a disjunction of two or more terms, none of them an Or.
type Or struct{ Terms []Expr }

// Op is a relational operator.
type Op string

// The relational operators of OVN's match language; the ordering ones take a single literal, a port or an address.
const (
	OpEq Op = "=="
	OpNe Op = "!="
	OpLt Op = "<"
	OpLe Op = "<="
	OpGt Op = ">"
	OpGe Op = ">="
)

func (o Op) invert() Op {
	return map[Op]Op{OpEq: OpNe, OpNe: OpEq, OpLt: OpGe, OpGe: OpLt, OpGt: OpLe, OpLe: OpGt}[o]
}

// Relation compares a field with a value or a set of values.
type Relation struct {
	Field  *Field
	Op     Op
	Values []Value
	Braced bool // the values were written in {}
	Pos    int  // byte offset of the field name in the input
}

// ValueKind says what a Value holds.
type ValueKind int

// The kinds of Value; each comment names the Value field that holds it.
const (
	ValString     ValueKind = iota // Str
	ValInt                         // Int
	ValAddr                        // Prefix, written as a single address (full-length prefix)
	ValPrefix                      // Prefix, written as a CIDR
	ValAddressSet                  // Name of an Address_Set, written $Name
	ValPortGroup                   // Name of a Port_Group, written @Name
)

// Value is one element of a relation's right-hand side.
type Value struct {
	Kind   ValueKind
	Str    string
	Int    int
	Prefix netip.Prefix
	Name   string
}

func (v Value) String() string {
	switch v.Kind {
	case ValString:
		return quote(v.Str)
	case ValInt:
		return strconv.Itoa(v.Int)
	case ValAddr:
		return v.Prefix.Addr().String()
	case ValPrefix:
		return v.Prefix.String()
	case ValAddressSet:
		return "$" + v.Name
	case ValPortGroup:
		return "@" + v.Name
	}
	return "?"
}

var quoter = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

func quote(s string) string { return `"` + quoter.Replace(s) + `"` }

func (c *Const) String() string         { return toString(c) }
func (p *PredicateTest) String() string { return toString(p) }
func (a *And) String() string           { return toString(a) }
func (o *Or) String() string            { return toString(o) }
func (r *Relation) String() string      { return toString(r) }

func toString(e Expr) string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

func (c *Const) write(b *strings.Builder) {
	if c.Value {
		b.WriteString("1")
	} else {
		b.WriteString("0")
	}
}

func (p *PredicateTest) write(b *strings.Builder) { b.WriteString(string(p.Pred)) }

func (a *And) write(b *strings.Builder) { writeList(b, a.Terms, " && ") }
func (o *Or) write(b *strings.Builder)  { writeList(b, o.Terms, " || ") }

// writeList parenthesizes nested lists: they are always of the other operator, which OVN only accepts
// in parentheses.
func writeList(b *strings.Builder, terms []Expr, sep string) {
	for i, t := range terms {
		if i > 0 {
			b.WriteString(sep)
		}
		switch t.(type) {
		case *And, *Or:
			b.WriteString("(")
			t.write(b)
			b.WriteString(")")
		default:
			t.write(b)
		}
	}
}

func (r *Relation) write(b *strings.Builder) {
	b.WriteString(r.Field.Name)
	b.WriteString(" ")
	b.WriteString(string(r.Op))
	b.WriteString(" ")
	braced := r.Braced || len(r.Values) != 1
	if braced {
		b.WriteString("{")
	}
	for i, v := range r.Values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.String())
	}
	if braced {
		b.WriteString("}")
	}
}
