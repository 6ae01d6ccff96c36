package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// testdata is the histories package's shared test data.
var testdata, _ = filepath.Abs(filepath.Join("..", "..", "histories", "testdata"))

// checkJSONOut is `check --json`.
type checkJSONOut struct {
	Results []struct {
		File    string   `json:"file"`
		Format  string   `json:"format"`
		Model   string   `json:"model"`
		Verdict string   `json:"verdict"`
		Ops     int      `json:"ops"`
		Reasons []string `json:"reasons"`
		HTML    string   `json:"html"`
	} `json:"results"`
}

// TestCheckPorcupineJepsenLogs is issue 7's acceptance point: `raftcheck check
// .../jepsen/*.log --json` gives every file the verdict EXPECTED.tsv records
// (porcupine's own test expectations).
func TestCheckPorcupineJepsenLogs(t *testing.T) {
	root := filepath.Join(testdata, "porcupine")
	expected := readExpected(t, filepath.Join(root, "EXPECTED.tsv"))
	files, err := filepath.Glob(filepath.Join(root, "jepsen", "*.log"))
	require.NoError(t, err)
	require.Len(t, files, len(expected), "one EXPECTED.tsv row per log")

	r := cli(t, root, nil, append([]string{"check", "--json"}, files...)...)
	// 64 of the 80 logs are not linearizable: the worst verdict sets the code.
	require.Equal(t, exitInvalid, r.code, "%s", r)
	var out checkJSONOut
	decodeOne(t, r.stdout, &out)
	require.Len(t, out.Results, len(files))
	var raw map[string][]map[string]json.RawMessage
	decodeOne(t, r.stdout, &raw)
	for _, k := range []string{"file", "format", "model", "verdict", "ops"} {
		assert.Contains(t, raw["results"][0], k, "issue 7's check --json keys")
	}
	counts := map[string]int{}
	for i, res := range out.Results {
		assert.Equal(t, files[i], res.File, "results in argument order")
		rel, err := filepath.Rel(root, res.File)
		require.NoError(t, err)
		want, ok := expected[rel]
		require.True(t, ok, "%s has no EXPECTED.tsv row", rel)
		verdict := map[string]string{"linearizable": "valid", "not-linearizable": "invalid"}[want]
		require.NotEmpty(t, verdict, "%s: unknown expectation %q", rel, want)
		assert.Equal(t, verdict, res.Verdict, "%s (expected %s)", rel, want)
		assert.Equal(t, "etcd-log", res.Format, rel)
		assert.Equal(t, "register", res.Model, rel)
		assert.Positive(t, res.Ops, rel)
		if res.Verdict == "invalid" {
			assert.NotEmpty(t, res.Reasons, "%s: an invalid verdict explains itself", rel)
		}
		counts[res.Verdict]++
	}
	assert.Equal(t, map[string]int{"valid": 16, "invalid": 64}, counts, "README of the test data: 16 linearizable, 64 not")
}

// readExpected reads EXPECTED.tsv: file → expected.
func readExpected(t testing.TB, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rd := csv.NewReader(f)
	rd.Comma = '\t'
	rd.LazyQuotes = true
	rows, err := rd.ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"file", "format", "expected"}, rows[0][:3])
	out := map[string]string{}
	for _, row := range rows[1:] {
		out[row[0]] = row[2]
	}
	return out
}

