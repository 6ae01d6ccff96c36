package raftchecktest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goTool is the go command, for the tests that build a module with it.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	_, err := exec.LookPath(p)
	require.NoError(t, err, "no go command on PATH or in GOROOT")
	return p
}

// extmod is a copy of testdata/extmod, a module outside raftcheck that
// requires it through a replacement pointing at this repository.
type extmod struct {
	t         *testing.T
	goCmd     string
	dir       string // the module's copy
	artifacts string // its $RAFTCHECK_ARTIFACTS
}

func newExtmod(t *testing.T) *extmod {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	m := &extmod{t: t, goCmd: goTool(t), dir: filepath.Join(t.TempDir(), "extmod"), artifacts: filepath.Join(t.TempDir(), "artifacts")}
	require.NoError(t, os.CopyFS(m.dir, os.DirFS(filepath.Join("testdata", "extmod"))))
	// The repository's go.sum covers raftcheck's requirements; -mod=mod
	// (in env) records anything else from the module cache or proxy.
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(m.dir, "go.sum"), sum, 0o644))
	out, err := m.goRun("mod", "edit", "-replace=github.com/raftcheck/raftcheck="+root)
	require.NoError(t, err, "%s", out)
	return m
}

// env is the environment of a go command run in the module: the caller's,
// with the module's own go.mod (no workspace), -mod=mod, and its artifacts
// directory.
func (m *extmod) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOFLAGS=") && !strings.HasPrefix(kv, "GOWORK=") && !strings.HasPrefix(kv, ArtifactsEnv+"=") {
			env = append(env, kv)
		}
	}
	return append(env, "GOFLAGS=-mod=mod", "GOWORK=off", ArtifactsEnv+"="+m.artifacts)
}

// goRun runs the go command in the module and returns its combined output;
// err is non-nil when it exits non-zero.
func (m *extmod) goRun(args ...string) (string, error) {
	cmd := exec.Command(m.goCmd, args...)
	cmd.Dir, cmd.Env = m.dir, m.env()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// exitCode is a finished command's exit status (0 when err is nil).
func exitCode(t *testing.T, err error, out string) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "%s", out)
	return ee.ExitCode()
}

// files lists the regular files under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	return out
}

