package raftchecktest

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck"
)

// fakeTB records what the helpers report instead of failing the real test.
// The embedded nil testing.TB makes any method they call that is not
// overridden here panic, so a test notices a new dependency.
type fakeTB struct {
	testing.TB
	name     string
	deadline time.Time // zero: none
	short    bool      // what Short reports: the fake runs as if under -short

	mu                          sync.Mutex
	logs, errors, fatals, skips []string
}

func (f *fakeTB) Helper()                     {}
func (f *fakeTB) Short() bool                 { return f.short }
func (f *fakeTB) Name() string                { return f.name }
func (f *fakeTB) Context() context.Context    { return context.Background() }
func (f *fakeTB) Deadline() (time.Time, bool) { return f.deadline, !f.deadline.IsZero() }

func (f *fakeTB) record(to *[]string, format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*to = append(*to, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Logf(format string, args ...any)   { f.record(&f.logs, format, args...) }
func (f *fakeTB) Errorf(format string, args ...any) { f.record(&f.errors, format, args...) }

// Fatalf and Skipf stop the calling goroutine, as testing.T's do.
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.record(&f.fatals, format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.record(&f.skips, format, args...)
	runtime.Goexit()
}

func (f *fakeTB) failed() bool { return len(f.errors)+len(f.fatals) > 0 }

// inTest runs fn on its own goroutine, as go test runs a test, so a Fatalf
// (runtime.Goexit) ends fn and not the caller.
func inTest(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// quick is a short standard run that passes.
func quick(seed uint64) raftcheck.Config {
	cfg := raftcheck.DefaultConfig()
	cfg.Seed = seed
	cfg.MaxTime = raftcheck.Duration(10 * time.Second)
	return cfg
}

// failing is a run of a planted bug that fails: the first seed of the
// bug's exposure recipe that catches it, found the way the catalogue's own
// test finds it, so the choice does not rot when the simulation changes.
func failing(t *testing.T) raftcheck.Config {
	t.Helper()
	b, ok := raftcheck.LookupBug(raftcheck.BugAckBeforeFsync)
	if !ok {
		t.Fatal("no such planted bug")
	}
	cfg, err := raftcheck.BugConfig(b.Name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := raftcheck.SweepUntilCaught(context.Background(), cfg, b, Seeds(1, b.Budget), 0)
	if err != nil || c.Seed == 0 {
		t.Fatalf("the planted bug was not caught in %d seeds: %v", b.Budget, err)
	}
	cfg.Seed = c.Seed
	return cfg
}

// endless is a valid run that no machine finishes within a test: thousands
// of hours of simulated time (about 25 simulated minutes pass per second of
// wall time on a 2-core VM), ticking nodes and all.
func endless() raftcheck.Config {
	cfg := raftcheck.DefaultConfig()
	cfg.Seed = 5
	cfg.MaxTime = raftcheck.Duration(3000 * time.Hour)
	cfg.Clients, cfg.Rate = 1, 0.001
	return cfg
}