// TestCheckFormats: every format is detected on its own and can be forced
// with --format; forcing the wrong one is bad input naming file and line.
func TestCheckFormats(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "run", "--seed", "2", "--max-time", "5s", "--json", "--store", "s")
	require.Equal(t, exitValid, r.code, "%s", r)
	var run runJSONOut
	decodeOne(t, r.stdout, &run)
	inputs := []struct {
		path, format, model string
	}{
		{filepath.Join(dir, run.Store, "history.jsonl"), "jsonl", "kv"},
		{filepath.Join(dir, run.Store, "history.edn"), "edn", "kv"},
		{filepath.Join(testdata, "edn", "jepsen-register.edn"), "edn", "register"},
		{filepath.Join(testdata, "knossos", "c10-ok.edn"), "knossos-kv", "kv"},
		{filepath.Join(testdata, "porcupine", "jepsen", "etcd_002.log"), "etcd-log", "register"},
	}
	for _, in := range inputs {
		t.Run(in.format+" "+filepath.Base(in.path), func(t *testing.T) {
			for _, args := range [][]string{
				{"check", "--json", in.path},
				{"check", "--json", "--format", in.format, in.path},
				{"check", "--json", "--model", in.model, in.path},
			} {
				r := cli(t, dir, nil, args...)
				require.Equal(t, exitValid, r.code, "%v: %s", args, r)
				var out checkJSONOut
				decodeOne(t, r.stdout, &out)
				require.Len(t, out.Results, 1)
				assert.Equal(t, in.format, out.Results[0].Format, "%v", args)
				assert.Equal(t, in.model, out.Results[0].Model, "%v", args)
				assert.Equal(t, "valid", out.Results[0].Verdict, "%v", args)
			}
			// Text output: one line per file with its verdict.
			r := cli(t, dir, nil, "check", in.path)
			require.Equal(t, exitValid, r.code, "%s", r)
			assert.True(t, strings.HasPrefix(r.stdout, "VALID    "+in.path+" ("+in.format+", model "+in.model+","), r.stdout)
		})
	}
	// The stored JSONL history checks the same as the run did.
	r = cli(t, dir, nil, "check", "--json", filepath.Join(dir, run.Store, "history.jsonl"))
	var out checkJSONOut
	decodeOne(t, r.stdout, &out)
	assert.Equal(t, run.Stats.Ops.OK+run.Stats.Ops.Fail+run.Stats.Ops.Info, out.Results[0].Ops)

	wrong := []struct{ format, file, want string }{
		{"edn", inputs[4].path, "etcd_002.log:1:"},
		{"knossos-kv", inputs[2].path, "jepsen-register.edn:3:"},
		{"etcd-log", inputs[3].path, "c10-ok.edn:1:"},
		{"jsonl", inputs[1].path, "history.edn:1:"},
	}
	for _, w := range wrong {
		r := cli(t, dir, nil, "check", "--format", w.format, w.file)
		assert.Equal(t, exitUsage, r.code, "--format %s %s: %s", w.format, w.file, r)
		assert.Contains(t, r.stderr, w.want, "--format %s", w.format)
		assert.Empty(t, r.stdout)
	}
	// A model that does not fit the operations is bad input too.
	r = cli(t, dir, nil, "check", "--model", "kv", inputs[4].path)
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, "etcd_002.log")
	assert.Contains(t, r.stderr, `model kv has no operation "read"`)
}

// TestCheckMalformedLine: a malformed line in any format → exit 254 and a
// message naming the file and the line; nothing is checked.
func TestCheckMalformedLine(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(testdata, "porcupine", "jepsen", "etcd_002.log")
	r := cli(t, dir, nil, "run", "--seed", "2", "--max-time", "5s", "--json", "--store", "s")
	require.Equal(t, exitValid, r.code, "%s", r)
	var run runJSONOut
	decodeOne(t, r.stdout, &run)
	cases := []struct {
		name, src string
		line      int
		garbage   string
		want      string
	}{
		{"etcd-log", good, 7, "INFO  jepsen.util - 2\t:bogus\t:write\t3", "bad.log:7: "},
		{"jsonl", filepath.Join(dir, run.Store, "history.jsonl"), 10, `{"index": oops}`, "bad.jsonl:10: "},
		{"edn", filepath.Join(dir, run.Store, "history.edn"), 12, `{:index 7 :type}`, "bad.edn:12: "},
		{"knossos-kv", filepath.Join(testdata, "knossos", "c10-ok.edn"), 5, `{:process 0, :type :invoke, :f :append, :key "1", :value}`, "bad.edn:5: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := os.ReadFile(c.src)
			require.NoError(t, err)
			lines := strings.Split(string(raw), "\n")
			require.Greater(t, len(lines), c.line)
			lines[c.line-1] = c.garbage
			path := filepath.Join(dir, "bad"+filepath.Ext(c.src))
			require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644))
			// The bad file comes second: the good one is still checked and
			// reported (nothing computed is lost), the bad one is an error
			// naming file and line, and the exit code says bad input.
			r := cli(t, dir, nil, "check", "--json", good, path)
			assert.Equal(t, exitUsage, r.code, "%s", r)
			assert.Contains(t, r.stderr, c.want)
			var out struct{ Results []checkResult }
			decodeOne(t, r.stdout, &out)
			require.Len(t, out.Results, 2)
			assert.Equal(t, "valid", out.Results[0].Verdict)
			assert.Equal(t, "error", out.Results[1].Verdict)
			assert.Contains(t, out.Results[1].Error, c.want)
		})
	}
}

