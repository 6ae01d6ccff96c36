package histories

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// writeLines writes an optional header line, then one line per op rendered by
// appendOp, through one buffer; errors name the op or the format.
func writeLines(w io.Writer, format string, header []byte, h History, appendOp func([]byte, *Op, int) ([]byte, error)) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 256)
	if header != nil {
		buf = append(append(buf, header...), '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("writing %s: %w", format, err)
		}
	}
	for i := range h {
		var err error
		if buf, err = appendOp(buf[:0], &h[i], i); err != nil {
			return fmt.Errorf("op %d: %w", i, err)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("writing %s: %w", format, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", format, err)
	}
	return nil
}

// writable reports why op cannot be written in any format.
func writable(op *Op) error {
	switch {
	case op.Type < Invoke || op.Type > Info:
		return fmt.Errorf("invalid type %d", op.Type)
	case op.Process < NemesisProcess:
		return fmt.Errorf("invalid process %d", op.Process)
	case op.F == "":
		return fmt.Errorf("empty f")
	case op.Node < 0:
		return fmt.Errorf("invalid node %d", op.Node)
	case !utf8.ValidString(op.F) || !utf8.ValidString(op.Key) || !utf8.ValidString(op.Error):
		return fmt.Errorf("f, key or error is not valid UTF-8")
	}
	return nil
}

// valueSyntax is how a format spells the parts of an Op.Value; JSON and EDN
// differ only in these three.
type valueSyntax struct {
	null string                            // the nil value
	sep  byte                              // between list elements
	str  func(buf []byte, s string) []byte // a quoted string
}

var (
	jsonSyntax = valueSyntax{null: "null", sep: ',', str: appendJSONString}
	ednSyntax  = valueSyntax{null: "nil", sep: ' ', str: appendEDNString}
)

// appendValue appends v (nil, int64, string, or []any of those, nested at
// most maxValueDepth deep).
func (vs *valueSyntax) appendValue(buf []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(buf, vs.null...), nil
	case int64:
		return strconv.AppendInt(buf, v, 10), nil
	case string:
		if !utf8.ValidString(v) {
			return buf, fmt.Errorf("value string %s is not valid UTF-8", quoteFound(v))
		}
		return vs.str(buf, v), nil
	case []any:
		if depth >= maxValueDepth {
			return buf, fmt.Errorf("value nested deeper than %d", maxValueDepth)
		}
		buf = append(buf, '[')
		for i, e := range v {
			if i > 0 {
				buf = append(buf, vs.sep)
			}
			var err error
			if buf, err = vs.appendValue(buf, e, depth+1); err != nil {
				return buf, err
			}
		}
		return append(buf, ']'), nil
	}
	return buf, fmt.Errorf("unsupported value type %T (want nil, int64, string or []any)", v)
}
