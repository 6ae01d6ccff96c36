package histories

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// jsonScanner parses the JSON of one line. It knows just enough JSON for the
// jsonl schema and reports errors in terms of it.
type jsonScanner struct {
	b     []byte
	i     int
	names *interner // f, key and error repeat: one string each per read
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// found describes the input at the current position for an error message.
func (s *jsonScanner) found() string {
	if s.i >= len(s.b) {
		return "end of line"
	}
	return quoteFound(string(s.b[s.i:]))
}

// fieldLoop parses an object, calling field for each key with the scanner
// positioned at the value.
func (s *jsonScanner) fieldLoop(what string, field func(key []byte) error) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return fmt.Errorf("expected %s, got %s", what, s.found())
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
	} else {
		for {
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return fmt.Errorf("expected a field name, got %s", s.found())
			}
			key, err := s.rawStr()
			if err != nil {
				return err
			}
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return fmt.Errorf("expected ':' after field %q, got %s", key, s.found())
			}
			s.i++
			s.ws()
			if err := field(key); err != nil {
				return err
			}
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
				continue
			}
			if s.i < len(s.b) && s.b[s.i] == '}' {
				s.i++
				break
			}
			return fmt.Errorf("expected ',' or '}' after field %q, got %s", key, s.found())
		}
	}
	s.ws()
	if s.i < len(s.b) {
		return fmt.Errorf("unexpected %s after the object (one object per line)", s.found())
	}
	return nil
}

// rawStringValue parses a string value; the bytes may alias the line.
func (s *jsonScanner) rawStringValue() ([]byte, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, fmt.Errorf("expected a string, got %s", s.found())
	}
	return s.rawStr()
}

// name parses a string value that is likely to repeat, and interns it.
func (s *jsonScanner) name() (string, error) {
	b, err := s.rawStringValue()
	if err != nil {
		return "", err
	}
	return s.names.get(b), nil
}

// value parses an Op.Value: null, an integer, a string or an array of these.
func (s *jsonScanner) value(depth int) (any, error) {
	if s.i >= len(s.b) {
		return nil, fmt.Errorf("expected a value, got end of line")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '-' || c >= '0' && c <= '9':
		return s.integer()
	case c == '[':
		if depth >= maxValueDepth {
			return nil, fmt.Errorf("value nested deeper than %d", maxValueDepth)
		}
		s.i++
		out := []any{}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return out, nil
		}
		for {
			s.ws()
			v, err := s.value(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
				continue
			}
			if s.i < len(s.b) && s.b[s.i] == ']' {
				s.i++
				return out, nil
			}
			return nil, fmt.Errorf("expected ',' or ']' in an array, got %s", s.found())
		}
	case bytes.HasPrefix(s.b[s.i:], []byte("null")):
		s.i += 4
		return nil, nil
	}
	return nil, fmt.Errorf("expected null, an integer, a string or an array, got %s", s.found())
}

// skipValue skips any JSON value (header metadata).
func (s *jsonScanner) skipValue(depth int) error {
	if depth > maxValueDepth {
		return fmt.Errorf("value nested deeper than %d", maxValueDepth)
	}
	if s.i >= len(s.b) {
		return fmt.Errorf("expected a value, got end of line")
	}
	switch c := s.b[s.i]; c {
	case '"':
		_, err := s.str()
		return err
	case '{', '[':
		close := byte('}')
		if c == '[' {
			close = ']'
		}
		s.i++
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == close {
			s.i++
			return nil
		}
		for {
			s.ws()
			if c == '{' {
				if _, err := s.rawStringValue(); err != nil {
					return err
				}
				s.ws()
				if s.i >= len(s.b) || s.b[s.i] != ':' {
					return fmt.Errorf("expected ':', got %s", s.found())
				}
				s.i++
				s.ws()
			}
			if err := s.skipValue(depth + 1); err != nil {
				return err
			}
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
				continue
			}
			if s.i < len(s.b) && s.b[s.i] == close {
				s.i++
				return nil
			}
			return fmt.Errorf("expected ',' or %q, got %s", close, s.found())
		}
	}
	for _, lit := range [...]string{"null", "true", "false"} {
		if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
			s.i += len(lit)
			return nil
		}
	}
	start := s.i
	for s.i < len(s.b) && bytes.IndexByte([]byte("+-.eE0123456789"), s.b[s.i]) >= 0 {
		s.i++
	}
	if s.i == start {
		return fmt.Errorf("expected a value, got %s", s.found())
	}
	if _, err := strconv.ParseFloat(string(s.b[start:s.i]), 64); err != nil {
		return fmt.Errorf("invalid number %s", quoteFound(string(s.b[start:s.i])))
	}
	return nil
}

// integer parses a JSON number that must be an integer fitting int64.
func (s *jsonScanner) integer() (int64, error) {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == digits {
		s.i = start
		return 0, fmt.Errorf("expected an integer, got %s", s.found())
	}
	if s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		// Quote the number alone, not the rest of the line after it.
		end := s.i
		for end < len(s.b) && bytes.IndexByte([]byte("+-.eE0123456789"), s.b[end]) >= 0 {
			end++
		}
		s.i = start
		return 0, fmt.Errorf("expected an integer, got the non-integer number %s", quoteFound(string(s.b[start:end])))
	}
	tok := s.b[start:s.i]
	if s.i-digits > 1 && s.b[digits] == '0' {
		return 0, fmt.Errorf("invalid number %s (leading zero)", quoteFound(string(tok)))
	}
	v, ok := parseInt64(tok)
	if !ok {
		return 0, fmt.Errorf("integer %s does not fit in 64 bits", quoteFound(string(tok)))
	}
	return v, nil
}

// str parses a JSON string at s.i (which holds '"').
func (s *jsonScanner) str() (string, error) {
	b, err := s.rawStr()
	return string(b), err
}

// rawStr parses a JSON string at s.i (which holds '"'). Without escapes the
// result aliases the line.
func (s *jsonScanner) rawStr() ([]byte, error) {
	s.i++
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == '"' {
			raw := s.b[start:s.i]
			s.i++
			if !utf8.Valid(raw) {
				return nil, fmt.Errorf("string %s is not valid UTF-8", quoteFound(string(raw)))
			}
			return raw, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		s.i++
	}
	buf := append([]byte(nil), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if !utf8.Valid(buf) {
				return nil, fmt.Errorf("string %s is not valid UTF-8", quoteFound(string(buf)))
			}
			return buf, nil
		case c < 0x20:
			return nil, fmt.Errorf("control character %q in a string (escape it)", c)
		case c == '\\':
			s.i++
			if s.i >= len(s.b) {
				return nil, fmt.Errorf("unexpected end of line in a string escape")
			}
			e := s.b[s.i]
			s.i++
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, next, err := unescapeU(s.b, s.i)
				if err != nil {
					return nil, err
				}
				s.i = next
				buf = utf8.AppendRune(buf, r)
			default:
				return nil, fmt.Errorf("invalid string escape %s", quoteFound("\\"+string(rune(e))))
			}
		default:
			buf = append(buf, c)
			s.i++
		}
	}
	return nil, fmt.Errorf("unterminated string, expected '\"'")
}