// TestExternalModule is issue 16's acceptance for go test: a module
// outside the project, using the public API as documented, built and run
// with go test. A failing run's reports survive the test and their path is
// printed, with a replay command that runs from that module and reproduces
// the run; passing runs store nothing and -v shows their seeds; -short
// shortens or skips runs; a go test -timeout stops an endless run with the
// seed and the commands, not a goroutine dump. No verdict here depends on
// the machine's speed: the failure is a planted bug, and the endless run
// cannot finish in any test's time.
func TestExternalModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs another module's tests with go test")
	}
	m := newExtmod(t)

	t.Run("failing run keeps its reports, passing runs nothing", func(t *testing.T) {
		out, err := m.goRun("test", "-count=1", "-v", "-run", "^(TestPlantedBug|TestPasses)$", ".")
		require.Equal(t, 1, exitCode(t, err, out), "TestPlantedBug fails:\n%s", out)
		assert.Contains(t, out, "--- FAIL: TestPlantedBug")
		assert.Contains(t, out, "--- PASS: TestPasses")
		for _, seed := range []string{"1", "2"} {
			assert.Regexp(t, `raftcheck: seed `+seed+`: valid: \d+ ops over \d+s simulated, trace [0-9a-f]{16}`, out, "-v shows each passing seed")
		}

		reports := regexp.MustCompile(`(?m)^\s+reports: (\S+)$`).FindAllStringSubmatch(out, -1)
		require.Len(t, reports, 1, "one failing run, its reports' path printed:\n%s", out)
		dir := reports[0][1]
		want := filepath.Join(m.artifacts, "example.com", "extmod", "TestPlantedBug")
		require.True(t, strings.HasPrefix(dir, want+string(filepath.Separator)), "%s is under %s", dir, want)
		for _, f := range []string{"results.json", "history.jsonl", "history.edn", "summary.txt", "timeline.html", "linearizability.html", "latency.svg", "rate.svg"} {
			assert.FileExists(t, filepath.Join(dir, f), "the reports outlive the test")
		}
		for _, f := range files(t, m.artifacts) {
			assert.True(t, strings.HasPrefix(filepath.Join(m.artifacts, f), want), "%s: only the failing test writes anything", f)
		}

		rerun := regexp.MustCompile(`(?m)^\s+rerun:  (.+)$`).FindStringSubmatch(out)
		require.NotNil(t, rerun, out)
		assert.Equal(t, "go test -run '^TestPlantedBug$' example.com/extmod", rerun[1])

		// The replay command runs from the module and reproduces the run.
		replay := regexp.MustCompile(`(?m)^\s+replay: (.+)$`).FindStringSubmatch(out)
		require.NotNil(t, replay, out)
		cmd := exec.Command("sh", "-c", replay[1]+" --json --store ''")
		cmd.Dir, cmd.Env = m.dir, m.env()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err = cmd.Run()
		require.Equal(t, 1, exitCode(t, err, stderr.String()), "the replay is invalid too: %s\n%s", replay[1], stderr.String())
		var replayed, stored struct {
			TraceHash string `json:"trace_hash"`
			Verdict   string `json:"verdict"`
		}
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &replayed), "%s", stdout.String())
		raw, err := os.ReadFile(filepath.Join(dir, "results.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &stored))
		assert.Equal(t, stored.TraceHash, replayed.TraceHash, "the replay is the same run")
		assert.Equal(t, "invalid", replayed.Verdict)
	})

	t.Run("-short shortens or skips", func(t *testing.T) {
		out, err := m.goRun("test", "-count=1", "-v", "-short", "-run", "^(TestShort|TestSkipShort)$", ".")
		require.Equal(t, 0, exitCode(t, err, out), out)
		assert.Contains(t, out, "raftcheck: -short: max time 10s instead of 1m0s")
		assert.Contains(t, out, "--- PASS: TestShort")
		assert.Contains(t, out, "--- SKIP: TestSkipShort")
		assert.Empty(t, files(t, filepath.Join(m.artifacts, "example.com", "extmod", "TestShort")))
	})

	t.Run("a deadline stops the run cleanly", func(t *testing.T) {
		// The run cannot finish in any test's time, so the verdict does not
		// depend on this budget, which only bounds how long we wait.
		budget := 12 * time.Second
		if d, ok := t.Deadline(); ok {
			budget = min(budget, max(time.Until(d)/4, 5*time.Second))
		}
		out, err := m.goRun("test", "-count=1", "-run", "^TestEndless$", "-timeout", budget.String(), ".")
		require.Equal(t, 1, exitCode(t, err, out), out)
		assert.Contains(t, out, "--- FAIL: TestEndless")
		assert.Regexp(t, `raftcheck: seed 1: the run was stopped [0-9.]+m?s before the test binary's deadline \(go test -timeout\)`, out)
		assert.Regexp(t, `seed 1: stopped at [0-9hms.]+ of simulated time \(\w+\) of 3000h`, out)
		assert.Contains(t, out, "rerun:  go test -run '^TestEndless$' example.com/extmod")
		// Finding the version (go list) has half the grace; a machine too busy
		// for that gets the form without a version, runnable from the module
		// too.
		assert.Regexp(t, `replay: go (-C \S+ run ./cmd/raftcheck|run github.com/raftcheck/raftcheck/cmd/raftcheck) run --seed 1 --max-time 3000h0m0s`, out)
		assert.NotContains(t, out, "panic: test timed out")
		assert.NotRegexp(t, `goroutine \d+ \[`, out, "no goroutine dump")
	})
}
