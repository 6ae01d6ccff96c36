package clients

import (
	"fmt"
	"math"
	"slices"
)

// Workload names.
const (
	Register = "register"
	KV       = "kv"
	Append   = "append"
)

// Key distributions.
const (
	Uniform = "uniform"
	Zipf    = "zipf"
)

// Pacing of rate-limited clients.
const (
	Poisson = "poisson" // exponential gaps between invokes, mean 1/Rate
	Fixed   = "fixed"   // gaps of exactly 1/Rate
)

// MaxRate is the highest Rate a thread may be given, in ops/s.
const MaxRate = 1e9

// Weight is the share of one operation in a workload's mix.
type Weight struct {
	F      string  // operation name, e.g. "read", "cas", "append"
	Weight float64 // relative weight ≥ 0
}

// Config configures every client thread of a run.
type Config struct {
	Workload string // Register, KV or Append
	Threads  int    // client threads (Jepsen's concurrency); one Client each
	Servers  []int  // addresses of the KV servers

	// Mix is the operation mix; nil means DefaultMix(Workload).
	Mix []Weight
	// Keys is the number of keys of the kv and append workloads.
	Keys int
	// KeyDist chooses keys: Uniform, or Zipf with exponent ZipfS (> 1): key k
	// is drawn with probability proportional to (1+k)^-ZipfS.
	KeyDist string
	ZipfS   float64
	// RegisterValues: register values are drawn from 0..RegisterValues-1.
	RegisterValues int

	// Rate is each thread's target rate in ops/s; 0 runs a closed loop (the
	// next op is invoked as soon as the previous completes).
	Rate   float64
	Pacing string // Poisson or Fixed, when Rate > 0

	// OpTimeout is how long an operation may take, from its invoke, before it
	// completes as info (or fail). AttemptTimeout is how long one request waits
	// for an answer before the client tries another server. RetryDelay is the
	// pause before resending a request rejected without a leader hint. All in
	// nanoseconds of the client's clock.
	OpTimeout      int64
	AttemptTimeout int64
	RetryDelay     int64
	// MaxAttempts bounds the requests sent for one operation.
	MaxAttempts int
	// NoResend ends an operation whose request goes unanswered for
	// AttemptTimeout (info; fail for a read) instead of resending it, and
	// sends the next operation to another server. It is for servers without
	// sessions (live mode's Maelstrom nodes): there a resent request is a new
	// request, and both copies could apply. Definite rejections are still
	// resent: nothing was applied.
	NoResend bool
	// Spread binds each thread to a home server, as Jepsen and Maelstrom
	// bind clients to nodes: thread t sends every operation first to
	// Servers[(t+m) mod len(Servers)], where m counts the requests of t
	// that went unanswered (a silent server is left for the next one), and
	// follows redirects from there as usual, instead of going to the
	// leader it knows. Every node serves as an entry point. Live mode uses
	// it; it draws nothing from the rng.
	Spread bool
}

// Bounds on configuration values, so that every queue and loop has a limit.
const (
	MaxThreads     = 1 << 16
	MaxServers     = 1 << 10
	MaxKeys        = 1 << 20
	MaxAttemptsCap = 1 << 12 // < 1<<tagAttemptBits: an attempt number fits in a timer tag
)

// DefaultConfig returns the standard run's client settings (10 threads, kv
// workload, closed loop). Servers must still be filled in.
func DefaultConfig() Config {
	return Config{
		Workload:       KV,
		Threads:        10,
		Keys:           10,
		KeyDist:        Uniform,
		ZipfS:          1.2,
		RegisterValues: 5,
		Pacing:         Poisson,
		OpTimeout:      1_000_000_000,
		AttemptTimeout: 250_000_000,
		RetryDelay:     10_000_000,
		MaxAttempts:    64,
	}
}

// DefaultMix returns a workload's default operation mix: register 1/3 each of
// read, write and cas (like Jepsen's etcd test); kv half get, 40 % append,
// 10 % put; append half append, half read.
func DefaultMix(workload string) []Weight {
	switch workload {
	case Register:
		return []Weight{{"read", 1}, {"write", 1}, {"cas", 1}}
	case KV:
		return []Weight{{"get", 0.5}, {"put", 0.1}, {"append", 0.4}}
	case Append:
		return []Weight{{"append", 0.5}, {"read", 0.5}}
	}
	return nil
}

// WorkloadOps lists the operations a workload can issue (nil for an unknown
// workload): what a Mix may name.
func WorkloadOps(workload string) []string {
	switch workload {
	case Register:
		return []string{"read", "write", "cas"}
	case KV:
		return []string{"get", "put", "append", "delete"}
	case Append:
		return []string{"append", "read"}
	}
	return nil
}

