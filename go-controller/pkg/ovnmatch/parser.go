package ovnmatch

import "net/netip"

// maxDepth bounds parenthesis nesting so hostile input cannot exhaust the stack.
const maxDepth = 200

// Parse parses a match. It checks syntax and types but not that $/@ names exist; see Check.
func Parse(s string) (Expr, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.parseExpr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errorf(t.pos, "syntax error at %s, expecting end of input", describe(t))
	}
	return normalize(n, false)
}

// node is the raw parse tree, before `!` is pushed down.
type node struct {
	kind  nodeKind
	pos   int
	value bool      // nConst
	pred  Predicate // nPred
	rel   *Relation // nRel
	kids  []*node   // nAnd, nOr: two or more; nNot: one
}

type nodeKind int

const (
	nConst nodeKind = iota
	nPred
	nRel
	nAnd
	nOr
	nNot
)

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func describe(t token) string {
	if t.kind == tokEOF {
		return "end of input"
	}
	return "`" + t.text + "'"
}

// parseExpr reads terms joined by one kind of operator; OVN rejects && and || mixed without parentheses.
func (p *parser) parseExpr(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errorf(p.peek().pos, "expression nested too deeply")
	}
	first, err := p.parseNot(depth)
	if err != nil {
		return nil, err
	}
	opTok := p.peek()
	if opTok.kind != tokAnd && opTok.kind != tokOr {
		return first, nil
	}
	list := &node{kind: nAnd, pos: first.pos, kids: []*node{first}}
	if opTok.kind == tokOr {
		list.kind = nOr
	}
	for p.peek().kind == opTok.kind {
		p.next()
		n, err := p.parseNot(depth)
		if err != nil {
			return nil, err
		}
		list.kids = append(list.kids, n)
	}
	if t := p.peek(); t.kind == tokAnd || t.kind == tokOr {
		return nil, errorf(t.pos, "&& and || must be parenthesized when used together")
	}
	return list, nil
}

func (p *parser) parseNot(depth int) (*node, error) {
	if p.peek().kind != tokNot {
		n, _, err := p.parsePrimary(depth)
		return n, err
	}
	bang := p.next()
	n, atomic, err := p.parsePrimary(depth)
	if err != nil {
		return nil, err
	}
	if !atomic {
		return nil, errorf(bang.pos, "missing parentheses around operand of !")
	}
	return &node{kind: nNot, pos: bang.pos, kids: []*node{n}}, nil
}

// parsePrimary reads a parenthesized expression, a boolean, a predicate or a relation. atomic is false
// only for a relation, which `!` may not take without parentheses.
func (p *parser) parsePrimary(depth int) (n *node, atomic bool, err error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		n, err := p.parseExpr(depth + 1)
		if err != nil {
			return nil, false, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, false, errorf(c.pos, "syntax error at %s, expecting `)'", describe(c))
		}
		return n, true, nil
	case tokInt:
		if t.isDec && t.num <= 1 && !isRelop(p.peek().kind) {
			return &node{kind: nConst, pos: t.pos, value: t.num == 1}, true, nil
		}
	case tokIdent:
		if pred, ok := predicates[t.str]; ok {
			if isRelop(p.peek().kind) {
				return nil, false, errorf(p.peek().pos, "predicate %s takes no relational operator", t.str)
			}
			return &node{kind: nPred, pos: t.pos, pred: pred}, true, nil
		}
		f, ok := fields[t.str]
		if !ok {
			return nil, false, errorf(t.pos, "unknown field or predicate %q", t.str)
		}
		rel, err := p.parseRelation(f, t.pos)
		if err != nil {
			return nil, false, err
		}
		return &node{kind: nRel, pos: t.pos, rel: rel}, false, nil
	}
	return nil, false, errorf(t.pos, "syntax error at %s, expecting field, predicate, `(', 0 or 1", describe(t))
}

func isRelop(k tokenKind) bool { return k >= tokEq && k <= tokGe }

var relops = map[tokenKind]Op{tokEq: OpEq, tokNe: OpNe, tokLt: OpLt, tokLe: OpLe, tokGt: OpGt, tokGe: OpGe}

