package histories

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const porcupineData = "testdata/porcupine"

// lineKind names a kind of etcd-log line the way the README counts them:
// ":invoke :read", ":ok :cas", ":info :write :timed-out", ...
func lineKindOfFields(fields []string) string {
	kind := fields[4] + " " + fields[5]
	if strings.HasPrefix(fields[6], ":") {
		kind += " " + fields[6]
	}
	return kind
}

// scanKinds counts the lines of an etcd log by kind with nothing but
// strings.Fields: the independent count the parser is checked against.
func scanKinds(t *testing.T, data string) map[string]int {
	counts := map[string]int{}
	for _, line := range strings.Split(data, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		require.GreaterOrEqual(t, len(f), 7, "line %q", line)
		counts[lineKindOfFields(f)]++
	}
	return counts
}

// kindOfOp names an op's kind in the README's terms (where a failed cas has
// no error keyword: its line carries the values).
func kindOfOp(op Op) string {
	kind := ":" + op.Type.String() + " :" + op.F
	if op.Error != "" && !(op.Type == Fail && op.F == "cas" && op.Error == ErrCASMismatch) {
		kind += " :" + op.Error
	}
	return kind
}

func etcdLogFiles(t *testing.T, dir string) []string {
	files, err := filepath.Glob(filepath.Join(dir, "etcd_*.log"))
	require.NoError(t, err)
	return files
}

// TestEtcdLogsParse: every shipped log parses, is detected, follows the
// process model, and holds exactly the lines an independent scan counts, kind
// by kind.
func TestEtcdLogsParse(t *testing.T) {
	files := etcdLogFiles(t, filepath.Join(porcupineData, "jepsen"))
	require.Len(t, files, 80, "the README promises 80 files (000..079)")
	totals := map[string]int{}
	maxProcess := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		h, f, err := ReadFile(path, Auto)
		require.NoError(t, err, path)
		assert.Equal(t, EtcdLog, f, path)
		require.NoError(t, Validate(h), path)

		want := scanKinds(t, string(data))
		got := map[string]int{}
		for _, op := range h {
			got[kindOfOp(op)]++
			maxProcess = max(maxProcess, op.Process)
		}
		assert.Equal(t, want, got, path)
		for k, n := range got {
			totals[k] += n
		}
	}
	// Counted over the 80 shipped files with awk, once, when they were added.
	assert.Equal(t, map[string]int{
		":invoke :read":           2309,
		":invoke :write":          2146,
		":invoke :cas":            2264,
		":ok :read":               2309,
		":ok :write":              1667,
		":ok :cas":                339,
		":fail :cas":              1409,
		":info :write :timed-out": 479,
		":info :cas :timed-out":   516,
	}, totals)
	assert.LessOrEqual(t, maxProcess, 37, "the README says process ids reach 37")
	checkBalance(t, "shipped files", totals)
}

// readmeKinds parses the README's "Kinds of line" list.
func readmeKinds(t *testing.T) map[string]int {
	data, err := os.ReadFile(filepath.Join(porcupineData, "README.md"))
	require.NoError(t, err)
	re := regexp.MustCompile("(?m)^- `(:[a-z]+ :[a-z]+)[^`]*?( :timed-out)?` \\(([0-9]+)\\)$")
	kinds := map[string]int{}
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		n, err := strconv.Atoi(m[3])
		require.NoError(t, err)
		kinds[m[1]+m[2]] += n
	}
	require.Len(t, kinds, 10, "the README lists ten kinds of line")
	return kinds
}

// checkBalance: every invoke of a kind of operation completes once, as ok,
// fail or info.
func checkBalance(t *testing.T, what string, kinds map[string]int) {
	for _, f := range []string{"read", "write", "cas"} {
		done := 0
		for k, n := range kinds {
			if !strings.HasPrefix(k, ":invoke") && strings.Contains(k, " :"+f) {
				done += n
			}
		}
		assert.Equal(t, kinds[":invoke :"+f], done, "%s: invokes of :%s = its completions", what, f)
	}
}

// TestEtcdLogREADMETotals: the README's totals are over upstream's 103 files;
// the 80 shipped here are a subset, so each shipped kind count is at most the
// README's, and both balance. With RAFTCHECK_ETCD_LOGS pointing at a full
// upstream jepsen/ folder the totals must match exactly.
func TestEtcdLogREADMETotals(t *testing.T) {
	readme := readmeKinds(t)
	checkBalance(t, "README", readme)
	shipped := map[string]int{}
	for _, path := range etcdLogFiles(t, filepath.Join(porcupineData, "jepsen")) {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		for k, n := range scanKinds(t, string(data)) {
			shipped[k] += n
		}
	}
	for k, n := range shipped {
		assert.LessOrEqual(t, n, readme[k], "kind %s", k)
	}
	dir := os.Getenv("RAFTCHECK_ETCD_LOGS")
	if dir == "" {
		t.Log("RAFTCHECK_ETCD_LOGS unset: exact README totals not checked")
		return
	}
	full := map[string]int{}
	for _, path := range etcdLogFiles(t, dir) {
		h, _, err := ReadFile(path, EtcdLog)
		require.NoError(t, err)
		require.NoError(t, Validate(h), path)
		for _, op := range h {
			full[kindOfOp(op)]++
		}
	}
	assert.Equal(t, readme, full)
}

