package raftchecktest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck"
)

// TestCheckPassingRunStoresNothing: a valid run passes, logs its seed and
// leaves no file, whatever cfg.Store says.
func TestCheckPassingRunStoresNothing(t *testing.T) {
	dir := t.TempDir()
	tb := &fakeTB{name: "TestPass"}
	cfg := quick(2)
	cfg.Store = filepath.Join(dir, "ignored")
	var res *raftcheck.Result
	inTest(func() { res = Check(tb, cfg, Artifacts(dir)) })
	assert.False(t, tb.failed(), "errors %v fatals %v", tb.errors, tb.fatals)
	require.NotNil(t, res)
	assert.Equal(t, raftcheck.Valid, res.Verdict)
	assert.Empty(t, res.Store)
	require.Len(t, tb.logs, 1)
	assert.Regexp(t, `^raftcheck: seed 2: valid: \d+ ops over \d+s simulated, trace [0-9a-f]{16}$`, tb.logs[0])
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "a passing run writes nothing")
}

// TestCheckFailingRunKeepsReports: a failing run fails the test with the
// seed, the reasons, the reports' directory (under the artifacts directory,
// the package and the test's name), and commands that rerun the test and
// replay the run; the reports are there.
func TestCheckFailingRunKeepsReports(t *testing.T) {
	dir := t.TempDir()
	cfg := failing(t)
	tb := &fakeTB{name: "TestFail/sub_case"}
	var res *raftcheck.Result
	inTest(func() { res = Check(tb, cfg, Artifacts(dir)) })
	require.Empty(t, tb.fatals)
	require.NotNil(t, res)
	require.True(t, res.Failed())
	require.Len(t, tb.errors, 1)
	msg := tb.errors[0]
	assert.True(t, strings.HasPrefix(msg, "raftcheck: seed "+fmt.Sprint(cfg.Seed)+": verdict "+res.Verdict+"\n"), msg)
	for _, r := range res.Reasons {
		assert.Contains(t, msg, "  - "+r+"\n")
	}
	want := filepath.Join(dir, "github.com", "raftcheck", "raftcheck", "raftchecktest", "TestFail", "sub_case", cfg.Name)
	require.True(t, strings.HasPrefix(res.Store, want+string(filepath.Separator)), "%s is under %s", res.Store, want)
	assert.Contains(t, msg, "  reports: "+res.Store+"\n")
	for _, f := range []string{"results.json", "history.jsonl", "summary.txt", "timeline.html", "linearizability.html", "latency.svg", "rate.svg"} {
		assert.FileExists(t, filepath.Join(res.Store, f))
	}
	assert.Contains(t, msg, "  rerun:  go test -run '^TestFail$/^sub_case$' github.com/raftcheck/raftcheck/raftchecktest\n")
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	assert.Contains(t, msg, "  replay: go -C "+root+" run ./cmd/raftcheck run --seed "+fmt.Sprint(cfg.Seed)+" ")
	assert.True(t, strings.HasSuffix(msg, strings.TrimPrefix(raftcheck.ReplayCommand(cfg), "raftcheck")), "the replay runs the same flags:\n%s", msg)
}

// TestCheckStopsBeforeDeadline: a run that cannot finish before the test's
// deadline is stopped a grace before it, and the test fails with the seed,
// how far the run got and the commands, not a timeout panic.
func TestCheckStopsBeforeDeadline(t *testing.T) {
	tb := &fakeTB{name: "TestDeadline", deadline: time.Now().Add(3 * time.Second)}
	var res *raftcheck.Result
	inTest(func() { res = Check(tb, endless(), Artifacts(t.TempDir())) })
	assert.Nil(t, res)
	require.Len(t, tb.fatals, 1, "errors %v", tb.errors)
	msg := tb.fatals[0]
	assert.Regexp(t, `^raftcheck: seed 5: the run was stopped 1s before the test binary's deadline \(go test -timeout\)`, msg)
	assert.Regexp(t, `seed 5: stopped at [0-9.hms]+ of simulated time \(faults\) of 3000h`, msg)
	assert.Contains(t, msg, "rerun:  go test -run '^TestDeadline$'")
	assert.Contains(t, msg, "replay: go -C ")
	assert.Contains(t, msg, "--seed 5 ")
}

// TestCheckContextOption: a run whose Context ends is stopped and the test
// fails, saying so.
func TestCheckContextOption(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tb := &fakeTB{name: "TestCtx"}
	inTest(func() { Check(tb, quick(3), Context(ctx), Artifacts(t.TempDir())) })
	require.Len(t, tb.fatals, 1)
	assert.Contains(t, tb.fatals[0], "raftcheck: seed 3: the run was stopped by its context:")
	assert.Contains(t, tb.fatals[0], "context canceled")
}

