package checker

import (
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/histories"
)

// Liveness outcomes, as in [LivenessResult].Status.
const (
	LivenessOK      = "ok"
	LivenessFailed  = "failed"
	LivenessSkipped = "skipped"
)

// LivenessOptions configures [CheckLiveness]. Times are virtual nanoseconds.
type LivenessOptions struct {
	// HealTime is when the last fault was healed.
	HealTime int64
	// LeaderBound: some node must be leader at some time in
	// [HealTime, HealTime+LeaderBound].
	LeaderBound int64
	// RecoveryWindow: every client thread must complete an ok operation
	// invoked at or after HealTime by HealTime+RecoveryWindow. 0 skips the
	// check (the run had no recovery window).
	RecoveryWindow int64
	// Threads is the number of client threads. Jepsen process p runs on
	// thread p mod Threads (a process that crashed is replaced by
	// p+Threads).
	Threads int
	// LeaderUnobservable, when set, says why no role timeline can tell who
	// leads (live mode: the nodes reported no roles). The leader part is
	// then skipped, LivenessResult.LeaderSkipped says why, and the client
	// part decides alone.
	LeaderUnobservable string
}

// LivenessResult is the outcome of [CheckLiveness].
type LivenessResult struct {
	Status  string   `json:"status"`            // LivenessOK, LivenessFailed or LivenessSkipped
	Reasons []string `json:"reasons,omitempty"` // one per failure, naming the thread or the missing leader
	// The first leader at or after HealTime (LeaderFound false: none).
	LeaderFound bool   `json:"leader_found"`
	LeaderAt    int64  `json:"leader_at"`
	Leader      int    `json:"leader"`
	LeaderTerm  uint64 `json:"leader_term"`
	// Idle lists the threads that invoked nothing in the recovery window and
	// had no operation outstanding at its end (paced too slowly to be
	// tested): they are not counted as failures.
	Idle []int `json:"idle,omitempty"`
	// LeaderSkipped says why the leader part was not checked ("": it was).
	LeaderSkipped string `json:"leader_skipped,omitempty"`
}

// CheckLiveness checks that the cluster recovered after the final heal: a
// leader appears within LeaderBound, and every client thread that tried
// completes an ok operation within the recovery window (see
// LivenessResult.Idle for threads that did not try).
func CheckLiveness(h histories.History, roles *RoleTimeline, opts LivenessOptions) (LivenessResult, error) {
	switch {
	case opts.RecoveryWindow < 0:
		return LivenessResult{}, fmt.Errorf("liveness: RecoveryWindow %d is negative", opts.RecoveryWindow)
	case opts.RecoveryWindow == 0:
		return LivenessResult{Status: LivenessSkipped, Reasons: []string{"no recovery window"}}, nil
	case opts.LeaderBound < 0:
		return LivenessResult{}, fmt.Errorf("liveness: LeaderBound %d is negative", opts.LeaderBound)
	case opts.Threads < 1:
		return LivenessResult{}, fmt.Errorf("liveness: Threads %d, want at least 1", opts.Threads)
	case roles == nil:
		return LivenessResult{}, errors.New("liveness: no role timeline")
	case len(h) > 0 && !hasTimes(h):
		return LivenessResult{}, errors.New("liveness: the history carries no times")
	}
	pairs, err := pairOps(h)
	if err != nil {
		return LivenessResult{}, fmt.Errorf("liveness: %w", err)
	}
	H := opts.HealTime
	r := LivenessResult{Status: LivenessOK}
	fail := func(format string, args ...any) {
		r.Status = LivenessFailed
		r.Reasons = append(r.Reasons, fmt.Sprintf(format, args...))
	}

	at, node, term, ok := roles.FirstLeaderFrom(H)
	if ok {
		r.LeaderFound, r.LeaderAt, r.Leader, r.LeaderTerm = true, at, node, term
	}
	switch {
	case opts.LeaderUnobservable != "":
		r.LeaderSkipped = opts.LeaderUnobservable
	case !ok:
		fail("no node became leader after the final heal at %v", durationOf(H))
	case at > H+opts.LeaderBound:
		fail("no leader within %v of the final heal at %v: the first, node %d of term %d, came at %v",
			durationOf(opts.LeaderBound), durationOf(H), node, term, durationOf(at))
	}

	type tally struct{ invoked, ok, fail, info, pending int }
	tallies := make([]tally, opts.Threads)
	done := make([]bool, opts.Threads)
	// busy: the thread invoked in the window, or had an op outstanding at its
	// end. A thread that was neither was idle by its own pacing (a low
	// --rate): it offers no evidence either way, so it is not held to the
	// window — but a thread stuck on an op invoked before the heal is.
	busy := make([]bool, opts.Threads)
	deadline := H + opts.RecoveryWindow
	for _, p := range pairs {
		inv := &h[p.inv]
		if inv.Process < 0 || inv.Time > deadline {
			continue
		}
		th := inv.Process % opts.Threads
		if inv.Time >= H || p.done < 0 || h[p.done].Time > deadline {
			busy[th] = true
		}
		if inv.Time < H {
			continue
		}
		t := &tallies[th]
		t.invoked++
		if p.done < 0 {
			t.pending++
			continue
		}
		switch c := &h[p.done]; c.Type {
		case histories.OK:
			t.ok++
			if c.Time <= deadline {
				done[th] = true
			}
		case histories.Fail:
			t.fail++
		default:
			t.info++
		}
	}
	for th, ok := range done {
		if ok {
			continue
		}
		if !busy[th] {
			r.Idle = append(r.Idle, th)
			continue
		}
		t := tallies[th]
		fail("thread %d completed no ok operation invoked after the final heal at %v by %v (after the heal it invoked %d: %d ok, %d fail, %d info, %d never completed)",
			th, durationOf(H), durationOf(deadline), t.invoked, t.ok, t.fail, t.info, t.pending)
	}
	if len(r.Idle) == opts.Threads && r.Status == LivenessOK {
		// No thread tried: the leader check passed, but nothing shows the
		// clients could be served. Say so rather than claim recovery.
		r.Status = LivenessSkipped
		r.Reasons = []string{fmt.Sprintf("no client invoked an operation between the final heal at %v and %v (paced too slowly for the recovery window): client recovery untested", durationOf(H), durationOf(deadline))}
	}
	return r, nil
}
