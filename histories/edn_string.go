package histories

import "unicode/utf8"

// maxInternedString is the longest string literal interned: keys and short
// names repeat, long values rarely do.
const maxInternedString = 8

// str parses a string literal; the opening quote is at p.pos.
func (p *ednParser) str() (string, error) {
	p.pos++
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := p.data[start:p.pos]
			if !utf8.Valid(s) {
				return "", p.errorf("string %s is not valid UTF-8", quoteFound(string(s)))
			}
			p.pos++
			if len(s) <= maxInternedString {
				return p.names.get(s), nil
			}
			return string(s), nil
		}
		if c == '\\' {
			break
		}
		if c == '\n' {
			p.line++
		}
		p.pos++
	}
	buf := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch c {
		case '"':
			p.pos++
			if !utf8.Valid(buf) {
				return "", p.errorf("string %s is not valid UTF-8", quoteFound(string(buf)))
			}
			return string(buf), nil
		case '\n':
			p.line++
		case '\\':
			p.pos++
			if p.pos >= len(p.data) {
				return "", p.errorf("unexpected end of input in a string escape")
			}
			var err error
			if buf, err = p.escape(buf); err != nil {
				return "", err
			}
			continue
		}
		buf = append(buf, c)
		p.pos++
	}
	return "", p.errorf("unexpected end of input in a string, expected '\"'")
}

// escape decodes the escape whose letter is at p.pos.
func (p *ednParser) escape(buf []byte) ([]byte, error) {
	c := p.data[p.pos]
	p.pos++
	switch c {
	case 't':
		return append(buf, '\t'), nil
	case 'r':
		return append(buf, '\r'), nil
	case 'n':
		return append(buf, '\n'), nil
	case 'b':
		return append(buf, '\b'), nil
	case 'f':
		return append(buf, '\f'), nil
	case '\\', '"':
		return append(buf, c), nil
	case 'u':
		r, next, err := unescapeU(p.data, p.pos)
		if err != nil {
			return nil, p.errorf("%v", err)
		}
		p.pos = next
		return utf8.AppendRune(buf, r), nil
	}
	return nil, p.errorf("invalid string escape %s", quoteFound("\\"+string(rune(c))))
}
