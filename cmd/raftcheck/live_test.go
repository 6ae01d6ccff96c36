package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	liveNodeOnce sync.Once
	liveNodePath string
	liveNodeErr  error
)

// fakeLiveNode builds internal/live's fake Maelstrom node once. Its first
// argument is its mode (ok, exit, noinit, garbage, ...), and it leaves its
// pid in the file "pid" of its working directory.
func fakeLiveNode(t *testing.T) string {
	t.Helper()
	liveNodeOnce.Do(func() {
		liveNodePath = filepath.Join(filepath.Dir(binPath), "fakenode")
		out, err := exec.Command("go", "build", "-o", liveNodePath, "../../internal/live/testdata/fakenode").CombinedOutput()
		if err != nil {
			liveNodeErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	require.NoError(t, liveNodeErr)
	return liveNodePath
}

// liveArgs is a short live run of the fake node in mode on n nodes: no
// faults, no recovery window (no wall-clock verdict), stored in store.
func liveArgs(t *testing.T, mode string, n int, store string, extra ...string) []string {
	return append([]string{"live", "--bin", fakeLiveNode(t), "--bin-arg", mode, "--nodes", strconv.Itoa(n),
		"--max-time", "1s", "--recovery-time", "0", "--nemesis", "none", "--init-timeout", "500ms", "--store", store}, extra...)
}

func TestLiveBadInput(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "node.sh")
	require.NoError(t, os.WriteFile(notExec, []byte("#!/bin/sh\nexit 0\n"), 0o644))
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no binary", []string{"live"}, []string{"bin: no node binary given"}},
		{"missing", []string{"live", "--bin", filepath.Join(dir, "nope")}, []string{"not found"}},
		{"not executable", []string{"live", "--bin", notExec}, []string{"not executable"}},
		{"exits at start", liveArgs(t, "exit", 3, dir), []string{"exited before it was ready", "fakenode: dying on purpose", "the nodes' logs are in"}},
		{"never answers init", liveArgs(t, "noinit", 3, dir), []string{"no init_ok within 500ms"}},
		{"refuses init", liveArgs(t, "initerror", 1, dir), []string{"answered init with error 14"}},
		{"clock fault", []string{"live", "--bin", "/bin/true", "--nemesis", "clock-skew"}, []string{"nemesis: clock-skew is a clock fault"}},
		{"disk scenario", []string{"live", "--bin", "/bin/true", "--chaos-scenario", "disk_faults"}, []string{"chaos-scenario: ", "is a disk fault"}},
		{"stray argument", []string{"live", "--bin", "/bin/true", "--unsafe-reads"}, []string{"unknown flag: --unsafe-reads"}},
		{"append", []string{"live", "--bin", "/bin/true", "--workload", "append"}, []string{"workload: append has no lin-kv request"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, dir, nil, tc.args...)
			require.Equal(t, exitUsage, r.code, "%s", r)
			for _, w := range tc.want {
				assert.Contains(t, r.stderr, w, "%s", r)
			}
		})
	}
}

