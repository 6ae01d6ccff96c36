package proc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeNode is the path of the test node binary (testdata/fakenode), built
// once by TestMain.
var fakeNode string

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelper())
	}
	dir, err := os.MkdirTemp("", "proc-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fakeNode = filepath.Join(dir, "fakenode")
	out, err := exec.Command("go", "build", "-o", fakeNode, "../testdata/fakenode").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building the fake node: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// newDriver returns a driver of n fake nodes in mode, closed at the end of
// the test.
func newDriver(t *testing.T, n int, mode string, tweak func(*Config)) *Driver {
	t.Helper()
	cfg := Config{Bin: fakeNode, Args: []string{mode}, Nodes: n, RunDir: t.TempDir(), InitTimeout: 2 * time.Minute} // a hang guard a loaded machine cannot reach
	if tweak != nil {
		tweak(&cfg)
	}
	d, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, d.Close()) })
	return d
}

// next returns the next event, failing the test after a generous bound
// (the bound only turns a hang into a failure; no verdict depends on it).
func next(t *testing.T, d *Driver) Event {
	t.Helper()
	select {
	case ev := <-d.Events():
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20s")
		return Event{}
	}
}

// nextOf skips events until one of kind k.
func nextOf(t *testing.T, d *Driver, k Kind) Event {
	t.Helper()
	for range 1000 {
		if ev := next(t, d); ev.Kind == k {
			return ev
		}
	}
	t.Fatalf("no %v event in 1000", k)
	return Event{}
}

func startAll(t *testing.T, d *Driver) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, d.StartAll(ctx))
}

// alive reports whether pid is a process that has not ended (a zombie
// nobody reaped yet has ended).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	// The state follows the command name in parentheses.
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// eventually waits (bounded) until none of pids is alive.
func requireGone(t *testing.T, pids ...int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d is still alive", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// ping is a ping from c1 to node with msg_id id.
func ping(node, id int) []byte {
	return []byte(fmt.Sprintf(`{"src":"c1","dest":"n%d","body":{"type":"ping","msg_id":%d}}`, node, id))
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
