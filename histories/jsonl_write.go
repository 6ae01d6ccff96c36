package histories

import (
	"io"
	"strconv"
)

// JSONLVersion is the schema version of the jsonl format this package writes.
const JSONLVersion = 1

// jsonlHeader is the first line of a jsonl history.
const jsonlHeader = `{"raftcheck_history":1}`

// writeJSONL writes h as a header line and one JSON object per op.
func writeJSONL(w io.Writer, h History) error {
	return writeLines(w, "jsonl", []byte(jsonlHeader), h, appendJSONOp)
}

// appendJSONOp appends op as a JSON object whose index is index.
func appendJSONOp(buf []byte, op *Op, index int) ([]byte, error) {
	if err := writable(op); err != nil {
		return buf, err
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
	if buf, err = jsonSyntax.appendValue(buf, op.Value, 0); err != nil {
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

// appendJSONString appends s (valid UTF-8) as a JSON string.
func appendJSONString(buf []byte, s string) []byte { return appendQuoted(buf, s, false) }
