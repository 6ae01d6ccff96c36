package histories

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKnossosSamples(t *testing.T) {
	for _, tc := range []struct {
		path      string
		processes int
	}{
		{"testdata/knossos/c01-ok.edn", 1},
		{"testdata/knossos/c10-ok.edn", 10},
	} {
		t.Run(tc.path, func(t *testing.T) {
			data, err := os.ReadFile(tc.path)
			require.NoError(t, err)
			h, f, err := ReadFile(tc.path, Auto)
			require.NoError(t, err)
			assert.Equal(t, KnossosKV, f)
			require.NoError(t, Validate(h))
			lines := strings.Count(string(data), "\n")
			assert.Len(t, h, lines, "one op per line")
			procs := map[int]bool{}
			invokes, oks := 0, 0
			for i, op := range h {
				procs[op.Process] = true
				assert.Zero(t, op.Time, "op %d: the format has no times", i)
				assert.Contains(t, []string{"get", "put", "append"}, op.F)
				assert.Contains(t, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, op.Key)
				switch op.Type {
				case Invoke:
					invokes++
				case OK:
					oks++
				default:
					t.Errorf("op %d: the family has no %s", i, op.Type)
				}
			}
			assert.Equal(t, invokes, oks, "every invoke has a matching :ok")
			assert.Len(t, procs, tc.processes)
		})
	}
}

func TestKnossosMapping(t *testing.T) {
	in := `{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}
{:process 1, :type :invoke, :f :get, :key "9", :value nil}
{:process 1, :type :ok, :f :get, :key "9", :value ""}
{:process 9, :type :ok, :f :append, :key "0", :value "x 9 0 y"}
`
	h, f, err := Parse([]byte(in), "kv.edn", Auto)
	require.NoError(t, err)
	assert.Equal(t, KnossosKV, f)
	assert.Equal(t, History{
		{Index: 0, Process: 9, Type: Invoke, F: "append", Key: "0", Value: "x 9 0 y"},
		{Index: 1, Process: 1, Type: Invoke, F: "get", Key: "9"},
		{Index: 2, Process: 1, Type: OK, F: "get", Key: "9", Value: ""},
		{Index: 3, Process: 9, Type: OK, F: "append", Key: "0", Value: "x 9 0 y"},
	}, h)
}

func TestKnossosErrors(t *testing.T) {
	const good = `{:process 1, :type :invoke, :f :get, :key "9", :value nil}` + "\n"
	for _, tc := range []struct{ name, in, want string }{
		{"bad f", good + `{:process 1, :type :invoke, :f :cas, :key "9", :value nil}`, `kv.edn:2: expected :get/:put/:append for :f, got ":cas"`},
		{"bad type", good + good + `{:process 1, :type :oops, :f :get, :key "9", :value nil}`, `kv.edn:3: expected :invoke/:ok/:fail/:info for :type, got ":oops"`},
		{"no key", `{:process 1, :type :invoke, :f :get, :value nil}`, `kv.edn:1: missing :key`},
		{"int key", `{:process 1, :type :invoke, :f :get, :key 9, :value nil}`, `expected a string for :key, got "9"`},
		{"nemesis", `{:process :nemesis, :type :info, :f :get, :key "1", :value nil}`, `expected a non-negative integer for :process`},
		{"int value", `{:process 1, :type :invoke, :f :put, :key "1", :value 3}`, `expected a string for :invoke :put, got "3"`},
		{"nil put", `{:process 1, :type :invoke, :f :put, :key "1", :value nil}`, `expected a string for :invoke :put, got "nil"`},
		{"no value", `{:process 1, :type :invoke, :f :put, :key "1"}`, `kv.edn:1: missing :value`},
		{"no process", `{:type :invoke, :f :put, :key "1", :value ""}`, `kv.edn:1: missing :process`},
		{"no f", `{:process 1, :type :invoke, :key "1", :value ""}`, `kv.edn:1: missing :f`},
		{"syntax", good + `{:process 1, :type :invoke, :f :get, :key "9, :value nil}`, `kv.edn:2: unexpected end of input in a string`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tc.in), "kv.edn", KnossosKV)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
