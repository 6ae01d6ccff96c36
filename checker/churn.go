package checker

import (
	"fmt"
	"slices"
	"strings"
)

// ElectionChurn names the stability finding of [CheckChurn]: in a stretch
// with no fault active, terms keep rising (and leaders keep changing). It is a
// liveness/stability finding, not a safety invariant: nothing acknowledged is
// lost, but a cluster that churns serves little, and churn is how missing
// heartbeats and broken election-timeout randomization show.
const ElectionChurn = "election-churn"

// Churn thresholds, in election timeouts (ElectionTicks × tick interval), so
// that they scale with the configuration. Why these numbers:
//
//   - A correct leader heartbeats several times per election timeout, so in
//     a fault-free stretch no follower times out and the term does not move
//     at all. Randomized timeouts make split votes rare (Raft §5.2, §9.3:
//     with timeouts spread over a range of one timeout, elections end within
//     a few timeouts).
//   - What a fault leaves behind settles within DefaultChurnSettle, which is
//     not examined: a node that campaigned alone behind a partition, without
//     PreVote, comes back with a higher term and deposes the leader, and a
//     short split vote may follow (dissertation §9.6). That is one leader
//     and up to three new terms; DefaultChurnMaxLeaders and
//     DefaultChurnMaxTerms leave room for it.
//   - A leader whose heartbeats do not hold its followers causes an election
//     about every timeout: six to nine leaders in DefaultChurnWindow (ten
//     timeouts). Timeouts that are not randomized split the vote over and
//     over: new terms in most timeouts of the window.
//
// Calibration, correct build (virtual time, 30 s of faults plus a 10 s
// recovery window and 3 s of quiet per run; faults given as their windows,
// plus every configuration change applied and every stretch in which the
// configuration lacked a node, as the wiring should): the most leaders elected
// in any window was 1 and the most new terms 3 (only in clusters without
// PreVote and CheckQuorum), over 300 seeds each of the standard run, swarm,
// every fault at 1 s (and at 2 s with lease reads, or 0.2 client ops/s), a
// 9-node cluster, 10% loss with duplication and reordering, no faults, and
// 3- and 5-node clusters with a 100 ms timeout at 5, 7 and 10 broadcast
// times, with and without PreVote (3600 runs examined; 0 findings). The
// planted ElectionTimerNotReset gives 6 to 9 leaders per window from the
// first seed.
const (
	// DefaultChurnSettle is how long after a fault ends (and after the first
	// leader) the stretch is not examined.
	DefaultChurnSettle = 5
	// DefaultChurnWindow is the sliding window terms and leaders are counted in.
	DefaultChurnWindow = 10
	// DefaultChurnMaxTerms is the most new terms allowed in one window.
	DefaultChurnMaxTerms = 5
	// DefaultChurnMaxLeaders is the most leaders elected in one window.
	DefaultChurnMaxLeaders = 3
	// DefaultChurnTimingRatio is how many broadcast times an election
	// timeout must span for churn to be examined. Raft's timing
	// requirement is broadcastTime ≪ electionTimeout (§5.6: "an order of
	// magnitude"); a cluster whose elections take about as long as the
	// timeout (slow fsync against a short timeout, say) churns however
	// correct it is, and that is a configuration's limit, not a finding.
	// Measured on the correct build: up to 8 new terms per window at 1.5
	// and 2 broadcast times, 4 at 3 without PreVote, at most 3 from 4 on.
	DefaultChurnTimingRatio = 5
)

// maxChurnEvidence bounds the term changes a [ChurnResult] lists.
const maxChurnEvidence = 24

// FaultSpan is a time a fault was active, [Start, End). End < 0: it never
// ended (it lasts to the end of the run). Times are virtual nanoseconds.
type FaultSpan struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
}

// ChurnOptions configures [CheckChurn]. Times are virtual nanoseconds.
type ChurnOptions struct {
	// ElectionTimeout is the base election timeout: ElectionTicks × the tick
	// interval. Every other length is a multiple of it.
	ElectionTimeout int64
	// Start and End bound the examined run: Start is when the cluster first
	// had a leader (setup's end), End when the run ended.
	Start, End int64
	// Faults are the times faults were active; the stretches between them
	// (less the settle time after each) are examined.
	Faults []FaultSpan
	// BroadcastTime is how long one round of an election takes without
	// faults: the disk's sync latency plus a round trip of mean network
	// latency. 0: unknown (the timing requirement is not checked).
	BroadcastTime int64
	// Settle, Window (in election timeouts), MaxTerms, MaxLeaders and
	// TimingRatio override the defaults when positive.
	Settle, Window       float64
	MaxTerms, MaxLeaders int
	TimingRatio          float64
}

