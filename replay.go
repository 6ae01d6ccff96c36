package raftcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Flag is one `raftcheck run` flag with its value, as Config.Flags lists them.
type Flag struct {
	Name  string `json:"name"` // without the leading dashes
	Value string `json:"value"`
	Bool  bool   `json:"bool,omitempty"` // a boolean flag: written --name=value, as pflag requires
}

// Arg renders f as command-line words.
func (f Flag) Arg() []string {
	if f.Bool {
		return []string{"--" + f.Name + "=" + f.Value}
	}
	return []string{"--" + f.Name, f.Value}
}

// knob is one Config field as a `raftcheck run` flag: its name and its value
// as the flag would be written.
type knob struct {
	name  string
	value func(c *Config) string
	bool  bool
}

// knobs lists the flags Config.Flags may write, in its order (the seed and
// the repeatable --bug aside).
var knobs = func() []knob {
	dur := func(x Duration) string { return time.Duration(x).String() }
	i := strconv.Itoa
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	b := strconv.FormatBool
	return []knob{
		{"name", func(c *Config) string { return c.Name }, false},
		{"raft", func(c *Config) string { return c.Raft }, false},
		{"nodes", func(c *Config) string { return i(c.Nodes) }, false},
		{"max-time", func(c *Config) string { return dur(c.MaxTime) }, false},
		{"recovery-time", func(c *Config) string { return dur(c.RecoveryTime) }, false},
		{"workload", func(c *Config) string { return string(c.Workload) }, false},
		{"clients", func(c *Config) string { return i(c.Clients) }, false},
		{"rate", func(c *Config) string { return f(c.Rate) }, false},
		{"keys", func(c *Config) string { return i(c.Keys) }, false},
		{"key-dist", func(c *Config) string { return c.KeyDist }, false},
		{"mix", func(c *Config) string { return c.Mix }, false},
		{"op-timeout", func(c *Config) string { return dur(c.OpTimeout) }, false},
		{"read-mode", func(c *Config) string { return string(c.ReadMode) }, false},
		{"prevote", func(c *Config) string { return b(c.PreVote) }, true},
		{"check-quorum", func(c *Config) string { return b(c.CheckQuorum) }, true},
		{"tick-interval", func(c *Config) string { return dur(c.TickInterval) }, false},
		{"heartbeat-ticks", func(c *Config) string { return i(c.HeartbeatTicks) }, false},
		{"election-ticks", func(c *Config) string { return i(c.ElectionTicks) }, false},
		{"snapshot-every", func(c *Config) string { return i(c.SnapshotEvery) }, false},
		{"max-sessions", func(c *Config) string { return i(c.MaxSessions) }, false},
		{"latency", func(c *Config) string { return dur(c.Latency) }, false},
		{"latency-stddev", func(c *Config) string { return dur(c.LatencyStddev) }, false},
		{"latency-dist", func(c *Config) string { return c.LatencyDist }, false},
		{"message-drop-rate", func(c *Config) string { return f(c.MessageDropRate) }, false},
		{"message-dup-rate", func(c *Config) string { return f(c.MessageDupRate) }, false},
		{"reorder-rate", func(c *Config) string { return f(c.ReorderRate) }, false},
		{"sync-latency", func(c *Config) string { return dur(c.SyncLatency) }, false},
		{"disk-crash-mode", func(c *Config) string { return c.DiskCrashMode }, false},
		{"nemesis", func(c *Config) string {
			if len(c.Nemesis) == 0 {
				return "none"
			}
			return joinNames(c.Nemesis, ",")
		}, false},
		{"nemesis-interval", func(c *Config) string { return dur(c.NemesisInterval) }, false},
		{"max-crashed", func(c *Config) string { return i(c.MaxCrashed) }, false},
		{"nemesis-tuning", func(c *Config) string { return c.NemesisTuning }, false},
		{"nemesis-schedule", func(c *Config) string { return c.NemesisSchedule }, false},
		{"chaos-scenario", func(c *Config) string { return string(c.ChaosScenario) }, false},
		{"swarm", func(c *Config) string { return b(c.Swarm) }, true},
		{"check-timeout", func(c *Config) string { return dur(c.CheckTimeout) }, false},
		{"check-memory", func(c *Config) string { return c.CheckMemory.String() }, false},
		{"check-steps", func(c *Config) string { return strconv.FormatInt(c.CheckSteps, 10) }, false},
	}
}()

