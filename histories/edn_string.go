package histories

import (
	"unicode/utf16"
	"unicode/utf8"
)

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
		r, err := p.hex4()
		if err != nil {
			return nil, err
		}
		if utf16.IsSurrogate(r) {
			// A UTF-16 pair, as Java strings write characters beyond the BMP.
			if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
				p.pos += 2
				r2, err := p.hex4()
				if err != nil {
					return nil, err
				}
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					return utf8.AppendRune(buf, pair), nil
				}
			}
			return nil, p.errorf("unpaired UTF-16 surrogate \\u%04X in a string", r)
		}
		return utf8.AppendRune(buf, r), nil
	}
	return nil, p.errorf("invalid string escape %s", quoteFound("\\"+string(rune(c))))
}

func (p *ednParser) hex4() (rune, error) {
	if p.pos+4 > len(p.data) {
		return 0, p.errorf("truncated \\u escape, expected 4 hex digits")
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, p.errorf("invalid \\u escape %s, expected 4 hex digits", quoteFound(string(p.data[p.pos:p.pos+4])))
		}
	}
	p.pos += 4
	return r, nil
}
