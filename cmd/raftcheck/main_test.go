package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The CLI tests build the binary once (TestMain) and exec it many times,
// checking stdout, stderr, exit codes and the files it writes, as a user or a
// CI script sees them.

// binPath is the raftcheck binary built for this test run.
var binPath string

// execLimit bounds one exec of the binary: a hung command fails its test
// instead of the whole package timing out. It is a hang guard only: the
// longest command (bench --quick) takes seconds on a quiet machine, and a
// busy one must not fail it.
const execLimit = 10 * time.Minute

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "raftcheck-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "raftcheck cli tests:", err)
		os.Exit(2)
	}
	binPath = filepath.Join(dir, "raftcheck")
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		goCmd = "go"
	}
	build := exec.Command(goCmd, "build", "-o", binPath, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "raftcheck cli tests: go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// execResult is what one exec of the binary produced.
type execResult struct {
	code           int
	stdout, stderr string
}

func (r execResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s\n--- stderr:\n%s", r.code, clip(r.stdout), clip(r.stderr))
}

// clip keeps failure messages readable.
func clip(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "\n[...]"
	}
	return s
}

// cli runs the binary in dir (where a relative store/ lands) with env added
// to the environment, and returns its exit code and output.
func cli(t testing.TB, dir string, env []string, args ...string) execResult {
	t.Helper()
	return cliWith(t, dir, env, nil, args...)
}

// cliIn is cli with stdin as the command's standard input.
func cliIn(t testing.TB, dir, stdin string, args ...string) execResult {
	t.Helper()
	return cliWith(t, dir, nil, strings.NewReader(stdin), args...)
}

// cliWith is cli with stdin (nil: none) as the command's standard input.
func cliWith(t testing.TB, dir string, env []string, stdin io.Reader, args ...string) execResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), execLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := execResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		res.code = ee.ExitCode()
	default:
		t.Fatalf("raftcheck %s: %v\n%s", strings.Join(args, " "), err, res)
	}
	return res
}

// cleanEnv is the test's environment without RAFTCHECK_SHARD, so a CI job
// that sets it for its own sweep does not shard the tests' sweeps.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, shardEnv+"=") {
			env = append(env, kv)
		}
	}
	return env
}

// decodeOne parses stdout as exactly one JSON object and nothing else.
func decodeOne(t testing.TB, stdout string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	require.NoError(t, dec.Decode(v), "stdout is not a JSON object:\n%s", clip(stdout))
	var extra json.RawMessage
	require.ErrorIs(t, dec.Decode(&extra), io.EOF, "stdout holds more than one JSON value:\n%s", clip(stdout))
}

// keysOf returns the sorted keys of a JSON object.
func keysOf(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sorted returns a sorted copy of xs.
func sorted(xs ...string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

// runDirs lists the complete run directories (holding results.json) under a
// store, relative to it, sorted.
func runDirs(t testing.TB, store string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(store, "*", "*", "results.json"))
	require.NoError(t, err)
	var dirs []string
	for _, m := range matches {
		rel, err := filepath.Rel(store, filepath.Dir(m))
		require.NoError(t, err)
		if !strings.HasPrefix(rel, "latest") {
			dirs = append(dirs, rel)
		}
	}
	sort.Strings(dirs)
	return dirs
}