// knobFlag returns knob name of c as a flag.
func knobFlag(c *Config, name string) Flag {
	for _, k := range knobs {
		if k.name == name {
			return Flag{Name: name, Value: k.value(c), Bool: k.bool}
		}
	}
	panic("raftcheck: no knob " + name) // callers name knobs of the table
}

// Flags returns the `raftcheck run` flags that recreate c: the seed first, then
// every knob that differs from DefaultConfig. Output settings are left out.
// Under Swarm the knobs the swarm draws are written only when SwarmFixed
// lists them — and then always, since setting one is what fixes it.
func (c Config) Flags() []Flag {
	d := DefaultConfig()
	flags := []Flag{{Name: "seed", Value: strconv.FormatUint(c.Seed, 10)}}
	for _, k := range knobs {
		v := k.value(&c)
		write := v != k.value(&d)
		if c.Swarm && isSwarmKnob(k.name) {
			write = slices.Contains(c.SwarmFixed, k.name)
		}
		if c.ChaosScenario != "" && scenarioOwns(k.name) {
			// The scenario brings its own schedule, and the CLI refuses
			// these flags beside one: leave out what the run ignored.
			write = false
		}
		if write {
			flags = append(flags, Flag{Name: k.name, Value: v, Bool: k.bool})
		}
	}
	for _, bug := range c.Bugs {
		flags = append(flags, Flag{Name: "bug", Value: string(bug)})
	}
	return flags
}

// Args returns Flags as command-line words for `raftcheck run`.
func (c Config) Args() []string {
	var args []string
	for _, f := range c.Flags() {
		args = append(args, f.Arg()...)
	}
	return args
}

// ReplayCommand is one shell command that reruns exactly the run c describes.
func ReplayCommand(c Config) string {
	args := c.Args()
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return "raftcheck run " + strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,+@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// LoadRun reads a stored run: path is a run directory or its results.json. It
// returns the stored result and the config that reproduces the run.
func LoadRun(path string) (*Result, Config, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "results.json")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, Config{}, err
	}
	// Runs stored before Config.Raft existed ran the built-in.
	sr := storedResult{Config: Config{Raft: DefaultRaft}}
	if err := json.Unmarshal(raw, &sr); err != nil {
		return nil, Config{}, fmt.Errorf("%s:%d: %w", path, jsonErrorLine(raw, err), err)
	}
	if sr.Result != nil && sr.Result.Mode == ModeLive {
		return nil, Config{}, liveRunError(path, raw)
	}
	if sr.Version != resultsVersion || sr.Result == nil {
		return nil, Config{}, fmt.Errorf("%s: not a raftcheck results file (raftcheck_results %d, want %d)", path, sr.Version, resultsVersion)
	}
	if !validTraceHash(sr.Result.TraceHash) {
		return nil, Config{}, fmt.Errorf("%s: trace_hash: %q is not 16 hexadecimal digits, so there is nothing to confirm a replay against", path, sr.Result.TraceHash)
	}
	if err := consistent(raw, &sr); err != nil {
		return nil, Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if err := sr.Config.Validate(); err != nil {
		return nil, Config{}, fmt.Errorf("%s: config: %w", path, err)
	}
	return sr.Result, sr.Config, nil
}

// ErrLiveRun is wrapped by LoadRun's error for a live run's results: real
// processes cannot be replayed bit for bit (see LiveNote).
var ErrLiveRun = errors.New("a live run cannot be replayed")

// liveRunError refuses a live run's results.json, with the command that
// runs it again live.
func liveRunError(path string, raw []byte) error {
	var sl storedLiveResult
	again := ""
	if json.Unmarshal(raw, &sl) == nil && sl.LiveConfig.Bin != "" {
		again = "; to run it again live with the same seed (a new run, not a replay): " + LiveCommand(sl.LiveConfig)
	}
	return fmt.Errorf("%s: %w: it ran real node processes, and %s%s", path, ErrLiveRun, LiveNote, again)
}

// jsonErrorLine is the 1-based line of raw where decoding failed (1 when the
// error carries no offset), so a hand-edited results.json error names its line.
func jsonErrorLine(raw []byte, err error) int {
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	off = min(max(off, 0), int64(len(raw)))
	return 1 + bytes.Count(raw[:off], []byte("\n"))
}

// validTraceHash reports whether s is a trace hash as Result.TraceHash
// writes it: 16 lower-case hexadecimal digits.
func validTraceHash(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// scenarioOwns reports whether a chaos scenario sets knob name itself.
func scenarioOwns(name string) bool {
	return name == "nemesis" || name == "nemesis-interval" || name == "max-crashed"
}
