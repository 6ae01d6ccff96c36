package checker

import (
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hardHistory is an illegal register history that porcupine can only refute
// by exhausting every order of n concurrent writes and n concurrent reads: a
// final read returns a value nobody wrote.
func hardHistory(n int) histories.History {
	var calls []call
	for i := 0; i < n; i++ {
		calls = append(calls,
			call{p: i, f: "write", in: int64(i + 1), start: int64(i), end: int64(1000 + i)},
			call{p: n + i, f: "read", out: int64((i*7)%n + 1), start: int64(i), end: int64(1000 + i)})
	}
	calls = append(calls, call{p: 2 * n, f: "read", out: int64(-1), start: 5000, end: 5001})
	return fromCalls(calls...)
}

func TestTimeoutIsUnknown(t *testing.T) {
	h := hardHistory(14)
	for _, timeout := range []time.Duration{time.Nanosecond, 50 * time.Millisecond} {
		r, err := CheckLinearizable(h, LinOptions{Model: ModelRegister, Timeout: timeout})
		require.NoError(t, err)
		assert.Equal(t, LinUnknown, r.Result, "timeout %v", timeout)
		assert.Empty(t, r.Counterexample)
		assert.Less(t, r.Duration, 30*time.Second)
		res := Combine(Checks{Lin: r})
		assert.Equal(t, Unknown, res.Verdict, "a timed-out check is never valid")
		assert.Equal(t, 2, res.Verdict.ExitCode())
	}
}
