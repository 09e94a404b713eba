package ovnmatch

import "sort"

// References lists the $address_set and @port_group names a match uses, each sorted and unique.
func References(e Expr) (addressSets, portGroups []string) {
	as, pg := map[string]bool{}, map[string]bool{}
	walkRelations(e, func(r *Relation) {
		for _, v := range r.Values {
			switch v.Kind {
			case ValAddressSet:
				as[v.Name] = true
			case ValPortGroup:
				pg[v.Name] = true
			}
		}
	})
	return sortedKeys(as), sortedKeys(pg)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func walkRelations(e Expr, fn func(*Relation)) {
	switch x := e.(type) {
	case *Relation:
		fn(x)
	case *And:
		for _, t := range x.Terms {
			walkRelations(t, fn)
		}
	case *Or:
		for _, t := range x.Terms {
			walkRelations(t, fn)
		}
	}
}

// Check binds a match's names: every $name must be an address set whose entries fit the field's IP
// family (OVN rejects an IPv6 constant for ip4.src), and every @name a port group.
func Check(e Expr, res Resolver) error {
	var err error
	walkRelations(e, func(r *Relation) {
		for _, v := range r.Values {
			if err != nil {
				return
			}
			switch v.Kind {
			case ValAddressSet:
				s := res.AddressSet(v.Name)
				switch {
				case s == nil:
					err = errorf(r.Pos, "unknown address set $%s", v.Name)
				case r.Field.Type == TypeIPv4 && s.has6:
					err = errorf(r.Pos, "address set $%s has IPv6 entries but is used with %s", v.Name, r.Field.Name)
				case r.Field.Type == TypeIPv6 && s.has4:
					err = errorf(r.Pos, "address set $%s has IPv4 entries but is used with %s", v.Name, r.Field.Name)
				}
			case ValPortGroup:
				if res.PortGroup(v.Name) == nil {
					err = errorf(r.Pos, "unknown port group @%s", v.Name)
				}
			}
		}
	})
	return err
}

// ParseAndCheck parses a match and binds it against res.
func ParseAndCheck(s string, res Resolver) (Expr, error) {
	e, err := Parse(s)
	if err != nil {
		return nil, err
	}
	if err := Check(e, res); err != nil {
		return nil, err
	}
	return e, nil
}
