package histories

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONLLayout(t *testing.T) {
	h := History{
		{Index: 0, Process: 3, Type: Invoke, F: "put", Key: "7", Value: "x 3 1 y", Time: 1200},
		{Index: 1, Process: 3, Type: OK, F: "put", Key: "7", Value: "x 3 1 y", Time: 5400, Node: 2},
		{Index: 2, Process: NemesisProcess, Type: Info, F: "start-partition", Value: "1,2|3,4,5", Time: 9000},
		{Index: 3, Process: 0, Type: Info, F: "cas", Value: []any{int64(1), int64(2)}, Time: 9001, Error: "timeout"},
	}
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, h, JSONL))
	want := `{"raftcheck_history":1}
{"index":0,"process":3,"type":"invoke","f":"put","key":"7","value":"x 3 1 y","time":1200}
{"index":1,"process":3,"type":"ok","f":"put","key":"7","value":"x 3 1 y","time":5400,"node":2}
{"index":2,"process":"nemesis","type":"info","f":"start-partition","value":"1,2|3,4,5","time":9000}
{"index":3,"process":0,"type":"info","f":"cas","value":[1,2],"time":9001,"error":"timeout"}
`
	assert.Equal(t, want, buf.String())
}

func TestJSONLReadsLiberally(t *testing.T) {
	in := "\n  {\"raftcheck_history\": 1, \"run\": {\"seed\": 7, \"tags\": [\"a\", 1.5, true, null]}}\r\n" +
		"{ \"type\" : \"invoke\", \"f\": \"w\", \"process\": -1, \"value\": [ 9223372036854775807 , -9223372036854775808, \"\\u00e9\\ud83d\\ude42\\/\" ] }\r\n" +
		"\n" +
		`{"process":"nemesis","type":"info","f":"x","key":"","value":null,"time":5,"node":0,"error":""}` + "\n" +
		`{"process":4,"type":"ok","f":"w"}` // no final newline
	h, f, err := Read(strings.NewReader(in), "lib.jsonl", Auto)
	require.NoError(t, err)
	assert.Equal(t, JSONL, f)
	require.Len(t, h, 3)
	assert.Equal(t, Op{Index: 0, Process: NemesisProcess, Type: Invoke, F: "w",
		Value: []any{int64(math.MaxInt64), int64(math.MinInt64), "é🙂/"}}, h[0])
	assert.Equal(t, Op{Index: 1, Process: NemesisProcess, Type: Info, F: "x", Time: 5}, h[1])
	assert.Equal(t, Op{Index: 2, Process: 4, Type: OK, F: "w"}, h[2])
}

func TestJSONLErrors(t *testing.T) {
	const hdr = `{"raftcheck_history":1}` + "\n"
	const good = `{"process":0,"type":"invoke","f":"read"}` + "\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", `h.jsonl: empty input, expected the header {"raftcheck_history":1}`},
		{"blank", "\n \n", `h.jsonl: empty input`},
		{"no header", good, `h.jsonl:1: expected the header {"raftcheck_history":1}, got an object without "raftcheck_history"`},
		{"not json", "hello\n", `h.jsonl:1: expected the header {"raftcheck_history":1}, got "hello"`},
		{"future version", `{"raftcheck_history":2}`, `h.jsonl:1: unsupported raftcheck_history version 2 (this reader knows version 1)`},
		{"version as string", `{"raftcheck_history":"1"}`, `h.jsonl:1: raftcheck_history: expected an integer, got "\"1\"}"`},
		{"unknown field", hdr + good + `{"proces":0}`, `h.jsonl:3: unknown field "proces"`},
		{"bad type", hdr + "\n" + `{"process":0,"type":"oops","f":"read"}`, `h.jsonl:3: field "type": expected "invoke", "ok", "fail" or "info", got "oops"`},
		{"float value", hdr + `{"process":0,"type":"invoke","f":"w","value":1.5}`, `h.jsonl:2: field "value": expected an integer, got the non-integer number "1.5"`},
		{"float then more fields", hdr + `{"process":0,"type":"invoke","f":"w","value":1.5,"time":1}`, `h.jsonl:2: field "value": expected an integer, got the non-integer number "1.5"`},
		{"exponent", hdr + `{"process":0,"type":"invoke","f":"w","value":-1e+3,"time":1}`, `got the non-integer number "-1e+3"`},
		{"overflow", hdr + `{"process":0,"type":"invoke","f":"w","value":9223372036854775808}`, `h.jsonl:2: field "value": integer "9223372036854775808" does not fit in 64 bits`},
		{"leading zero", hdr + `{"process":0,"type":"invoke","f":"w","value":01}`, `leading zero`},
		{"bool value", hdr + `{"process":0,"type":"invoke","f":"w","value":true}`, `expected null, an integer, a string or an array, got "true}"`},
		{"object value", hdr + `{"process":0,"type":"invoke","f":"w","value":{}}`, `expected null, an integer, a string or an array`},
		{"missing process", hdr + `{"type":"invoke","f":"w"}`, `h.jsonl:2: missing field "process"`},
		{"missing f", hdr + `{"type":"invoke","process":1}`, `missing field "f"`},
		{"empty f", hdr + `{"type":"invoke","process":1,"f":""}`, `field "f": must not be empty`},
		{"bad process", hdr + `{"process":-2,"type":"invoke","f":"w"}`, `expected a process id ≥ 0, or "nemesis" (also written -1), got -2`},
		{"process name", hdr + `{"process":"n1","type":"invoke","f":"w"}`, `expected an integer or "nemesis", got "n1"`},
		{"index mismatch", hdr + good + `{"index":0,"process":1,"type":"invoke","f":"w"}`, `h.jsonl:3: field "index": is 0, want the operation's position 1`},
		{"duplicate", hdr + `{"process":0,"process":1,"type":"invoke","f":"w"}`, `duplicate field "process"`},
		{"trailing", hdr + `{"process":0,"type":"invoke","f":"w"} {}`, `h.jsonl:2: unexpected "{}" after the object (one object per line)`},
		{"two lines one object", hdr + "{\"process\":0,\n\"type\":\"invoke\",\"f\":\"w\"}", `h.jsonl:2: expected a field name, got end of line`},
		{"bad escape", hdr + `{"process":0,"type":"invoke","f":"\q"}`, `invalid string escape "\\q"`},
		{"lone surrogate", hdr + `{"process":0,"type":"invoke","f":"\ud800"}`, `unpaired UTF-16 surrogate`},
		{"raw control", hdr + "{\"process\":0,\"type\":\"invoke\",\"f\":\"a\x01\"}", `control character`},
		{"bad utf8", hdr + "{\"process\":0,\"type\":\"invoke\",\"f\":\"\xff\"}", `not valid UTF-8`},
		{"unterminated", hdr + `{"process":0,"type":"invoke","f":"abc`, `unterminated string`},
		{"missing colon", hdr + `{"process" 0}`, `expected ':' after field "process"`},
		{"missing comma", hdr + `{"process":0 "type":"invoke"}`, `expected ',' or '}' after field "process"`},
		{"negative node", hdr + `{"process":0,"type":"ok","f":"w","node":-1}`, `field "node": expected a non-negative node address, got -1`},
		{"deep value", hdr + `{"process":0,"type":"ok","f":"w","value":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, `value nested deeper than 32`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Read(strings.NewReader(tc.in), "h.jsonl", JSONL)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			var pe *ParseError
			assert.ErrorAs(t, err, &pe)
		})
	}
}