// TermChange is one rise of the cluster's highest term (or the election of a
// leader): evidence of churn.
type TermChange struct {
	Time int64  `json:"time"`
	Node int    `json:"node"`
	Role string `json:"role"` // the role the node took in Term
	Term uint64 `json:"term"`
}

// ChurnResult is the outcome of [CheckChurn].
type ChurnResult struct {
	Status  string   `json:"status"` // LivenessOK, LivenessFailed or LivenessSkipped
	Reasons []string `json:"reasons,omitempty"`
	// Quiet is the fault-free time examined (after settling).
	Quiet int64 `json:"quiet"`
	// MaxTerms is the most new terms in any window, MaxLeaders the most
	// leaders elected in any window (not necessarily the same one).
	MaxTerms   int `json:"max_terms"`
	MaxLeaders int `json:"max_leaders"`
	// Window is the window length; TermLimit and LeaderLimit the most new
	// terms and leaders allowed in one, as applied.
	Window      int64 `json:"window"`
	TermLimit   int   `json:"term_limit"`
	LeaderLimit int   `json:"leader_limit"`
	// WindowStart is where the window shown starts — the first that breaks
	// a limit, else the one with the most new terms — and Changes are its
	// term rises and leader elections (at most maxChurnEvidence), in time
	// order.
	WindowStart int64        `json:"window_start"`
	Changes     []TermChange `json:"changes,omitempty"`
}

// quietSpan is a stretch examined for churn, [start, end).
type quietSpan struct{ start, end int64 }

// CheckChurn looks for election churn: in any stretch with no fault active,
// past the settle time after the last fault (and after Start), at most
// MaxLeaders leaders may be elected, and the cluster's highest term may rise
// at most MaxTerms times, in any Window. A missing heartbeat shows as
// leaders elected one after the other; timeouts that are not randomized
// as terms rising in split votes. Skipped when no stretch is left to
// examine, or when the configuration breaks Raft's timing requirement.
func CheckChurn(roles *RoleTimeline, opts ChurnOptions) (ChurnResult, error) {
	switch {
	case roles == nil:
		return ChurnResult{}, fmt.Errorf("churn: no role timeline")
	case opts.ElectionTimeout <= 0:
		return ChurnResult{}, fmt.Errorf("churn: ElectionTimeout %d, want > 0", opts.ElectionTimeout)
	case opts.End < opts.Start:
		return ChurnResult{}, fmt.Errorf("churn: End %d is before Start %d", opts.End, opts.Start)
	case opts.Settle < 0 || opts.Window < 0 || opts.MaxTerms < 0 || opts.MaxLeaders < 0 || opts.TimingRatio < 0 || opts.BroadcastTime < 0:
		return ChurnResult{}, fmt.Errorf("churn: negative BroadcastTime, Settle, Window, MaxTerms, MaxLeaders or TimingRatio")
	}
	for i, f := range opts.Faults {
		if f.End >= 0 && f.End < f.Start {
			return ChurnResult{}, fmt.Errorf("churn: fault %d ends at %d, before its start at %d", i, f.End, f.Start)
		}
	}
	settle := timeouts(opts.ElectionTimeout, opts.Settle, DefaultChurnSettle)
	window := timeouts(opts.ElectionTimeout, opts.Window, DefaultChurnWindow)
	r := ChurnResult{Status: LivenessOK, Window: window, TermLimit: opts.MaxTerms, LeaderLimit: opts.MaxLeaders}
	if r.TermLimit == 0 {
		r.TermLimit = DefaultChurnMaxTerms
	}
	if r.LeaderLimit == 0 {
		r.LeaderLimit = DefaultChurnMaxLeaders
	}
	ratio := opts.TimingRatio
	if ratio == 0 {
		ratio = DefaultChurnTimingRatio
	}
	if opts.BroadcastTime > 0 && float64(opts.ElectionTimeout) < ratio*float64(opts.BroadcastTime) {
		r.Status = LivenessSkipped
		r.Reasons = []string{fmt.Sprintf("the election timeout (%v) is under %g broadcast times (%v: sync latency plus a round trip): elections take too long for a stable leader to be expected (Raft's timing requirement, broadcastTime ≪ electionTimeout)",
			durationOf(opts.ElectionTimeout), ratio, durationOf(opts.BroadcastTime))}
		return r, nil
	}
	quiet := quietSpans(opts.Start, opts.End, opts.Faults, settle)
	for _, q := range quiet {
		r.Quiet += q.end - q.start
	}
	if r.Quiet == 0 {
		r.Status = LivenessSkipped
		r.Reasons = []string{fmt.Sprintf("no fault-free stretch longer than the settle time (%v) to examine", durationOf(settle))}
		return r, nil
	}
	changes := termRises(roles)
	// Prefix counts of rises and leaders, so each window costs O(1) and the
	// scan O(changes) per stretch.
	rises := make([]int, len(changes)+1)
	leaders := make([]int, len(changes)+1)
	for k, c := range changes {
		rises[k+1], leaders[k+1] = rises[k], leaders[k]
		if c.rise {
			rises[k+1]++
		}
		if c.Role == RoleLeader {
			leaders[k+1]++
		}
	}
	// shown is the window reported: [from, to) in changes, and whether it
	// breaks a limit.
	var shown struct {
		from, to int
		breaks   bool
		set      bool
	}
	for _, q := range quiet {
		// Slide a window over the changes in [q.start, q.end), each window
		// starting at a change (the counts can only peak there); the
		// windows' ends only move forward, and so does j.
		i, _ := slices.BinarySearchFunc(changes, q.start, func(c churnChange, t int64) int { return cmpInt64(c.Time, t) })
		j := i
		for ; i < len(changes) && changes[i].Time < q.end; i++ {
			wend := min(changes[i].Time+window, q.end)
			for j < len(changes) && changes[j].Time < wend {
				j++
			}
			terms, elected := rises[j]-rises[i], leaders[j]-leaders[i]
			breaks := terms > r.TermLimit || elected > r.LeaderLimit
			if (breaks && !shown.breaks) || (!shown.breaks && terms > r.MaxTerms) {
				shown.from, shown.to, shown.breaks, shown.set = i, j, breaks, true
			}
			r.MaxTerms, r.MaxLeaders = max(r.MaxTerms, terms), max(r.MaxLeaders, elected)
		}
	}
	if shown.set {
		r.WindowStart = changes[shown.from].Time
		for _, c := range changes[shown.from:min(shown.to, shown.from+maxChurnEvidence)] {
			r.Changes = append(r.Changes, c.TermChange)
		}
	}
	if shown.breaks {
		r.Status = LivenessFailed
		terms, elected := rises[shown.to]-rises[shown.from], leaders[shown.to]-leaders[shown.from]
		r.Reasons = []string{churnReason(&r, terms, elected)}
	}
	return r, nil
}

