package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signalWhen starts the binary with args, waits until a line of its stderr
// contains ready (so its signal handler is surely installed and work is
// under way), sends sig, and returns how it exited. A process killed by the
// signal, rather than stopping cleanly, fails the test.
func signalWhen(t *testing.T, dir, ready string, sig syscall.Signal, args ...string) execResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), execLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Dir = dir
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
	seen := make(chan struct{})
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(pipe)
		once := false
		for sc.Scan() {
			mu.Lock()
			stderr.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if !once && strings.Contains(sc.Text(), ready) {
				once = true
				close(seen)
			}
		}
		_, _ = io.Copy(io.Discard, pipe)
	}()
	select {
	case <-seen:
	case <-drained:
		_ = cmd.Wait()
		t.Fatalf("exited before %q appeared on stderr:\n%s\n%s", ready, stdout.String(), stderr.String())
	case <-time.After(execLimit / 2):
		t.Fatalf("%q never appeared on stderr", ready)
	}
	require.NoError(t, cmd.Process.Signal(sig))
	<-drained
	err = cmd.Wait()
	mu.Lock()
	r := execResult{stdout: stdout.String(), stderr: stderr.String()}
	mu.Unlock()
	var ee *exec.ExitError
	if err != nil {
		require.True(t, errors.As(err, &ee), "%v\n%s", err, r)
		require.True(t, ee.Exited(), "killed by %v instead of stopping cleanly: %s", sig, r)
		r.code = ee.ExitCode()
	}
	return r
}

// TestBugsMeasureSIGTERM: issue 15 part 5. `bugs --measure` stops on
// SIGTERM (a CI runner's) as sweep does: the runs in progress finish, the
// bugs measured so far are printed, exit 2; it is not killed by the signal.
func TestBugsMeasureSIGTERM(t *testing.T) {
	r := signalWhen(t, t.TempDir(), "trial 1/1000", syscall.SIGTERM,
		"bugs", "--measure", "--bug", "no-persist-vote", "--trials", "1000", "--max-seeds", "50", "--workers", "1")
	assert.Equal(t, exitUnknown, r.code, "%s", r)
	assert.Contains(t, r.stderr, "terminated: finishing the runs in progress")
	assert.Contains(t, r.stderr, "interrupted: printing the bugs measured so far")
	assert.Contains(t, r.stdout, "| Bug | Layer |", "the table of what was measured is printed")
}

// TestWorkersCapped: issue 15 part 5. --workers far beyond the processors
// is capped (runs are CPU-bound and each holds a cluster in memory), with a
// note; a negative one is refused by every command that takes it.
func TestWorkersCapped(t *testing.T) {
	dir := t.TempDir()
	env := []string{"GOMAXPROCS=2"}
	r := cli(t, dir, env, "sweep", "--count", "2", "--max-time", "2s", "--workers", "100000", "--store", "")
	assert.Equal(t, exitValid, r.code, "%s", r)
	assert.Contains(t, r.stderr, "--workers 100000 capped at 8 (4 × GOMAXPROCS 2)")
	for _, cmd := range [][]string{{"sweep"}, {"suite"}, {"bugs", "--measure"}} {
		r := cli(t, dir, env, append(cmd, "--workers", "-1")...)
		assert.Equal(t, exitUsage, r.code, "%s", r)
		assert.Contains(t, r.stderr, "--workers: -1 is negative")
	}
}
