package histories

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// readEDNForms calls op for every operation map in data: top-level maps, or the
// maps inside top-level vectors and lists. A map may be written as a tagged
// record, as Jepsen writes its history (#jepsen.history.Op{...}): the tag
// names the record's class, and the map holds its fields.
func readEDNForms(data []byte, file string, op func(m ednValue) error) error {
	p := newEDNParser(data)
	for {
		eof, err := p.atEOF()
		if err != nil {
			return ednParseError(file, err)
		}
		if eof {
			return nil
		}
		v, err := p.next()
		if err != nil {
			return ednParseError(file, err)
		}
		v = record(v)
		switch v.kind {
		case ednMap:
			if err := op(v); err != nil {
				return err
			}
		case ednVector, ednList:
			for _, m := range v.items {
				m = record(m)
				if m.kind != ednMap {
					return parseErrorf(file, int(m.line), "expected an operation map {...}, got %s", quoteFound(m.text()))
				}
				if err := op(m); err != nil {
					return err
				}
			}
		default:
			return parseErrorf(file, int(v.line), "expected an operation map {...}, got %s", quoteFound(v.text()))
		}
	}
}

// record returns the map of a tagged record (#ns.Name{...}), else v.
func record(v ednValue) ednValue {
	if v.kind == ednTagged && len(v.items) == 1 && v.items[0].kind == ednMap {
		return v.items[0]
	}
	return v
}

func ednParseError(file string, err error) error {
	var e *ednError
	if errors.As(err, &e) {
		return &ParseError{File: file, Line: int(e.line), Msg: e.msg}
	}
	return fmt.Errorf("%s: %w", file, err)
}

// readEDN reads a Jepsen EDN history.
func readEDN(data []byte, file string) (History, error) {
	h := make(History, 0, bytes.Count(data, []byte{'\n'})+1)
	err := readEDNForms(data, file, func(m ednValue) error {
		op, err := opFromEDN(m, len(h))
		if err != nil {
			return &ParseError{File: file, Line: int(err.line), Msg: err.msg}
		}
		h = append(h, op)
		return nil
	})
	return h, err
}

// opFields are the entries of an operation map the readers understand.
type opFields struct {
	index, process, typ, f, key, value, time, node, err *ednValue
}

// fields collects m's entries by name. Keys must be keywords and appear once;
// keys the format does not know are ignored.
func fields(m ednValue) (opFields, *ednError) {
	var o opFields
	for i := 0; i+1 < len(m.items); i += 2 {
		k, v := &m.items[i], &m.items[i+1]
		if k.kind != ednKeyword {
			return o, &ednError{line: k.line, msg: fmt.Sprintf("expected a keyword key in the operation map, got %s", quoteFound(k.text()))}
		}
		var slot **ednValue
		switch k.s {
		case "index":
			slot = &o.index
		case "process":
			slot = &o.process
		case "type":
			slot = &o.typ
		case "f":
			slot = &o.f
		case "key":
			slot = &o.key
		case "value":
			slot = &o.value
		case "time":
			slot = &o.time
		case "node":
			slot = &o.node
		case "error":
			slot = &o.err
		default:
			if err := checkDuplicateKey(m, i); err != nil {
				return o, err
			}
			continue
		}
		if *slot != nil {
			return o, &ednError{line: k.line, msg: fmt.Sprintf("duplicate key :%s", k.s)}
		}
		*slot = v
	}
	return o, nil
}

// checkDuplicateKey rejects a repeated unknown key: an EDN map has distinct
// keys. Only earlier keys are compared, so the cost is quadratic in the number
// of unknown keys, which is small in every history format.
func checkDuplicateKey(m ednValue, i int) *ednError {
	for j := 0; j < i; j += 2 {
		if m.items[j].kind == ednKeyword && m.items[j].s == m.items[i].s {
			return &ednError{line: m.items[i].line, msg: fmt.Sprintf("duplicate key :%s", m.items[i].s)}
		}
	}
	return nil
}