// TestCheckBadConfig: a config that cannot run stops the test, naming the
// seed and the field.
func TestCheckBadConfig(t *testing.T) {
	cfg := quick(9)
	cfg.ReadMode = "quorum"
	tb := &fakeTB{name: "TestBad"}
	var res *raftcheck.Result
	inTest(func() { res = Check(tb, cfg) })
	assert.Nil(t, res)
	require.Len(t, tb.fatals, 1)
	assert.Equal(t, `raftcheck: seed 9: Config.ReadMode (--read-mode): "quorum" is not one of readindex, log, lease, local`, tb.fatals[0])
}

// TestSweep runs every seed as a subtest and returns their results in
// order.
func TestSweep(t *testing.T) {
	cfg := quick(0)
	cfg.MaxTime = raftcheck.Duration(5 * time.Second)
	res := Sweep(t, cfg, Seeds(11, 2), Artifacts(t.TempDir()))
	require.Len(t, res, 2)
	for i, r := range res {
		require.NotNil(t, r)
		assert.Equal(t, uint64(11+i), r.Seed)
	}
	assert.Equal(t, []uint64{7, 8, 9}, Seeds(7, 3))
	assert.Empty(t, Seeds(7, 0))
}

// TestReplay: a failing run kept by Check replays from its directory: the
// same run, failing again.
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	tb := &fakeTB{name: "TestOrig"}
	var orig *raftcheck.Result
	inTest(func() { orig = Check(tb, failing(t), Artifacts(dir)) })
	require.NotNil(t, orig)
	require.NotEmpty(t, orig.Store)

	again := &fakeTB{name: "TestReplay"}
	var res *raftcheck.Result
	inTest(func() { res = Replay(again, orig.Store, Artifacts(dir)) })
	require.NotNil(t, res)
	assert.Equal(t, orig.TraceHash, res.TraceHash)
	require.Len(t, again.errors, 1, "the replayed run fails again")
	assert.Contains(t, again.logs, "raftcheck: replay of "+orig.Store+": the same run, trace hash "+orig.TraceHash)

	missing := &fakeTB{name: "TestReplayMissing"}
	inTest(func() { Replay(missing, filepath.Join(dir, "nothing-here")) })
	require.Len(t, missing.fatals, 1)
	assert.Contains(t, missing.fatals[0], "nothing-here")
}

// TestArtifactsDir: $RAFTCHECK_ARTIFACTS, then the package, then the test's
// name, each level made a safe path element.
func TestArtifactsDir(t *testing.T) {
	base := t.TempDir()
	t.Setenv(ArtifactsEnv, base)
	got := ArtifactsDir(&fakeTB{name: "TestX/a:b/.."})
	assert.Equal(t, filepath.Join(base, "github.com", "raftcheck", "raftcheck", "raftchecktest", "TestX", "a_b", "_"), got)
	t.Setenv(ArtifactsEnv, "")
	assert.Equal(t, filepath.Join(os.TempDir(), "raftcheck-artifacts", "github.com", "raftcheck", "raftcheck", "raftchecktest", "TestY"),
		ArtifactsDir(&fakeTB{name: "TestY"}))
	assert.Equal(t, filepath.Join("elsewhere", "github.com", "raftcheck", "raftcheck", "raftchecktest", "TestY"),
		artifactsDir(&fakeTB{name: "TestY"}, "elsewhere"), "the Artifacts option wins")
}

// TestRerunCommand anchors every level of the test's name.
func TestRerunCommand(t *testing.T) {
	assert.Equal(t, "go test -run '^TestX$/^sweep$/^seed=7$' github.com/raftcheck/raftcheck/raftchecktest",
		RerunCommand(&fakeTB{name: "TestX/sweep/seed=7"}))
	assert.Equal(t, `go test -run '^TestX$/^a\.b\(1\)$' github.com/raftcheck/raftcheck/raftchecktest`,
		RerunCommand(&fakeTB{name: "TestX/a.b(1)"}))
}

// TestCheckUnderShort: under -short a run longer than ShortMaxTime is cut to
// it, the log says so, and the rerun command carries -short; SkipShort skips
// instead.
func TestCheckUnderShort(t *testing.T) {
	cfg := raftcheck.DefaultConfig()
	cfg.Store = ""
	cfg.MaxTime = raftcheck.Duration(30 * time.Second)
	tb := &fakeTB{name: "TestShort", short: true}
	var res *raftcheck.Result
	inTest(func() { res = Check(tb, cfg, ShortMaxTime(2*time.Second)) })
	require.NotNil(t, res)
	assert.Contains(t, strings.Join(tb.logs, "\n"), "max time 2s instead of 30s")
	assert.Contains(t, res.Replay, "--max-time 2s")
	assert.Contains(t, RerunCommand(tb), " -short ")

	skipped := &fakeTB{name: "TestShortSkip", short: true}
	res = nil
	inTest(func() { res = Check(skipped, cfg, SkipShort()) })
	assert.Nil(t, res)
	assert.Len(t, skipped.skips, 1)
}
