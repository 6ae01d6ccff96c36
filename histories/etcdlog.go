package histories

import (
	"bytes"
	"fmt"
	"strconv"
)

// etcdLogPrefix is the fixed start of every etcd-log line, as whitespace-
// separated fields.
var etcdLogPrefix = [...]string{"INFO", "jepsen.util", "-"}

// readEtcdLog reads porcupine's Jepsen etcd register logs (see the package
// documentation for the mapping).
func readEtcdLog(data []byte, file string) (History, error) {
	h := make(History, 0, bytes.Count(data, []byte{'\n'}))
	// open[p] is the index of process p's open invoke + 1 (0: none), so that
	// keyword completions can carry the invoked value. Processes are bounded by
	// maxEtcdLogProcess, so a slice serves.
	var open []int
	values := newEDNParser(nil)
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		op, err := etcdLogOp(values, line, len(h), lineNo)
		if err != nil {
			return nil, &ParseError{File: file, Line: lineNo, Msg: err.Error()}
		}
		for len(open) <= op.Process {
			open = append(open, 0)
		}
		if op.Type == Invoke {
			open[op.Process] = op.Index + 1
		} else {
			if inv := open[op.Process] - 1; inv >= 0 && op.Error != "" && h[inv].F == op.F {
				op.Value = h[inv].Value
			}
			open[op.Process] = 0
		}
		h = append(h, op)
	}
	return h, nil
}

// maxEtcdLogProcess bounds process ids in an etcd log (upstream's reach 37).
const maxEtcdLogProcess = 1 << 16

// etcdLogOp parses one line: INFO jepsen.util - <process> <type> <f> <value>,
// using values to parse the value field.
func etcdLogOp(values *ednParser, line []byte, index, lineNo int) (Op, error) {
	const want = `"INFO  jepsen.util - <process> <:type> <:f> <value>"`
	rest := line
	var tok []byte
	for _, p := range etcdLogPrefix {
		tok, rest = nextField(rest)
		if string(tok) != p {
			return Op{}, fmt.Errorf("expected %s, got %s", want, quoteFound(string(bytes.TrimSpace(line))))
		}
	}
	op := Op{Index: index} // no times: Time stays 0 (see Op)
	tok, rest = nextField(rest)
	p, err := strconv.Atoi(string(tok))
	if err != nil || p < 0 || p >= maxEtcdLogProcess || (len(tok) > 1 && tok[0] == '0') {
		return op, fmt.Errorf("expected a process number, got %s", quoteFound(string(tok)))
	}
	op.Process = p
	tok, rest = nextField(rest)
	name, isKeyword := bytes.CutPrefix(tok, []byte{':'})
	var ok bool
	if op.Type, ok = typeNamed(string(name)); !isKeyword || !ok {
		return op, fmt.Errorf("expected :invoke/:ok/:fail/:info, got %s", quoteFound(string(tok)))
	}
	tok, rest = nextField(rest)
	switch string(tok) {
	case ":read":
		op.F = "read"
	case ":write":
		op.F = "write"
	case ":cas":
		op.F = "cas"
	default:
		return op, fmt.Errorf("expected :read/:write/:cas, got %s", quoteFound(string(tok)))
	}
	values.reset(rest)
	if eof, err := values.atEOF(); err != nil || eof {
		return op, fmt.Errorf("expected a value after :%s, got end of line", op.F)
	}
	v, err := values.next()
	if err != nil {
		return op, fmt.Errorf("value: %w", err)
	}
	if eof, err := values.atEOF(); err != nil || !eof {
		return op, fmt.Errorf("unexpected text after the value: %s", quoteFound(string(bytes.TrimSpace(rest))))
	}
	if v.kind == ednKeyword && op.Type != Invoke && op.Type != OK {
		// A completion without a result (:timed-out): readEtcdLog fills in the
		// invoked value.
		op.Error = v.s
		return op, nil
	}
	if err := etcdLogValue(&op, v); err != nil {
		return op, err
	}
	if op.Type == Fail && op.F == "cas" {
		// In these logs a cas fails when its compare does (porcupine's etcd
		// model: the register's value was not the expected one).
		op.Error = ErrCASMismatch
	}
	return op, nil
}

// etcdLogValue checks v's shape for op's f and type and stores it.
func etcdLogValue(op *Op, v ednValue) error {
	switch {
	case op.F == "read" && op.Type == Invoke:
		if v.kind == ednNil {
			return nil
		}
		return fmt.Errorf("expected nil for :invoke :read, got %s", quoteFound(v.text()))
	case op.F == "read":
		if v.kind == ednNil {
			return nil
		}
		if v.kind == ednInt {
			op.Value = v.i
			return nil
		}
		return fmt.Errorf("expected an integer or nil for :%s :read, got %s", op.Type, quoteFound(v.text()))
	case op.F == "write":
		if v.kind == ednInt {
			op.Value = v.i
			return nil
		}
		return fmt.Errorf("expected an integer for :%s :write, got %s", op.Type, quoteFound(v.text()))
	}
	if v.kind == ednVector && len(v.items) == 2 && v.items[0].kind == ednInt && v.items[1].kind == ednInt {
		op.Value = []any{v.items[0].i, v.items[1].i}
		return nil
	}
	return fmt.Errorf("expected [old new] for :%s :cas, got %s", op.Type, quoteFound(v.text()))
}

// nextField returns the next whitespace-separated field and the rest.
func nextField(b []byte) (field, rest []byte) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	j := i
	for j < len(b) && !isSpace(b[j]) {
		j++
	}
	return b[i:j], b[j:]
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}