// opFromEDN maps a Jepsen operation map to an Op at position index.
func opFromEDN(m ednValue, index int) (Op, *ednError) {
	o, err := fields(m)
	if err != nil {
		return Op{}, err
	}
	op := Op{Index: index}
	if o.index != nil && (o.index.kind != ednInt || o.index.i != int64(index)) {
		return op, expected(o.index, ":index "+strconv.Itoa(index)+" (the operation's position)")
	}
	if op.Process, err = processFromEDN(o.process, m.line); err != nil {
		return op, err
	}
	if op.Type, err = typeFromEDN(o.typ, m.line); err != nil {
		return op, err
	}
	if o.f == nil {
		return op, &ednError{line: m.line, msg: "missing :f"}
	}
	if op.F = nameOf(*o.f); op.F == "" {
		return op, expected(o.f, "a non-empty keyword or string for :f")
	}
	if o.key != nil {
		var ok bool
		if op.Key, ok = keyOf(*o.key); !ok {
			return op, expected(o.key, "a string, keyword or integer for :key")
		}
	}
	if o.value != nil {
		v := *o.value
		if o.key != nil && v.kind == ednVector && len(v.items) == 2 {
			if k, ok := keyOf(v.items[0]); ok && k == op.Key {
				v = v.items[1]
			}
		}
		val, verr := valueFromEDN(v, 0)
		switch {
		case verr == nil:
			op.Value = val
		case op.Process == NemesisProcess:
			op.Value = v.text()
		default:
			return op, verr
		}
	}
	if o.time != nil {
		if o.time.kind != ednInt {
			return op, expected(o.time, "an integer for :time")
		}
		op.Time = o.time.i
	}
	if o.node != nil {
		if o.node.kind != ednInt || o.node.i < 0 || o.node.i > math.MaxInt {
			return op, expected(o.node, "a non-negative integer for :node")
		}
		op.Node = int(o.node.i)
	}
	if o.err != nil {
		switch o.err.kind {
		case ednKeyword, ednSymbol, ednString:
			op.Error = o.err.s
		case ednNil:
		default:
			op.Error = o.err.text()
		}
	}
	return op, nil
}

// expected builds the error for a field whose value has the wrong shape.
func expected(v *ednValue, what string) *ednError {
	return &ednError{line: v.line, msg: fmt.Sprintf("expected %s, got %s", what, quoteFound(v.text()))}
}

func processFromEDN(v *ednValue, line int32) (int, *ednError) {
	if v == nil {
		return 0, &ednError{line: line, msg: "missing :process"}
	}
	switch {
	case v.kind == ednKeyword && v.s == "nemesis":
		return NemesisProcess, nil
	case v.kind == ednInt && v.i >= 0 && v.i <= math.MaxInt:
		return int(v.i), nil
	}
	return 0, expected(v, "a non-negative integer or :nemesis for :process")
}

func typeFromEDN(v *ednValue, line int32) (Type, *ednError) {
	if v == nil {
		return 0, &ednError{line: line, msg: "missing :type"}
	}
	if v.kind == ednKeyword {
		if t, ok := typeNamed(v.s); ok {
			return t, nil
		}
	}
	return 0, expected(v, ":invoke/:ok/:fail/:info for :type")
}

// typeNamed returns the Type whose String is name.
func typeNamed(name string) (Type, bool) {
	switch name {
	case "invoke":
		return Invoke, true
	case "ok":
		return OK, true
	case "fail":
		return Fail, true
	case "info":
		return Info, true
	}
	return 0, false
}

// nameOf returns the text of a keyword, symbol or string, and "" for other forms.
func nameOf(v ednValue) string {
	switch v.kind {
	case ednKeyword, ednSymbol, ednString:
		return v.s
	}
	return ""
}

// keyOf returns the text of a key: a string, keyword or integer.
func keyOf(v ednValue) (string, bool) {
	switch v.kind {
	case ednString, ednKeyword:
		return v.s, true
	case ednInt:
		return strconv.FormatInt(v.i, 10), true
	}
	return "", false
}

// valueFromEDN maps an EDN form to an Op.Value.
func valueFromEDN(v ednValue, depth int) (any, *ednError) {
	switch v.kind {
	case ednNil:
		return nil, nil
	case ednInt:
		return v.i, nil
	case ednString, ednKeyword, ednSymbol:
		return v.s, nil
	case ednVector, ednList:
		if depth >= maxValueDepth {
			return nil, &ednError{line: v.line, msg: fmt.Sprintf("value nested deeper than %d", maxValueDepth)}
		}
		out := make([]any, len(v.items))
		for i, e := range v.items {
			x, err := valueFromEDN(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return nil, &ednError{line: v.line, msg: fmt.Sprintf("unsupported %s in :value %s (client values are nil, integers, strings, keywords or vectors of these)", v.kind, quoteFound(v.text()))}
}
