package histories

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEDNParserForms: each input parses to one form that prints as want.
func TestEDNParserForms(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"nil", "nil"},
		{"true", "true"},
		{"false", "false"},
		{"42", "42"},
		{"-7", "-7"},
		{"+7", "7"},
		{"0", "0"},
		{"12N", "12"},
		{"1.5", "1.5"},
		{"-2.5e3", "-2500"},
		{"3.0M", "3"},
		{`"a\tb\n\"q\"\\ \u00e9 \ud83d\ude42"`, "\"a\\tb\\n\\\"q\\\"\\\\ é 🙂\""},
		{"\"multi\nline\"", `"multi\nline"`},
		{":timed-out", ":timed-out"},
		{":ns/name", ":ns/name"},
		{"sym", "sym"},
		{"-", "-"},
		{"[1 2 [3]]", "[1 2 [3]]"},
		{"(1, 2)", "(1 2)"},
		{"{:a 1, :b [nil]}", "{:a 1, :b [nil]}"},
		{`#{"n1" "n2"}`, `#{"n1" "n2"}`},
		{`#inst "2024-01-01"`, `#inst "2024-01-01"`},
		{"[1 #_ 2 3]", "[1 3]"},
		{"[1 ; comment ]\n 2]", "[1 2]"},
		{"[]", "[]"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			p := newEDNParser([]byte(tc.in))
			v, err := p.next()
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.text())
			eof, err := p.atEOF()
			require.NoError(t, err)
			assert.True(t, eof)
		})
	}
}

func TestEDNParserErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"[1 2", `unexpected end of input in the vector opened on line 1, expected ']'`},
		{"{:a}", "map opened on line 1 has a key without a value"},
		{")", `unexpected ')', expected a form`},
		{`"abc`, "unexpected end of input in a string"},
		{`"\q"`, `invalid string escape "\\q"`},
		{`"\u12"`, `truncated \u escape`},
		{`"\uzzzz"`, `invalid \u escape "zzzz"`},
		{`"\ud83d"`, `unpaired UTF-16 surrogate`},
		{"\"\xff\"", "not valid UTF-8"},
		{"\\a", "character literals are not supported"},
		{":", `invalid keyword ":"`},
		{"::a", `invalid keyword "::a"`},
		{"99999999999999999999", "does not fit in 64 bits"},
		{"007", "leading zero"},
		{"1x", `invalid number "1x"`},
		{"0x10", `invalid number "0x10"`},
		{"#", `invalid tag "#"`},
		{"#1 x", `invalid tag "#1"`},
		{strings.Repeat("[", 100), "nested deeper than 64"},
		{"a\x01", "control character"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := newEDNParser([]byte(tc.in)).next()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestEDNLayout(t *testing.T) {
	h := History{
		{Index: 0, Process: 0, Type: Invoke, F: "write", Value: int64(3), Time: 123},
		{Index: 1, Process: 3, Type: OK, F: "put", Key: "7", Value: "x 3 1 y", Time: 5400, Node: 2},
		{Index: 2, Process: NemesisProcess, Type: Info, F: "start-partition", Value: "1,2|3,4,5", Time: 9000},
		{Index: 3, Process: 0, Type: Info, F: "write", Value: int64(3), Time: 9001, Error: "timeout"},
		{Index: 4, Process: 5, Type: Fail, F: "odd f", Value: nil, Time: 9002, Error: "no leader"},
	}
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, h, EDN))
	want := `{:index 0, :process 0, :type :invoke, :f :write, :value 3, :time 123}
{:index 1, :process 3, :type :ok, :f :put, :key "7", :value ["7" "x 3 1 y"], :time 5400, :node 2}
{:index 2, :process :nemesis, :type :info, :f :start-partition, :value "1,2|3,4,5", :time 9000}
{:index 3, :process 0, :type :info, :f :write, :value 3, :time 9001, :error :timeout}
{:index 4, :process 5, :type :fail, :f "odd f", :value nil, :time 9002, :error "no leader"}
`
	assert.Equal(t, want, buf.String())
}

// TestEDNReadsJepsenHistory reads a hand-written Jepsen-style file: comments,
// extra keys, nemesis values of any shape, string and keyword errors.
func TestEDNReadsJepsenHistory(t *testing.T) {
	h, f, err := ReadFile("testdata/edn/jepsen-register.edn", Auto)
	require.NoError(t, err)
	assert.Equal(t, EDN, f)
	require.Len(t, h, 10)
	require.NoError(t, Validate(h))
	assert.Equal(t, Op{Index: 0, Process: 0, Type: Invoke, F: "write", Value: int64(3), Time: 1000}, h[0])
	assert.Equal(t, Op{Index: 3, Process: 1, Type: OK, F: "read", Value: int64(3), Time: 2100}, h[3])
	assert.Equal(t, Op{Index: 4, Process: NemesisProcess, Type: Info, F: "start", Value: `{:isolated #{"n1" "n2"}}`, Time: 2500}, h[4])
	assert.Equal(t, Op{Index: 6, Process: 1, Type: Info, F: "cas", Value: []any{int64(3), int64(4)}, Time: 9000, Error: "timeout"}, h[6])
	assert.Equal(t, "cas mismatch", h[8].Error)
	assert.Nil(t, h[9].Value)
}

