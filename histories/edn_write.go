package histories

import (
	"fmt"
	"io"
	"strconv"
)

// writeEDN writes h as a Jepsen EDN history, one map per line.
func writeEDN(w io.Writer, h History) error { return writeLines(w, "edn", nil, h, appendEDNOp) }

// appendEDNOp appends op as an EDN map whose :index is index.
func appendEDNOp(buf []byte, op *Op, index int) ([]byte, error) {
	if err := writable(op); err != nil {
		return buf, err
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
		if buf, err = ednSyntax.appendValue(buf, op.Value, 0); err != nil {
			return buf, err
		}
		buf = append(buf, ']')
	} else {
		buf = append(buf, ", :value "...)
		if buf, err = ednSyntax.appendValue(buf, op.Value, 0); err != nil {
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

// appendEDNString appends s (valid UTF-8) as an EDN string literal. Control
// characters and DEL use \uXXXX; other text is copied as UTF-8.
func appendEDNString(buf []byte, s string) []byte { return appendQuoted(buf, s, true) }

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
