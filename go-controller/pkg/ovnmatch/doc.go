// Package ovnmatch parses and evaluates the subset of OVN's match expression language (ovn-sb(5),
// "Logical_Flow TABLE", match column) that tieracl's translator emits, with OVN's own rules where they
// are surprising:
//
//   - `&&` and `||` may not be mixed without parentheses.
//   - `!` needs a parenthesized (or otherwise atomic) operand and is pushed down to the relations
//     (De Morgan, `==` becomes `!=`, `<` becomes `>=`), before prerequisites are added. So a relation on
//     ip4.src is false for an IPv6 packet whether or not it sits under `!`.
//   - inport/outport and the protocol predicates are "nominal": they may only be tested positively once
//     enclosing `!` operators are taken into account (`inport != "a"` and `!tcp` are errors).
//   - A relation against a set that turns out empty is the constant `==` false / `!=` true, with no
//     prerequisite.
//   - A CIDR with host bits set (10.0.0.1/8) is accepted and masked.
//
// Each of these was checked against ovn-trace 25.03's microflow parser, which uses OVN's expression
// parser.
//
// Parse checks syntax and types; Check resolves $address_set and @port_group names against a Resolver;
// Eval judges a Packet.
package ovnmatch