// TestLiveVerdictsAndExitCodes: a linearizable node exits 0, one whose
// nodes do not replicate exits 1, a node that prints garbage gets a
// recorded fault; --json prints one object with the live fields; a stored
// live run cannot be replayed (254, with the command that runs it again).
func TestLiveVerdictsAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")

	r := cli(t, dir, nil, liveArgs(t, "ok", 1, store, "--json")...)
	require.Equal(t, exitValid, r.code, "%s", r)
	var out map[string]json.RawMessage
	decodeOne(t, r.stdout, &out)
	assert.JSONEq(t, `"live"`, string(out["mode"]))
	assert.JSONEq(t, `"valid"`, string(out["verdict"]))
	var info struct {
		Bin  string   `json:"bin"`
		Args []string `json:"args"`
		Note string   `json:"note"`
		Logs []string `json:"logs"`
	}
	require.NoError(t, json.Unmarshal(out["live"], &info))
	assert.Equal(t, fakeLiveNode(t), info.Bin)
	assert.Equal(t, []string{"ok"}, info.Args)
	assert.Contains(t, info.Note, "not reproducible bit for bit")
	assert.Contains(t, r.stderr, "live run, seed 1", "the seed and the note go to stderr under --json")
	require.Len(t, info.Logs, 1)
	assert.FileExists(t, info.Logs[0])

	runs := runDirs(t, store)
	require.Len(t, runs, 1)
	rp := cli(t, dir, nil, "replay", filepath.Join(store, runs[0]))
	assert.Equal(t, exitUsage, rp.code, "%s", rp)
	assert.Contains(t, rp.stderr, "a live run cannot be replayed")
	assert.Contains(t, rp.stderr, "raftcheck live --bin "+fakeLiveNode(t)+" --bin-arg ok")

	// Three fake nodes each serve their own memory: clients spread over
	// them read what the others never saw.
	r = cli(t, dir, nil, liveArgs(t, "ok", 3, store)...)
	require.Equal(t, exitInvalid, r.code, "%s", r)
	assert.Contains(t, r.stdout, "verdict: INVALID")
	assert.Contains(t, r.stdout, "not linearizable")
	assert.Contains(t, r.stdout, "seed 1; run it again (live, not a bit-for-bit replay)")

	// Nodes that break the protocol get recorded faults, not a hang: the
	// verdict is still the history's.
	for mode, fault := range map[string]string{"garbage": "malformed-message", "unknown": "unknown-destination", "badreply": "unknown-reply", "early": "bad-output"} {
		r = cli(t, dir, nil, liveArgs(t, mode, 1, store)...)
		require.Equal(t, exitValid, r.code, "%s: %s", mode, r)
		assert.Contains(t, r.stdout, "node fault: n0: "+fault, mode)
	}
}

// TestLiveInterruptLeavesNoNode sends the running command SIGINT: it stops
// its nodes, checks what it recorded, prints the verdict marked
// interrupted (exit 2: unknown) and leaves no node process behind. (The
// partial check itself is tested deterministically in internal/live.)
func TestLiveInterruptLeavesNoNode(t *testing.T) {
	dir := t.TempDir()
	nodes := filepath.Join(dir, "nodes")
	cmd := exec.Command(binPath, "live", "--bin", fakeLiveNode(t), "--bin-arg", "ok", "--nodes", "3", "--max-time", "5m",
		"--nemesis", "none", "--store", filepath.Join(dir, "store"), "--node-dir", nodes)
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	pids := waitPids(t, nodes, 3)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		require.True(t, errors.As(err, &ee), "exit status: %v\n%s\n%s", err, stdout.String(), stderr.String())
		assert.Equal(t, exitUnknown, ee.ExitCode(), "%s\n%s", stdout.String(), stderr.String())
	case <-time.After(time.Minute):
		t.Fatalf("raftcheck live did not exit within a minute of SIGINT\n%s\n%s", stdout.String(), stderr.String())
	}
	assert.Contains(t, stderr.String(), "stopping the nodes, then checking what was recorded")
	// The nodes wrote their pids before they answered init: the signal may
	// come before the run began (nothing to check) or after (what was
	// recorded is checked); both end unknown.
	if !strings.Contains(stderr.String(), "interrupted before the run began") {
		assert.Contains(t, stdout.String(), "verdict: UNKNOWN (INTERRUPTED)")
		assert.Contains(t, stdout.String(), "run interrupted")
	}
	for _, pid := range pids {
		assert.False(t, processAlive(pid), "node pid %d outlived raftcheck", pid)
	}
}

// waitPids waits (bounded) until n fake nodes under dir wrote their pids.
func waitPids(t *testing.T, dir string, n int) []int {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		files, err := filepath.Glob(filepath.Join(dir, "n*", "pid"))
		require.NoError(t, err)
		if len(files) == n {
			var pids []int
			for _, f := range files {
				b, err := os.ReadFile(f)
				require.NoError(t, err)
				pid, err := strconv.Atoi(string(b))
				require.NoError(t, err)
				pids = append(pids, pid)
			}
			return pids
		}
		require.True(t, time.Now().Before(deadline), "the nodes did not start within a minute: %v", files)
		time.Sleep(20 * time.Millisecond)
	}
}

// processAlive reports whether pid runs (a zombie does not).
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	if i := strings.LastIndexByte(line, ')'); i >= 0 && i+2 < len(line) {
		return line[i+2] != 'Z'
	}
	return true
}