// timeouts is n (or def when n is 0) election timeouts of length e.
func timeouts(e int64, n float64, def float64) int64 {
	if n == 0 {
		n = def
	}
	return int64(float64(e) * n)
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// quietSpans is [start, end) less every fault's span and the settle time
// after it (and after start), in time order.
func quietSpans(start, end int64, faults []FaultSpan, settle int64) []quietSpan {
	busy := make([]quietSpan, 0, len(faults)+1)
	busy = append(busy, quietSpan{start, start + settle})
	for _, f := range faults {
		e := f.End
		if e < 0 {
			e = end
		}
		busy = append(busy, quietSpan{f.Start, e + settle})
	}
	slices.SortFunc(busy, func(a, b quietSpan) int { return cmpInt64(a.start, b.start) })
	var out []quietSpan
	at := start
	for _, b := range busy {
		if b.start > at && at < end {
			out = append(out, quietSpan{at, min(b.start, end)})
		}
		at = max(at, b.end)
	}
	if at < end {
		out = append(out, quietSpan{at, end})
	}
	return out
}

// churnChange is a TermChange that is a rise of the top term, or a leader
// elected in a term that already rose.
type churnChange struct {
	TermChange
	rise bool
}

// termRises lists, in time order, every role change that raised the highest
// term any node had reached, and every leader elected.
func termRises(roles *RoleTimeline) []churnChange {
	var all []TermChange
	for _, n := range roles.Nodes() {
		for _, c := range roles.Changes(n) {
			if c.Role != RoleCrashed {
				all = append(all, TermChange{Time: c.Time, Node: c.Node, Role: c.Role, Term: c.Term})
			}
		}
	}
	// Stable by node within a time, so ties break the same way every run.
	slices.SortStableFunc(all, func(a, b TermChange) int { return cmpInt64(a.Time, b.Time) })
	var out []churnChange
	var top uint64
	for _, c := range all {
		switch {
		case c.Term > top:
			top = c.Term
			out = append(out, churnChange{c, true})
		case c.Role == RoleLeader:
			out = append(out, churnChange{c, false})
		}
	}
	return out
}

// churnReason is the finding in words, with the terms and leaders over time.
func churnReason(r *ChurnResult, terms, elected int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d new %s and %d %s elected within %v from %v with no fault active (at most %d new terms and %d leaders allowed per %v):",
		terms, pluralS(terms, "term"), elected, pluralS(elected, "leader"), durationOf(r.Window), durationOf(r.WindowStart),
		r.TermLimit, r.LeaderLimit, durationOf(r.Window))
	for _, c := range r.Changes {
		fmt.Fprintf(&b, " %v node %d %s term %d;", durationOf(c.Time), c.Node, c.Role, c.Term)
	}
	return strings.TrimSuffix(b.String(), ";")
}