// TestCheckOut: --out semantics. FILE.html for one input; a directory holds
// linearizability.html for one input and <name>.html per input for several.
func TestCheckOut(t *testing.T) {
	dir := t.TempDir()
	jepsen := filepath.Join(testdata, "porcupine", "jepsen")
	valid, invalid := filepath.Join(jepsen, "etcd_002.log"), filepath.Join(jepsen, "etcd_000.log")
	other := filepath.Join(dir, "other")
	require.NoError(t, os.MkdirAll(other, 0o755))
	copyFile(t, valid, filepath.Join(other, "etcd_000.log")) // same base name as invalid

	cases := []struct {
		name  string
		out   string
		files []string
		want  []string // HTML files, relative to dir
		code  int
	}{
		{"one file", "page.html", []string{invalid}, []string{"page.html"}, exitInvalid},
		{"one input into a directory", "one", []string{valid}, []string{"one/linearizability.html"}, exitValid},
		{"several inputs", "many", []string{valid, invalid}, []string{"many/etcd_002.html", "many/etcd_000.html"}, exitInvalid},
		{"same base names", "dup", []string{invalid, filepath.Join(other, "etcd_000.log")}, []string{"dup/etcd_000.html", "dup/etcd_000-2.html"}, exitInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := cli(t, dir, nil, append([]string{"check", "--json", "--out", c.out}, c.files...)...)
			require.Equal(t, c.code, r.code, "%s", r)
			var out checkJSONOut
			decodeOne(t, r.stdout, &out)
			require.Len(t, out.Results, len(c.want))
			for i, want := range c.want {
				assert.Equal(t, want, out.Results[i].HTML)
				page, err := os.ReadFile(filepath.Join(dir, want))
				if assert.NoError(t, err) {
					assert.Contains(t, string(page), "<html")
				}
			}
		})
	}
	// Text output names the page.
	r := cli(t, dir, nil, "check", "--out", "text.html", valid)
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "visualization: text.html")
	// Misuse: FILE.html for two inputs, a directory that does not exist.
	r = cli(t, dir, nil, "check", "--out", "x.html", valid, invalid)
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, "--out")
	r = cli(t, dir, nil, "check", "--out", "missing/x.html", valid)
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, "--out")
	leftovers, err := filepath.Glob(filepath.Join(dir, "*", ".*"))
	require.NoError(t, err)
	assert.Empty(t, leftovers, "no temporary files left behind")
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, raw, 0o644))
}

