package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The `run --json` keys: issue 7's list, then the documented extras (nodes,
// leader; error only when storing failed). docs/cli.md's run --json section lists the same.
var (
	runJSONKeys   = sorted("seed", "verdict", "reasons", "linearizability", "invariants", "liveness", "churn", "trace_hash", "stats", "store", "replay", "nodes", "leader")
	statsJSONKeys = sorted("events", "sim_seconds", "wall_seconds", "check_seconds", "ops", "availability",
		"latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "latency_max_ms",
		"messages_sent", "messages_delivered", "messages_dropped", "messages_duplicated", "messages_unknown_peer", "fault_events")
	opsJSONKeys = sorted("invoked", "ok", "fail", "info", "pending")
)

// runJSONOut is the part of `run --json` the tests read.
type runJSONOut struct {
	Seed            uint64   `json:"seed"`
	Verdict         string   `json:"verdict"`
	Reasons         []string `json:"reasons"`
	Linearizability string   `json:"linearizability"`
	Liveness        string   `json:"liveness"`
	TraceHash       string   `json:"trace_hash"`
	Store           string   `json:"store"`
	Replay          string   `json:"replay"`
	Stats           struct {
		Events     uint64  `json:"events"`
		SimSeconds float64 `json:"sim_seconds"`
		Ops        struct {
			OK, Fail, Info int
		} `json:"ops"`
	} `json:"stats"`
	Nodes []struct {
		ID    int  `json:"id"`
		Alive bool `json:"alive"`
	} `json:"nodes"`
}

// TestRunPrintsNodeTable is issue 7's first acceptance point:
// `raftcheck run --nodes 5 --max_time 30` works and prints the per-node table,
// the verdict, where the reports are and the replay command.
func TestRunPrintsNodeTable(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "run", "--nodes", "5", "--max_time", "30")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Empty(t, r.stderr, "nothing on stderr at the default log level")
	header := regexp.MustCompile(`(?m)^Node ID\s+State\s+Term\s+Alive\s+Log Size \(since snapshot\)\s+Commit Index$`)
	require.Regexp(t, header, r.stdout)
	rows := regexp.MustCompile(`(?m)^\s+([1-5])\s+(leader|follower|candidate|precandidate|crashed|failed)(?: \(paused\))?\s+\d+\s+(yes|no)\s+\d+\s+\d+$`).FindAllStringSubmatch(r.stdout, -1)
	require.Len(t, rows, 5, "one row per node:\n%s", r.stdout)
	for i, row := range rows {
		assert.Equal(t, strconv.Itoa(i+1), row[1], "rows in node order")
	}
	assert.Regexp(t, `(?m)^leader: node [1-5]   alive: 5/5$`, r.stdout)
	assert.Contains(t, r.stdout, "\nverdict: VALID\n")
	assert.Regexp(t, `(?m)^trace hash: [0-9a-f]{16}$`, r.stdout)
	assert.Contains(t, r.stdout, "replay: raftcheck run --seed 1 --max-time 30s\n")
	m := regexp.MustCompile(`(?m)^reports: (store/run/[^/]+)/\{summary.txt,`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, "the reports line names the run directory:\n%s", r.stdout)
	for _, f := range []string{"summary.txt", "timeline.html", "linearizability.html", "latency.svg", "rate.svg"} {
		assert.FileExists(t, filepath.Join(dir, m[1], f))
	}
}

