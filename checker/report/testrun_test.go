package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/raftcheck/raftcheck/histories"
)

// testRun is the one source of runs for this package's tests: a synthetic
// but realistically shaped 70 s run of five nodes and ten client threads
// (about 6,000 operations, 100k messages) with a leader isolation, a crash,
// a pause, a ring partition, a leader crash and a final heal at 60 s.
//
// This package cannot import the root package (which imports it), so its
// unit tests use this synthetic run; the browser test (report_test) loads
// the reports of real runs made by raftcheck.Run.
func testRun() *Run {
	return synthRun(1)
}

const (
	ms = int64(time.Millisecond)
	s  = int64(time.Second)
)

// synthCluster tracks who leads, for generating node events, messages and
// op outcomes that agree with each other.
type synthCluster struct {
	r      *Run
	rng    *rand.Rand
	term   uint64
	leader int     // the leader of the majority side, 0 during elections
	alive  []bool  // by node id
	cut    [][]int // [from][to] blocked, by node id
}

func (c *synthCluster) role(t int64, n int, role string) {
	c.r.NodeEvents = append(c.r.NodeEvents, NodeEvent{Time: t, Node: n, Kind: EventRole, Role: role, Term: c.term})
}

// elect runs an election won by winner: precandidate, candidate, leader,
// and every other live node following the new term.
func (c *synthCluster) elect(t int64, winner int, voters []int) {
	c.term++
	c.role(t, winner, RolePreCandidate)
	c.role(t+2*ms, winner, RoleCandidate)
	for _, v := range voters {
		if v != winner {
			c.send(t+2*ms, winner, v, "MsgVote")
			c.send(t+3*ms, v, winner, "MsgVoteResp")
		}
	}
	c.role(t+6*ms, winner, RoleLeader)
	for _, v := range voters {
		if v != winner {
			c.role(t+7*ms, v, RoleFollower)
		}
	}
	c.leader = winner
}

func (c *synthCluster) send(t int64, from, to int, kind string) {
	m := Message{From: from, To: to, Sent: t, Kind: kind}
	lat := int64(300_000 + c.rng.ExpFloat64()*700_000) // 0.3 ms + exp(0.7 ms)
	switch {
	case c.cut[from][to] == 1:
		m.Dropped, m.Reason, m.Delivered = true, "partition", t+lat
	case !c.alive[to]:
		m.Dropped, m.Reason = true, "crashed"
	case c.rng.Float64() < 0.005:
		m.Dropped, m.Reason, m.Delivered = true, "loss", t+lat
	default:
		m.Delivered = t + lat
	}
	c.r.Messages = append(c.r.Messages, m)
}

func (c *synthCluster) isolate(n int, on bool) {
	v := 0
	if on {
		v = 1
	}
	for _, o := range c.r.Nodes {
		if o != n {
			c.cut[n][o], c.cut[o][n] = v, v
		}
	}
}

