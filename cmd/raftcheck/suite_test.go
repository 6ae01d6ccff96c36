package main

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/nemesis"
)

// suiteJSONOut is `suite --json`.
type suiteJSONOut struct {
	Scenarios map[string][]string `json:"scenarios"`
	SeedsPer  int                 `json:"seeds_per"`
	sweepJSONOut
}

// TestSuiteMatrix: every named scenario × --seeds-per seeds, one matrix row
// each; a clean build passes and exits 0.
func TestSuiteMatrix(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "suite", "--seeds-per", "1", "--seed", "3", "--max-time", "10s", "--progress=false")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Regexp(t, `(?m)^SCENARIO\s+s3\s+RESULT$`, r.stdout)
	for _, sc := range nemesis.Scenarios() {
		assert.Regexp(t, regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(sc.Name)+`\s+pass\s+pass$`), r.stdout, "scenario %s", sc.Name)
	}
	assert.Regexp(t, `(?m)^\d+ seeds? in [\d.]+ s: \d+ valid, 0 invalid, 0 unknown, 0 errors$`, r.stdout)
	assert.NoDirExists(t, dir+"/store", "passing runs are not stored")
}

// TestSuiteFailing: unsafe local reads make some scenario fail: the matrix
// shows FAIL, the failing runs are listed and stored, and the exit code is 1.
func TestSuiteFailing(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "suite", "--seeds-per", "2", "--read-mode", "local", "--max-time", "20s", "--json", "--progress=false")
	require.Equal(t, exitInvalid, r.code, "%s", r)
	var out suiteJSONOut
	decodeOne(t, r.stdout, &out)
	assert.Equal(t, 2, out.SeedsPer)
	require.Len(t, out.Scenarios, len(nemesis.Scenarios()))
	invalid := 0
	for name, cells := range out.Scenarios {
		require.Len(t, cells, 2, name)
		for _, v := range cells {
			assert.Contains(t, []string{"valid", "invalid", "unknown"}, v, name)
			if v == "invalid" {
				invalid++
			}
		}
	}
	assert.Equal(t, out.Invalid, invalid, "the matrix agrees with the counts")
	require.Positive(t, out.Invalid)
	require.NotEmpty(t, out.Failures)
	for _, f := range out.Failures {
		assert.Contains(t, f.Replay, "--read-mode local --chaos-scenario ")
		assert.Regexp(t, `^\w+ seed `+strconv.FormatUint(f.Seed, 10)+`$`, f.Label, "a suite failure names its scenario")
		if f.Error == "" { // else writing the reports failed (counted in errors)
			assert.FileExists(t, dir+"/"+f.Store+"/results.json")
		}
	}
	assert.Len(t, runDirs(t, dir+"/store"), out.Invalid+out.Unknown-countStoreErrors(out.sweepJSONOut))

	// The text matrix marks the failing row.
	r = cli(t, dir, nil, "suite", "--seeds-per", "2", "--read-mode", "local", "--max-time", "20s", "--progress=false", "--store", "")
	require.Equal(t, exitInvalid, r.code, "%s", r)
	assert.Regexp(t, `(?m)^\S+\s+(FAIL|pass|unknown)\s+(FAIL|pass|unknown)\s+FAIL$`, r.stdout)
	assert.Contains(t, r.stdout, "replay: raftcheck run --seed ")
}

// countStoreErrors counts failures whose reports could not be written.
func countStoreErrors(out sweepJSONOut) int {
	n := 0
	for _, f := range out.Failures {
		if f.Error != "" {
			n++
		}
	}
	return n
}

// TestSuiteUnit covers the matrix cells and row results.
func TestSuiteUnit(t *testing.T) {
	rows := []struct {
		cells []string
		want  string
	}{
		{[]string{"valid", "valid"}, "pass"},
		{[]string{"valid", "invalid"}, "FAIL"},
		{[]string{"unknown", "valid"}, "unknown"},
		{[]string{"valid", ""}, "incomplete"},
		{[]string{"", "unknown"}, "unknown"},
		{[]string{"unknown", "error"}, "FAIL"},
	}
	for _, r := range rows {
		assert.Equal(t, r.want, suiteRow(r.cells), "%v", r.cells)
	}
	for v, want := range map[string]string{"valid": "pass", "invalid": "FAIL", "unknown": "unknown", "": "-", "error": "ERROR"} {
		assert.Equal(t, want, suiteCell(v), v)
	}
}
