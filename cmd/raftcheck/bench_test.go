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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	}
	want := []string{
		"engine: 64 pending", "engine: 4096 pending", "network: send+deliver", "raft commit: 3 nodes", "raft commit: 5 nodes",
		"standard seed: wall time", "standard seed: events/s", "standard seed: simulated/wall", "standard seed: checking share",
		"standard seed on etcd's Raft: wall time", "standard seed on etcd's Raft: events/s", "standard seed on etcd's Raft: vs built-in",
		"saturating: events/s", "saturating: wall time", "sweep: standard seeds per minute",
		"scaling: 3 nodes", "scaling: 5 nodes", "scaling: 9 nodes", "checking the Jepsen etcd logs",
	}
	var names []string
	for _, row := range out.Rows {
		names = append(names, row.Name)
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
			require.NoError(t, b.etcdLogs(c.src, 1))
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
		require.NotEmpty(t, out.Rows)
		last := out.Rows[len(out.Rows)-1]
		require.Equal(t, etcdRow, last.Name)
		return last
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
