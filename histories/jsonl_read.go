package histories

import (
	"bytes"
	"fmt"
	"math"
)

// readJSONL reads the native format (see the package documentation).
func readJSONL(data []byte, file string) (History, error) {
	h := make(History, 0, bytes.Count(data, []byte{'\n'}))
	header := false
	lineNo := 0
	var names interner
	for len(data) > 0 {
		lineNo++
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		s := jsonScanner{b: line, names: &names}
		if !header {
			if err := s.header(); err != nil {
				return nil, &ParseError{File: file, Line: lineNo, Msg: err.Error()}
			}
			header = true
			continue
		}
		op, err := s.op(len(h))
		if err != nil {
			return nil, &ParseError{File: file, Line: lineNo, Msg: err.Error()}
		}
		h = append(h, op)
	}
	if !header {
		return nil, &ParseError{File: file, Msg: "empty input, expected the header " + jsonlHeader}
	}
	return h, nil
}

// header parses the header line.
func (s *jsonScanner) header() error {
	version := int64(-1)
	err := s.fieldLoop("the header "+jsonlHeader, func(key []byte) error {
		if string(key) != "raftcheck_history" {
			return s.skipValue(0)
		}
		v, err := s.integer()
		if err != nil {
			return fmt.Errorf("raftcheck_history: %w", err)
		}
		version = v
		return nil
	})
	if err != nil {
		return err
	}
	switch version {
	case -1:
		return fmt.Errorf("expected the header %s, got an object without \"raftcheck_history\"", jsonlHeader)
	case JSONLVersion:
		return nil
	}
	return fmt.Errorf("unsupported raftcheck_history version %d (this reader knows version %d)", version, JSONLVersion)
}

// Bits recording which fields an op line set.
const (
	fieldIndex = 1 << iota
	fieldProcess
	fieldType
	fieldF
	fieldKey
	fieldValue
	fieldTime
	fieldNode
	fieldError
)

// op parses an operation line at position index.
func (s *jsonScanner) op(index int) (Op, error) {
	op := Op{Index: index}
	seen := 0
	err := s.fieldLoop("an operation object {...}", func(key []byte) error {
		var bit int
		var err error
		switch string(key) {
		case "index":
			bit = fieldIndex
			var v int64
			if v, err = s.integer(); err == nil && v != int64(index) {
				err = fmt.Errorf("is %d, want the operation's position %d", v, index)
			}
		case "process":
			bit = fieldProcess
			op.Process, err = s.process()
		case "type":
			bit = fieldType
			var name []byte
			if name, err = s.rawStringValue(); err == nil {
				var ok bool
				if op.Type, ok = typeNamed(string(name)); !ok {
					err = fmt.Errorf("expected \"invoke\", \"ok\", \"fail\" or \"info\", got %q", name)
				}
			}
		case "f":
			bit = fieldF
			if op.F, err = s.name(); err == nil && op.F == "" {
				err = fmt.Errorf("must not be empty")
			}
		case "key":
			bit = fieldKey
			op.Key, err = s.name()
		case "value":
			bit = fieldValue
			op.Value, err = s.value(0)
		case "time":
			bit = fieldTime
			op.Time, err = s.integer()
		case "node":
			bit = fieldNode
			var v int64
			if v, err = s.integer(); err == nil && (v < 0 || v > math.MaxInt) {
				err = fmt.Errorf("expected a non-negative node address, got %d", v)
			}
			op.Node = int(v)
		case "error":
			bit = fieldError
			op.Error, err = s.name()
		default:
			return fmt.Errorf("unknown field %q (want index, process, type, f, key, value, time, node or error)", key)
		}
		if err != nil {
			return fmt.Errorf("field %q: %w", key, err)
		}
		if seen&bit != 0 {
			return fmt.Errorf("duplicate field %q", key)
		}
		seen |= bit
		return nil
	})
	if err != nil {
		return op, err
	}
	for _, req := range [...]struct {
		bit  int
		name string
	}{{fieldProcess, "process"}, {fieldType, "type"}, {fieldF, "f"}} {
		if seen&req.bit == 0 {
			return op, fmt.Errorf("missing field %q", req.name)
		}
	}
	return op, nil
}

// process parses a process: an integer ≥ 0, or "nemesis" / -1.
func (s *jsonScanner) process() (int, error) {
	if s.i < len(s.b) && s.b[s.i] == '"' {
		name, err := s.rawStr()
		if err != nil {
			return 0, err
		}
		if string(name) != "nemesis" {
			return 0, fmt.Errorf("expected an integer or \"nemesis\", got %q", name)
		}
		return NemesisProcess, nil
	}
	v, err := s.integer()
	if err != nil {
		return 0, err
	}
	if v < NemesisProcess || v > math.MaxInt {
		return 0, fmt.Errorf("expected a process id ≥ 0, or \"nemesis\" (also written -1), got %d", v)
	}
	return int(v), nil
}
