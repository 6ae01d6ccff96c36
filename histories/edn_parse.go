package histories

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// ednKind is the kind of a parsed EDN form.
type ednKind uint8

const (
	ednNil ednKind = iota
	ednBool
	ednInt
	ednFloat
	ednString
	ednKeyword
	ednSymbol
	ednVector
	ednList
	ednSet
	ednMap
	ednTagged
)

var ednKindNames = [...]string{
	ednNil: "nil", ednBool: "boolean", ednInt: "integer", ednFloat: "float",
	ednString: "string", ednKeyword: "keyword", ednSymbol: "symbol", ednVector: "vector",
	ednList: "list", ednSet: "set", ednMap: "map", ednTagged: "tagged element",
}

func (k ednKind) String() string { return ednKindNames[k] }

// ednValue is one EDN form. A struct rather than an interface keeps small forms
// free of allocation.
type ednValue struct {
	kind  ednKind
	b     bool
	line  int32      // line where the form starts
	i     int64      // integer value; a float's bits
	s     string     // string contents, keyword/symbol name (no ':'), or tag name
	items []ednValue // vector/list/set elements; map keys and values alternating; the tagged form
}

func (v *ednValue) float() float64 { return math.Float64frombits(uint64(v.i)) }

// text renders v back as EDN, for error messages and for nemesis values that
// have no Op.Value equivalent.
func (v ednValue) text() string {
	return string(appendEDNForm(nil, v))
}

func appendEDNForm(buf []byte, v ednValue) []byte {
	switch v.kind {
	case ednNil:
		return append(buf, "nil"...)
	case ednBool:
		return strconv.AppendBool(buf, v.b)
	case ednInt:
		return strconv.AppendInt(buf, v.i, 10)
	case ednFloat:
		return strconv.AppendFloat(buf, v.float(), 'g', -1, 64)
	case ednString:
		return appendEDNString(buf, v.s)
	case ednKeyword:
		return append(append(buf, ':'), v.s...)
	case ednSymbol:
		return append(buf, v.s...)
	case ednTagged:
		buf = append(append(buf, '#'), v.s...)
		return appendEDNForm(append(buf, ' '), v.items[0])
	}
	open, close := "[", "]"
	switch v.kind {
	case ednList:
		open, close = "(", ")"
	case ednSet:
		open, close = "#{", "}"
	case ednMap:
		open, close = "{", "}"
	}
	buf = append(buf, open...)
	for i, e := range v.items {
		if i > 0 {
			if v.kind == ednMap && i%2 == 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, ' ')
		}
		buf = appendEDNForm(buf, e)
	}
	return append(buf, close...)
}

// maxEDNDepth bounds the nesting of collections the parser accepts.
const maxEDNDepth = 64

// ednParser reads EDN forms from a byte slice, tracking the line number.
type ednParser struct {
	data  []byte
	pos   int
	line  int        // 1-based line of data[pos]
	stack []ednValue // elements of the collections being parsed
	names interner
}

func newEDNParser(data []byte) *ednParser {
	return &ednParser{data: data, line: 1}
}

// reset points p at new input, keeping its stack and interned names.
func (p *ednParser) reset(data []byte) {
	p.data, p.pos, p.line, p.stack = data, 0, 1, p.stack[:0]
}

// ednError is a syntax error at a line; the caller adds the file name.
type ednError struct {
	line int32
	msg  string
}

func (e *ednError) Error() string { return e.msg }

func (p *ednParser) errorf(format string, args ...any) error {
	return &ednError{line: int32(p.line), msg: fmt.Sprintf(format, args...)}
}

// isDelimiter reports whether c ends a token.
func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v', ',', '(', ')', '[', ']', '{', '}', '"', ';':
		return true
	}
	return false
}

