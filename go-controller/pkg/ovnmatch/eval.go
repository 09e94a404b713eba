package ovnmatch

import "fmt"

// Hit records a relation that held while matching, and what made it hold.
type Hit struct {
	Field   string
	Op      Op
	Set     string // "$name" or "@name" when the matching element came from a named set
	Element string // the element that matched (== and ordering); empty for !=, which matched nothing
}

func (h Hit) String() string {
	switch {
	case h.Op == OpNe:
		return fmt.Sprintf("%s matches none of the set", h.Field)
	case h.Set != "":
		return fmt.Sprintf("%s %s %s (%s)", h.Field, h.Op, h.Set, h.Element)
	}
	return fmt.Sprintf("%s %s %s", h.Field, h.Op, h.Element)
}

// trace collects hits; a nil trace collects nothing.
type trace struct{ hits []Hit }

func (t *trace) add(h Hit) {
	if t != nil {
		t.hits = append(t.hits, h)
	}
}

func (t *trace) mark() int {
	if t == nil {
		return 0
	}
	return len(t.hits)
}

func (t *trace) rewind(m int) {
	if t != nil {
		t.hits = t.hits[:m]
	}
}

// Explain evaluates e and returns the relations that made it true (none when it is false).
func Explain(e Expr, pkt *Packet, res Resolver) (bool, []Hit) {
	tr := &trace{}
	ok := e.eval(pkt, res, tr)
	if !ok {
		return false, nil
	}
	return true, tr.hits
}

// Eval returns the constant, whatever the packet.
func (c *Const) Eval(pkt *Packet, res Resolver) bool { return c.Value }

// Eval reports whether the packet is of the predicate's protocol.
func (p *PredicateTest) Eval(pkt *Packet, res Resolver) bool { return p.Pred.Holds(pkt) }

// Eval reports whether every term holds for the packet.
func (a *And) Eval(pkt *Packet, res Resolver) bool { return a.eval(pkt, res, nil) }

// Eval reports whether some term holds for the packet.
func (o *Or) Eval(pkt *Packet, res Resolver) bool { return o.eval(pkt, res, nil) }

// Eval compares the packet's field with the relation's values; sets res does not know count as empty.
func (r *Relation) Eval(pkt *Packet, res Resolver) bool { return r.eval(pkt, res, nil) }

func (c *Const) eval(*Packet, Resolver, *trace) bool { return c.Value }

func (p *PredicateTest) eval(pkt *Packet, _ Resolver, _ *trace) bool { return p.Pred.Holds(pkt) }

func (a *And) eval(pkt *Packet, res Resolver, tr *trace) bool {
	m := tr.mark()
	for _, t := range a.Terms {
		if !t.eval(pkt, res, tr) {
			tr.rewind(m)
			return false
		}
	}
	return true
}

func (o *Or) eval(pkt *Packet, res Resolver, tr *trace) bool {
	for _, t := range o.Terms {
		m := tr.mark()
		if t.eval(pkt, res, tr) {
			return true
		}
		tr.rewind(m)
	}
	return false
}

// eval follows OVN: `f == {a, b}` is (prereq && f == a) || (prereq && f == b), `f != {a, b}` is
// (prereq && f != a) && (prereq && f != b), and an empty set is the plain constant false or true.
func (r *Relation) eval(pkt *Packet, res Resolver, tr *trace) bool {
	switch r.Op {
	case OpEq:
		if !r.Field.Prereq.Holds(pkt) {
			return false
		}
		v, elem, ok := r.find(r.Field.get(pkt), res)
		if ok && tr != nil {
			tr.add(hitFor(r, v, elem))
		}
		return ok
	case OpNe:
		if r.empty(res) {
			return true
		}
		if !r.Field.Prereq.Holds(pkt) {
			return false
		}
		if _, _, ok := r.find(r.Field.get(pkt), res); ok {
			return false
		}
		if tr != nil {
			tr.add(Hit{Field: r.Field.Name, Op: r.Op})
		}
		return true
	}
	if !r.Field.Prereq.Holds(pkt) {
		return false
	}
	ok := r.order(r.Field.get(pkt))
	if ok && tr != nil {
		tr.add(Hit{Field: r.Field.Name, Op: r.Op, Element: r.Values[0].String()})
	}
	return ok
}

// order compares the packet's value with the single literal of an ordering relation.
func (r *Relation) order(got fieldValue) bool {
	v := r.Values[0]
	var cmp int
	switch r.Field.Type {
	case TypePort:
		cmp = got.port - v.Int
	case TypeIPv4, TypeIPv6:
		if got.addr.BitLen() != v.Prefix.Addr().BitLen() {
			return false
		}
		cmp = got.addr.Compare(v.Prefix.Addr())
	}
	switch r.Op {
	case OpLt:
		return cmp < 0
	case OpLe:
		return cmp <= 0
	case OpGt:
		return cmp > 0
	case OpGe:
		return cmp >= 0
	}
	return false
}

func (r *Relation) empty(res Resolver) bool {
	for _, v := range r.Values {
		switch v.Kind {
		case ValAddressSet:
			if s := res.AddressSet(v.Name); s != nil && s.Len() > 0 {
				return false
			}
		case ValPortGroup:
			if g := res.PortGroup(v.Name); g != nil && g.Len() > 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// hitFor describes the element find returned: a literal, an address set entry or a port name.
func hitFor(r *Relation, v Value, elem string) Hit {
	h := Hit{Field: r.Field.Name, Op: r.Op, Element: v.String()}
	switch v.Kind {
	case ValAddressSet:
		h.Set, h.Element = v.String(), elem
	case ValPortGroup:
		h.Set, h.Element = v.String(), quote(elem)
	}
	return h
}

// find looks for an element of the relation's set equal to (or, for prefixes, containing) the value.
// It returns the Value that matched and, for a named set, the member that did. It does not allocate:
// Eval runs it for every candidate ACL.
func (r *Relation) find(got fieldValue, res Resolver) (Value, string, bool) {
	for _, v := range r.Values {
		switch v.Kind {
		case ValString:
			if got.str == v.Str {
				return v, "", true
			}
		case ValInt:
			if got.port == v.Int {
				return v, "", true
			}
		case ValAddr, ValPrefix:
			if v.Prefix.Contains(got.addr) {
				return v, "", true
			}
		case ValAddressSet:
			if s := res.AddressSet(v.Name); s != nil {
				if e, ok := s.Lookup(got.addr); ok {
					return v, e, true
				}
			}
		case ValPortGroup:
			if g := res.PortGroup(v.Name); g != nil && g.Contains(got.str) {
				return v, got.str, true
			}
		}
	}
	return Value{}, "", false
}
