package raftcheck

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/internal/options"
)

func TestDefaultConfigIsValid(t *testing.T) {
	cfg := DefaultConfig()
	require.NoError(t, cfg.Validate())
}

func TestValidateNamesTheField(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*Config)
	}{
		{"nodes", func(c *Config) { c.Nodes = 0 }},
		{"nodes", func(c *Config) { c.Nodes = 102 }},
		{"max-time", func(c *Config) { c.MaxTime = 0 }},
		{"recovery-time", func(c *Config) { c.RecoveryTime = -1 }},
		{"workload", func(c *Config) { c.Workload = "bank" }},
		{"clients", func(c *Config) { c.Clients = 0 }},
		{"rate", func(c *Config) { c.Rate = -1 }},
		{"keys", func(c *Config) { c.Keys = 0 }},
		{"key-dist", func(c *Config) { c.KeyDist = "pareto" }},
		{"op-timeout", func(c *Config) { c.OpTimeout = 0 }},
		{"mix", func(c *Config) { c.Mix = "get=1,cas=1" }},
		{"mix", func(c *Config) { c.Mix = "get=0" }},
		{"bug", func(c *Config) { c.Bugs = []BugName{"lease-wall-clock"} }},
		{"bug", func(c *Config) { c.ReadMode, c.Bugs = "log", []BugName{"stale-local-read"} }},
		{"bug", func(c *Config) { c.Bugs = []BugName{"no-such-bug"} }},
		{"read-mode", func(c *Config) { c.ReadMode = "quorum" }},
		{"read-mode", func(c *Config) { c.ReadMode, c.CheckQuorum = "lease", false }},
		{"tick-interval", func(c *Config) { c.TickInterval = 0 }},
		{"heartbeat-ticks", func(c *Config) { c.HeartbeatTicks = 0 }},
		{"election-ticks", func(c *Config) { c.ElectionTicks = c.HeartbeatTicks }},
		{"snapshot-every", func(c *Config) { c.SnapshotEvery = -5 }},
		{"max-sessions", func(c *Config) { c.MaxSessions = 1 }},
		{"latency", func(c *Config) { c.Latency = -1 }},
		{"latency-dist", func(c *Config) { c.LatencyDist = "cauchy" }},
		{"message-drop-rate", func(c *Config) { c.MessageDropRate = 1.5 }},
		{"message-dup-rate", func(c *Config) { c.MessageDupRate = -0.1 }},
		{"reorder-rate", func(c *Config) { c.ReorderRate = 2 }},
		{"disk-crash-mode", func(c *Config) { c.DiskCrashMode = "explode" }},
		{"nemesis-interval", func(c *Config) { c.NemesisInterval = 0 }},
		{"nemesis-interval", func(c *Config) { c.NemesisInterval = Duration(500 * time.Microsecond) }},
		{"max-crashed", func(c *Config) { c.MaxCrashed = 9 }},
		{"name", func(c *Config) { c.Name = "a/b" }},
		{"check-memory", func(c *Config) { c.CheckMemory = -1 }},
		{"check-memory", func(c *Config) { c.CheckMemory = 1 << 20 }},
		{"raft", func(c *Config) { c.Raft = "hashicorp" }},
		{"raft", func(c *Config) { c.Raft = "" }},
		{"check-steps", func(c *Config) { c.CheckSteps = -1 }},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.edit(&cfg)
			err := cfg.Validate()
			require.Error(t, err)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Flag)
			assert.Equal(t, flagFields[tc.field], fe.Field)
			assert.Contains(t, err.Error(), "Config."+fe.Field+" (--"+tc.field+"): ")
		})
	}
}

// TestFlagFieldsNameRealFields: every flag Config.options checks maps to a
// field of Config, so each error names a field that exists.
func TestFlagFieldsNameRealFields(t *testing.T) {
	typ := reflect.TypeFor[Config]()
	for flag, field := range flagFields {
		_, ok := typ.FieldByName(field)
		assert.True(t, ok, "--%s: Config has no field %s", flag, field)
	}
	src, err := os.ReadFile("options.go")
	require.NoError(t, err)
	calls := regexp.MustCompile(`bad\("([a-z-]+)"`).FindAllStringSubmatch(string(src), -1)
	require.NotEmpty(t, calls)
	for _, c := range calls {
		assert.Contains(t, flagFields, c[1], "options.go checks --%s, which flagFields does not map to a field", c[1])
	}
}