// mix returns the effective mix.
func (c Config) mix() []Weight {
	if c.Mix == nil {
		return DefaultMix(c.Workload)
	}
	return c.Mix
}

// Validate checks every field and names the first bad one.
func (c Config) Validate() error {
	ops := WorkloadOps(c.Workload)
	if ops == nil {
		return fmt.Errorf("clients: Workload: unknown workload %q (want register, kv or append)", c.Workload)
	}
	if c.Threads < 1 || c.Threads > MaxThreads {
		return fmt.Errorf("clients: Threads: must be in [1, %d], got %d", MaxThreads, c.Threads)
	}
	if len(c.Servers) == 0 || len(c.Servers) > MaxServers {
		return fmt.Errorf("clients: Servers: need 1 to %d server addresses, got %d", MaxServers, len(c.Servers))
	}
	for i, s := range c.Servers {
		if s <= 0 {
			return fmt.Errorf("clients: Servers[%d]: address must be positive, got %d", i, s)
		}
		if slices.Contains(c.Servers[:i], s) {
			return fmt.Errorf("clients: Servers[%d]: duplicate address %d", i, s)
		}
	}
	if err := c.validateMix(ops); err != nil {
		return err
	}
	switch c.Workload {
	case KV, Append:
		if c.Keys < 1 || c.Keys > MaxKeys {
			return fmt.Errorf("clients: Keys: must be in [1, %d], got %d", MaxKeys, c.Keys)
		}
		switch c.KeyDist {
		case Uniform:
		case Zipf:
			if !(c.ZipfS > 1) || math.IsInf(c.ZipfS, 0) {
				return fmt.Errorf("clients: ZipfS: zipf exponent must be finite and > 1, got %v", c.ZipfS)
			}
		default:
			return fmt.Errorf("clients: KeyDist: unknown key distribution %q (want uniform or zipf)", c.KeyDist)
		}
	case Register:
		if c.RegisterValues < 1 || c.RegisterValues > MaxKeys {
			return fmt.Errorf("clients: RegisterValues: must be in [1, %d], got %d", MaxKeys, c.RegisterValues)
		}
	}
	if !(c.Rate >= 0) || c.Rate > MaxRate {
		return fmt.Errorf("clients: Rate: must be in [0, 1e9] ops/s, got %v", c.Rate)
	}
	if c.Rate > 0 && c.Pacing != Poisson && c.Pacing != Fixed {
		return fmt.Errorf("clients: Pacing: unknown pacing %q (want poisson or fixed)", c.Pacing)
	}
	if c.OpTimeout <= 0 {
		return fmt.Errorf("clients: OpTimeout: must be positive, got %d", c.OpTimeout)
	}
	if c.AttemptTimeout <= 0 || c.AttemptTimeout > c.OpTimeout {
		return fmt.Errorf("clients: AttemptTimeout: must be in (0, OpTimeout=%d], got %d", c.OpTimeout, c.AttemptTimeout)
	}
	if c.RetryDelay < 0 || c.RetryDelay > c.OpTimeout {
		return fmt.Errorf("clients: RetryDelay: must be in [0, OpTimeout=%d], got %d", c.OpTimeout, c.RetryDelay)
	}
	if c.MaxAttempts < 1 || c.MaxAttempts > MaxAttemptsCap {
		return fmt.Errorf("clients: MaxAttempts: must be in [1, %d], got %d", MaxAttemptsCap, c.MaxAttempts)
	}
	return nil
}

func (c Config) validateMix(ops []string) error {
	if c.Mix != nil && len(c.Mix) == 0 {
		return fmt.Errorf("clients: Mix: empty (leave it nil for the %s default)", c.Workload)
	}
	total := 0.0
	for i, w := range c.Mix {
		if !slices.Contains(ops, w.F) {
			return fmt.Errorf("clients: Mix[%d].F: %q is not an operation of the %s workload (want one of %v)", i, w.F, c.Workload, ops)
		}
		if !(w.Weight >= 0) || math.IsInf(w.Weight, 0) {
			return fmt.Errorf("clients: Mix[%d].Weight: must be finite and ≥ 0, got %v", i, w.Weight)
		}
		if slices.ContainsFunc(c.Mix[:i], func(prev Weight) bool { return prev.F == w.F }) {
			return fmt.Errorf("clients: Mix[%d].F: %q appears twice", i, w.F)
		}
		total += w.Weight
	}
	if c.Mix != nil && (!(total > 0) || math.IsInf(total, 0)) {
		return fmt.Errorf("clients: Mix: weights sum to %v, want a finite sum > 0", total)
	}
	return nil
}
