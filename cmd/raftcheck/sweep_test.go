package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sweepJSONOut is `sweep --json`.
type sweepJSONOut struct {
	Seeds       int     `json:"seeds"`
	Planned     int     `json:"planned"`
	Valid       int     `json:"valid"`
	Invalid     int     `json:"invalid"`
	Unknown     int     `json:"unknown"`
	Errors      int     `json:"errors"`
	Interrupted bool    `json:"interrupted"`
	WallSeconds float64 `json:"wall_seconds"`
	Failures    []struct {
		Seed    uint64   `json:"seed"`
		Label   string   `json:"label"`
		Verdict string   `json:"verdict"`
		Reasons []string `json:"reasons"`
		Replay  string   `json:"replay"`
		Store   string   `json:"store"`
		Error   string   `json:"error"`
	} `json:"failures"`
}

// sweepJSONKeys: issue 7's keys plus the documented planned, errors, interrupted.
var sweepJSONKeys = sorted("seeds", "planned", "valid", "invalid", "unknown", "errors", "interrupted", "failures", "wall_seconds")

// short keeps the sweep tests' runs small: 3 s of faults, 3 s of recovery.
var short = []string{"--max-time", "3s", "--recovery-time", "3s", "--progress=false"}

func sweepArgs(args ...string) []string {
	return append(append([]string{"sweep"}, short...), args...)
}

// TestSweepJSON: the schema, and a clean sweep stores nothing.
func TestSweepJSON(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, sweepArgs("--count", "6", "--json")...)
	require.Equal(t, exitValid, r.code, "%s", r)
	var raw map[string]json.RawMessage
	decodeOne(t, r.stdout, &raw)
	assert.Equal(t, sweepJSONKeys, keysOf(raw))
	assert.Equal(t, "[]", string(raw["failures"]), "failures is an empty list, not null")
	var out sweepJSONOut
	decodeOne(t, r.stdout, &out)
	assert.Equal(t, sweepJSONOut{Seeds: 6, Planned: 6, Valid: 6, WallSeconds: out.WallSeconds, Failures: out.Failures}, out)
	assert.Positive(t, out.WallSeconds)
	assert.NoDirExists(t, filepath.Join(dir, "store"), "passing seeds leave no reports without --keep-all")
}

// progressFrame is one frame of the sweep's progress bar, e.g. "sweep (6
// failing)  63% |…| (19/30) [0s:0s]": the running failure count, the
// count done, and [elapsed:eta].
var progressFrame = regexp.MustCompile(`sweep \((\d+) failing\)\s+\d+% \|[^|]*\| \((\d+)/(\d+)\) \[[0-9hms.]+:[0-9hms.]+\]`)

// TestSweepProgress: --progress draws the bar on stderr with the running
// failure count and [elapsed:eta], while stdout stays exactly one JSON
// object; without it (stderr is not a terminal here) stderr has no bar.
func TestSweepProgress(t *testing.T) {
	dir := t.TempDir()
	// One worker: seed 1 (invalid with local reads) finishes first, and the
	// bar's first frame, never throttled, is drawn when it does.
	args := []string{"sweep", "--count", "4", "--workers", "1", "--read-mode", "local", "--store", "", "--json"}
	r := cli(t, dir, nil, append(args, "--progress")...)
	require.Equal(t, exitInvalid, r.code, "%s", r)
	var out sweepJSONOut
	decodeOne(t, r.stdout, &out)
	assert.Equal(t, 4, out.Seeds)
	require.Positive(t, out.Invalid)
	require.Equal(t, uint64(1), out.Failures[0].Seed, "seed 1 fails with local reads")

	frames := progressFrame.FindAllStringSubmatch(r.stderr, -1)
	require.NotEmpty(t, frames, "no progress bar on stderr:\n%q", r.stderr)
	assert.Equal(t, []string{"1", "0", "4"}, frames[0][1:], "the first frame: seed 1 failing, none counted yet, of 4")
	last := 0
	for _, f := range frames {
		n, err := strconv.Atoi(f[1])
		require.NoError(t, err)
		assert.GreaterOrEqual(t, n, last, "the failing count never drops")
		assert.LessOrEqual(t, n, out.Invalid+out.Unknown)
		last = n
	}

	r = cli(t, dir, nil, args...)
	require.Equal(t, exitInvalid, r.code, "%s", r)
	decodeOne(t, r.stdout, &out)
	assert.NotContains(t, r.stderr, "failing)", "no bar when stderr is not a terminal")
}