// TestCheckMemoryBound: `check --check-memory` stops a search that would
// fill memory (porcupine's hardest kind of history: concurrent writes and
// reads refuted only by exhausting their orders) and says unknown, with the
// memory reason, exit 2; `--check-timeout` and `--check-steps` stop it too,
// with their reasons. The search cannot finish within any of these bounds
// on any machine: a faster one only reaches them sooner. The bounds that
// are not expected to stop it (the generous timeout, the memory bound under
// a 300ms timeout: a search fills far less than 768MiB in 300ms) are
// safety nets: a bound that failed would show their reason instead.
func TestCheckMemoryBound(t *testing.T) {
	const n = 14
	var h histories.History
	add := func(tm int64, p int, typ histories.Type, f string, v any) {
		h = append(h, histories.Op{Index: len(h), Time: tm, Process: p, Type: typ, F: f, Value: v})
	}
	for i := range n {
		add(int64(2*i), i, histories.Invoke, "write", int64(i+1))
		add(int64(2*i+1), n+i, histories.Invoke, "read", nil)
	}
	for i := range n {
		add(int64(1000+2*i), i, histories.OK, "write", int64(i+1))
		add(int64(1001+2*i), n+i, histories.OK, "read", int64((i*7)%n+1))
	}
	add(5000, 2*n, histories.Invoke, "read", nil)
	add(5001, 2*n, histories.OK, "read", int64(-1)) // nobody wrote -1
	dir := t.TempDir()
	path := filepath.Join(dir, "hard.jsonl")
	require.NoError(t, histories.WriteFile(path, h, histories.JSONL))

	for _, c := range []struct {
		flags  []string
		reason string
	}{
		{[]string{"--check-memory", "32MiB", "--check-timeout", "5m"}, "the search was stopped at the memory bound of 32MiB"},
		{[]string{"--check-memory", "1GiB", "--check-timeout", "300ms"}, "the search timed out after 300ms"},
		{[]string{"--check-steps", "10000", "--check-timeout", "5m"}, "the search was stopped at the step bound of 10000 steps"},
	} {
		r := cli(t, dir, nil, append(append([]string{"check", "--json"}, c.flags...), path)...)
		require.Equal(t, exitUnknown, r.code, "%s", r)
		var out checkJSONOut
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
		require.Len(t, out.Results, 1)
		assert.Equal(t, "unknown", out.Results[0].Verdict)
		require.Len(t, out.Results[0].Reasons, 1)
		assert.Contains(t, out.Results[0].Reasons[0], c.reason)
	}
}

// TestCheckIllegalWithinBounds: an illegal history whose explanation cannot
// finish within its budget (one key in phases of eight concurrent puts,
// each read back, and a final get of a value nobody put: the explanation
// spends about 327,000 steps finding the illegal segment and porcupine's
// partial linearization of it, and 440,000 more minimizing it) stays
// invalid, and says on stdout and in --json which bound stopped the
// explanation, then falls back on porcupine's partial linearization and
// the op that cannot follow it — never "see the visualization" alone. The
// bound is --explain-steps, which falls at the same step on every machine;
// the timeouts and the memory bound are safety nets.
func TestCheckIllegalWithinBounds(t *testing.T) {
	h := phasedPutsHistory()
	last := len(h) - 2 // the final get
	dir := t.TempDir()
	path := filepath.Join(dir, "phases.jsonl")
	require.NoError(t, histories.WriteFile(path, h, histories.JSONL))
	const why = "not linearizable; the search for a small counterexample stopped at its step bound (400000 steps in all); porcupine linearized "
	flags := []string{"check", "--explain-steps", "400000", "--explain-timeout", "10m", "--check-timeout", "10m", "--check-memory", "1GiB", path}

	r := cli(t, dir, nil, append(flags, "--json")...)
	require.Equal(t, exitInvalid, r.code, "%s", r)
	var out struct {
		Results []struct {
			Verdict        string   `json:"verdict"`
			Reasons        []string `json:"reasons"`
			Seconds        float64  `json:"seconds"`
			VerdictSeconds float64  `json:"verdict_seconds"`
		} `json:"results"`
	}
	decodeOne(t, r.stdout, &out)
	require.Len(t, out.Results, 1)
	got := out.Results[0]
	assert.Equal(t, "invalid", got.Verdict)
	require.Len(t, got.Reasons, 5, "the head, three linearized ops and the one that cannot follow")
	assert.Contains(t, got.Reasons[0], why)
	assert.Contains(t, got.Reasons[0], `on key "x" (after the operations before history #`)
	assert.NotContains(t, got.Reasons[0], "see the visualization")
	assert.True(t, strings.HasPrefix(got.Reasons[1], "linearized: history #"), got.Reasons[1])
	assert.True(t, strings.HasPrefix(got.Reasons[4], fmt.Sprintf(`history #%d (process 8): get("x") → "nobody put this"`, last)), got.Reasons[4])
	assert.LessOrEqual(t, got.VerdictSeconds, got.Seconds)

	r = cli(t, dir, nil, flags...)
	require.Equal(t, exitInvalid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "INVALID ")
	assert.Contains(t, r.stdout, "         - "+why)
}

