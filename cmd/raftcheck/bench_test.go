package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
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

// TestBenchNoEtcdLogs: a directory without logs skips that measure, and says so.
func TestBenchNoEtcdLogs(t *testing.T) {
	var stderr bytes.Buffer
	b := &bencher{ctx: context.Background(), stderr: &stderr}
	require.NoError(t, b.etcdLogs(t.TempDir(), 1))
	assert.Empty(t, b.rows)
	assert.Contains(t, stderr.String(), "no etcd logs in")
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