// skipSpace skips whitespace, commas and comments. It does not skip #_ discards
// (they need the parser).
func (p *ednParser) skipSpace() {
	for p.pos < len(p.data) {
		switch c := p.data[p.pos]; c {
		case '\n':
			p.line++
			p.pos++
		case ' ', '\t', '\r', '\f', '\v', ',':
			p.pos++
		case ';':
			for p.pos < len(p.data) && p.data[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

// skip skips whitespace, comments and #_ discarded forms.
func (p *ednParser) skip(depth int) error {
	for {
		p.skipSpace()
		if p.pos+1 < len(p.data) && p.data[p.pos] == '#' && p.data[p.pos+1] == '_' {
			p.pos += 2
			if _, err := p.form(depth + 1); err != nil {
				return err
			}
			continue
		}
		return nil
	}
}

// atEOF skips to the next form and reports whether the input is exhausted.
func (p *ednParser) atEOF() (bool, error) {
	if err := p.skip(0); err != nil {
		return false, err
	}
	return p.pos >= len(p.data), nil
}

// next parses the next top-level form; call atEOF first. The elements of a
// top-level collection alias the parser's stack: they are valid until the next
// call, and nested collections are copied out.
func (p *ednParser) next() (ednValue, error) {
	p.stack = p.stack[:0]
	return p.form(0)
}

// form parses one form at the current position, after skipping space.
func (p *ednParser) form(depth int) (ednValue, error) {
	if depth > maxEDNDepth {
		return ednValue{}, p.errorf("forms nested deeper than %d", maxEDNDepth)
	}
	if err := p.skip(depth); err != nil {
		return ednValue{}, err
	}
	if p.pos >= len(p.data) {
		return ednValue{}, p.errorf("unexpected end of input, expected a form")
	}
	line := int32(p.line)
	switch c := p.data[p.pos]; c {
	case '"':
		s, err := p.str()
		return ednValue{kind: ednString, s: s, line: line}, err
	case '[':
		p.pos++
		return p.collection(ednVector, ']', depth, line)
	case '(':
		p.pos++
		return p.collection(ednList, ')', depth, line)
	case '{':
		p.pos++
		return p.collection(ednMap, '}', depth, line)
	case '#':
		return p.dispatch(depth, line)
	case ')', ']', '}':
		return ednValue{}, p.errorf("unexpected %q, expected a form", c)
	case '\\':
		return ednValue{}, p.errorf("character literals are not supported")
	case ':':
		p.pos++
		tok, err := p.token()
		if err != nil {
			return ednValue{}, err
		}
		if len(tok) == 0 || tok[0] == ':' {
			return ednValue{}, p.errorf("invalid keyword %s", quoteFound(":"+string(tok)))
		}
		return ednValue{kind: ednKeyword, s: p.names.get(tok), line: line}, nil
	}
	tok, err := p.token()
	if err != nil {
		return ednValue{}, err
	}
	if len(tok) == 0 {
		return ednValue{}, p.errorf("unexpected %q, expected a form", p.data[p.pos])
	}
	return p.atom(tok, line)
}

// atom classifies a token: number, nil, boolean or symbol.
func (p *ednParser) atom(tok []byte, line int32) (ednValue, error) {
	c := tok[0]
	if c >= '0' && c <= '9' || (c == '+' || c == '-') && len(tok) > 1 && tok[1] >= '0' && tok[1] <= '9' {
		return p.number(tok, line)
	}
	switch string(tok) {
	case "nil":
		return ednValue{kind: ednNil, line: line}, nil
	case "true":
		return ednValue{kind: ednBool, b: true, line: line}, nil
	case "false":
		return ednValue{kind: ednBool, line: line}, nil
	}
	return ednValue{kind: ednSymbol, s: p.names.get(tok), line: line}, nil
}

// number parses an EDN integer (optionally with the N suffix) or float
// (optionally with the M suffix).
func (p *ednParser) number(tok []byte, line int32) (ednValue, error) {
	sign := 0
	if tok[0] == '+' || tok[0] == '-' {
		sign = 1
	}
	if itok, ok := intToken(tok, sign); ok {
		if digits := itok[sign:]; len(digits) > 1 && digits[0] == '0' {
			return ednValue{}, p.errorf("invalid number %s (leading zero)", quoteFound(string(tok)))
		}
		n, ok := parseInt64(itok)
		if !ok {
			return ednValue{}, p.errorf("integer %s does not fit in 64 bits", quoteFound(string(tok)))
		}
		return ednValue{kind: ednInt, i: n, line: line}, nil
	}
	ftok := tok
	if ftok[len(ftok)-1] == 'M' {
		ftok = ftok[:len(ftok)-1]
	}
	for _, c := range ftok {
		// strconv accepts forms EDN does not: hex, underscores, inf, nan.
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return ednValue{}, p.errorf("invalid number %s", quoteFound(string(tok)))
		}
	}
	f, err := strconv.ParseFloat(string(ftok), 64)
	if err != nil {
		return ednValue{}, p.errorf("invalid number %s", quoteFound(string(tok)))
	}
	return ednValue{kind: ednFloat, i: int64(math.Float64bits(f)), line: line}, nil
}

// intToken reports whether tok is an integer literal, and returns it without
// the N suffix.
func intToken(tok []byte, sign int) ([]byte, bool) {
	if tok[len(tok)-1] == 'N' {
		tok = tok[:len(tok)-1]
	}
	if len(tok) == sign {
		return nil, false
	}
	for _, c := range tok[sign:] {
		if c < '0' || c > '9' {
			return nil, false
		}
	}
	return tok, true
}

// token reads bytes up to the next delimiter. It rejects control characters
// and invalid UTF-8 so that every name read is printable text.
func (p *ednParser) token() ([]byte, error) {
	start := p.pos
	for p.pos < len(p.data) && !isDelimiter(p.data[p.pos]) {
		c := p.data[p.pos]
		if c < 0x20 || c == 0x7f {
			return nil, p.errorf("control character %q in a token", c)
		}
		p.pos++
	}
	tok := p.data[start:p.pos]
	if !utf8.Valid(tok) {
		return nil, p.errorf("token %s is not valid UTF-8", quoteFound(string(tok)))
	}
	return tok, nil
}

// dispatch parses a form starting with '#': a set, or a tagged element.
func (p *ednParser) dispatch(depth int, line int32) (ednValue, error) {
	p.pos++
	if p.pos < len(p.data) && p.data[p.pos] == '{' {
		p.pos++
		return p.collection(ednSet, '}', depth, line)
	}
	tag, err := p.token()
	if err != nil {
		return ednValue{}, err
	}
	if len(tag) == 0 || !(tag[0] >= 'a' && tag[0] <= 'z' || tag[0] >= 'A' && tag[0] <= 'Z') {
		return ednValue{}, p.errorf("invalid tag %s, expected #{ or #tag", quoteFound("#"+string(tag)))
	}
	name := p.names.get(tag)
	v, err := p.form(depth + 1)
	if err != nil {
		return ednValue{}, err
	}
	return ednValue{kind: ednTagged, s: name, items: []ednValue{v}, line: line}, nil
}

// collection parses elements up to close; the opening bracket is consumed.
// Elements gather on the parser's stack and are copied into an exactly sized
// slice, except for a top-level collection (see next).
func (p *ednParser) collection(kind ednKind, close byte, depth int, line int32) (ednValue, error) {
	base := len(p.stack)
	for {
		if err := p.skip(depth + 1); err != nil {
			return ednValue{}, err
		}
		if p.pos >= len(p.data) {
			return ednValue{}, p.errorf("unexpected end of input in the %s opened on line %d, expected %q", kind, line, close)
		}
		if p.data[p.pos] == close {
			p.pos++
			break
		}
		v, err := p.form(depth + 1)
		if err != nil {
			return ednValue{}, err
		}
		p.stack = append(p.stack, v)
	}
	n := len(p.stack) - base
	if kind == ednMap && n%2 != 0 {
		return ednValue{}, p.errorf("map opened on line %d has a key without a value", line)
	}
	var items []ednValue
	if depth == 0 {
		items = p.stack[base:len(p.stack):len(p.stack)]
	} else {
		items = make([]ednValue, n)
		copy(items, p.stack[base:])
		p.stack = p.stack[:base]
	}
	return ednValue{kind: kind, items: items, line: line}, nil
}
