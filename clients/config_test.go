package clients

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultConfigIsValid(t *testing.T) {
	for _, w := range []string{Register, KV, Append} {
		cfg := testConfig(w)
		require.NoError(t, cfg.Validate(), w)
	}
	cfg := DefaultConfig()
	assert.ErrorContains(t, cfg.Validate(), "clients: Servers: need 1 to 1024 server addresses, got 0")
}

func TestConfigValidateNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"workload", func(c *Config) { c.Workload = "bank" }, `clients: Workload: unknown workload "bank"`},
		{"threads", func(c *Config) { c.Threads = 0 }, "clients: Threads: must be in [1, 65536], got 0"},
		{"server address", func(c *Config) { c.Servers = []int{1, 0} }, "clients: Servers[1]: address must be positive, got 0"},
		{"duplicate server", func(c *Config) { c.Servers = []int{1, 2, 1} }, "clients: Servers[2]: duplicate address 1"},
		{"mix op", func(c *Config) { c.Mix = []Weight{{"cas", 1}} }, `clients: Mix[0].F: "cas" is not an operation of the kv workload`},
		{"mix weight", func(c *Config) { c.Mix = []Weight{{"get", -1}} }, "clients: Mix[0].Weight: must be finite and ≥ 0, got -1"},
		{"mix NaN", func(c *Config) { c.Mix = []Weight{{"get", math.NaN()}} }, "clients: Mix[0].Weight"},
		{"mix duplicate", func(c *Config) { c.Mix = []Weight{{"get", 1}, {"get", 2}} }, `clients: Mix[1].F: "get" appears twice`},
		{"mix zero", func(c *Config) { c.Mix = []Weight{{"get", 0}} }, "clients: Mix: weights sum to 0"},
		{"mix overflow", func(c *Config) { c.Mix = []Weight{{"get", math.MaxFloat64}, {"put", math.MaxFloat64}} }, "clients: Mix: weights sum to +Inf"},
		{"mix empty", func(c *Config) { c.Mix = []Weight{} }, "clients: Mix: empty"},
		{"keys", func(c *Config) { c.Keys = 0 }, "clients: Keys: must be in [1, 1048576], got 0"},
		{"key dist", func(c *Config) { c.KeyDist = "pareto" }, `clients: KeyDist: unknown key distribution "pareto"`},
		{"zipf s", func(c *Config) { c.KeyDist, c.ZipfS = Zipf, 1 }, "clients: ZipfS: zipf exponent must be finite and > 1, got 1"},
		{"rate", func(c *Config) { c.Rate = -1 }, "clients: Rate: must be in [0, 1e9] ops/s, got -1"},
		{"rate NaN", func(c *Config) { c.Rate = math.NaN() }, "clients: Rate"},
		{"pacing", func(c *Config) { c.Rate, c.Pacing = 5, "bursty" }, `clients: Pacing: unknown pacing "bursty"`},
		{"op timeout", func(c *Config) { c.OpTimeout = 0 }, "clients: OpTimeout: must be positive, got 0"},
		{"attempt timeout", func(c *Config) { c.AttemptTimeout = c.OpTimeout + 1 }, "clients: AttemptTimeout: must be in (0, OpTimeout=1000000000]"},
		{"retry delay", func(c *Config) { c.RetryDelay = -1 }, "clients: RetryDelay: must be in [0, OpTimeout=1000000000], got -1"},
		{"max attempts", func(c *Config) { c.MaxAttempts = 0 }, "clients: MaxAttempts: must be in [1, 4096], got 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(KV)
			tc.change(&cfg)
			assert.ErrorContains(t, cfg.Validate(), tc.want)
		})
	}
	reg := testConfig(Register)
	reg.RegisterValues = 0
	assert.ErrorContains(t, reg.Validate(), "clients: RegisterValues: must be in [1, 1048576], got 0")
	reg = testConfig(Register)
	reg.Keys, reg.KeyDist = 0, "ignored" // the register has one key
	assert.NoError(t, reg.Validate())
}