func synthRun(seed uint64) *Run {
	rng := rand.New(rand.NewPCG(seed, 0x7265706f7274))
	r := &Run{
		Title: "kv-partitions-crashes", Seed: strconv.FormatUint(seed, 10),
		Config: []KV{
			{"nodes", "5"}, {"clients", "10"}, {"workload", "kv (10 keys, get/put/append)"},
			{"nemesis", "partition-isolate-leader, crash, pause, partition-majorities-ring"},
			{"time limit", "60s + 10s recovery"}, {"election timeout", "150ms–300ms"}, {"heartbeat", "10ms"},
		},
		Replay:  "raftcheck run --seed " + strconv.FormatUint(seed, 10) + " --nemesis partition,crash,pause --time-limit 60s",
		Verdict: "valid",
		Nodes:   []int{1, 2, 3, 4, 5}, Threads: 10,
		Start: 0, End: 70 * s, HealTime: 60 * s,
		Leader: 3, Events: 31_482_113, SimTime: 70 * s, WallTime: 9200 * time.Millisecond,
		TraceHash: "9f3c2a71d04b5e88",
	}
	c := &synthCluster{r: r, rng: rng, alive: make([]bool, 6), cut: make([][]int, 6)}
	for i := range c.cut {
		c.cut[i] = make([]int, 6)
		c.alive[i] = true
	}
	all := r.Nodes

	// Leadership and faults, in time order.
	c.elect(210*ms, 1, all)
	type change struct {
		at     int64
		leader int // 0: no leader until the next change
	}
	leaders := []change{{0, 0}, {216 * ms, 1}}
	fault := func(name string, t0, t1 int64, targets []int, detail string) *FaultWindow {
		r.Faults = append(r.Faults, FaultWindow{Fault: name, Start: t0, End: t1, Targets: targets, Detail: detail})
		return &r.Faults[len(r.Faults)-1]
	}

	// 5–10 s: isolate leader 1; 2 wins term 2 on the majority side.
	f := fault("partition-isolate-leader", 5*s, 10*s, []int{1}, "isolated 1 from {2,3,4,5}")
	for _, o := range []int{2, 3, 4, 5} {
		f.Links = append(f.Links, [2]int{1, o}, [2]int{o, 1})
	}
	f.Groups = [][]int{{1}, {2, 3, 4, 5}}
	leaders = append(leaders, change{5 * s, 0})
	c.isolate(1, true)
	c.elect(5*s+230*ms, 2, []int{2, 3, 4, 5})
	leaders = append(leaders, change{5*s + 236*ms, 2})
	c.isolate(1, false)
	c.role(10*s+25*ms, 1, RoleFollower) // the stale leader hears term 2

	// 15–20 s: crash follower 4, restart.
	fault("crash", 15*s, 20*s, []int{4}, "crashed 4")
	r.NodeEvents = append(r.NodeEvents,
		NodeEvent{Time: 15 * s, Node: 4, Kind: EventCrash},
		NodeEvent{Time: 20 * s, Node: 4, Kind: EventRestart})
	c.alive[4] = false
	// 25–30 s: pause follower 5.
	fault("pause", 25*s, 30*s, []int{5}, "SIGSTOP 5")
	r.NodeEvents = append(r.NodeEvents,
		NodeEvent{Time: 25 * s, Node: 5, Kind: EventPause},
		NodeEvent{Time: 30 * s, Node: 5, Kind: EventResume})
	// 35–42 s: majorities ring; leader 2 keeps a majority.
	f = fault("partition-majorities-ring", 35*s, 42*s, all, "each node sees a distinct majority")
	f.Links = [][2]int{{1, 3}, {3, 1}, {2, 4}, {4, 2}, {3, 5}, {5, 3}, {4, 1}, {1, 4}, {5, 2}, {2, 5}}
	// 45–50 s: crash leader 2; 3 wins term 3.
	fault("crash-leader", 45*s, 50*s, []int{2}, "crashed leader 2")
	r.NodeEvents = append(r.NodeEvents, NodeEvent{Time: 45 * s, Node: 2, Kind: EventCrash})
	leaders = append(leaders, change{45 * s, 0})
	c.elect(45*s+260*ms, 3, []int{1, 3, 4, 5})
	leaders = append(leaders, change{45*s + 266*ms, 3})
	r.NodeEvents = append(r.NodeEvents, NodeEvent{Time: 50 * s, Node: 2, Kind: EventRestart})
	c.role(50*s+30*ms, 2, RoleFollower)
	// 52–60 s: clock skew, stopped by the final heal.
	fault("clock-skew", 52*s, 60*s, []int{1, 5}, "offset n1 +180ms, n5 -90ms")

	leaderAt := func(t int64) int {
		l := 0
		for _, ch := range leaders {
			if ch.at <= t {
				l = ch.leader
			}
		}
		return l
	}
	down := func(n int, t int64) bool {
		return (n == 4 && t >= 15*s && t < 20*s) || (n == 2 && t >= 45*s && t < 50*s)
	}
	cutAt := func(a, b int, t int64) bool {
		if t >= 5*s && t < 10*s && (a == 1) != (b == 1) {
			return true
		}
		if t >= 35*s && t < 42*s {
			for _, l := range r.Faults[3].Links {
				if l[0] == a && l[1] == b {
					return true
				}
			}
		}
		return false
	}
	paused := func(n int, t int64) bool { return n == 5 && t >= 25*s && t < 30*s }

	// Heartbeats from whoever leads, every 10 ms, with responses.
	for t := 250 * ms; t < r.End; t += 10 * ms {
		l := leaderAt(t)
		if l == 0 {
			continue
		}
		for _, o := range all {
			if o == l {
				continue
			}
			c.alive[o] = !down(o, t)
			c.cut[l][o], c.cut[o][l] = b2i(cutAt(l, o, t) || paused(o, t)), b2i(cutAt(o, l, t))
			c.send(t, l, o, "MsgHeartbeat")
			if c.alive[o] && c.cut[l][o] == 0 {
				c.send(t+ms, o, l, "MsgHeartbeatResp")
			}
		}
	}

	// Ten closed-loop client threads.
	var h histories.History
	add := func(op histories.Op) { h = append(h, op) }
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"}
	type event struct {
		op  histories.Op
		seq int
		lin int64 // linearization point of an ok op, else -1
	}
	var evs []event
	seq := 0
	for thread := 0; thread < r.Threads; thread++ {
		proc := thread
		t := int64(rng.IntN(50)) * ms
		for n := 0; t < r.End-2*s; n++ {
			key := keys[rng.IntN(len(keys))]
			fn := []string{"get", "put", "append"}[rng.IntN(3)]
			var val any
			if fn != "get" {
				val = "x " + strconv.Itoa(thread) + " " + strconv.Itoa(n) + " y"
			}
			inv := histories.Op{Process: proc, Type: histories.Invoke, F: fn, Key: key, Value: val, Time: t}
			evs = append(evs, event{inv, seq, -1})
			seq++
			l := leaderAt(t)
			lin := int64(-1)
			comp := histories.Op{Process: proc, F: fn, Key: key, Value: val}
			switch {
			case l == 0 || (l == 1 && t >= 5*s && t < 10*s):
				// no reachable leader: writes time out (info), reads fail
				comp.Time = t + 1000*ms
				if fn == "get" {
					comp.Type, comp.Error = histories.Fail, "timeout"
				} else {
					comp.Type, comp.Error = histories.Info, "timeout"
				}
			case rng.Float64() < 0.02:
				comp.Time, comp.Type, comp.Error = t+int64(200_000+rng.IntN(800_000)), histories.Fail, "not-leader"
			default:
				lat := int64(math.Exp(rng.NormFloat64()*0.6+math.Log(3)) * float64(ms))
				if t >= 35*s && t < 42*s {
					lat *= 4 // the ring forces retries through a majority
				}
				comp.Time, comp.Type, comp.Node = t+lat, histories.OK, l
				lin = t + lat/2
				// replication of the write: MsgApp to each follower and back
				if fn != "get" {
					for _, o := range all {
						if o != l {
							c.alive[o] = !down(o, t)
							c.cut[l][o], c.cut[o][l] = b2i(cutAt(l, o, t) || paused(o, t)), b2i(cutAt(o, l, t))
							c.send(t+ms/4, l, o, "MsgApp")
							if c.alive[o] && c.cut[l][o] == 0 {
								c.send(t+lat/2, o, l, "MsgAppResp")
							}
						}
					}
				}
			}
			evs = append(evs, event{comp, seq, lin})
			seq++
			if comp.Type == histories.Info {
				proc += r.Threads // a fresh process takes the thread
			}
			t = comp.Time + int64(40+rng.IntN(120))*ms
		}
	}
	// Apply ok ops at their linearization points so that every get
	// returns what a correct store would: the history is linearizable.
	var applied []int
	for i, e := range evs {
		if e.lin >= 0 {
			applied = append(applied, i)
		}
	}
	slices.SortStableFunc(applied, func(a, b int) int { return int(evs[a].lin - evs[b].lin) })
	state := make(map[string]string)
	for _, i := range applied {
		op := &evs[i].op
		switch op.F {
		case "put":
			state[op.Key] = op.Value.(string)
		case "append":
			state[op.Key] += op.Value.(string)
		case "get":
			if v, ok := state[op.Key]; ok {
				op.Value = v
			}
		}
	}
	slices.SortStableFunc(evs, func(a, b event) int {
		if a.op.Time != b.op.Time {
			return int(a.op.Time - b.op.Time)
		}
		return a.seq - b.seq
	})
	for _, f := range r.Faults {
		add(histories.Op{Process: histories.NemesisProcess, Type: histories.Info, F: "start-" + f.Fault, Value: f.Detail, Time: f.Start})
	}
	for _, e := range evs {
		add(e.op)
	}
	slices.SortStableFunc(h, func(a, b histories.Op) int { return int(a.Time - b.Time) })
	for i := range h {
		h[i].Index = i
	}
	r.History = h

	r.FinalNodes = []NodeRow{
		{ID: 1, State: "follower", Term: 3, Alive: true, LogSize: 4012, Commit: 4012},
		{ID: 2, State: "follower", Term: 3, Alive: true, LogSize: 4012, Commit: 4012},
		{ID: 3, State: "leader", Term: 3, Alive: true, LogSize: 4012, Commit: 4012},
		{ID: 4, State: "follower", Term: 3, Alive: true, LogSize: 4012, Commit: 4011},
		{ID: 5, State: "follower", Term: 3, Alive: true, LogSize: 4012, Commit: 4012},
	}
	r.Stats = []KV{
		{"ops", strconv.Itoa(len(evs) / 2)},
		{"latency p50/p95/p99/max", "3.1ms / 9.8ms / 1.0s / 1.0s"},
		{"messages sent/dropped/duplicated", strconv.Itoa(len(r.Messages)) + " / 0 / 0"},
	}
	return r
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
