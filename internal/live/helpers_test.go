package live

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/require"
)

// Binaries built once by TestMain: the example node and the fake node.
var exampleNode, fakeNode string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "live-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	exampleNode = filepath.Join(dir, "maelstrom-raft")
	fakeNode = filepath.Join(dir, "fakenode")
	for bin, pkg := range map[string]string{exampleNode: "../../examples/maelstrom-raft", fakeNode: "./testdata/fakenode"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", pkg, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// alive reports whether pid is a process that has not ended.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// requireNoNodeLeft reads the pid files the fake nodes left in dir (at
// least least of them) and fails if any of them still runs. Close reaps
// every node before Run returns, so no waiting is needed.
func requireNoNodeLeft(t *testing.T, dir string, least int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "n*", "pid"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), least, "the nodes left their pids")
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		pid, err := strconv.Atoi(string(b))
		require.NoError(t, err)
		require.False(t, alive(pid), "node %s (pid %d) outlived the run", filepath.Dir(f), pid)
	}
}

// okOps returns the ok completions of f (all functions if f is "").
func okOps(h histories.History, f string) []histories.Op {
	var out []histories.Op
	for _, op := range h {
		if op.Type == histories.OK && (f == "" || op.F == f) {
			out = append(out, op)
		}
	}
	return out
}

// invokeTimes maps each completion's index to its invoke's time.
func invokeTimes(h histories.History) map[int]int64 {
	open := map[int]int64{}
	out := map[int]int64{}
	for _, op := range h {
		switch op.Type {
		case histories.Invoke:
			open[op.Process] = op.Time
		case histories.OK, histories.Fail, histories.Info:
			out[op.Index] = open[op.Process]
		}
	}
	return out
}

// lastWriter returns the node (index) that served the latest ok write.
func lastWriter(h histories.History) (int, bool) {
	w := okOps(h, "write")
	if len(w) == 0 {
		return 0, false
	}
	return w[len(w)-1].Node - 1, true
}

// timeout is the bound of a phase waiting for evidence: generous, so a
// slow machine gathers the same evidence later instead of failing.
const timeout = 30 * time.Second