func TestEDNKeys(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		key      string
		value    any
	}{
		{"tuple and key", `{:process 0, :type :invoke, :f :put, :key "a", :value ["a" "v"]}`, "a", "v"},
		{"knossos key", `{:process 0, :type :invoke, :f :put, :key "a", :value "v"}`, "a", "v"},
		{"integer key", `{:process 0, :type :invoke, :f :put, :key 3, :value [3 5]}`, "3", int64(5)},
		{"tuple of another key stays", `{:process 0, :type :invoke, :f :put, :key "a", :value ["b" 5]}`, "a", []any{"b", int64(5)}},
		{"jepsen tuple without key stays", `{:process 0, :type :invoke, :f :put, :value ["b" 5]}`, "", []any{"b", int64(5)}},
		{"keyword value", `{:process 0, :type :info, :f :put, :value :timed-out}`, "", "timed-out"},
		{"list value", `{:process 0, :type :ok, :f :read, :value (1 2)}`, "", []any{int64(1), int64(2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _, err := Parse([]byte(tc.in), "k.edn", EDN)
			require.NoError(t, err)
			require.Len(t, h, 1)
			assert.Equal(t, tc.key, h[0].Key)
			assert.Equal(t, tc.value, h[0].Value)
		})
	}
}

func TestEDNVectorOfOps(t *testing.T) {
	in := "[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0, :type :ok, :f :read, :value 1}]\n" +
		"({:process 1, :type :invoke, :f :read, :value nil})"
	h, f, err := Parse([]byte(in), "v.edn", Auto)
	require.NoError(t, err)
	assert.Equal(t, EDN, f)
	require.Len(t, h, 3)
	assert.Equal(t, 2, h[2].Index)
	assert.Equal(t, int64(1), h[1].Value)
}

// TestEDNTaggedRecords: Jepsen writes its history's operations as tagged
// records (#jepsen.history.Op{...}); they read as the maps they tag, at
// the top level and inside a vector, and are detected as EDN, or as the
// Knossos kv family when their fields say so. A tag on anything but a map
// is no operation.
func TestEDNTaggedRecords(t *testing.T) {
	const records = `#jepsen.history.Op{:index 0, :time 14592334, :type :invoke, :process 0, :f :write, :value 3}
#jepsen.history.Op{:index 1, :time 18446711, :type :ok, :process 0, :f :write, :value 3}
#jepsen.history.Op{:index 2, :time 20000000, :type :info, :process :nemesis, :f :start-partition, :value nil}
`
	plain, _, err := Parse([]byte(strings.ReplaceAll(records, "#jepsen.history.Op", "")), "h.edn", EDN)
	require.NoError(t, err)
	require.Len(t, plain, 3)
	for _, in := range []string{records, "[" + records + "]", "[#jepsen.history.Op {:index 0, :time 14592334, :type :invoke, :process 0, :f :write, :value 3}\n" + records[strings.IndexByte(records, '\n')+1:] + "]"} {
		h, f, err := Parse([]byte(in), "h.edn", Auto)
		require.NoError(t, err, in)
		assert.Equal(t, EDN, f)
		assert.Equal(t, plain, h)
	}
	h, f, err := Parse([]byte(`#knossos.op.Op{:process 0, :type :invoke, :f :get, :key "1", :value nil}`), "h.edn", Auto)
	require.NoError(t, err)
	assert.Equal(t, KnossosKV, f)
	assert.Equal(t, "get", h[0].F)

	_, _, err = Parse([]byte(`#jepsen.history.Op [1 2]`), "h.edn", EDN)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "h.edn:1: expected an operation map {...}")
}

func TestEDNErrors(t *testing.T) {
	const good = "{:process 0, :type :invoke, :f :read, :value nil}\n"
	for _, tc := range []struct{ name, in, want string }{
		{"not a map", "42", `h.edn:1: expected an operation map {...}, got "42"`},
		{"vector of non-maps", "[{:process 0, :type :invoke, :f :r}\n 7]", `h.edn:2: expected an operation map {...}, got "7"`},
		{"bad type", good + good + "{:process 1, :type :oops, :f :read}", `h.edn:3: expected :invoke/:ok/:fail/:info for :type, got ":oops"`},
		{"missing type", "{:process 1, :f :read}", `h.edn:1: missing :type`},
		{"missing process", "{:type :ok, :f :read}", `h.edn:1: missing :process`},
		{"missing f", "{:type :ok, :process 1}", `h.edn:1: missing :f`},
		{"negative process", "{:type :ok, :process -1, :f :r}", `expected a non-negative integer or :nemesis for :process, got "-1"`},
		{"string process", `{:type :ok, :process "n1", :f :r}`, `for :process`},
		{"empty f", `{:type :ok, :process 1, :f ""}`, `expected a non-empty keyword or string for :f`},
		{"bad key", `{:type :ok, :process 1, :f :r, :key [1]}`, `expected a string, keyword or integer for :key`},
		{"float value", "{:type :ok, :process 1, :f :r, :value 1.5}", `h.edn:1: unsupported float in :value "1.5"`},
		{"map value", "{:type :ok, :process 1, :f :r,\n :value {:a 1}}", `h.edn:2: unsupported map in :value`},
		{"bad time", "{:type :ok, :process 1, :f :r, :time :now}", `expected an integer for :time, got ":now"`},
		{"bad node", `{:type :ok, :process 1, :f :r, :node "n1"}`, `expected a non-negative integer for :node`},
		{"bad index", good + "{:index 0, :type :ok, :process 0, :f :read}", `h.edn:2: expected :index 1 (the operation's position), got "0"`},
		{"duplicate key", "{:type :ok, :type :ok, :process 1, :f :r}", `duplicate key :type`},
		{"duplicate unknown key", "{:x 1, :x 2, :type :ok, :process 1, :f :r}", `duplicate key :x`},
		{"non-keyword key", `{"type" :ok}`, `expected a keyword key in the operation map, got "\"type\""`},
		{"syntax error line", good + good + "{:process 0 :type", `h.edn:3: unexpected end of input in the map opened on line 3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tc.in), "h.edn", EDN)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