// TestSweepFailingSeedsGetReports: failing seeds are stored with full
// reports and listed with their replay command; passing seeds are not stored
// unless --keep-all.
func TestSweepFailingSeedsGetReports(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "sweep", "--count", "6", "--read-mode", "local", "--json", "--progress=false")
	require.Equal(t, exitInvalid, r.code, "local reads must fail some seed in 6: %s", r)
	var out sweepJSONOut
	decodeOne(t, r.stdout, &out)
	require.Positive(t, out.Invalid)
	assert.Equal(t, 6, out.Seeds)
	assert.Equal(t, 6, out.Valid+out.Invalid+out.Unknown)
	require.Len(t, out.Failures, out.Invalid+out.Unknown)
	// Each failure has the keys docs/cli.md lists; "label" is the suite's alone.
	var raw struct {
		Failures []map[string]json.RawMessage `json:"failures"`
	}
	decodeOne(t, r.stdout, &raw)
	for _, f := range raw.Failures {
		assert.Equal(t, sorted("seed", "verdict", "reasons", "replay", "store"), keysOf(f))
	}
	var stored []string
	for i, f := range out.Failures {
		if i > 0 {
			assert.Less(t, out.Failures[i-1].Seed, f.Seed, "failures in seed order")
		}
		assert.Equal(t, "raftcheck run --seed "+strconv.FormatUint(f.Seed, 10)+" --read-mode local", f.Replay)
		assert.NotEmpty(t, f.Reasons)
		require.NotEmpty(t, f.Store, "seed %d", f.Seed)
		assert.Contains(t, f.Store, "-seed"+strconv.FormatUint(f.Seed, 10))
		for _, file := range []string{"results.json", "history.jsonl", "history.edn", "linearizability.html", "timeline.html", "summary.txt"} {
			assert.FileExists(t, filepath.Join(dir, f.Store, file))
		}
		stored = append(stored, rel(t, dir, f.Store))
	}
	sort.Strings(stored)
	assert.Equal(t, stored, runDirs(t, filepath.Join(dir, "store")), "only failing seeds are stored")

	// The stored failing run replays to the same hash and verdict.
	r = cli(t, dir, nil, "replay", out.Failures[0].Store)
	assert.Equal(t, exitInvalid, r.code, "replay reports the stored run's verdict: %s", r)
	assert.Contains(t, r.stdout, "trace hashes match")

	// Text output: the table of failing seeds with replay commands.
	r = cli(t, dir, nil, "sweep", "--count", "6", "--read-mode", "local", "--progress=false", "--store", "")
	require.Equal(t, exitInvalid, r.code, "%s", r)
	assert.Regexp(t, `(?m)^6 seeds in [\d.]+ s: \d+ valid, [1-9]\d* invalid, 0 unknown, 0 errors$`, r.stdout)
	assert.Regexp(t, `(?m)^SEED\s+VERDICT\s+FIRST REASON$`, r.stdout)
	assert.Contains(t, r.stdout, "replay: "+out.Failures[0].Replay)

	// --keep-all stores every seed.
	keep := filepath.Join(dir, "keep")
	r = cli(t, dir, nil, sweepArgs("--count", "4", "--keep-all", "--store", keep, "--json")...)
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Equal(t, []string{"1", "2", "3", "4"}, storedSeeds(t, keep))
}

// storedSeeds lists the seeds of the run directories under a store, sorted numerically.
func storedSeeds(t testing.TB, store string) []string {
	t.Helper()
	re := regexp.MustCompile(`-seed(\d+)$`)
	var seeds []int
	for _, d := range runDirs(t, store) {
		m := re.FindStringSubmatch(d)
		require.NotNil(t, m, d)
		n, _ := strconv.Atoi(m[1])
		seeds = append(seeds, n)
	}
	sort.Ints(seeds)
	out := []string{}
	for _, s := range seeds {
		out = append(out, strconv.Itoa(s))
	}
	return out
}

