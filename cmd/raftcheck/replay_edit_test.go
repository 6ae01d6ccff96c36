package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReplayEditedResults: issue 15 part 5. A results.json edited by hand is
// checked before it is replayed: a top-level seed other than the config's,
// a key raftcheck never writes, a verdict that is none are bad input (exit
// 254) naming the field; a replay whose verdict differs from the stored one
// is reported as such (exit 255), never as "reproduced bit for bit".
func TestReplayEditedResults(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, nil, "run", "--seed", "7", "--max-time", "5s", "--json", "--store", "store")
	require.Equal(t, exitValid, r.code, "%s", r)
	var run runJSONOut
	decodeOne(t, r.stdout, &run)
	raw, err := os.ReadFile(filepath.Join(dir, run.Store, "results.json"))
	require.NoError(t, err)

	edit := func(t *testing.T, change func(m map[string]any)) string {
		t.Helper()
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m))
		change(m)
		out, err := json.MarshalIndent(m, "", "  ")
		require.NoError(t, err)
		p := filepath.Join(t.TempDir(), "results.json")
		require.NoError(t, os.WriteFile(p, out, 0o644))
		return p
	}
	for _, c := range []struct {
		name   string
		change func(m map[string]any)
		want   string
	}{
		{"top-level seed", func(m map[string]any) { m["seed"] = 8 }, "seed: 8, but config.seed is 7"},
		{"config seed", func(m map[string]any) { m["config"].(map[string]any)["seed"] = 9 }, "seed: 7, but config.seed is 9"},
		{"unknown top-level field", func(m map[string]any) { m["verdcit"] = "valid" }, "verdcit: unknown field"},
		{"unknown config field", func(m map[string]any) { m["config"].(map[string]any)["nodez"] = 3 }, "config.nodez: unknown field"},
		{"unknown stats field", func(m map[string]any) { m["stats"].(map[string]any)["speed"] = 1 }, "stats.speed: unknown field"},
		{"not a verdict", func(m map[string]any) { m["verdict"] = "fine" }, `verdict: "fine" is not one of valid, invalid, unknown`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := cli(t, dir, nil, "replay", edit(t, c.change))
			assert.Equal(t, exitUsage, r.code, "%s", r)
			assert.Contains(t, r.stderr, c.want)
			assert.Empty(t, r.stdout, "refused before replaying")
		})
	}

	t.Run("verdict edited", func(t *testing.T) {
		p := edit(t, func(m map[string]any) {
			m["verdict"] = "invalid"
			m["reasons"] = []string{"linearizability: made up"}
		})
		r := cli(t, dir, nil, "replay", p)
		assert.Equal(t, exitInternal, r.code, "%s", r)
		assert.Contains(t, r.stdout, "stored   trace hash "+run.TraceHash+"  verdict invalid")
		assert.Contains(t, r.stdout, "replayed trace hash "+run.TraceHash+"  verdict valid")
		assert.NotContains(t, r.stdout, "bit for bit")
		assert.Contains(t, r.stderr, "verdict mismatch: the trace hashes match (the simulation reproduced), but the stored verdict is invalid and the replayed one valid")

		r = cli(t, dir, nil, "replay", "--json", p)
		assert.Equal(t, exitInternal, r.code, "%s", r)
		var out struct {
			HashMatch     bool   `json:"hash_match"`
			StoredVerdict string `json:"stored_verdict"`
			VerdictMatch  bool   `json:"verdict_match"`
		}
		decodeOne(t, r.stdout, &out)
		assert.True(t, out.HashMatch)
		assert.Equal(t, "invalid", out.StoredVerdict)
		assert.False(t, out.VerdictMatch)
	})

	t.Run("untouched", func(t *testing.T) {
		r := cli(t, dir, nil, "replay", run.Store)
		assert.Equal(t, exitValid, r.code, "%s", r)
		assert.Contains(t, r.stdout, "trace hashes match, and so do the verdicts: the run reproduced bit for bit")
	})
}
