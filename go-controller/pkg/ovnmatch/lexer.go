package ovnmatch

import (
	"net/netip"
	"strconv"
	"strings"
)

// lex splits a match into tokens, ending with tokEOF.
func lex(s string) ([]token, error) {
	// Tokens are large; growing the slice by doubling copied them more than lexing cost. Translated
	// matches average about one token per five bytes.
	toks := make([]token, 0, len(s)/5+2)
	for i := 0; ; {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return append(toks, token{kind: tokEOF, pos: i}), nil
		}
		t, next, err := lexOne(s, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i = next
	}
}

func lexOne(s string, i int) (token, int, error) {
	c := s[i]
	two := ""
	if i+1 < len(s) {
		two = s[i : i+2]
	}
	simple := func(k tokenKind, n int) (token, int, error) {
		return token{kind: k, pos: i, text: s[i : i+n]}, i + n, nil
	}
	switch two {
	case "&&":
		return simple(tokAnd, 2)
	case "||":
		return simple(tokOr, 2)
	case "==":
		return simple(tokEq, 2)
	case "!=":
		return simple(tokNe, 2)
	case "<=":
		return simple(tokLe, 2)
	case ">=":
		return simple(tokGe, 2)
	}
	switch c {
	case '(':
		return simple(tokLParen, 1)
	case ')':
		return simple(tokRParen, 1)
	case '{':
		return simple(tokLBrace, 1)
	case '}':
		return simple(tokRBrace, 1)
	case ',':
		return simple(tokComma, 1)
	case '!':
		return simple(tokNot, 1)
	case '<':
		return simple(tokLt, 1)
	case '>':
		return simple(tokGt, 1)
	case '"':
		return lexString(s, i)
	case '$', '@':
		return lexRef(s, i)
	}
	if isWordChar(c) || c == ':' {
		return lexWord(s, i)
	}
	return token{}, 0, errorf(i, "unexpected character %q", c)
}

func lexString(s string, start int) (token, int, error) {
	var b strings.Builder
	for i := start + 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return token{kind: tokString, pos: start, text: s[start : i+1], str: b.String()}, i + 1, nil
		case c == '\\':
			if i+1 == len(s) || (s[i+1] != '"' && s[i+1] != '\\') {
				return token{}, 0, errorf(i, "only \\\" and \\\\ escapes are supported in strings")
			}
			i++
			b.WriteByte(s[i])
		case c < 0x20:
			return token{}, 0, errorf(i, "control character in string")
		default:
			b.WriteByte(c)
		}
	}
	return token{}, 0, errorf(start, "unterminated string")
}

func lexRef(s string, start int) (token, int, error) {
	kind := tokAddressSetRef
	if s[start] == '@' {
		kind = tokPortGroupRef
	}
	i := start + 1
	if i == len(s) || !isNameStart(s[i]) {
		return token{}, 0, errorf(start, "expecting a name after %q", s[start])
	}
	for i < len(s) && isNameChar(s[i]) {
		i++
	}
	return token{kind: kind, pos: start, text: s[start:i], str: s[start+1 : i]}, i, nil
}

// lexWord reads an identifier, integer, IP address or prefix. They share characters (an IPv6 address
// can start with a letter, a field name contains dots and digits), so the whole run is read first and
// classified after: a colon means IPv6, a leading letter an identifier, a dot IPv4, else an integer.
func lexWord(s string, start int) (token, int, error) {
	i := start
	for i < len(s) && (isWordChar(s[i]) || s[i] == ':' || s[i] == '/') {
		i++
	}
	w := s[start:i]
	tok := token{pos: start, text: w}
	switch {
	case strings.Contains(w, ":") || (strings.Contains(w, ".") && isDigit(w[0])):
		if strings.Contains(w, "/") {
			p, err := netip.ParsePrefix(w)
			if err != nil {
				return token{}, 0, errorf(start, "invalid IP prefix %q", w)
			}
			// OVN accepts host bits and masks them off.
			tok.kind, tok.prefix = tokPrefix, p.Masked()
			return tok, i, nil
		}
		a, err := netip.ParseAddr(w)
		if err != nil || a.Zone() != "" {
			return token{}, 0, errorf(start, "invalid IP address %q", w)
		}
		tok.kind, tok.addr = tokAddr, a
		return tok, i, nil
	case isNameStart(w[0]):
		for j := 0; j < len(w); j++ {
			if !isNameChar(w[j]) {
				return token{}, 0, errorf(start+j, "unexpected character %q in identifier", w[j])
			}
		}
		tok.kind, tok.str = tokIdent, w
		return tok, i, nil
	default:
		return lexInt(w, tok)
	}
}

func lexInt(w string, tok token) (token, int, error) {
	end := tok.pos + len(w)
	digits, base := w, 10
	if strings.HasPrefix(w, "0x") || strings.HasPrefix(w, "0X") {
		digits, base = w[2:], 16
	}
	if strings.Contains(w, "/") {
		return token{}, 0, errorf(tok.pos, "masked integers are not supported")
	}
	n, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		return token{}, 0, errorf(tok.pos, "invalid integer %q", w)
	}
	tok.kind, tok.num, tok.isDec = tokInt, n, base == 10
	return tok, end, nil
}

func isSpace(c byte) bool     { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isLetter(c byte) bool    { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isNameStart(c byte) bool { return isLetter(c) || c == '_' || c == '.' }
func isNameChar(c byte) bool  { return isNameStart(c) || isDigit(c) }
func isWordChar(c byte) bool  { return isNameChar(c) }