// TestRunJSON: `run --seed 7 --json` prints exactly one JSON object with the
// documented keys on stdout and nothing on stderr; twice gives one trace hash;
// the store holds both runs in the documented layout.
func TestRunJSON(t *testing.T) {
	dir := t.TempDir()
	var outs [2]runJSONOut
	for i := range outs {
		r := cli(t, dir, nil, "run", "--seed", "7", "--json")
		require.Equal(t, exitValid, r.code, "%s", r)
		assert.Empty(t, r.stderr, "logs go to stderr, and at the default level there are none")
		var raw map[string]json.RawMessage
		decodeOne(t, r.stdout, &raw)
		assert.Equal(t, runJSONKeys, keysOf(raw), "run --json keys")
		var stats map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw["stats"], &stats))
		assert.Equal(t, statsJSONKeys, keysOf(stats), "stats keys")
		var ops map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(stats["ops"], &ops))
		assert.Equal(t, opsJSONKeys, keysOf(ops), "stats.ops keys")
		decodeOne(t, r.stdout, &outs[i])
	}
	a, b := outs[0], outs[1]
	assert.Equal(t, uint64(7), a.Seed)
	assert.Equal(t, "valid", a.Verdict)
	assert.Equal(t, []string{}, a.Reasons, "reasons is an empty list, not null")
	assert.Equal(t, "ok", a.Linearizability)
	assert.Equal(t, "ok", a.Liveness)
	assert.Regexp(t, `^[0-9a-f]{16}$`, a.TraceHash)
	assert.Equal(t, a.TraceHash, b.TraceHash, "same seed, same trace")
	assert.Equal(t, a.Stats.Events, b.Stats.Events)
	assert.Positive(t, a.Stats.Ops.OK)
	assert.Len(t, a.Nodes, 5)
	assert.Equal(t, "raftcheck run --seed 7", a.Replay)
	assert.NotEqual(t, a.Store, b.Store, "each run gets its own directory")
	assert.Equal(t, []string{rel(t, dir, a.Store), rel(t, dir, b.Store)}, runDirs(t, filepath.Join(dir, "store")))

	// Store layout: store/<name>/<timestamp>-seed<seed>/ with every file.
	assert.Regexp(t, `^store/run/\d{8}T\d{6}\.\d{9}Z-seed7$`, a.Store)
	for _, f := range []string{"results.json", "history.jsonl", "history.edn", "linearizability.html", "timeline.html", "latency.svg", "rate.svg", "summary.txt"} {
		fi, err := os.Stat(filepath.Join(dir, a.Store, f))
		if assert.NoError(t, err, f) {
			assert.Positive(t, fi.Size(), f)
		}
	}
	leftovers, err := filepath.Glob(filepath.Join(dir, a.Store, ".*"))
	require.NoError(t, err)
	assert.Empty(t, leftovers, "no temporary files left behind")
	latest, err := os.Readlink(filepath.Join(dir, "store", "latest"))
	require.NoError(t, err)
	assert.Equal(t, strings.TrimPrefix(b.Store, "store/"), latest, "store/latest is a relative link to the newest run")

	// results.json is the run's JSON plus the full config.
	raw, err := os.ReadFile(filepath.Join(dir, a.Store, "results.json"))
	require.NoError(t, err)
	var stored map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &stored))
	for _, k := range runJSONKeys {
		assert.Contains(t, stored, k, "results.json holds the run's %q", k)
	}
	var cfg map[string]any
	require.NoError(t, json.Unmarshal(stored["config"], &cfg))
	for k, want := range map[string]any{"seed": 7.0, "nodes": 5.0, "max_time": "1m0s", "workload": "kv", "clients": 10.0, "read_mode": "readindex"} {
		assert.Equal(t, want, cfg[k], "config.%s", k)
	}
	assert.Equal(t, `"`+a.TraceHash+`"`, string(stored["trace_hash"]))
	summary, err := os.ReadFile(filepath.Join(dir, a.Store, "summary.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(summary), "Node ID")
}

// TestRunLogsGoToStderr: with logging on, stdout still holds exactly the JSON
// object and the log lines land on stderr.
func TestRunLogsGoToStderr(t *testing.T) {
	r := cli(t, t.TempDir(), nil, "run", "--seed", "3", "--max-time", "5s", "--json", "--store", "", "--log-level", "debug")
	require.Equal(t, exitValid, r.code, "%s", r)
	var out runJSONOut
	decodeOne(t, r.stdout, &out)
	assert.Equal(t, uint64(3), out.Seed)
	assert.Empty(t, out.Store, "--store \"\" writes nothing")
	assert.Contains(t, r.stderr, "run starting")
}

// TestFlagSpellings: the original brief's underscores and the --time alias
// mean the same flags: every spelling gives the same run.
func TestFlagSpellings(t *testing.T) {
	dir := t.TempDir()
	spellings := []struct {
		name string
		args []string
	}{
		{"dashes", []string{"--max-time", "8s", "--chaos-scenario", "split_brain"}},
		{"underscores", []string{"--max_time", "8", "--chaos_scenario", "split_brain"}},
		{"time alias", []string{"--time", "8s", "--chaos-scenario=split_brain"}},
		{"equals and seconds", []string{"--max-time=8", "--chaos_scenario=split_brain"}},
	}
	var want string
	for _, s := range spellings {
		t.Run(s.name, func(t *testing.T) {
			args := append([]string{"run", "--seed", "5", "--json", "--store", ""}, s.args...)
			r := cli(t, dir, nil, args...)
			require.Equal(t, exitValid, r.code, "%s", r)
			var out runJSONOut
			decodeOne(t, r.stdout, &out)
			assert.Equal(t, "raftcheck run --seed 5 --max-time 8s --chaos-scenario split_brain", out.Replay)
			if want == "" {
				want = out.TraceHash
			}
			assert.Equal(t, want, out.TraceHash)
		})
	}
}

// TestReplay: replaying a stored run confirms its trace hash (exit 0); a
// results.json whose hash was tampered with exits 255 naming both hashes.
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "run", "--seed", "7", "--max-time", "20s", "--json")
	require.Equal(t, exitValid, r.code, "%s", r)
	var run runJSONOut
	decodeOne(t, r.stdout, &run)

	for _, target := range []string{run.Store, filepath.Join(run.Store, "results.json"), "store/latest"} {
		r = cli(t, dir, nil, "replay", target)
		require.Equal(t, exitValid, r.code, "replay %s: %s", target, r)
		assert.Contains(t, r.stdout, "stored   trace hash "+run.TraceHash)
		assert.Contains(t, r.stdout, "replayed trace hash "+run.TraceHash)
		assert.Contains(t, r.stdout, "trace hashes match")
	}
	r = cli(t, dir, nil, "replay", "--json", run.Store)
	require.Equal(t, exitValid, r.code, "%s", r)
	var rep struct {
		runJSONOut
		Stored string `json:"stored_trace_hash"`
		Match  bool   `json:"hash_match"`
	}
	decodeOne(t, r.stdout, &rep)
	assert.True(t, rep.Match)
	assert.Equal(t, run.TraceHash, rep.Stored)
	assert.Equal(t, run.TraceHash, rep.TraceHash)

	// Tamper with the stored hash: the replay must notice.
	raw, err := os.ReadFile(filepath.Join(dir, run.Store, "results.json"))
	require.NoError(t, err)
	const forged = "00000000deadbeef"
	tampered := strings.Replace(string(raw), `"trace_hash": "`+run.TraceHash+`"`, `"trace_hash": "`+forged+`"`, 1)
	require.NotEqual(t, string(raw), tampered, "the stored hash was found and replaced")
	forgedPath := filepath.Join(dir, "tampered.json")
	require.NoError(t, os.WriteFile(forgedPath, []byte(tampered), 0o644))
	r = cli(t, dir, nil, "replay", forgedPath)
	assert.Equal(t, exitInternal, r.code, "%s", r)
	assert.Contains(t, r.stderr, "trace hash mismatch")
	assert.Contains(t, r.stderr, forged)
	assert.Contains(t, r.stderr, run.TraceHash)

	// A changed config is a different run: the hash no longer matches either.
	changed := strings.Replace(string(raw), `"seed": 7,`, `"seed": 8,`, 2)
	require.NoError(t, os.WriteFile(forgedPath, []byte(changed), 0o644))
	r = cli(t, dir, nil, "replay", forgedPath)
	assert.Equal(t, exitInternal, r.code, "%s", r)

	// A results.json that is not JSON is bad input naming file and line.
	bad := strings.Replace(string(raw), `"verdict": "valid",`, `"verdict": valid,`, 1)
	require.NoError(t, os.WriteFile(forgedPath, []byte(bad), 0o644))
	r = cli(t, dir, nil, "replay", forgedPath)
	assert.Equal(t, exitUsage, r.code, "%s", r)
	line := 1 + strings.Count(bad[:strings.Index(bad, `"verdict": valid`)], "\n")
	assert.Contains(t, r.stderr, "tampered.json:"+strconv.Itoa(line)+":")
}