func TestRunRejectsBadConfigWithoutRunning(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Store = ""
	cfg.Bugs = []BugName{"no-such-bug"}
	_, err := Run(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no-such-bug")
	assert.NotErrorIs(t, err, ErrInternal)

	cfg = DefaultConfig()
	cfg.Store = ""
	cfg.Nemesis = []Fault{"partition-sideways"}
	_, err = Run(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "partition-sideways")

	cfg = DefaultConfig()
	cfg.Store = ""
	cfg.ChaosScenario = "armageddon"
	_, err = Run(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "chaos-scenario")
}

func TestConfigJSONRoundTrip(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Seed = 99
	cfg.Bugs = []BugName{"no-dedup"}
	cfg.MaxTime = Duration(1500 * time.Millisecond)
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"max_time":"1.5s"`)
	assert.Contains(t, string(raw), `"check_memory":"4GiB"`)
	var back Config
	require.NoError(t, json.Unmarshal(raw, &back))
	back.Store, back.KeepMessages = cfg.Store, cfg.KeepMessages // output settings are not stored
	assert.Equal(t, cfg, back)
}

func TestArgsOnlyNamesDifferences(t *testing.T) {
	cfg := DefaultConfig()
	assert.Equal(t, []string{"--seed", "1"}, cfg.Args())
	cfg.Seed, cfg.Nodes, cfg.Nemesis, cfg.Bugs = 7, 3, nil, []BugName{"no-dedup"}
	assert.Equal(t, []string{"--seed", "7", "--nodes", "3", "--nemesis", "none", "--bug", "no-dedup"}, cfg.Args())
	assert.Equal(t, "raftcheck run --seed 7 --nodes 3 --nemesis none --bug no-dedup", ReplayCommand(cfg))
	cfg.Name = "it's"
	assert.Contains(t, ReplayCommand(cfg), `--name 'it'\''s'`)
}

// TestBugsSetSwitches: every planted bug turns on a switch of the protocol
// or of the host, the one its layer says; an unknown name is refused naming
// the known ones.
func TestBugsSetSwitches(t *testing.T) {
	for _, b := range Bugs() {
		cfg := DefaultConfig()
		b.Apply(&cfg)
		o, err := cfg.options()
		require.NoError(t, err, b.Name)
		switch b.Layer {
		case LayerProtocol:
			assert.NotZero(t, o.RaftBugs, "bug %s sets no protocol switch", b.Name)
			assert.Zero(t, o.HostBugs, b.Name)
		case LayerHost:
			assert.NotZero(t, o.HostBugs, "bug %s sets no host switch", b.Name)
			assert.Zero(t, o.RaftBugs, b.Name)
		default:
			t.Errorf("bug %s: unknown layer %q", b.Name, b.Layer)
		}
	}
	cfg := DefaultConfig()
	cfg.Bugs = []BugName{"nope"}
	assert.ErrorContains(t, cfg.Validate(), `Config.Bugs (--bug): unknown bug "nope" (known: ack-before-fsync,`)
}

// TestDefaultOptions: the standard run parses to options.Default, which the
// harness's own tests use as theirs.
func TestDefaultOptions(t *testing.T) {
	cfg := DefaultConfig()
	got, err := cfg.options()
	require.NoError(t, err)
	want := options.Default()
	assert.Equal(t, reflect.ValueOf(want.Raft.Factory).Pointer(), reflect.ValueOf(got.Raft.Factory).Pointer())
	got.Raft.Factory, want.Raft.Factory = nil, nil // functions never compare equal
	assert.Equal(t, want, got)
}

// TestRaftSelection: Config.Raft names the implementation and the run uses
// it (etcd's Raft runs valid, reproducibly, with a trace of its own); a
// protocol bug with an implementation other than the built-in is refused
// naming why, while host bugs stay allowed; the choice reaches the replay
// command.
func TestRaftSelection(t *testing.T) {
	cfg := DefaultConfig()
	assert.Equal(t, "builtin", cfg.Raft)
	o, err := cfg.options()
	require.NoError(t, err)
	assert.Equal(t, "builtin", o.Raft.Name)
	require.NotNil(t, o.Raft.Factory)

	cfg.MaxTime = Duration(3 * time.Second)
	builtin, err := Run(cfg)
	require.NoError(t, err)

	cfg.Raft = "etcd"
	o, err = cfg.options()
	require.NoError(t, err)
	assert.Equal(t, "etcd", o.Raft.Name)
	assert.False(t, o.Raft.ProtocolBugs)
	etcd, err := Run(cfg)
	require.NoError(t, err)
	assert.Equal(t, Valid, etcd.Verdict, "%v", etcd.Reasons)
	assert.Positive(t, etcd.Stats.Ops.OK)
	assert.NotEqual(t, builtin.TraceHash, etcd.TraceHash, "another Raft, another run")
	again, err := Run(cfg)
	require.NoError(t, err)
	assert.Equal(t, etcd.TraceHash, again.TraceHash, "one seed, one trace on etcd too")
	assert.Contains(t, ReplayCommand(cfg), "--raft etcd")
	assert.Contains(t, etcd.Replay, "--raft etcd")

	cfg.Raft = "hashicorp"
	err = cfg.Validate()
	assert.ErrorContains(t, err, `Config.Raft (--raft): "hashicorp" is not one of builtin, etcd`)
	_, err = Run(cfg)
	require.Error(t, err, "an unknown implementation must not run as the built-in")
	assert.NotErrorIs(t, err, ErrInternal, "a bad --raft is the user's input (exit 254)")

	cfg.Raft = "etcd"
	cfg.Bugs = []BugName{"commit-old-term", "no-dedup"}
	err = cfg.Validate()
	assert.ErrorContains(t, err, "Config.Bugs (--bug): commit-old-term is a protocol bug, a switch inside the built-in Raft's own code: --raft etcd cannot host it")
	assert.NotContains(t, err.Error(), "(--bug): no-dedup", "host bugs act on any Raft")
	cfg.Bugs = []BugName{"lease-wall-clock"}
	cfg.ReadMode = "lease"
	assert.ErrorContains(t, cfg.Validate(), "Config.Bugs (--bug): lease-wall-clock needs a Raft whose nodes report their read lease")
}
