package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/refcheck"
)

// benchJSONOut is `raftcheck bench --json`.
type benchJSONOut struct {
	GOMAXPROCS  int        `json:"gomaxprocs"`
	GOGC        int        `json:"gogc"`
	Quick       bool       `json:"quick"`
	Interrupted bool       `json:"interrupted"`
	Rows        []benchRow `json:"rows"`
}

var etcdLogDir = filepath.Join("..", "..", "histories", "testdata", "porcupine", "jepsen")

// TestBenchQuickTable: --quick takes every measure of the table, each with a
// positive figure, and judges the ones with a target. It asserts no speed:
// figures on a loaded test machine mean nothing.
func TestBenchQuickTable(t *testing.T) {
	logs, err := filepath.Abs(etcdLogDir)
	require.NoError(t, err)
	r := cli(t, t.TempDir(), nil, "bench", "--quick", "--json", "--etcd-logs", logs)
	require.Equal(t, exitValid, r.code, "%s", r)
	var out benchJSONOut
	decodeOne(t, r.stdout, &out)
	assert.True(t, out.Quick)
	assert.False(t, out.Interrupted)
	assert.Positive(t, out.GOMAXPROCS)
	assert.Equal(t, defaultGCPercent, out.GOGC, "the CLI's collector setting, GOGC unset")

	targeted := map[string]bool{
		"engine: 64 pending": true, "network: send+deliver": true,
		"raft commit: 3 nodes": true, "raft commit: 5 nodes": true,
		"standard seed: events/s": true, "standard seed: simulated/wall": true, "standard seed: checking share": true,
		"saturating: events/s": true, "sweep: standard seeds per minute": true,
		etcdVsPorcupine: true, kvRow + " c50-ok": true, kvRow + " c50-bad": true, kvRow + " c50-bad: explanation": true,
	}
	want := []string{
		"engine: 64 pending", "engine: 4096 pending", "network: send+deliver", "raft commit: 3 nodes", "raft commit: 5 nodes",
		"standard seed: wall time", "standard seed: events/s", "standard seed: simulated/wall", "standard seed: checking share",
		"standard seed on etcd's Raft: wall time", "standard seed on etcd's Raft: events/s", "standard seed on etcd's Raft: vs built-in",
		"saturating: events/s", "saturating: wall time", "sweep: standard seeds per minute",
		"scaling: 3 nodes", "scaling: 5 nodes", "scaling: 9 nodes", "checking the Jepsen etcd logs", etcdVsPorcupine,
	}
	// Porcupine's kv histories are in the module cache after `go mod
	// download`; without them their row says it was skipped.
	kvSkipped := findKVHistories("").dir == ""
	if kvSkipped {
		want = append(want, kvRow)
	} else {
		want = append(want, kvRow+" c50-ok", kvRow+" c50-bad", kvRow+" c50-bad: explanation")
	}
	var names []string
	for _, row := range out.Rows {
		names = append(names, row.Name)
		if row.Name == kvRow {
			assert.Equal(t, "skipped", row.Status)
			continue
		}
		assert.Positive(t, row.Value, row.Name)
		if targeted[row.Name] {
			assert.NotEmpty(t, row.Target, row.Name)
			assert.Contains(t, []string{"ok", "MISS"}, row.Status, row.Name)
		} else {
			assert.Empty(t, row.Status, row.Name)
		}
	}
	assert.Equal(t, want, names)
	assert.Contains(t, r.stderr, "bench: checking the Jepsen etcd logs")

	// The text form of the same rows.
	var text bytes.Buffer
	require.NoError(t, printBench(&text, out.Rows))
	assert.Regexp(t, `(?m)^MEASURE +VALUE +UNIT +TARGET +STATUS +NOTE$`, text.String())
	assert.Regexp(t, `(?m)^standard seed: events/s +\S+ +events/s +≥ 2\.00M +(ok|MISS)\b`, text.String())
}