// TestExitCodes: each of Jepsen's exit codes from a real path.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	t.Run("0 valid", func(t *testing.T) {
		r := cli(t, dir, nil, "run", "--max-time", "5s", "--store", "")
		assert.Equal(t, exitValid, r.code, "%s", r)
	})
	t.Run("1 invalid", func(t *testing.T) {
		// Local reads are unsafe: some seed among the first few shows it.
		for seed := 1; seed <= 30; seed++ {
			r := cli(t, dir, nil, "run", "--read-mode", "local", "--seed", strconv.Itoa(seed), "--json", "--store", "")
			var out runJSONOut
			decodeOne(t, r.stdout, &out)
			switch out.Verdict {
			case "valid":
				require.Equal(t, exitValid, r.code, "%s", r)
				continue
			case "invalid":
				assert.Equal(t, exitInvalid, r.code, "%s", r)
				assert.NotEmpty(t, out.Reasons)
				return
			}
			t.Fatalf("seed %d: verdict %q: %s", seed, out.Verdict, r)
		}
		t.Fatal("no seed in 1..30 showed the stale local reads")
	})
	t.Run("2 unknown", func(t *testing.T) {
		// A 1ns search bound: porcupine gives up, so the verdict is unknown, never valid.
		r := cli(t, dir, nil, "run", "--check-timeout", "1ns", "--json", "--store", "")
		assert.Equal(t, exitUnknown, r.code, "%s", r)
		var out runJSONOut
		decodeOne(t, r.stdout, &out)
		assert.Equal(t, "unknown", out.Verdict)
		assert.Equal(t, "unknown", out.Linearizability)
		require.NotEmpty(t, out.Reasons)
		assert.Contains(t, out.Reasons[0], "linearizability")
	})
	t.Run("254 bad arguments", func(t *testing.T) {
		r := cli(t, dir, nil, "run", "--nodes", "many")
		assert.Equal(t, exitUsage, r.code, "%s", r)
	})
	t.Run("254 store not writable", func(t *testing.T) {
		// The store exists, but its run/ is a file: refused before the run
		// (issue 15), not after minutes of running.
		store := filepath.Join(dir, "blocked")
		require.NoError(t, os.MkdirAll(store, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(store, "run"), nil, 0o644))
		r := cli(t, dir, nil, "run", "--max-time", "5s", "--store", store)
		assert.Equal(t, exitUsage, r.code, "%s", r)
		assert.Empty(t, r.stdout, "no run, no verdict")
		assert.Contains(t, r.stderr, "--store: "+filepath.Join(store, "run")+" is not a directory")
	})
	t.Run("255 reports not written", func(t *testing.T) {
		// The store takes the run, but latest is a directory a link cannot
		// replace: the run's files are complete, the store is not. The
		// verdict is still printed.
		store := filepath.Join(dir, "nolatest")
		require.NoError(t, os.MkdirAll(filepath.Join(store, "latest", "x"), 0o755))
		r := cli(t, dir, nil, "run", "--max-time", "5s", "--store", store)
		assert.Equal(t, exitInternal, r.code, "%s", r)
		assert.Contains(t, r.stdout, "verdict: VALID")
		assert.Contains(t, r.stdout, "reports: INCOMPLETE")
		assert.Contains(t, r.stderr, "store:")
		r = cli(t, dir, nil, "run", "--max-time", "5s", "--store", store, "--json")
		assert.Equal(t, exitInternal, r.code, "%s", r)
		var out struct {
			Verdict, Error string
		}
		decodeOne(t, r.stdout, &out)
		assert.Equal(t, "valid", out.Verdict)
		assert.Contains(t, out.Error, "store:")
	})
	t.Run("255 internal", func(t *testing.T) {
		// Covered with its message by TestReplay (a trace hash mismatch);
		// here: a stored run dir whose results.json says another hash.
		r := cli(t, dir, nil, "run", "--max-time", "5s", "--json", "--store", "s")
		require.Equal(t, exitValid, r.code, "%s", r)
		var out runJSONOut
		decodeOne(t, r.stdout, &out)
		p := filepath.Join(dir, out.Store, "results.json")
		raw, err := os.ReadFile(p)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(raw), out.TraceHash, "ffffffffffffffff", 1)), 0o644))
		r = cli(t, dir, nil, "replay", out.Store)
		assert.Equal(t, exitInternal, r.code, "%s", r)
	})
}

// rel returns path relative to dir when it is absolute, else path itself.
func rel(t testing.TB, dir, path string) string {
	t.Helper()
	p := strings.TrimPrefix(path, "store/")
	if filepath.IsAbs(path) {
		r, err := filepath.Rel(filepath.Join(dir, "store"), path)
		require.NoError(t, err)
		p = r
	}
	return p
}
