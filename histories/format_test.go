package histories

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{Auto, JSONL, EDN, EtcdLog, KnossosKV} {
		got, err := ParseFormat(f.String())
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	got, err := ParseFormat("")
	require.NoError(t, err)
	assert.Equal(t, Auto, got)
	_, err = ParseFormat("json")
	assert.EqualError(t, err, `unknown history format "json" (want auto, jsonl, edn, etcd-log, knossos-kv)`)
	assert.Equal(t, "Format(9)", Format(9).String())
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Format
	}{
		{"jsonl", `{"raftcheck_history":1}`, JSONL},
		{"jsonl spaced", "\n  { \"raftcheck_history\" : 1 }", JSONL},
		{"etcd", "INFO  jepsen.util - 0\t:invoke\t:read\tnil", EtcdLog},
		{"edn", "{:process 0, :type :invoke, :f :read, :value nil, :time 5}", EDN},
		{"edn without key", "{:process 0, :type :invoke, :f :read, :value nil}", EDN},
		{"edn with comment", "; hello\n{:process 0, :type :invoke, :f :read}", EDN},
		{"edn vector", "[{:process 0, :type :invoke, :f :read, :time 1}]", EDN},
		{"knossos", `{:process 0, :type :invoke, :f :get, :key "1", :value nil}`, KnossosKV},
		{"edn register with key", `{:process 0, :type :invoke, :f :write, :key "1", :value 3}`, EDN},
		{"knossos in vector", `[{:process 0, :type :invoke, :f :get, :key "1", :value nil}]`, KnossosKV},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Detect([]byte(tc.in))
			require.NoError(t, err)
			assert.Equal(t, tc.want, f)
		})
	}
	for _, in := range []string{"", "  \n", "hello world", "42", "[1 2]", "{:a"} {
		_, err := Detect([]byte(in))
		assert.Error(t, err, "%q", in)
	}
}

// TestParseEmptyInput: input holding nothing but space and comments is an
// empty history when the format is detected (porcupine calls it
// linearizable), not a format error; Detect alone still cannot name a
// format for it, and a format that needs a header still wants it.
func TestParseEmptyInput(t *testing.T) {
	for _, in := range []string{"", "  \n\t", "; only a comment\n", "\xef\xbb\xbf"} {
		h, f, err := Parse([]byte(in), "h", Auto)
		require.NoError(t, err, "%q", in)
		assert.Empty(t, h)
		assert.Equal(t, EDN, f)
	}
	_, _, err := Parse(nil, "h.jsonl", JSONL)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "empty input")
}

func TestReadFileErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(path, []byte("{\"raftcheck_history\":1}\n{\"process\":0}\n"), 0o644))
	_, f, err := ReadFile(path, Auto)
	assert.Equal(t, JSONL, f)
	assert.EqualError(t, err, path+`:2: missing field "type"`)

	_, _, err = ReadFile(filepath.Join(dir, "missing.edn"), Auto)
	assert.ErrorIs(t, err, os.ErrNotExist)

	junk := filepath.Join(dir, "junk.txt")
	require.NoError(t, os.WriteFile(junk, []byte("hello\n"), 0o644))
	_, _, err = ReadFile(junk, Auto)
	assert.ErrorContains(t, err, junk+": cannot detect the history format")
}

func TestReadPropagatesReaderErrors(t *testing.T) {
	boom := errors.New("boom")
	_, _, err := Read(iotest.ErrReader(boom), "r", JSONL)
	assert.ErrorIs(t, err, boom)
}

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.edn")
	h := simulateHistory(100, 3, 3, true, 9)
	require.NoError(t, WriteFile(path, h, EDN))
	got, f, err := ReadFile(path, Auto)
	require.NoError(t, err)
	assert.Equal(t, EDN, f)
	assert.Empty(t, Diff(h, got))
	assert.Error(t, WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir"), h, EDN))
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWritePropagatesWriterErrors(t *testing.T) {
	h := simulateHistory(5000, 10, 5, false, 1)
	for _, f := range []Format{JSONL, EDN} {
		err := Write(&failingWriter{n: 1000}, h, f)
		assert.ErrorContains(t, err, "disk full", f.String())
	}
	var buf bytes.Buffer
	assert.ErrorContains(t, Write(&buf, h, Format(42)), "unknown format")
	assert.True(t, strings.HasPrefix(Op{Process: 1, Type: Invoke, F: "w", Value: 7}.String(), "{:index 0, :process 1, :type 1"))
}

// A UTF-8 byte order mark at the start of a file is skipped, whatever the
// format, and line numbers in errors still count from the first line.
func TestParseSkipsByteOrderMark(t *testing.T) {
	bom := "\xef\xbb\xbf"
	for _, src := range []string{
		`{"raftcheck_history":1}` + "\n" + `{"index":0,"process":0,"type":"invoke","f":"read","time":1}` + "\n",
		"{:process 0, :type :invoke, :f :read, :value nil}\n",
	} {
		plain, pf, err := Parse([]byte(src), "x", Auto)
		require.NoError(t, err)
		h, f, err := Parse([]byte(bom+src), "x", Auto)
		require.NoError(t, err, "%q", src)
		assert.Equal(t, pf, f)
		assert.Equal(t, plain, h)
	}
	_, _, err := Parse([]byte(bom+"{:process 0, :type}\n"), "x.edn", EDN)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "x.edn:1:")
}

// TestDescribeValue: values in error messages read as the user wrote them,
// without Go type names.
func TestDescribeValue(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{nil, "nil"},
		{int64(-5), "the integer -5"},
		{"1", `the string "1"`},
		{[]any{int64(1), []any{int64(2), []any{int64(3)}}}, "the list [1 [2 [3]]]"},
		{[]any{"a", nil}, `the list ["a" nil]`},
		{[]any{strings.Repeat("é", 40)}, `the list ["` + strings.Repeat("é", 29) + `...`},
	} {
		assert.Equal(t, tc.want, DescribeValue(tc.in))
	}
}

// TestParseAutoReportsTheLikelyFormat: input that opens an EDN map but does
// not parse gets the EDN reader's error, not "cannot detect"; an EDN history
// whose ops carry :key but whose :f is not a kv one is plain EDN.
func TestParseAutoReportsTheLikelyFormat(t *testing.T) {
	_, _, err := Parse([]byte("{:process 0, :type :invoke, :f :write, :value 99999999999999999999, :time 1}\n"), "big.edn", Auto)
	assert.EqualError(t, err, `big.edn:1: integer "99999999999999999999" does not fit in 64 bits`)
	_, _, err = Parse([]byte("[ {:a"), "open.edn", Auto)
	assert.ErrorContains(t, err, "open.edn:1: ")
	assert.NotContains(t, err.Error(), "cannot detect")
	_, _, err = Parse([]byte("hello\n"), "junk", Auto)
	assert.ErrorContains(t, err, "junk: cannot detect the history format")

	h, f, err := Parse([]byte("{:process 0, :type :invoke, :f :write, :key \"a\", :value 1}\n{:process 0, :type :ok, :f :write, :key \"a\", :value 1}\n"), "kw.edn", Auto)
	require.NoError(t, err)
	assert.Equal(t, EDN, f)
	assert.Len(t, h, 2)
}