// TestBenchNoEtcdLogs: without logs the measure's row is still there, marked
// skipped, saying how to name the logs (or which named directory had none).
func TestBenchNoEtcdLogs(t *testing.T) {
	empty := t.TempDir()
	cases := []struct {
		name string
		src  etcdSource
		note string
	}{
		{"none found", etcdSource{}, "skipped: no logs (use --etcd-logs DIR)"},
		{"named directory without logs", etcdSource{dir: empty, given: true}, "skipped: no logs in " + empty},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stderr bytes.Buffer
			b := &bencher{ctx: context.Background(), stderr: &stderr}
			require.NoError(t, b.etcdLogs(c.src, 1, 1))
			require.Len(t, b.rows, 1)
			assert.Equal(t, benchRow{Name: etcdRow, Unit: "ms total", Status: "skipped", Note: c.note}, b.rows[0])
			assert.Contains(t, stderr.String(), c.note)
			var text bytes.Buffer
			require.NoError(t, printBench(&text, b.rows))
			assert.Regexp(t, `(?m)^checking the Jepsen etcd logs +- +skipped +`+regexp.QuoteMeta(c.note)+`$`, text.String())
		})
	}
}

// TestFindEtcdLogs: --etcd-logs wins; else the logs under the working
// directory, else under the module root found from it; else none.
func TestFindEtcdLogs(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/m\n"), 0o644))
	logs := filepath.Join(root, defaultEtcdLogs)
	require.NoError(t, os.MkdirAll(logs, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(logs, "etcd_000.log"), nil, 0o644))
	deep := filepath.Join(root, "cmd", "tool")
	require.NoError(t, os.MkdirAll(deep, 0o755))
	// A working directory holding its own copy of the logs, inside the module.
	local := filepath.Join(root, "copy")
	require.NoError(t, os.MkdirAll(filepath.Join(local, defaultEtcdLogs), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(local, defaultEtcdLogs, "etcd_001.log"), nil, 0o644))
	// A module without the logs.
	bare := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bare, "go.mod"), []byte("module example.com/bare\n"), 0o644))

	cases := []struct {
		name, flag, wd string
		want           etcdSource
	}{
		{"the flag wins", "/elsewhere", deep, etcdSource{dir: "/elsewhere", given: true}},
		{"at the module root", "", root, etcdSource{dir: logs}},
		{"from a subdirectory: the module root", "", deep, etcdSource{dir: logs}},
		{"the working directory first", "", local, etcdSource{dir: filepath.Join(local, defaultEtcdLogs)}},
		{"a module without logs", "", bare, etcdSource{}},
		{"outside any module", "", t.TempDir(), etcdSource{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, findEtcdLogs(c.flag, c.wd))
		})
	}
}

// TestBenchEtcdLogsFromAnywhere: bench finds the repository's etcd logs from
// a subdirectory of the module, and outside it prints the row as skipped
// instead of dropping it.
func TestBenchEtcdLogsFromAnywhere(t *testing.T) {
	row := func(t *testing.T, dir string) benchRow {
		t.Helper()
		r := cli(t, dir, nil, "bench", "--quick", "--json")
		require.Equal(t, exitValid, r.code, "%s", r)
		var out benchJSONOut
		decodeOne(t, r.stdout, &out)
		for _, row := range out.Rows {
			if row.Name == etcdRow {
				return row
			}
		}
		require.Fail(t, "no etcd row", "%+v", out.Rows)
		return benchRow{}
	}
	wd, err := os.Getwd() // cmd/raftcheck: the module root is two levels up
	require.NoError(t, err)
	in := row(t, wd)
	assert.Positive(t, in.Value)
	assert.Empty(t, in.Status)
	assert.Contains(t, in.Note, "80 files read and checked")

	out := row(t, t.TempDir())
	assert.Equal(t, "skipped", out.Status)
	assert.Equal(t, "skipped: no logs (use --etcd-logs DIR)", out.Note)
}

// TestBenchTargets: a figure past its target is a MISS, naming the bound.
func TestBenchTargets(t *testing.T) {
	b := &bencher{}
	b.add("fast", 3e6, "events/s", atLeast(2e6), "")
	b.add("slow", 1e6, "events/s", atLeast(2e6), "")
	b.add("cheap", 12, "%", atMost(30), "")
	b.add("dear", 31, "%", atMost(30), "")
	b.add("plain", 5, "ms", nil, "")
	var got []string
	for _, r := range b.rows {
		got = append(got, r.Target+" "+r.Status)
	}
	assert.Equal(t, []string{"≥ 2.00M ok", "≥ 2.00M MISS", "≤ 30 ok", "≤ 30 MISS", " "}, got)
}

// TestBenchUsage: stray arguments are usage errors.
func TestBenchUsage(t *testing.T) {
	r := cli(t, t.TempDir(), nil, "bench", "extra")
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, `unexpected argument "extra"`)
}

