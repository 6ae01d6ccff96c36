package raftchecktest

import (
	"strings"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
)

// CheckHistory checks a recorded history file (any format `raftcheck
// check` reads: JSON Lines, Jepsen EDN, porcupine's logs) for
// linearizability and fails t unless it is linearizable, with the
// explanation. Append histories also get the append checks. The Model
// option names the model ("" guesses it), Timeout bounds the search; so
// does the test binary's deadline, less a grace: a search stopped by either
// fails as unknown, saying which. An unreadable file stops the test, naming
// file and line. It returns the linearizability result.
func CheckHistory(t testing.TB, path string, opts ...Option) *checker.LinResult {
	t.Helper()
	o := collect(opts)
	h, _, err := histories.ReadFile(path, histories.Auto)
	if err != nil {
		t.Fatalf("raftcheck: %v", err)
		return nil
	}
	timeout, byDeadline := o.timeout, false
	if d, ok := t.(deadliner); ok {
		if end, ok := d.Deadline(); ok {
			left := time.Until(end)
			left -= grace(left)
			if left <= 0 {
				t.Fatalf("raftcheck: %s: no time left before the test binary's deadline (go test -timeout)", path)
				return nil
			}
			if timeout == 0 || left < timeout {
				timeout, byDeadline = left, true
			}
		}
	}
	lin, err := checker.CheckLinearizable(h, checker.LinOptions{Model: o.model, Timeout: timeout})
	if err != nil {
		t.Fatalf("raftcheck: %s: %v", path, err)
		return nil
	}
	switch lin.Result {
	case checker.LinOK:
		t.Logf("raftcheck: %s: linearizable (model %s, %d operations)", path, lin.Model, lin.Ops)
	case checker.LinIllegal:
		lines := lin.Explain(nil)
		if a := lin.Anomaly(checker.AnomalyContext{}); a != nil {
			lines = append([]string{a.Summary}, lines...)
		}
		t.Errorf("raftcheck: %s is not linearizable (model %s):\n  %s", path, lin.Model, strings.Join(lines, "\n  "))
	default:
		why := "raise the Timeout option"
		if byDeadline {
			why = "the search was bounded by the test binary's deadline (go test -timeout): raise it"
		}
		t.Errorf("raftcheck: %s: linearizability unknown: %s (%s)", path, lin.Reason, why)
	}
	if lin.Model == "append" {
		for _, p := range checker.CheckAppend(h) {
			t.Errorf("raftcheck: %s: %s", path, p)
		}
	}
	return lin
}