// TestSweepShards: --shard i/n and $RAFTCHECK_SHARD split the seeds
// deterministically; the n shards cover every seed exactly once.
func TestSweepShards(t *testing.T) {
	dir := t.TempDir()
	const n = 3
	all := map[string]int{}
	for i := 1; i <= n; i++ {
		shard := strconv.Itoa(i) + "/" + strconv.Itoa(n)
		byFlag := filepath.Join(dir, "flag"+strconv.Itoa(i))
		r := cli(t, dir, nil, sweepArgs("--seeds", "1..10", "--shard", shard, "--keep-all", "--store", byFlag, "--json")...)
		require.Equal(t, exitValid, r.code, "%s", r)
		var out sweepJSONOut
		decodeOne(t, r.stdout, &out)
		seeds := storedSeeds(t, byFlag)
		assert.Equal(t, len(seeds), out.Seeds)
		for _, s := range seeds {
			all[s]++
		}
		// The environment variable picks the same shard.
		byEnv := filepath.Join(dir, "env"+strconv.Itoa(i))
		r = cli(t, dir, []string{shardEnv + "=" + shard}, sweepArgs("--seeds", "1..10", "--keep-all", "--store", byEnv, "--json")...)
		require.Equal(t, exitValid, r.code, "%s", r)
		assert.Equal(t, seeds, storedSeeds(t, byEnv), "shard %s: flag and env agree", shard)
	}
	want := map[string]int{}
	for s := 1; s <= 10; s++ {
		want[strconv.Itoa(s)] = 1
	}
	assert.Equal(t, want, all, "every seed in exactly one shard")

	// The flag overrides the environment.
	over := filepath.Join(dir, "override")
	r := cli(t, dir, []string{shardEnv + "=1/2"}, sweepArgs("--seeds", "1..6", "--shard", "2/2", "--keep-all", "--store", over, "--json")...)
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Equal(t, []string{"2", "4", "6"}, storedSeeds(t, over))
}

// TestSweepFailFast: with one worker, --fail-fast stops at the first failing
// seed; without it the same sweep runs every seed.
func TestSweepFailFast(t *testing.T) {
	dir := t.TempDir()
	common := []string{"--read-mode", "local", "--workers", "1", "--json", "--progress=false", "--store", ""}
	r := cli(t, dir, nil, append([]string{"sweep", "--count", "40", "--fail-fast"}, common...)...)
	require.Equal(t, exitInvalid, r.code, "%s", r)
	var fast sweepJSONOut
	decodeOne(t, r.stdout, &fast)
	require.Len(t, fast.Failures, 1)
	first := fast.Failures[0].Seed
	assert.Equal(t, int(first), fast.Seeds, "seeds 1..%d ran, then the sweep stopped", first)
	assert.Less(t, fast.Seeds, fast.Planned)
	assert.False(t, fast.Interrupted)

	r = cli(t, dir, nil, append([]string{"sweep", "--seeds", "1.." + strconv.FormatUint(first+3, 10)}, common...)...)
	require.Equal(t, exitInvalid, r.code, "%s", r)
	var all sweepJSONOut
	decodeOne(t, r.stdout, &all)
	assert.Equal(t, int(first)+3, all.Seeds, "without --fail-fast every seed runs")
	assert.Equal(t, first, all.Failures[0].Seed, "the same first failure")
}

// TestSweepInterrupt: SIGINT during a long sweep stops it cleanly: the runs in
// progress finish, every finished seed is kept in the store, the summary is
// printed, and the exit code says unknown (2): the sweep is incomplete.
func TestSweepInterrupt(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	r := interruptSweep(t, dir, store, "--json")
	assert.Equal(t, exitUnknown, r.code, "%s", r)
	assert.Contains(t, r.stderr, "interrupt: finishing the runs in progress")

	var out sweepJSONOut
	decodeOne(t, r.stdout, &out)
	assert.True(t, out.Interrupted)
	assert.GreaterOrEqual(t, out.Seeds, 3)
	assert.Less(t, out.Seeds, out.Planned)
	assert.Equal(t, 100000, out.Planned)
	assert.Equal(t, out.Seeds, out.Valid, "every finished seed counted")
	// Every finished seed is in the store, complete; no half-written run.
	assert.Len(t, runDirs(t, store), out.Seeds)
	dirs, err := filepath.Glob(filepath.Join(store, "run", "*"))
	require.NoError(t, err)
	assert.Len(t, dirs, out.Seeds, "no run directory without results.json")
	tmp, err := filepath.Glob(filepath.Join(store, "run", "*", ".*"))
	require.NoError(t, err)
	assert.Empty(t, tmp)
}

// TestSweepInterruptText: the text summary after Ctrl-C says so.
func TestSweepInterruptText(t *testing.T) {
	dir := t.TempDir()
	r := interruptSweep(t, dir, filepath.Join(dir, "store"), "--workers", "1")
	assert.Equal(t, exitUnknown, r.code, "%s", r)
	assert.Regexp(t, `(?m)^\d+ seeds? in [\d.]+ s \(interrupted: \d+ of 100000 seeds finished\): \d+ valid, 0 invalid, 0 unknown, 0 errors$`, r.stdout)
}

