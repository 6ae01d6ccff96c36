package sim

import (
	"fmt"
	"io"
	"math"
)

// Defaults applied to zero-valued configuration fields.
const (
	DefaultMaxEvents           uint64 = 1 << 31
	DefaultMaxEventsPerInstant uint64 = 1 << 20
	DefaultReorderDelay               = 5 * Millisecond
	DefaultPausedQueue                = 4096
	DefaultSyncLatency                = 500 * Microsecond
	DefaultMaxPendingWrites           = 1 << 16
)

// DefaultLatency is the message latency of a NetConfig whose Latency is unset:
// long-tailed around a millisecond, like a busy data-centre network.
var DefaultLatency = Dist{Kind: LogNormal, Mean: Millisecond, Stddev: 500 * Microsecond}

// MaxDriftPPM bounds the clock drift a host may be given, in parts per million
// either way (±50%): beyond it timers would be meaningless.
const MaxDriftPPM = 500_000

// MaxAddr is the largest host address.
const MaxAddr = 1<<20 - 1

// Config configures a World. The zero Config is valid: every zero field takes
// the default documented on it.
type Config struct {
	// Seed is the run's only source of randomness; see the package doc for
	// the streams derived from it.
	Seed uint64
	// MaxEvents bounds the events of a run (0 → DefaultMaxEvents). Exceeding
	// it fails the run with ErrEventLimit and the seed.
	MaxEvents uint64
	// MaxEventsPerInstant bounds the events processed without virtual time
	// advancing (0 → DefaultMaxEventsPerInstant): a zero-delay loop is a
	// livelock, caught quickly.
	MaxEventsPerInstant uint64
	// Net is the network's initial behaviour; the nemesis changes it at run time.
	Net NetConfig
	// Disk is every disk's default behaviour; HostConfig overrides it per host.
	Disk DiskConfig
	// Trace, when set, receives every trace record as a JSON line. Writing is
	// buffered; Run flushes before it returns. nil costs nothing.
	Trace io.Writer
}

// NetConfig is the network's behaviour. Probabilities are per message.
type NetConfig struct {
	// Latency of every link without an override (zero → DefaultLatency).
	Latency Dist
	// Loss is the probability a message is silently dropped.
	Loss float64
	// Duplicate is the probability a message is delivered twice; the copy
	// draws its own latency.
	Duplicate float64
	// Reorder is the probability a message gets an extra delay, uniform in
	// (0, ReorderDelay], that lets later messages on its link overtake it.
	// Latency jitter reorders messages too; this forces it.
	Reorder float64
	// ReorderDelay bounds the extra delay of a reordered message
	// (0 → DefaultReorderDelay).
	ReorderDelay Time
	// ExtraDelay, when positive, adds an exponentially distributed delay with
	// this mean to every message (the nemesis's "delay" fault).
	ExtraDelay Time
	// PausedQueue bounds the messages waiting at a paused host
	// (0 → DefaultPausedQueue); more are dropped and counted.
	PausedQueue int
}

// CrashMode decides what a crash does to writes that were not yet synced.
type CrashMode uint8

// Crash modes. The zero CrashMode inherits (from DiskConfig, then LoseUnsynced).
const (
	// LoseUnsynced: every unsynced write is lost.
	LoseUnsynced CrashMode = iota + 1
	// KeepPrefix: a random prefix of the unsynced writes survives, each write
	// whole; the rest are lost (the disk persisted some, in order).
	KeepPrefix
	// TearLast: like KeepPrefix, and if the first lost write is an Append a
	// strict, non-empty byte prefix of it survives when it can — a torn record
	// that recovery must detect by checksum.
	TearLast
)

var crashModeNames = [...]string{"", "lose-unsynced", "keep-prefix", "tear-last"}

// String returns the CLI name ("tear-last").
func (m CrashMode) String() string {
	if m != 0 && int(m) < len(crashModeNames) {
		return crashModeNames[m]
	}
	return fmt.Sprintf("crashmode(%d)", uint8(m))
}

