package histories

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// JSONLVersion is the schema version of the jsonl format this package writes.
const JSONLVersion = 1

// jsonlHeader is the first line of a jsonl history.
const jsonlHeader = `{"raftcheck_history":1}`

// writeJSONL writes h as a header line and one JSON object per op.
func writeJSONL(w io.Writer, h History) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 256)
	buf = append(buf, jsonlHeader...)
	buf = append(buf, '\n')
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("writing jsonl: %w", err)
	}
	for i := range h {
		var err error
		buf, err = appendJSONOp(buf[:0], &h[i], i)
		if err != nil {
			return fmt.Errorf("op %d: %w", i, err)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("writing jsonl: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing jsonl: %w", err)
	}
	return nil
}

// appendJSONOp appends op as a JSON object whose index is index.
func appendJSONOp(buf []byte, op *Op, index int) ([]byte, error) {
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
	buf = append(buf, `{"index":`...)
	buf = strconv.AppendInt(buf, int64(index), 10)
	buf = append(buf, `,"process":`...)
	if op.Process == NemesisProcess {
		buf = append(buf, `"nemesis"`...)
	} else {
		buf = strconv.AppendInt(buf, int64(op.Process), 10)
	}
	buf = append(buf, `,"type":"`...)
	buf = append(buf, op.Type.String()...)
	buf = append(buf, `","f":`...)
	buf = appendJSONString(buf, op.F)
	if op.Key != "" {
		buf = append(buf, `,"key":`...)
		buf = appendJSONString(buf, op.Key)
	}
	buf = append(buf, `,"value":`...)
	var err error
	if buf, err = appendJSONValue(buf, op.Value, 0); err != nil {
		return buf, err
	}
	buf = append(buf, `,"time":`...)
	buf = strconv.AppendInt(buf, op.Time, 10)
	if op.Node != 0 {
		buf = append(buf, `,"node":`...)
		buf = strconv.AppendInt(buf, int64(op.Node), 10)
	}
	if op.Error != "" {
		buf = append(buf, `,"error":`...)
		buf = appendJSONString(buf, op.Error)
	}
	return append(buf, '}'), nil
}

func appendJSONValue(buf []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case int64:
		return strconv.AppendInt(buf, v, 10), nil
	case string:
		if !utf8.ValidString(v) {
			return buf, fmt.Errorf("value string %s is not valid UTF-8", quoteFound(v))
		}
		return appendJSONString(buf, v), nil
	case []any:
		if depth >= maxValueDepth {
			return buf, fmt.Errorf("value nested deeper than %d", maxValueDepth)
		}
		buf = append(buf, '[')
		for i, e := range v {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendJSONValue(buf, e, depth+1); err != nil {
				return buf, err
			}
		}
		return append(buf, ']'), nil
	}
	return buf, fmt.Errorf("unsupported value type %T (want nil, int64, string or []any)", v)
}

// appendJSONString appends s (valid UTF-8) as a JSON string.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
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
