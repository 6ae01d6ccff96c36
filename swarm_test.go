package raftcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/nemesis"
)

// TestSwarmProfileStoredAndReproduced: --swarm draws the profile from the seed
// alone: results.json stores it, the config it stores says only "swarm",
// replaying that config draws the same profile and the same run, and other
// seeds draw other profiles.
func TestSwarmProfileStoredAndReproduced(t *testing.T) {
	profiles := map[string]uint64{}
	for seed := uint64(1); seed <= 4; seed++ {
		cfg := quick(seed)
		cfg.Swarm = true
		cfg.Nemesis = nil
		cfg.Store = t.TempDir()
		res, err := Run(cfg)
		require.NoError(t, err)
		require.NotNil(t, res.Swarm, "seed %d: no profile in the result", seed)
		require.NotEmpty(t, res.Swarm.Faults)
		require.Equal(t, res.Swarm.Config().WithDefaults().Faults, res.Nemesis.Faults, "the run used the profile's faults")
		s := res.Swarm.String()
		if prev, dup := profiles[s]; dup {
			t.Fatalf("seeds %d and %d drew the same profile %s", prev, seed, s)
		}
		profiles[s] = seed

		raw, err := os.ReadFile(filepath.Join(res.Store, "results.json"))
		require.NoError(t, err)
		var stored struct {
			Swarm  *nemesis.Profile `json:"swarm"`
			Config map[string]any   `json:"config"`
		}
		require.NoError(t, json.Unmarshal(raw, &stored))
		require.NotNil(t, stored.Swarm, "results.json has no swarm profile")
		assert.Equal(t, *res.Swarm, *stored.Swarm)
		assert.Equal(t, true, stored.Config["swarm"])

		_, rcfg, err := LoadRun(res.Store)
		require.NoError(t, err)
		rcfg.Store = ""
		again, err := Run(rcfg)
		require.NoError(t, err)
		require.NotNil(t, again.Swarm)
		assert.Equal(t, *res.Swarm, *again.Swarm, "seed %d: the replay drew another profile", seed)
		assert.Equal(t, res.TraceHash, again.TraceHash, "seed %d: the replay is another run", seed)
		assert.Contains(t, res.Replay, "--swarm")
	}
}