// phasedPutsHistory is one key in 150 phases of eight concurrent puts,
// each phase read back, and a final get of a value nobody put.
func phasedPutsHistory() histories.History {
	var h histories.History
	add := func(p int, typ histories.Type, f string, v any) {
		h = append(h, histories.Op{Index: len(h), Time: int64(len(h) + 1), Process: p, Type: typ, F: f, Key: "x", Value: v})
	}
	const phases, k = 150, 8
	for i := range phases {
		for j := range k {
			add(j, histories.Invoke, "put", fmt.Sprintf("%d.%d", i, j))
		}
		for j := range k {
			add(j, histories.OK, "put", fmt.Sprintf("%d.%d", i, j))
		}
		got := fmt.Sprintf("%d.%d", i, k-1)
		if i == phases-1 {
			got = "nobody put this"
		}
		add(k, histories.Invoke, "get", nil)
		add(k, histories.OK, "get", got)
	}
	return h
}

// TestCheckNothingToCheck: an empty file (or empty standard input) is a
// valid history that held nothing to check, not a format error; a history
// with one invoke and nothing else is unknown (exit 2) with the reason.
func TestCheckNothingToCheck(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.edn")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	one := filepath.Join(dir, "one.edn")
	require.NoError(t, os.WriteFile(one, []byte("{:process 0, :type :invoke, :f :write, :value 1}\n"), 0o644))

	r := cli(t, dir, nil, "check", empty)
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "VALID    "+empty)
	assert.Contains(t, r.stdout, "- the history has no client operations: nothing to check")
	r = cliIn(t, dir, "", "check", "-")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "VALID    -")

	r = cli(t, dir, nil, "check", "--json", one)
	require.Equal(t, exitUnknown, r.code, "%s", r)
	var out checkJSONOut
	decodeOne(t, r.stdout, &out)
	require.Len(t, out.Results, 1)
	assert.Equal(t, "unknown", out.Results[0].Verdict)
	assert.Equal(t, []string{"no operation completed with a known outcome: the history observed nothing that could be out of order"}, out.Results[0].Reasons)
}

// TestCheckStdin: `check -` reads the history on standard input, in any
// format it detects (here Jepsen's tagged records), beside files; - twice
// is refused.
func TestCheckStdin(t *testing.T) {
	dir := t.TempDir()
	const bad = `#jepsen.history.Op{:index 0, :time 1, :type :invoke, :process 0, :f :write, :value 1}
#jepsen.history.Op{:index 1, :time 2, :type :ok, :process 0, :f :write, :value 1}
#jepsen.history.Op{:index 2, :time 3, :type :invoke, :process 1, :f :read, :value nil}
#jepsen.history.Op{:index 3, :time 4, :type :ok, :process 1, :f :read, :value 2}
`
	r := cliIn(t, dir, bad, "check", "--json", "--out", dir, "-")
	require.Equal(t, exitInvalid, r.code, "%s", r)
	var out checkJSONOut
	decodeOne(t, r.stdout, &out)
	require.Len(t, out.Results, 1)
	assert.Equal(t, "-", out.Results[0].File)
	assert.Equal(t, "edn", out.Results[0].Format)
	assert.Equal(t, "invalid", out.Results[0].Verdict)
	assert.Equal(t, 2, out.Results[0].Ops)
	assert.FileExists(t, filepath.Join(dir, "linearizability.html"))

	good := filepath.Join(dir, "good.edn")
	require.NoError(t, os.WriteFile(good, []byte(strings.ReplaceAll(bad, ":value 2}", ":value 1}")), 0o644))
	r = cliIn(t, dir, bad, "check", "--out", dir, good, "-")
	require.Equal(t, exitInvalid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "VALID    "+good)
	assert.Contains(t, r.stdout, "INVALID  -")
	assert.FileExists(t, filepath.Join(dir, "stdin.html"))

	r = cliIn(t, dir, bad, "check", "-", "-")
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, "standard input (-) given more than once")
}

