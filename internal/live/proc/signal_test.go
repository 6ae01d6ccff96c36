package proc

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperEnv makes the test binary act as a harness (runHelper): it starts
// two fake nodes, prints their pids and waits for SIGINT or SIGTERM, then
// closes the driver, as the raftcheck command does.
const helperEnv = "RAFTCHECK_PROC_HELPER"

func runHelper() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := New(Config{Bin: os.Getenv(helperEnv), Args: []string{"ok"}, Nodes: 2, RunDir: os.Getenv(helperEnv + "_DIR")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer d.Close()
	if err := d.StartAll(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("pids %d %d\n", d.Pid(0), d.Pid(1))
	<-ctx.Done()
	if err := d.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// startHelper runs the helper harness and returns it with its nodes' pids.
func startHelper(t *testing.T) (*exec.Cmd, []int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+fakeNode, helperEnv+"_DIR="+t.TempDir())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err, "the helper prints its nodes' pids once they are ready")
	f := strings.Fields(line)
	require.Len(t, f, 3, "%q", line)
	var pids []int
	for _, s := range f[1:] {
		pid, err := strconv.Atoi(s)
		require.NoError(t, err)
		require.True(t, alive(pid))
		pids = append(pids, pid)
	}
	return cmd, pids
}

func TestNoNodeOutlivesTheHarness(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			if sig == syscall.SIGKILL && runtime.GOOS != "linux" {
				t.Skip("only Linux has the parent-death signal")
			}
			cmd, pids := startHelper(t)
			require.NoError(t, cmd.Process.Signal(sig))
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if sig != syscall.SIGKILL {
					assert.NoError(t, err, "the harness cleans up and exits 0")
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the harness did not exit")
			}
			requireGone(t, pids...)
		})
	}
}