// TestBenchInterrupt: Ctrl-C stops the table after the measure in progress,
// prints what was measured and exits 2.
func TestBenchInterrupt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), execLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "bench", "--quick", "--json", "--etcd-logs", t.TempDir())
	cmd.Dir = t.TempDir()
	cmd.Env = cleanEnv()
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	pipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var (
		mu     sync.Mutex
		stderr strings.Builder
	)
	started := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pipe)
		once := sync.Once{}
		for sc.Scan() {
			mu.Lock()
			stderr.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.HasPrefix(sc.Text(), "bench: standard seed") {
				once.Do(func() { close(started) })
			}
		}
	}()
	select {
	case <-started:
	case <-time.After(execLimit / 2):
		t.Fatal("the bench never reached the standard seed")
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err = cmd.Wait()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee) && ee.Exited(), "want a clean exit after SIGINT: %v", err)
	assert.Equal(t, exitUnknown, ee.ExitCode())
	var out benchJSONOut
	decodeOne(t, stdout.String(), &out)
	assert.True(t, out.Interrupted)
	require.NotEmpty(t, out.Rows)
	assert.Equal(t, "engine: 64 pending", out.Rows[0].Name, "the measures taken before the signal are kept")
	for _, row := range out.Rows {
		assert.NotContains(t, row.Name, "scaling:", "the table stops after the measure in progress")
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, stderr.String(), "bench: interrupted")
}

// TestBenchCheckOnly: --check-only takes the checking measures alone, the
// etcd logs beside porcupine with the 1.2× target among them.
func TestBenchCheckOnly(t *testing.T) {
	logs, err := filepath.Abs(etcdLogDir)
	require.NoError(t, err)
	r := cli(t, t.TempDir(), nil, "bench", "--quick", "--check-only", "--json", "--etcd-logs", logs, "--kv-histories", t.TempDir())
	require.Equal(t, exitUsage, r.code, "a named directory without the kv histories is bad input: %s", r)
	assert.Contains(t, r.stderr, "c50-ok.txt")

	r = cli(t, t.TempDir(), nil, "bench", "--quick", "--check-only", "--json", "--etcd-logs", logs)
	require.Equal(t, exitValid, r.code, "%s", r)
	var out benchJSONOut
	decodeOne(t, r.stdout, &out)
	require.GreaterOrEqual(t, len(out.Rows), 3)
	assert.Equal(t, etcdRow, out.Rows[0].Name)
	ratio := out.Rows[1]
	assert.Equal(t, etcdVsPorcupine, ratio.Name)
	assert.Equal(t, "× porcupine", ratio.Unit)
	assert.Equal(t, "≤ 1.2", ratio.Target)
	assert.Positive(t, ratio.Value)
	assert.Contains(t, ratio.Note, "over 80 files (64 not linearizable)")
	for _, row := range out.Rows[2:] {
		assert.True(t, strings.HasPrefix(row.Name, kvRow), row.Name)
	}
}

// TestCompareCatchesDisagreement: the side-by-side timing checks that
// porcupine and raftcheck agree on every verdict; a baseline model that
// accepts everything disagrees with raftcheck on a read of a value nobody
// wrote, and the bench fails instead of timing it.
func TestCompareCatchesDisagreement(t *testing.T) {
	h := histories.History{
		{Index: 0, Time: 1, Process: 0, Type: histories.Invoke, F: "write", Value: int64(1)},
		{Index: 1, Time: 2, Process: 0, Type: histories.OK, F: "write", Value: int64(1)},
		{Index: 2, Time: 3, Process: 1, Type: histories.Invoke, F: "read"},
		{Index: 3, Time: 4, Process: 1, Type: histories.OK, F: "read", Value: int64(2)},
	}
	good := refCase{name: "h", h: h, model: checker.ModelRegister, ref: refcheck.RegisterModel(), ops: refcheck.EtcdOps}
	s, err := compare([]refCase{good}, 2)
	require.NoError(t, err)
	assert.Equal(t, 1, s.illegal)
	assert.Len(t, s.ours, compareMaxReps, "a check of microseconds is repeated to the bound")
	assert.Len(t, s.bestOurs, 1)
	assert.Positive(t, s.ratio())
	s, err = compare([]refCase{good}, 1)
	require.NoError(t, err)
	assert.Len(t, s.ours, 1, "a smoke test runs once")

	lax := good
	lax.ref = porcupine.Model{Init: func() any { return nil }, Step: func(s, _, _ any) (bool, any) { return true, s }}
	_, err = compare([]refCase{lax}, 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "h: raftcheck says illegal, porcupine linearizable=true")
}