// TestUsageErrors: bad flags, values, files and arguments exit 254 with a
// message naming the flag or the file, and print nothing on stdout.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "afile"), []byte("x"), 0o644))
	cases := []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{}, nil, "Usage: raftcheck <command>"},
		{[]string{"help", "frobnicate"}, nil, `unknown command "frobnicate"`},
		{[]string{"help", "run", "sweep"}, nil, "at most one command"},
		{[]string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{[]string{"run", "--bogus"}, nil, "unknown flag: --bogus"},
		{[]string{"run", "--nodes", "abc"}, nil, `"--nodes"`},
		{[]string{"run", "--nodes", "0"}, nil, "--nodes: 0 is outside 1..101"},
		{[]string{"run", "--max_time", "soon"}, nil, "max-time"},
		{[]string{"run", "--rate", "-1"}, nil, "--rate: must not be negative"},
		{[]string{"run", "--workload", "bank"}, nil, `--workload: "bank"`},
		{[]string{"run", "--read-mode", "quorum"}, nil, `--read-mode: "quorum"`},
		{[]string{"run", "--message-drop-rate", "2"}, nil, "--message-drop-rate: 2 is outside [0,1]"},
		{[]string{"run", "--latency-dist", "zipf"}, nil, "latency-dist"},
		{[]string{"run", "--nemesis", "meteor"}, nil, `unknown fault "meteor"`},
		{[]string{"run", "--chaos_scenario", "meteor"}, nil, `--chaos-scenario: unknown chaos scenario "meteor"`},
		{[]string{"run", "--bug", "meteor"}, nil, `unknown bug "meteor"`},
		{[]string{"run", "--log-level", "loud"}, nil, "--log-level"},
		{[]string{"run", "--store", "afile"}, nil, "--store: afile is not a directory"},
		{[]string{"run", "stray"}, nil, `unexpected argument "stray"`},
		{[]string{"sweep", "--seeds", "9..3"}, nil, "--seeds"},
		{[]string{"sweep", "--seeds", "1..5", "--count", "5"}, nil, "--seeds and --count"},
		{[]string{"sweep", "--count", "0"}, nil, "--count"},
		{[]string{"sweep", "--shard", "3/2"}, nil, "--shard"},
		{[]string{"sweep", "--shard", "x"}, nil, "--shard"},
		{[]string{"sweep"}, []string{shardEnv + "=0/4"}, "$" + shardEnv},
		{[]string{"sweep", "--workers", "-1"}, nil, "--workers"},
		{[]string{"suite", "--seeds-per", "0"}, nil, "--seeds-per"},
		{[]string{"suite", "--chaos-scenario", "split_brain"}, nil, "--chaos-scenario: suite runs every named scenario"},
		{[]string{"suite", "--nemesis", "crash-leader"}, nil, "--nemesis: suite runs every named scenario, each with its own faults; choose scenarios with --scenarios"},
		{[]string{"suite", "--swarm"}, nil, "--swarm: suite"},
		{[]string{"suite", "--seed", "18446744073709551615", "--seeds-per", "2"}, nil, "--seed 18446744073709551615 with --seeds-per 2"},
		{[]string{"sweep", "--seeds", ""}, nil, `--seeds: no seeds in ""`},
		{[]string{"sweep", "--seeds", "1..3,9..5"}, nil, `--seeds: range "9..5" runs backwards`},
		{[]string{"sweep", "--seeds", "1..3,x"}, nil, `--seeds: "x" is not a seed`},
		{[]string{"run", "--nemesis", "none,all"}, nil, `--nemesis: "none" cannot be combined with other faults`},
		{[]string{"run", "--clients", "1000", "--rate", "1000"}, nil, "--rate: --clients 1000 at --rate 1000 ops/s"},
		{[]string{"suite", "--scenarios", "meteor"}, nil, `--scenarios: unknown scenario "meteor"`},
		{[]string{"check"}, nil, "no history files"},
		{[]string{"check", "nope.log"}, nil, "nope.log"},
		{[]string{"check", "--format", "yaml", "x"}, nil, "--format"},
		{[]string{"check", "--model", "bank", "x"}, nil, "--model"},
		{[]string{"check", "--check-timeout", "soon", "x"}, nil, "--check-timeout"},
		{[]string{"check", "--check-memory", "lots", "x"}, nil, `invalid argument "lots" for "--check-memory"`},
		{[]string{"check", "--check-memory", "12MB", "x"}, nil, `"--check-memory" flag: "12MB" is under 16MiB`},
		{[]string{"run", "--check-memory", "4"}, nil, `"--check-memory" flag: "4" is under 16MiB`},
		{[]string{"sweep", "--check-memory", "-1GiB"}, nil, `"--check-memory" flag: a size must not be negative`},
		{[]string{"suite", "--check-memory", "1.5XB"}, nil, `invalid argument "1.5XB" for "--check-memory"`},
		{[]string{"check", "--check-steps", "-5", "x"}, nil, "--check-steps: must not be negative, got -5"},
		{[]string{"check", "--check-steps", "many", "x"}, nil, `invalid argument "many" for "--check-steps"`},
		{[]string{"check", "--explain-steps", "-5", "x"}, nil, "--explain-steps: must not be negative, got -5"},
		{[]string{"check", "--explain-timeout", "0", "x"}, nil, "--explain-timeout: must be positive, got 0s"},
		{[]string{"check", "--explain-memory", "lots", "x"}, nil, `invalid argument "lots" for "--explain-memory"`},
		{[]string{"run", "--check-steps", "-1"}, nil, "check-steps: must not be negative, got -1"},
		{[]string{"replay"}, nil, "replay"},
		{[]string{"replay", "nope"}, nil, "nope"},
		{[]string{"replay", "afile"}, nil, "afile"},
		{[]string{"serve", "--store", "nope"}, nil, "--store"},
		{[]string{"serve", "--store", "afile", "--port", "0"}, nil, "--store: afile is not a directory"},
		{[]string{"serve", "--port", "70000"}, nil, "--port"},
		{[]string{"faults", "x"}, nil, "no arguments"},
		{[]string{"scenarios", "x"}, nil, "no arguments"},
		{[]string{"version", "x"}, nil, "no arguments"},
		{[]string{"sweep", "--count", "2", "--trace", "t.jsonl"}, nil, "--trace: sweep runs many seeds"},
		{[]string{"suite", "--seeds-per", "1", "--trace", "t.jsonl"}, nil, "--trace: suite runs many seeds"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := cli(t, dir, c.env, c.args...)
			assert.Equal(t, exitUsage, r.code, "%s", r)
			assert.Contains(t, r.stderr+r.stdout, c.want)
			assert.Empty(t, r.stdout, "errors go to stderr")
		})
	}
}