// interruptSweep starts a sweep far too long to finish, storing every run in
// store; once three runs are stored (so the signal handler is surely
// installed) it sends SIGINT and waits for the exit.
func interruptSweep(t *testing.T, dir, store string, args ...string) execResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), execLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, sweepArgs(append([]string{"--count", "100000", "--keep-all", "--store", store}, args...)...)...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	deadline := time.Now().Add(execLimit / 2)
	for len(runDirs(t, store)) < 3 {
		select {
		case err := <-exited:
			t.Fatalf("sweep ended before the interrupt: %v\n%s\n%s", err, stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "no seed finished in time")
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	var err error
	select {
	case err = <-exited:
	case <-time.After(execLimit / 2):
		t.Fatal("the sweep did not stop after SIGINT")
	}
	r := execResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	if err != nil {
		require.ErrorAs(t, err, &ee, "%s", r)
		require.True(t, ee.Exited(), "killed by the signal instead of stopping cleanly: %s", r)
		r.code = ee.ExitCode()
	}
	return r
}

// TestSweepUnit covers the seed list and shard helpers directly.
func TestSweepUnit(t *testing.T) {
	seeds := []struct {
		in   string
		want []uint64
		err  bool
	}{
		{"1..3", []uint64{1, 2, 3}, false},
		{"5..5", []uint64{5}, false},
		{" 2 .. 4 ", []uint64{2, 3, 4}, false},
		{"7,3,9", []uint64{7, 3, 9}, false},
		{"1..3,5,9..10", []uint64{1, 2, 3, 5, 9, 10}, false},
		{" 4 , 1..2 ,", []uint64{4, 1, 2}, false},
		{"", nil, true},
		{"1..3,9..5", nil, true},
		{"1..3,x", nil, true},
		{"1..9999995,1..10", nil, true},
		{"18446744073709551614..18446744073709551615", []uint64{18446744073709551614, 18446744073709551615}, false},
		{"3..1", nil, true},
		{"1..x", nil, true},
		{"1..99999999", nil, true},
		{",", nil, true},
		{"a,b", nil, true},
	}
	for _, c := range seeds {
		got, err := parseSeeds(c.in)
		if c.err {
			assert.Error(t, err, c.in)
			continue
		}
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
	for _, bad := range []string{"", "1", "0/3", "4/3", "1/0", "a/b", "-1/2", "1/2/3"} {
		_, _, err := parseShard(bad)
		assert.Error(t, err, bad)
	}
	// Every n from 1 to 7 over 0..20 seeds: each seed in exactly one shard, order kept.
	for n := 1; n <= 7; n++ {
		for size := 0; size <= 20; size++ {
			var in []uint64
			for s := 0; s < size; s++ {
				in = append(in, uint64(100+s))
			}
			var union []uint64
			for i := 1; i <= n; i++ {
				part := shardSeeds(in, i, n)
				assert.True(t, sort.SliceIsSorted(part, func(a, b int) bool { return part[a] < part[b] }))
				assert.LessOrEqual(t, len(part), (size+n-1)/n, "shards are balanced")
				union = append(union, part...)
			}
			sort.Slice(union, func(a, b int) bool { return union[a] < union[b] })
			if size == 0 {
				assert.Empty(t, union)
			} else {
				assert.Equal(t, in, union, "n=%d size=%d", n, size)
			}
		}
	}
}

// TestPrintSweepPlural: counts of one are singular.
func TestPrintSweepPlural(t *testing.T) {
	var b bytes.Buffer
	printSweep(&b, &sweepSummary{Seeds: 1, Planned: 1, Errors: 1, Failures: []sweepFailure{}})
	assert.Contains(t, b.String(), "1 seed in 0.0 s: 0 valid, 0 invalid, 0 unknown, 1 error\n")
	b.Reset()
	printSweep(&b, &sweepSummary{Seeds: 2, Planned: 3, Valid: 2, Failures: []sweepFailure{}})
	assert.Contains(t, b.String(), "2 seeds in 0.0 s (stopped early: 2 of 3 seeds run): 2 valid, 0 invalid, 0 unknown, 0 errors\n")
	assert.Equal(t, "1 window", plural(1, "window"))
	assert.Equal(t, "0 windows", plural(0, "window"))
}
