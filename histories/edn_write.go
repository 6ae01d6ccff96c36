package histories

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// writeEDN writes h as a Jepsen EDN history, one map per line.
func writeEDN(w io.Writer, h History) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 256)
	for i := range h {
		var err error
		buf, err = appendEDNOp(buf[:0], &h[i], i)
		if err != nil {
			return fmt.Errorf("op %d: %w", i, err)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("writing edn: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing edn: %w", err)
	}
	return nil
}

// appendEDNOp appends op as an EDN map whose :index is index.
func appendEDNOp(buf []byte, op *Op, index int) ([]byte, error) {
	if op.Type < Invoke || op.Type > Info {
		return buf, fmt.Errorf("invalid type %d", op.Type)
	}
	if op.Process < NemesisProcess {
		return buf, fmt.Errorf("invalid process %d", op.Process)
	}
	if op.F == "" {
		return buf, fmt.Errorf("empty f")
	}
	if op.Node < 0 {
		return buf, fmt.Errorf("invalid node %d", op.Node)
	}
	if !utf8.ValidString(op.F) || !utf8.ValidString(op.Key) || !utf8.ValidString(op.Error) {
		return buf, fmt.Errorf("f, key or error is not valid UTF-8")
	}
	buf = append(buf, "{:index "...)
	buf = strconv.AppendInt(buf, int64(index), 10)
	buf = append(buf, ", :process "...)
	if op.Process == NemesisProcess {
		buf = append(buf, ":nemesis"...)
	} else {
		buf = strconv.AppendInt(buf, int64(op.Process), 10)
	}
	buf = append(buf, ", :type :"...)
	buf = append(buf, op.Type.String()...)
	buf = append(buf, ", :f "...)
	buf = appendEDNName(buf, op.F)
	var err error
	if op.Key != "" {
		buf = append(buf, ", :key "...)
		buf = appendEDNString(buf, op.Key)
		buf = append(buf, ", :value ["...)
		buf = appendEDNString(buf, op.Key)
		buf = append(buf, ' ')
		if buf, err = appendEDNValue(buf, op.Value, 0); err != nil {
			return buf, err
		}
		buf = append(buf, ']')
	} else {
		buf = append(buf, ", :value "...)
		if buf, err = appendEDNValue(buf, op.Value, 0); err != nil {
			return buf, err
		}
	}
	buf = append(buf, ", :time "...)
	buf = strconv.AppendInt(buf, op.Time, 10)
	if op.Node != 0 {
		buf = append(buf, ", :node "...)
		buf = strconv.AppendInt(buf, int64(op.Node), 10)
	}
	if op.Error != "" {
		buf = append(buf, ", :error "...)
		buf = appendEDNName(buf, op.Error)
	}
	return append(buf, '}'), nil
}

// appendEDNValue appends an Op.Value.
func appendEDNValue(buf []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(buf, "nil"...), nil
	case int64:
		return strconv.AppendInt(buf, v, 10), nil
	case string:
		if !utf8.ValidString(v) {
			return buf, fmt.Errorf("value string %s is not valid UTF-8", quoteFound(v))
		}
		return appendEDNString(buf, v), nil
	case []any:
		if depth >= maxValueDepth {
			return buf, fmt.Errorf("value nested deeper than %d", maxValueDepth)
		}
		buf = append(buf, '[')
		for i, e := range v {
			if i > 0 {
				buf = append(buf, ' ')
			}
			var err error
			if buf, err = appendEDNValue(buf, e, depth+1); err != nil {
				return buf, err
			}
		}
		return append(buf, ']'), nil
	}
	return buf, fmt.Errorf("unsupported value type %T (want nil, int64, string or []any)", v)
}

// appendEDNName appends s as a keyword when it reads back as the same text,
// else as a string.
func appendEDNName(buf []byte, s string) []byte {
	if isKeywordName(s) {
		return append(append(buf, ':'), s...)
	}
	return appendEDNString(buf, s)
}

// isKeywordName reports whether ":"+s is a plain EDN keyword: a letter, then
// letters, digits and - _ . ? ! * + < > =.
func isKeywordName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9'):
		case i > 0 && (c == '-' || c == '_' || c == '.' || c == '?' || c == '!' || c == '*' || c == '+' || c == '<' || c == '>' || c == '='):
		default:
			return false
		}
	}
	return true
}

// appendEDNString appends s as an EDN string literal. Control characters use
// \uXXXX; other text is copied as UTF-8.
func appendEDNString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"':
			buf = append(buf, '\\', '"')
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\r':
			buf = append(buf, '\\', 'r')
		default:
			buf = append(buf, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xf])
		}
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

const hexDigit = "0123456789abcdef"

// String renders op as its EDN map, for messages and debugging. Values of an
// unsupported type are shown with %v.
func (op Op) String() string {
	buf, err := appendEDNOp(nil, &op, op.Index)
	if err != nil {
		return fmt.Sprintf("{:index %d, :process %d, :type %d, :f %q, :key %q, :value %v, :time %d, :node %d, :error %q}",
			op.Index, op.Process, op.Type, op.F, op.Key, op.Value, op.Time, op.Node, op.Error)
	}
	return string(buf)
}
