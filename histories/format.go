package histories

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Format is a history file format.
type Format uint8

// Formats. Auto asks Read and ReadFile to Detect the format.
const (
	Auto      Format = iota
	JSONL            // native JSON Lines (read, write)
	EDN              // Jepsen EDN history (read, write)
	EtcdLog          // porcupine's Jepsen etcd register logs (read only)
	KnossosKV        // the Knossos/EDN kv family (read only)
)

var formatNames = [...]string{Auto: "auto", JSONL: "jsonl", EDN: "edn", EtcdLog: "etcd-log", KnossosKV: "knossos-kv"}

// String returns the format's CLI name.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// ParseFormat returns the Format named name: "auto" (or ""), "jsonl", "edn",
// "etcd-log" or "knossos-kv".
func ParseFormat(name string) (Format, error) {
	if name == "" {
		return Auto, nil
	}
	for f, n := range formatNames {
		if n == name {
			return Format(f), nil
		}
	}
	return Auto, fmt.Errorf("unknown history format %q (want %s)", name, strings.Join(formatNames[:], ", "))
}

// MaxInputBytes bounds the size of a history Read accepts.
const MaxInputBytes = 1 << 30

// ReadFile reads the history in the file at path. With Auto it detects the
// format; it returns the format it read. Errors name path and line.
func ReadFile(path string, f Format) (History, Format, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, f, fmt.Errorf("reading history: %w", err)
	}
	defer file.Close()
	return Read(file, path, f)
}

// Read reads a history from r in format f (Auto: detect it). name is the file
// name used in error messages.
func Read(r io.Reader, name string, f Format) (History, Format, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, f, fmt.Errorf("reading history %s: %w", name, err)
	}
	if len(data) > MaxInputBytes {
		return nil, f, fmt.Errorf("reading history %s: larger than %d bytes", name, MaxInputBytes)
	}
	return Parse(data, name, f)
}

// Parse reads a history from data in format f (Auto: detect it). name is the
// file name used in error messages.
func Parse(data []byte, name string, f Format) (History, Format, error) {
	// Editors on Windows may start a UTF-8 file with a byte order mark.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if f == Auto {
		var err error
		if f, err = Detect(data); err != nil {
			return nil, Auto, fmt.Errorf("%s: %w", name, err)
		}
	}
	var (
		h   History
		err error
	)
	switch f {
	case JSONL:
		h, err = readJSONL(data, name)
	case EDN:
		h, err = readEDN(data, name)
	case EtcdLog:
		h, err = readEtcdLog(data, name)
	case KnossosKV:
		h, err = readKnossos(data, name)
	default:
		return nil, f, fmt.Errorf("%s: unknown history format %v", name, f)
	}
	if err != nil {
		return nil, f, err
	}
	return h, f, nil
}

// ErrReadOnly is returned by Write for formats raftcheck only reads.
var ErrReadOnly = errors.New("format is read-only")

// Write writes h to w in format f (JSONL or EDN), through a buffer. Every op's
// index is written as its position. It fails on an op the format cannot hold
// (an invalid Type or Process, an unsupported Value), naming the op.
func Write(w io.Writer, h History, f Format) error {
	switch f {
	case JSONL:
		return writeJSONL(w, h)
	case EDN:
		return writeEDN(w, h)
	case EtcdLog, KnossosKV:
		return fmt.Errorf("writing %v: %w", f, ErrReadOnly)
	}
	return fmt.Errorf("writing history: unknown format %v", f)
}

// WriteFile writes h to the file at path in format f.
func WriteFile(path string, h History, f Format) (err error) {
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing history: %w", err)
	}
	defer func() {
		if cerr := file.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing history: %w", cerr)
		}
	}()
	if err := Write(file, h, f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Detect tells the four formats apart by their first operation:
//   - jsonl: the first line is a JSON object ({" ...);
//   - etcd-log: the first line starts with "INFO" and jepsen.util;
//   - knossos-kv: EDN whose first operation map has a :key and no :time;
//   - edn: any other EDN map (or vector/list of maps).
func Detect(data []byte) (Format, error) {
	p := newEDNParser(data)
	p.skipSpace()
	rest := data[p.pos:]
	if len(rest) == 0 {
		return Auto, errors.New("cannot detect the history format of empty input")
	}
	firstLine := rest
	if nl := bytes.IndexByte(firstLine, '\n'); nl >= 0 {
		firstLine = firstLine[:nl]
	}
	if first, _ := nextField(firstLine); string(first) == "INFO" {
		return EtcdLog, nil
	}
	if rest[0] == '{' {
		after := bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(after) > 0 && (after[0] == '"' || after[0] == '}') {
			return JSONL, nil
		}
	}
	// EDN: look at the first operation map.
	if err := p.skip(0); err == nil && p.pos < len(data) && (data[p.pos] == '[' || data[p.pos] == '(') {
		p.pos++
	}
	m, err := p.form(0)
	if err != nil || m.kind != ednMap {
		return Auto, fmt.Errorf("cannot detect the history format: the first line %s is not jsonl, edn, etcd-log or knossos-kv",
			quoteFound(string(bytes.TrimSpace(firstLine))))
	}
	o, ferr := fields(m)
	if ferr == nil && o.key != nil && o.time == nil {
		return KnossosKV, nil
	}
	return EDN, nil
}