// TestCheckOutUnwritable: a visualization that cannot be written loses no
// verdict: an invalid history still prints its verdict and exits 1; a valid
// one exits 255 (an internal failure), its verdict printed too.
func TestCheckOutUnwritable(t *testing.T) {
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("needs /proc: a directory no file can be created in")
	}
	dir := t.TempDir()
	jepsen := filepath.Join(testdata, "porcupine", "jepsen")
	for _, c := range []struct {
		file, verdict string
		code          int
	}{{"etcd_000.log", "invalid", exitInvalid}, {"etcd_002.log", "valid", exitInternal}} {
		r := cli(t, dir, nil, "check", "--json", "--out", "/proc/x.html", filepath.Join(jepsen, c.file))
		assert.Equal(t, c.code, r.code, "%s", r)
		var out struct{ Results []checkResult }
		decodeOne(t, r.stdout, &out)
		require.Len(t, out.Results, 1)
		assert.Equal(t, c.verdict, out.Results[0].Verdict)
		assert.Contains(t, out.Results[0].Error, "--out")
		assert.Empty(t, out.Results[0].HTML)
	}
}

// TestCheckInvalidWinsOverBadFile: an invalid history is never hidden behind
// a sibling file that could not be read: exit 1, the bad file still an error.
func TestCheckInvalidWinsOverBadFile(t *testing.T) {
	dir := t.TempDir()
	invalid := filepath.Join(testdata, "porcupine", "jepsen", "etcd_000.log")
	r := cli(t, dir, nil, "check", "--json", invalid, filepath.Join(dir, "missing.log"))
	assert.Equal(t, exitInvalid, r.code, "%s", r)
	var out struct{ Results []checkResult }
	decodeOne(t, r.stdout, &out)
	require.Len(t, out.Results, 2)
	assert.Equal(t, "invalid", out.Results[0].Verdict)
	assert.Equal(t, "error", out.Results[1].Verdict)
	assert.Contains(t, out.Results[1].Error, "missing.log")
}
