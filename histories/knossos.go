package histories

import (
	"bytes"
	"fmt"
	"math"
)

// readKnossos reads the Knossos/EDN kv family (see the package documentation).
func readKnossos(data []byte, file string) (History, error) {
	h := make(History, 0, bytes.Count(data, []byte{'\n'})+1)
	err := readEDNForms(data, file, func(m ednValue) error {
		op, err := knossosOp(m, len(h))
		if err != nil {
			return &ParseError{File: file, Line: int(err.line), Msg: err.msg}
		}
		h = append(h, op)
		return nil
	})
	return h, err
}

// knossosOp maps one kv map. The family is narrower than Jepsen EDN: integer
// processes, get/put/append on string keys, string values.
func knossosOp(m ednValue, index int) (Op, *ednError) {
	o, err := fields(m)
	if err != nil {
		return Op{}, err
	}
	op := Op{Index: index} // no times: Time stays 0 (see Op)
	if o.process == nil {
		return op, &ednError{line: m.line, msg: "missing :process"}
	}
	if o.process.kind != ednInt || o.process.i < 0 || o.process.i > math.MaxInt {
		return op, expected(o.process, "a non-negative integer for :process")
	}
	op.Process = int(o.process.i)
	if op.Type, err = typeFromEDN(o.typ, m.line); err != nil {
		return op, err
	}
	if o.f == nil {
		return op, &ednError{line: m.line, msg: "missing :f"}
	}
	switch {
	case o.f.kind == ednKeyword && (o.f.s == "get" || o.f.s == "put" || o.f.s == "append"):
		op.F = o.f.s
	default:
		return op, expected(o.f, ":get/:put/:append for :f")
	}
	if o.key == nil {
		return op, &ednError{line: m.line, msg: "missing :key"}
	}
	if o.key.kind != ednString {
		return op, expected(o.key, "a string for :key")
	}
	op.Key = o.key.s
	if o.value == nil {
		return op, &ednError{line: m.line, msg: "missing :value"}
	}
	switch v := o.value; {
	case v.kind == ednString:
		op.Value = v.s
	case v.kind == ednNil && (op.F == "get" || op.Type == Fail || op.Type == Info):
		// A get's invoke has no value yet; a fail or info may omit it.
	default:
		return op, expected(v, fmt.Sprintf("a string for :%s :%s", op.Type, op.F))
	}
	return op, nil
}