// ParseCrashMode parses a name returned by CrashMode.String.
func ParseCrashMode(s string) (CrashMode, error) {
	for i, n := range crashModeNames {
		if i > 0 && s == n {
			return CrashMode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown crash mode %q (want lose-unsynced, keep-prefix or tear-last)", s)
}

// DiskConfig is a disk's behaviour.
type DiskConfig struct {
	// SyncLatency is how long a Sync takes (0 → DefaultSyncLatency).
	SyncLatency Time
	// CrashMode applies to unsynced writes at a crash (0 → LoseUnsynced).
	CrashMode CrashMode
	// MaxPendingWrites bounds the unsynced writes of one disk
	// (0 → DefaultMaxPendingWrites); exceeding it fails the run, because a
	// process that never syncs is a bug.
	MaxPendingWrites int
}

// HostConfig configures one host.
type HostConfig struct {
	// Disk gives the host durable storage (servers); clients have none.
	Disk bool
	// SyncLatency and CrashMode override Config.Disk for this host when non-zero.
	SyncLatency Time
	CrashMode   CrashMode
	// ClockOffset and ClockDriftPPM are the local clock's initial skew.
	ClockOffset   Time
	ClockDriftPPM float64
	// Stream makes the host a stream endpoint: its traffic, both ways,
	// behaves like a TCP connection: never duplicated, never given the
	// reorder delay, and delivered in order on each link (a copy is never due
	// before one sent earlier on the same link, latency jitter included).
	// Loss still applies (a connection reset loses what was in flight), and
	// so do latency, its jitter, extra delays and partitions. Clients are
	// stream endpoints: a real client talks to a server over TCP, and a
	// duplicated or delayed request could take effect after its rejection
	// was recorded as a definite failure. Network faults in the Jepsen sense
	// act on the links between servers.
	Stream bool
}

// Validate reports the first invalid field, named as in "net.loss".
func (c Config) Validate() error {
	if err := c.Net.validate("net"); err != nil {
		return err
	}
	return c.Disk.validate("disk")
}

func (n NetConfig) validate(prefix string) error {
	if n.Latency != (Dist{}) {
		if err := n.Latency.check(prefix + ".latency"); err != nil {
			return err
		}
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"loss", n.Loss}, {"duplicate", n.Duplicate}, {"reorder", n.Reorder}} {
		if err := checkProb(prefix+"."+p.name, p.v); err != nil {
			return err
		}
	}
	if n.ReorderDelay < 0 {
		return fieldErr(prefix+".reorder_delay", fmt.Sprintf("%v is negative", n.ReorderDelay))
	}
	if n.ExtraDelay < 0 {
		return fieldErr(prefix+".extra_delay", fmt.Sprintf("%v is negative", n.ExtraDelay))
	}
	if n.PausedQueue < 0 {
		return fieldErr(prefix+".paused_queue", fmt.Sprintf("%d is negative", n.PausedQueue))
	}
	return nil
}

func (d DiskConfig) validate(prefix string) error {
	if d.SyncLatency < 0 {
		return fieldErr(prefix+".sync_latency", fmt.Sprintf("%v is negative", d.SyncLatency))
	}
	if d.CrashMode > TearLast {
		return fieldErr(prefix+".crash_mode", fmt.Sprintf("unknown mode %d", d.CrashMode))
	}
	if d.MaxPendingWrites < 0 {
		return fieldErr(prefix+".max_pending_writes", fmt.Sprintf("%d is negative", d.MaxPendingWrites))
	}
	return nil
}

// Validate reports the first invalid field, named as in "host.clock_drift_ppm".
func (h HostConfig) Validate() error {
	if err := (DiskConfig{SyncLatency: h.SyncLatency, CrashMode: h.CrashMode}).validate("host"); err != nil {
		return err
	}
	return checkDrift("host.clock_drift_ppm", h.ClockDriftPPM)
}

func checkProb(field string, p float64) error {
	if !(p >= 0 && p <= 1) { // also rejects NaN
		return fieldErr(field, fmt.Sprintf("%v is outside [0,1]", p))
	}
	return nil
}

func checkDrift(field string, ppm float64) error {
	if !(math.Abs(ppm) <= MaxDriftPPM) {
		return fieldErr(field, fmt.Sprintf("%v ppm is outside ±%d", ppm, MaxDriftPPM))
	}
	return nil
}

// withDefaults returns c with every zero field replaced by its default.
func (c Config) withDefaults() Config {
	if c.MaxEvents == 0 {
		c.MaxEvents = DefaultMaxEvents
	}
	if c.MaxEventsPerInstant == 0 {
		c.MaxEventsPerInstant = DefaultMaxEventsPerInstant
	}
	if c.Net.Latency == (Dist{}) {
		c.Net.Latency = DefaultLatency
	}
	if c.Net.ReorderDelay == 0 {
		c.Net.ReorderDelay = DefaultReorderDelay
	}
	if c.Net.PausedQueue == 0 {
		c.Net.PausedQueue = DefaultPausedQueue
	}
	if c.Disk.SyncLatency == 0 {
		c.Disk.SyncLatency = DefaultSyncLatency
	}
	if c.Disk.CrashMode == 0 {
		c.Disk.CrashMode = LoseUnsynced
	}
	if c.Disk.MaxPendingWrites == 0 {
		c.Disk.MaxPendingWrites = DefaultMaxPendingWrites
	}
	return c
}
