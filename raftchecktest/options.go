package raftchecktest

import (
	"context"
	"testing"
	"time"
)

// Option adjusts what a helper does.
type Option func(*options)

// options are the helpers' settings, defaults first.
type options struct {
	artifacts    string // "" = from the environment, else the default
	shortMaxTime time.Duration
	skipShort    bool
	shortSeeds   int
	ctx          context.Context
	model        string
	timeout      time.Duration
	noShort      bool // Replay: a stored run is rerun as it was
}

// Defaults under go test -short.
const (
	// DefaultShortMaxTime caps Config.MaxTime under -short.
	DefaultShortMaxTime = 10 * time.Second
	// DefaultShortSeeds is how many seeds Sweep runs under -short.
	DefaultShortSeeds = 3
	// DefaultHistoryTimeout bounds CheckHistory's linearizability search.
	DefaultHistoryTimeout = time.Minute
)

func collect(opts []Option) *options {
	o := &options{shortMaxTime: DefaultShortMaxTime, shortSeeds: DefaultShortSeeds, timeout: DefaultHistoryTimeout}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// Artifacts keeps failing runs' reports under dir instead of
// $RAFTCHECK_ARTIFACTS or the default (see ArtifactsDir).
func Artifacts(dir string) Option { return func(o *options) { o.artifacts = dir } }

// ShortMaxTime caps Config.MaxTime at d under go test -short (default
// DefaultShortMaxTime).
func ShortMaxTime(d time.Duration) Option { return func(o *options) { o.shortMaxTime = d } }

// SkipShort skips the check under go test -short instead of shortening it.
func SkipShort() Option { return func(o *options) { o.skipShort = true } }

// ShortSeeds is how many of its seeds Sweep runs under go test -short
// (default DefaultShortSeeds).
func ShortSeeds(n int) Option { return func(o *options) { o.shortSeeds = n } }

// Context stops runs when ctx ends, as well as at the test's deadline.
func Context(ctx context.Context) Option { return func(o *options) { o.ctx = ctx } }

// Model is the model CheckHistory checks against: "kv", "register",
// "append", ... ("" guesses it from the history, the default).
func Model(name string) Option { return func(o *options) { o.model = name } }

// Timeout bounds CheckHistory's linearizability search (default
// DefaultHistoryTimeout; 0 = only the test's deadline).
func Timeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// isShort reports whether t runs under go test -short. A TB that says so
// itself (a Short() bool method, as the package's own tests' fake has)
// decides for itself, so those tests mean the same with and without -short.
func isShort(t testing.TB) bool {
	if s, ok := t.(interface{ Short() bool }); ok {
		return s.Short()
	}
	return testing.Short()
}
