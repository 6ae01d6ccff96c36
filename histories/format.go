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
// file name used in error messages. With Auto, input holding nothing but
// space and comments is an empty history (format EDN).
func Parse(data []byte, name string, f Format) (History, Format, error) {
	// Editors on Windows may start a UTF-8 file with a byte order mark.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if f == Auto {
		if empty(data) {
			// Nothing to detect, and nothing to read: an empty history, as
			// an empty EDN file holds (porcupine calls it linearizable).
			return History{}, EDN, nil
		}
		var (
			err       error
			plausible Format
		)
		if f, plausible, err = detect(data); err != nil {
			if plausible == Auto {
				return nil, Auto, fmt.Errorf("%s: %w", name, err)
			}
			// The input looks like one format but does not parse as it: its
			// reader says what is wrong, and where, better than "cannot
			// detect".
			f = plausible
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
//   - knossos-kv: EDN whose first operation map has a :key, no :time and
//     an :f of :get, :put or :append;
//   - edn: any other EDN map (or vector/list of maps).
func Detect(data []byte) (Format, error) {
	f, _, err := detect(data)
	return f, err
}

// detect is Detect, also naming the format the input most plausibly is when
// it is none (EDN, for input opening an EDN map that does not parse), so
// Parse can report that format's error.
func detect(data []byte) (f, plausible Format, err error) {
	p := newEDNParser(data)
	p.skipSpace()
	rest := data[p.pos:]
	if len(rest) == 0 {
		return Auto, Auto, errors.New("cannot detect the history format of empty input")
	}
	firstLine := rest
	if nl := bytes.IndexByte(firstLine, '\n'); nl >= 0 {
		firstLine = firstLine[:nl]
	}
	if first, _ := nextField(firstLine); string(first) == "INFO" {
		return EtcdLog, EtcdLog, nil
	}
	if rest[0] == '{' {
		after := bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(after) > 0 && (after[0] == '"' || after[0] == '}') {
			return JSONL, JSONL, nil
		}
	}
	// EDN: look at the first operation map.
	if err := p.skip(0); err == nil && p.pos < len(data) && (data[p.pos] == '[' || data[p.pos] == '(') {
		p.pos++
	}
	if err := p.skip(0); err == nil && p.pos < len(data) {
		open := data[p.pos:]
		if tag := recordTag(open); tag > 0 {
			open = open[tag:] // a tagged record: #jepsen.history.Op{...}
		}
		if len(open) > 0 && open[0] == '{' {
			if after := bytes.TrimLeft(open[1:], " \t\r\n,"); len(after) > 0 && after[0] == ':' {
				// A map with a keyword key: EDN, whatever else is wrong.
				plausible = EDN
			}
		}
	}
	m, ferr := p.form(0)
	m = record(m)
	if ferr != nil || m.kind != ednMap {
		return Auto, plausible, fmt.Errorf("cannot detect the history format: the first line %s is not jsonl, edn, etcd-log or knossos-kv",
			quoteFound(string(bytes.TrimSpace(firstLine))))
	}
	o, oerr := fields(m)
	if oerr == nil && o.key != nil && o.time == nil && o.f != nil && o.f.kind == ednKeyword &&
		(o.f.s == "get" || o.f.s == "put" || o.f.s == "append") {
		return KnossosKV, KnossosKV, nil
	}
	return EDN, EDN, nil
}

// recordTag returns the length of the tag of a tagged record that data
// starts with (#jepsen.history.Op before its {), else 0.
func recordTag(data []byte) int {
	if len(data) < 2 || data[0] != '#' || !(data[1] >= 'a' && data[1] <= 'z' || data[1] >= 'A' && data[1] <= 'Z') {
		return 0
	}
	end := bytes.IndexAny(data, "{ \t\r\n,")
	if end < 0 || data[end] != '{' {
		return 0
	}
	return end
}

// empty reports whether data holds nothing but space and EDN comments.
func empty(data []byte) bool {
	p := newEDNParser(data)
	p.skipSpace()
	return p.pos >= len(data)
}