func TestEtcdLogMapping(t *testing.T) {
	in := "INFO  jepsen.util - 2\t:invoke\t:write\t4\n" +
		"INFO  jepsen.util - 1\t:invoke\t:cas\t[3 0]\n" +
		"INFO  jepsen.util - 0\t:invoke\t:read\tnil\n" +
		"\n" +
		"INFO  jepsen.util - 1   :fail   :cas    [3 0]\n" + // runs of spaces
		"INFO  jepsen.util - 0\t:ok\t:read\tnil\n" +
		"INFO  jepsen.util - 2\t:info\t:write\t:timed-out\n" +
		"INFO  jepsen.util - 1\t:invoke\t:read\tnil\n" +
		"INFO  jepsen.util - 1\t:fail\t:read\t:timed-out\n" +
		"INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2]\n" +
		"INFO  jepsen.util - 0\t:ok\t:cas\t[1 2]\n" +
		"INFO  jepsen.util - 7\t:invoke\t:read\tnil\n" +
		"INFO  jepsen.util - 7\t:ok\t:read\t3" // no final newline
	h, f, err := Parse([]byte(in), "m.log", Auto)
	require.NoError(t, err)
	assert.Equal(t, EtcdLog, f)
	require.NoError(t, Validate(h))
	want := History{
		{Index: 0, Process: 2, Type: Invoke, F: "write", Value: int64(4)},
		{Index: 1, Process: 1, Type: Invoke, F: "cas", Value: []any{int64(3), int64(0)}},
		{Index: 2, Process: 0, Type: Invoke, F: "read"},
		{Index: 3, Process: 1, Type: Fail, F: "cas", Value: []any{int64(3), int64(0)}, Error: ErrCASMismatch},
		{Index: 4, Process: 0, Type: OK, F: "read"},
		{Index: 5, Process: 2, Type: Info, F: "write", Value: int64(4), Error: "timed-out"},
		{Index: 6, Process: 1, Type: Invoke, F: "read"},
		{Index: 7, Process: 1, Type: Fail, F: "read", Error: "timed-out"},
		{Index: 8, Process: 0, Type: Invoke, F: "cas", Value: []any{int64(1), int64(2)}},
		{Index: 9, Process: 0, Type: OK, F: "cas", Value: []any{int64(1), int64(2)}},
		{Index: 10, Process: 7, Type: Invoke, F: "read"},
		{Index: 11, Process: 7, Type: OK, F: "read", Value: int64(3)},
	}
	assert.Equal(t, want, h)
}

func TestEtcdLogErrors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(porcupineData, "jepsen", "etcd_003.log"))
	require.NoError(t, err)
	lines := strings.Split(string(data), "\n")
	withLine17 := func(line string) string {
		l := append([]string(nil), lines...)
		l[16] = line
		return strings.Join(l, "\n")
	}
	for _, tc := range []struct{ name, in, want string }{
		{"bad type", withLine17("INFO  jepsen.util - 3\t:oops\t:read\tnil"), `etcd_003.log:17: expected :invoke/:ok/:fail/:info, got ":oops"`},
		{"bad f", withLine17("INFO  jepsen.util - 3\t:ok\t:delete\tnil"), `etcd_003.log:17: expected :read/:write/:cas, got ":delete"`},
		{"bad prefix", withLine17("WARN  jepsen.util - 3\t:ok\t:read\tnil"), `etcd_003.log:17: expected "INFO  jepsen.util - <process> <:type> <:f> <value>", got "WARN  jepsen.util - 3\t:ok\t:read\tnil"`},
		{"bad process", withLine17("INFO  jepsen.util - x\t:ok\t:read\tnil"), `etcd_003.log:17: expected a process number, got "x"`},
		{"negative process", withLine17("INFO  jepsen.util - -1\t:ok\t:read\tnil"), `expected a process number, got "-1"`},
		{"missing value", withLine17("INFO  jepsen.util - 3\t:ok\t:read"), `etcd_003.log:17: expected a value after :read, got end of line`},
		{"write nil", withLine17("INFO  jepsen.util - 3\t:invoke\t:write\tnil"), `expected an integer for :invoke :write, got "nil"`},
		{"read with value", withLine17("INFO  jepsen.util - 3\t:invoke\t:read\t4"), `expected nil for :invoke :read, got "4"`},
		{"cas scalar", withLine17("INFO  jepsen.util - 3\t:invoke\t:cas\t4"), `expected [old new] for :invoke :cas, got "4"`},
		{"cas triple", withLine17("INFO  jepsen.util - 3\t:ok\t:cas\t[1 2 3]"), `expected [old new] for :ok :cas, got "[1 2 3]"`},
		{"ok timed out", withLine17("INFO  jepsen.util - 3\t:ok\t:write\t:timed-out"), `expected an integer for :ok :write, got ":timed-out"`},
		{"trailing", withLine17("INFO  jepsen.util - 3\t:ok\t:read\t4 5"), `etcd_003.log:17: unexpected text after the value: "4 5"`},
		{"broken vector", withLine17("INFO  jepsen.util - 3\t:ok\t:cas\t[1 2"), `etcd_003.log:17: value: unexpected end of input in the vector`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tc.in), "etcd_003.log", EtcdLog)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func etcdLogFilesB(b *testing.B) [][]byte {
	paths, err := filepath.Glob(filepath.Join(porcupineData, "jepsen", "etcd_*.log"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no etcd logs: %v", err)
	}
	var out [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}