func (p *parser) parseRelation(f *Field, pos int) (*Relation, error) {
	opTok := p.next()
	op, ok := relops[opTok.kind]
	if !ok {
		return nil, errorf(opTok.pos, "syntax error at %s, expecting relational operator after %s", describe(opTok), f.Name)
	}
	rel := &Relation{Field: f, Op: op, Pos: pos}
	if p.peek().kind == tokLBrace {
		p.next()
		rel.Braced = true
		for {
			v, err := p.parseValue(f)
			if err != nil {
				return nil, err
			}
			rel.Values = append(rel.Values, v)
			if p.peek().kind == tokComma {
				p.next()
			}
			if p.peek().kind == tokRBrace {
				p.next()
				break
			}
		}
	} else {
		v, err := p.parseValue(f)
		if err != nil {
			return nil, err
		}
		rel.Values = []Value{v}
	}
	if op != OpEq && op != OpNe {
		if err := checkOrdering(rel, opTok.pos); err != nil {
			return nil, err
		}
	}
	return rel, nil
}

func checkOrdering(rel *Relation, pos int) error {
	switch {
	case rel.Field.Type == TypeString:
		return errorf(pos, "only == and != may be used with string field %s", rel.Field.Name)
	case rel.Braced:
		return errorf(pos, "only == and != may be used with value sets")
	case rel.Values[0].Kind == ValAddressSet:
		return errorf(pos, "only == and != may be used with address sets")
	case rel.Values[0].Kind == ValPrefix:
		return errorf(pos, "only == and != may be used with prefixes")
	}
	return nil
}

// parseValue reads one constant and checks it fits the field.
func (p *parser) parseValue(f *Field) (Value, error) {
	t := p.next()
	bad := func() (Value, error) {
		return Value{}, errorf(t.pos, "syntax error at %s, expecting %s for %s", describe(t), expecting(f.Type), f.Name)
	}
	switch f.Type {
	case TypeString:
		switch t.kind {
		case tokString:
			return Value{Kind: ValString, Str: t.str}, nil
		case tokPortGroupRef:
			return Value{Kind: ValPortGroup, Name: t.str}, nil
		}
	case TypeIPv4, TypeIPv6:
		want4 := f.Type == TypeIPv4
		switch t.kind {
		case tokAddressSetRef:
			return Value{Kind: ValAddressSet, Name: t.str}, nil
		case tokAddr:
			if t.addr.Is4() != want4 {
				return bad()
			}
			return Value{Kind: ValAddr, Prefix: netip.PrefixFrom(t.addr, t.addr.BitLen())}, nil
		case tokPrefix:
			if t.prefix.Addr().Is4() != want4 {
				return bad()
			}
			return Value{Kind: ValPrefix, Prefix: t.prefix}, nil
		}
	case TypePort:
		if t.kind == tokInt {
			if t.num > 65535 {
				return Value{}, errorf(t.pos, "%s does not fit 16-bit field %s", t.text, f.Name)
			}
			return Value{Kind: ValInt, Int: int(t.num)}, nil
		}
	}
	return bad()
}

func expecting(t FieldType) string {
	switch t {
	case TypeString:
		return `"port name" or @port_group`
	case TypeIPv4:
		return "IPv4 address, prefix or $address_set"
	case TypeIPv6:
		return "IPv6 address, prefix or $address_set"
	}
	return "integer"
}

// normalize pushes negation down to the relations as OVN does, and applies OVN's rule that nominal
// fields and predicates may only be tested positively once enclosing `!' are counted.
func normalize(n *node, neg bool) (Expr, error) {
	switch n.kind {
	case nConst:
		return &Const{Value: n.value != neg}, nil
	case nPred:
		if neg {
			return nil, errorf(n.pos, "nominal predicate %s may only be tested positively, not under `!'", n.pred)
		}
		return &PredicateTest{Pred: n.pred}, nil
	case nNot:
		return normalize(n.kids[0], !neg)
	case nRel:
		r := *n.rel
		if neg {
			r.Op = r.Op.invert()
		}
		if r.Field.Type == TypeString && r.Op != OpEq {
			return nil, errorf(n.pos, "nominal field %s may only be tested for equality "+
				"(taking enclosing `!' operators into account)", r.Field.Name)
		}
		return &r, nil
	}
	isAnd := (n.kind == nAnd) != neg
	var terms []Expr
	for _, k := range n.kids {
		e, err := normalize(k, neg)
		if err != nil {
			return nil, err
		}
		// Flatten same-operator children, as OVN's expr_combine does.
		switch c := e.(type) {
		case *And:
			if isAnd {
				terms = append(terms, c.Terms...)
				continue
			}
		case *Or:
			if !isAnd {
				terms = append(terms, c.Terms...)
				continue
			}
		}
		terms = append(terms, e)
	}
	if isAnd {
		return &And{Terms: terms}, nil
	}
	return &Or{Terms: terms}, nil
}
