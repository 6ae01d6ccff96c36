package kvstore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probe is a client address that records every response it gets, and checks
// that each echoes the Attempt of a request it sent.
type probe struct {
	h        *testHost
	got      []Response
	attempts map[[2]uint64][]uint32 // (ClientID, Seq) → attempts sent
}

func (c *cluster) addProbe(addr int) *probe {
	p := &probe{h: &testHost{c: c, addr: addr, up: true, inc: 1}, attempts: map[[2]uint64][]uint32{}}
	p.h.proc = p
	c.hosts[addr] = p.h
	return p
}

func (p *probe) Receive(from int, msg any) {
	r := *msg.(*Response)
	if sent := p.attempts[[2]uint64{r.ClientID, r.Seq}]; !slices.Contains(sent, r.Attempt) {
		p.h.c.t.Errorf("response from %d for client %d seq %d echoes attempt %d; attempts sent: %v", from, r.ClientID, r.Seq, r.Attempt, sent)
	}
	p.got = append(p.got, r)
}

func (p *probe) Fire(uint64) {}

// probeAttempt is the Attempt a probe gives a request that names none:
// distinct across the (ClientID, Seq) of a test, so an answer echoing another
// request's attempt, or none, shows.
func probeAttempt(clientID, seq uint64) uint32 { return uint32((clientID*7+seq)%1000) + 1 }

func (p *probe) send(to int, r Request) {
	req := r
	if req.Attempt == 0 {
		req.Attempt = probeAttempt(req.ClientID, req.Seq)
	}
	k := [2]uint64{req.ClientID, req.Seq}
	p.attempts[k] = append(p.attempts[k], req.Attempt)
	p.h.Send(to, &req)
}

// checkAppendsOnce asserts exactly-once on every live replica: each append a
// client completed (or retried to completion) appears exactly once in its
// key's final value.
func checkAppendsOnce(t *testing.T, c *cluster, clients []*testClient) {
	t.Helper()
	for addr := 1; addr <= c.opts.n; addr++ {
		if c.hosts[addr].up {
			checkAppendsOnceIn(t, addr, c.hosts[addr].srv.sm, clients)
		}
	}
}

func checkAppendsOnceIn(t *testing.T, node int, m *machine, clients []*testClient) {
	t.Helper()
	counts := map[string]map[string]int{} // key → token → occurrences
	for _, cl := range clients {
		for i, r := range cl.results {
			op := cl.ops[i]
			if op.Op != OpAppend || r.Err != ErrNone {
				continue
			}
			if counts[op.Key] == nil {
				v, _ := m.getString(op.Key)
				counts[op.Key] = tokenCounts(v)
			}
			assert.Equal(t, 1, counts[op.Key][op.Value], "node %d key %s: append %s", node, op.Key, op.Value)
		}
	}
}

// tokenCounts counts the "<...>" tokens kvOps appends.
func tokenCounts(v string) map[string]int {
	out := map[string]int{}
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			return out
		}
		out[v[i:i+j+1]]++
		v = v[i+j+1:]
	}
}

// checkReadYourWrites asserts each get saw the last append its own client
// completed on that key before it (a consequence of linearizability).
func checkReadYourWrites(t *testing.T, clients []*testClient) {
	t.Helper()
	for _, cl := range clients {
		last := map[string]string{}
		for i, r := range cl.results {
			op := cl.ops[i]
			switch {
			case r.Err != ErrNone:
			case op.Op == OpAppend:
				last[op.Key] = op.Value
			case op.Op == OpGet && last[op.Key] != "":
				assert.Contains(t, r.Value, last[op.Key], "client %d get #%d misses its own append", cl.id, i)
			}
		}
	}
}

func TestClusterCommitsAndConverges(t *testing.T) {
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("%d servers", n), func(t *testing.T) {
			c := newCluster(t, clusterOpts{n: n, seed: uint64(n)})
			c.waitLeader()
			var clients []*testClient
			for id := uint64(1); id <= 4; id++ {
				clients = append(clients, c.addClient(id, kvOps(id, 40, 3)))
			}
			c.runClients(60_000*ms, clients...)
			for _, cl := range clients {
				require.Len(t, cl.results, len(cl.ops))
				for i, r := range cl.results {
					require.Equal(t, ErrNone, r.Err, "client %d op %d", cl.id, i)
				}
			}
			c.waitConverged()
			checkAppendsOnce(t, c, clients)
			checkReadYourWrites(t, clients)
			for term, leaders := range c.obs.leadersByTerm() {
				assert.Len(t, leaders, 1, "leaders of term %d", term)
			}
			d := c.hosts[1].srv.Digest()
			for i := 2; i <= n; i++ {
				assert.Equal(t, d, c.hosts[i].srv.Digest(), "digest of node %d", i)
			}
			assert.NotEqual(t, newMachine(1, false).digest(), d)
			for i := 1; i <= n; i++ {
				assert.Positive(t, c.obs.synced[uint64(i)], "node %d never reported a sync", i)
			}
		})
	}
}

func TestClusterSurvivesCrashesAndRestartsFromDisk(t *testing.T) {
	for _, mode := range []crashMode{loseUnsynced, keepPrefix, tearLast} {
		t.Run(fmt.Sprint("mode ", mode), func(t *testing.T) {
			c := newCluster(t, clusterOpts{n: 3, seed: 11 + uint64(mode), dupRate: 0.1})
			leader := c.waitLeader()
			follower := leader%3 + 1
			var clients []*testClient
			for id := uint64(1); id <= 3; id++ {
				cl := c.addClient(id, kvOps(id, 200, 3))
				cl.retryAll = true // retry unknown outcomes: sessions must keep them exactly-once
				clients = append(clients, cl)
			}
			c.after(50*ms, func() { c.crash(follower, mode) })
			c.after(200*ms, func() { c.restart(follower) })
			c.after(300*ms, func() { c.crash(leader, mode) })
			c.after(600*ms, func() { c.restart(leader) })
			c.after(900*ms, func() {
				for i := 1; i <= 3; i++ {
					c.crash(i, mode)
				}
			})
			c.after(1000*ms, func() {
				for i := 1; i <= 3; i++ {
					c.restart(i)
				}
			})
			c.runClients(120_000*ms, clients...)
			require.Greater(t, c.now, 1000*ms, "the clients finished before the faults ended: make the workload longer")
			c.waitConverged()
			checkAppendsOnce(t, c, clients)
			for _, cl := range clients {
				for i, r := range cl.results {
					require.Equal(t, ErrNone, r.Err, "client %d op %d", cl.id, i)
				}
			}
			checkReadYourWrites(t, clients)
			for i := 1; i <= 3; i++ {
				rec := c.obs.recovered[uint64(i)]
				require.NotEmpty(t, rec, "node %d restarted without Recovered", i)
				assert.Positive(t, rec[len(rec)-1].hs.Term, "node %d recovered no term", i)
				assert.Positive(t, rec[len(rec)-1].lastIndex, "node %d recovered no log", i)
			}
		})
	}
}

// activeCluster returns a 3-node cluster that has committed some client ops.
func activeCluster(t *testing.T, opts clusterOpts) (*cluster, int) {
	c := newCluster(t, opts)
	leader := c.waitLeader()
	cl := c.addClient(1, kvOps(1, 20, 2))
	c.runClients(30_000*ms, cl)
	c.waitConverged()
	return c, leader
}

func TestRestartTruncatesTornTail(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 3})
	f := leader%3 + 1
	c.crash(f, loseUnsynced)
	h := c.hosts[f]
	valid := len(h.disk.durable[logFile])
	// A write that never completed: half of a record, as a crash mid-append leaves.
	rec := appendLogBatch(nil, &logBatch{entries: ents(uint64(1000), 1000, 99)})
	h.disk.durable[logFile] = append(h.disk.durable[logFile], rec[:len(rec)/2]...)
	h.disk.visible[logFile] = append([]byte(nil), h.disk.durable[logFile]...)

	c.restart(f)
	assert.True(t, h.srv.Stats().TornTail)
	got, _ := h.disk.ReadFile(logFile)
	assert.GreaterOrEqual(t, len(got), valid)
	assert.Equal(t, h.disk.durable[logFile][:valid], got[:valid])
	var st durableState
	require.NoError(t, st.replayLog(got))
	assert.False(t, st.torn, "the torn record must be cut off")

	cl := c.addClient(2, kvOps(2, 8, 2))
	c.runClients(30_000*ms, cl)
	c.waitConverged()
}

func TestRestartFailsStopOnCorruptSyncedData(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 4, snapshotEvery: 10})
	f := leader%3 + 1
	tests := []struct {
		name   string
		file   string
		offset int
		want   string
	}{
		{"log header", logFile, 5, "raft.log: offset 0: record header checksum mismatch"},
		{"log payload", logFile, recordHeaderSize + 1, "raft.log: offset 0: record payload checksum mismatch"},
		{"snapshot", snapshotFile, recordHeaderSize + 2, "raft.snap: offset 0"},
	}
	c.crash(f, loseUnsynced)
	h := c.hosts[f]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := h.disk.durable[tt.file]
			require.Greater(t, len(orig), tt.offset, "the node has no %s", tt.file)
			bad := append([]byte(nil), orig...)
			bad[tt.offset] ^= 0x04
			h.disk.visible[tt.file] = bad
			defer func() { h.disk.visible[tt.file] = append([]byte(nil), orig...) }()
			_, err := NewServer(h.cfg, h)
			require.Error(t, err)
			var ce *CorruptError
			assert.True(t, errors.As(err, &ce), "want a *CorruptError, got %T", err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "node "+fmt.Sprint(f))
		})
	}
	c.restart(f) // the undamaged disk still starts
	c.waitConverged()
}

// staleReadScenario commits k=v1, isolates the leader (CheckQuorum off, so it
// keeps believing it leads), lets the majority commit k=v2 under a new leader,
// then sends a get for k to the old leader and returns its answers.
func staleReadScenario(t *testing.T, opts clusterOpts) []Response {
	opts.n, opts.noCheckQuorum = 3, true
	c := newCluster(t, opts)
	old := c.waitLeader()
	w := c.addClient(1, []Request{{Op: OpPut, Key: "k", Value: "v1"}})
	w.target = old
	c.runClients(10_000*ms, w)
	c.runFor(50 * ms) // let the followers apply v1 too
	c.isolate(old)
	c.runUntil(10_000*ms, "a new leader", func() bool { l := c.leader(); return l != 0 && l != old })
	w2 := c.addClient(2, []Request{{Op: OpPut, Key: "k", Value: "v2"}})
	w2.target = c.leader()
	c.runClients(10_000*ms, w2)
	require.Equal(t, raft.Leader, c.hosts[old].srv.role, "the isolated leader must still believe it leads")
	p := c.addProbe(3001)
	p.send(old, Request{ClientID: 77, Seq: 1, Op: OpGet, Key: "k"})
	c.runFor(500 * ms)
	c.heal()
	c.runFor(1000 * ms)
	return p.got
}

func TestReadIndexNeverServesADeposedLeadersState(t *testing.T) {
	got := staleReadScenario(t, clusterOpts{seed: 21, readMode: ReadIndex})
	require.NotEmpty(t, got, "after the heal the deposed leader must fail the read")
	for _, r := range got {
		if r.Err == ErrNone {
			assert.Equal(t, "v2", r.Value, "stale read")
		} else {
			assert.Equal(t, ErrNotLeader, r.Err)
		}
	}
}

func TestStaleLocalReadBugServesStaleValue(t *testing.T) {
	got := staleReadScenario(t, clusterOpts{seed: 21, readMode: ReadIndex, bugs: Bugs{StaleLocalRead: true}})
	require.NotEmpty(t, got)
	assert.Equal(t, ErrNone, got[0].Err)
	assert.Equal(t, "v1", got[0].Value, "with StaleLocalRead the deposed leader must answer its stale value")
}

func TestReadLocalAnswersFromAnyNodeEvenStale(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 5, readMode: ReadLocal})
	f := leader%3 + 1
	w := c.addClient(2, []Request{{Op: OpPut, Key: "k", Value: "v1"}})
	w.target = leader
	c.runClients(10_000*ms, w)
	c.waitConverged()
	c.isolate(f)
	w2 := c.addClient(3, []Request{{Op: OpPut, Key: "k", Value: "v2"}})
	w2.target = leader
	c.runClients(10_000*ms, w2)
	p := c.addProbe(3001)
	p.send(f, Request{ClientID: 78, Seq: 1, Op: OpGet, Key: "k"})
	c.runFor(20 * ms)
	require.Len(t, p.got, 1)
	assert.Equal(t, ErrNone, p.got[0].Err, "a follower answers in local mode")
	assert.Equal(t, f, p.got[0].Node)
	assert.Equal(t, "v1", p.got[0].Value, "local reads are stale by design")
}

func TestReadLeaseAnswersWithoutHeartbeatRound(t *testing.T) {
	for _, tt := range []struct {
		mode     ReadMode
		answered bool
	}{{ReadLease, true}, {ReadIndex, false}} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			c, leader := activeCluster(t, clusterOpts{n: 3, seed: 6, readMode: tt.mode})
			w := c.addClient(2, []Request{{Op: OpPut, Key: "k", Value: "v1"}})
			w.target = leader
			c.runClients(10_000*ms, w)
			// Cut the leader off: a heartbeat round can no longer complete,
			// but the lease (shorter than an election timeout) still holds.
			c.isolate(leader)
			p := c.addProbe(3001)
			p.send(leader, Request{ClientID: 79, Seq: 1, Op: OpGet, Key: "k"})
			c.runFor(10 * ms)
			if !tt.answered {
				assert.Empty(t, p.got, "readindex must wait for a heartbeat round")
				return
			}
			require.Len(t, p.got, 1)
			assert.Equal(t, ErrNone, p.got[0].Err)
			assert.Equal(t, "v1", p.got[0].Value)
		})
	}
}

func TestReadLogGoesThroughTheLog(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 8, readMode: ReadLog})
	p := c.addProbe(3001)
	p.send(leader, Request{ClientID: 80, Seq: 1, Op: OpPut, Key: "k", Value: "v"})
	c.runFor(100 * ms)
	p.send(leader, Request{ClientID: 80, Seq: 2, Op: OpGet, Key: "k"})
	c.runFor(100 * ms)
	require.Len(t, p.got, 2)
	assert.Equal(t, Response{ClientID: 80, Seq: 2, Value: "v", Found: true, Node: leader, Term: p.got[1].Term, Attempt: probeAttempt(80, 2)}, p.got[1])
	var gets int
	for _, e := range c.obs.appliedByNode[uint64(leader)] {
		var r Request
		if e.Type == raft.EntryNormal && len(e.Data) > 0 && DecodeRequest(e.Data, &r) == nil && r.Op == OpGet && r.ClientID == 80 {
			gets++
		}
	}
	assert.Equal(t, 1, gets, "the get must be applied as a log entry")
}

func TestDuplicateRequestsApplyOnce(t *testing.T) {
	for _, tt := range []struct {
		name  string
		bugs  Bugs
		count int
	}{{"sessions", Bugs{}, 1}, {"NoDedup bug", Bugs{NoDedup: true}, 5}} {
		t.Run(tt.name, func(t *testing.T) {
			c, leader := activeCluster(t, clusterOpts{n: 3, seed: 9, bugs: tt.bugs})
			p := c.addProbe(3001)
			req := Request{ClientID: 81, Seq: 1, Op: OpAppend, Key: "dup", Value: "<x>"}
			for i := 0; i < 4; i++ {
				p.send(leader, req)
			}
			c.runFor(100 * ms)
			p.send(leader, req) // a retry after the first answer
			c.runFor(100 * ms)
			c.waitConverged()
			require.Len(t, p.got, 5)
			for i := 1; i <= 3; i++ {
				v, _ := c.serverValue(i, "dup")
				assert.Equal(t, tt.count, strings.Count(v, "<x>"), "node %d", i)
			}
			if tt.count == 1 {
				for _, r := range p.got {
					assert.Equal(t, p.got[0], r, "every retry gets the first result")
				}
			}
		})
	}
}

func TestFollowerAnswersNotLeaderWithHint(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 10})
	f := leader%3 + 1
	p := c.addProbe(3001)
	p.send(f, Request{ClientID: 82, Seq: 1, Op: OpPut, Key: "k", Value: "v"})
	p.send(f, Request{ClientID: 82, Seq: 1, Op: OpGet, Key: "k"})
	c.runFor(20 * ms)
	require.Len(t, p.got, 2)
	role, term, lead := c.hosts[f].srv.Role()
	assert.Equal(t, raft.Follower, role)
	assert.Equal(t, uint64(leader), lead)
	assert.Equal(t, c.hosts[f].srv.Status().Term, term)
	for _, r := range p.got {
		assert.Equal(t, ErrNotLeader, r.Err)
		assert.Equal(t, leader, r.LeaderHint)
		assert.Equal(t, f, r.Node)
		assert.Equal(t, c.hosts[f].srv.term, r.Term)
	}
}

func TestMaxPendingDropsExcessRequests(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 12, maxPending: 2})
	// A stuck disk keeps proposals pending.
	c.hosts[leader].holdSyncs = true
	p := c.addProbe(3001)
	for i := uint64(1); i <= 5; i++ {
		p.send(leader, Request{ClientID: 100 + i, Seq: 1, Op: OpPut, Key: "k", Value: fmt.Sprint(i)})
		c.runFor(ms / 10)
	}
	c.runFor(20 * ms)
	require.Len(t, p.got, 3)
	for _, r := range p.got {
		assert.Equal(t, ErrDropped, r.Err)
	}
	c.releaseSyncs(leader)
	c.runFor(200 * ms)
	require.Len(t, p.got, 5)
	for _, r := range p.got[3:] {
		assert.Equal(t, ErrNone, r.Err)
	}
}

func TestLostProposalAnswersLeaderChanged(t *testing.T) {
	c, old := activeCluster(t, clusterOpts{n: 3, seed: 13})
	c.isolate(old)
	p := c.addProbe(3001)
	p.send(old, Request{ClientID: 83, Seq: 1, Op: OpPut, Key: "lost", Value: "x"})
	c.runUntil(10_000*ms, "a new leader", func() bool { l := c.leader(); return l != 0 && l != old })
	// The new leader commits other entries at the lost proposal's index.
	w := c.addClient(2, kvOps(2, 6, 2))
	w.target = c.leader()
	c.runClients(10_000*ms, w)
	c.heal()
	c.runUntil(10_000*ms, "an answer", func() bool { return len(p.got) > 0 })
	assert.Equal(t, ErrLeaderChanged, p.got[0].Err)
	c.waitConverged()
	_, found := c.serverValue(old, "lost")
	assert.False(t, found)
}

func TestAckBeforeFsyncBugAcknowledgesUndurableWrites(t *testing.T) {
	for _, bug := range []bool{false, true} {
		t.Run(fmt.Sprint("bug=", bug), func(t *testing.T) {
			obs := newRecObserver(t)
			// With the bug, the lost write shows up as broken invariants too.
			obs.allowAnomaly, obs.allowViolations = bug, bug
			c, leader := activeCluster(t, clusterOpts{n: 3, seed: 14, bugs: Bugs{AckBeforeFsync: bug}, observer: obs})
			// Every disk is stuck: nothing new becomes durable anywhere.
			for i := 1; i <= 3; i++ {
				c.hosts[i].holdSyncs = true
			}
			p := c.addProbe(3001)
			p.send(leader, Request{ClientID: 84, Seq: 1, Op: OpPut, Key: "k", Value: "acked"})
			c.runFor(200 * ms)
			if !bug {
				assert.Empty(t, p.got, "a write must not be acknowledged before it is durable")
				return
			}
			require.Len(t, p.got, 1)
			assert.Equal(t, ErrNone, p.got[0].Err)
			// The acknowledged write is on no disk: a crash of all loses it.
			for i := 1; i <= 3; i++ {
				c.crash(i, loseUnsynced)
			}
			for i := 1; i <= 3; i++ {
				c.restart(i)
			}
			c.waitLeader()
			c.runFor(500 * ms)
			for i := 1; i <= 3; i++ {
				_, found := c.serverValue(i, "k")
				assert.False(t, found, "node %d kept the write; the scenario shows nothing", i)
			}
			assert.NotEmpty(t, obs.violations, "nodes applied the acknowledged entry, then a different one at its index")
		})
	}
}

func TestSnapshotsBoundTheLogAndRestore(t *testing.T) {
	c := newCluster(t, clusterOpts{n: 3, seed: 15, snapshotEvery: 20})
	c.waitLeader()
	var clients []*testClient
	for id := uint64(1); id <= 3; id++ {
		clients = append(clients, c.addClient(id, kvOps(id, 50, 4)))
	}
	c.runClients(60_000*ms, clients...)
	c.waitConverged()
	for i := 1; i <= 3; i++ {
		s := c.hosts[i].srv
		assert.Positive(t, s.Stats().SnapshotsTaken, "node %d", i)
		assert.Less(t, s.LogSize(), 2*20+10, "node %d log is not compacted", i)
		_, ok := c.hosts[i].disk.ReadFile(snapshotFile)
		assert.True(t, ok)
	}
	// A restart rebuilds the state machine from the snapshot plus the log.
	want := c.hosts[2].srv.Digest()
	c.crash(2, loseUnsynced)
	c.restart(2)
	rec := c.obs.recovered[2]
	require.NotEmpty(t, rec)
	assert.Positive(t, rec[len(rec)-1].snapIndex)
	c.waitConverged()
	assert.Equal(t, want, c.hosts[2].srv.Digest())
	checkAppendsOnce(t, c, clients)
}

func TestLaggingFollowerInstallsSnapshot(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 16, snapshotEvery: 10})
	f := leader%3 + 1
	c.crash(f, loseUnsynced)
	var clients []*testClient
	for id := uint64(2); id <= 3; id++ {
		cl := c.addClient(id, kvOps(id, 30, 3))
		cl.target = leader
		clients = append(clients, cl)
	}
	c.runClients(60_000*ms, clients...)
	c.restart(f)
	c.waitConverged()
	assert.Positive(t, c.hosts[f].srv.Stats().SnapshotsReceived, "the follower should have needed a snapshot")
	assert.Equal(t, c.hosts[leader].srv.Digest(), c.hosts[f].srv.Digest())
	checkAppendsOnce(t, c, clients)
	// Sessions came with the snapshot: a retry of a finished op is answered
	// from the cache, not applied again, even by the new follower's state.
	s := c.hosts[f].srv.sm.sessions.lookup(2)
	require.NotNil(t, s)
	assert.Equal(t, uint64(29), s.lastSeq, "the last op that went through the log (op 30 is a get)")
}

func TestServerConfigErrorsNameTheField(t *testing.T) {
	c := newCluster(t, clusterOpts{n: 1, seed: 17})
	h := c.hosts[1]
	tests := []struct {
		name string
		edit func(cfg *ServerConfig)
		want string
	}{
		{"id", func(cfg *ServerConfig) { cfg.ID = 0 }, "ServerConfig.ID: must be non-zero"},
		{"address", func(cfg *ServerConfig) { cfg.ID = 2 }, "ServerConfig.ID: 2 differs from the host address 1"},
		{"tick", func(cfg *ServerConfig) { cfg.TickInterval = 0 }, "ServerConfig.TickInterval: must be positive"},
		{"read mode", func(cfg *ServerConfig) { cfg.ReadMode = 9 }, "ServerConfig.ReadMode"},
		{"sessions", func(cfg *ServerConfig) { cfg.MaxSessions = -1 }, "ServerConfig.MaxSessions"},
		{"pending", func(cfg *ServerConfig) { cfg.MaxPending = -1 }, "ServerConfig.MaxPending"},
		{"raft rand", func(cfg *ServerConfig) { cfg.Raft.Rand = nil }, "Rand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := h.cfg
			tt.edit(&cfg)
			_, err := NewServer(cfg, h)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := NewServer(h.cfg, nil)
	assert.ErrorContains(t, err, "env is nil")
	_, err = NewServer(h.cfg, &testHost{c: c, addr: 1})
	assert.ErrorContains(t, err, "no disk")
}

func TestUnexpectedInputsAreReportedNotFatal(t *testing.T) {
	obs := newRecObserver(t)
	obs.allowAnomaly = true
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 18, observer: obs})
	s := c.hosts[leader].srv
	s.Receive(2, "a string")
	s.Fire(7 << tagKindShift)
	s.Fire(tagSync | 12345)
	assert.Len(t, obs.anomalies, 3)
	// A message from outside the configuration is counted, not flagged.
	s.Receive(9, &raft.Message{Type: raft.MsgHeartbeatResp, From: 9, To: uint64(leader), Term: s.term})
	assert.Len(t, obs.anomalies, 3)
	assert.Equal(t, uint64(1), s.Stats().UnknownPeer)
	// A request with an unknown operation is a definite failure.
	p := c.addProbe(3001)
	p.send(leader, Request{ClientID: 85, Seq: 1, Op: 0})
	p.send(leader, Request{ClientID: 85, Seq: 2, Op: OpPut, Key: "k", Value: strings.Repeat("v", maxCommandField+1)})
	c.runFor(10 * ms)
	require.Len(t, p.got, 2)
	assert.Equal(t, ErrDropped, p.got[0].Err)
	assert.Equal(t, ErrDropped, p.got[1].Err)
	assert.Len(t, obs.anomalies, 3, "bad client input is not an anomaly")
	// A nil message of either kind is a wiring bug: reported, not a panic.
	s.Receive(2, (*raft.Message)(nil))
	s.Receive(3001, (*Request)(nil))
	assert.Len(t, obs.anomalies, 5)
}

// BenchmarkCluster3 drives a 3-server cluster of the in-test harness with 10
// closed-loop clients; ns/op and allocs/op are per completed client op and
// include the harness (its event heap boxes every event).
func BenchmarkCluster3(b *testing.B) {
	c := newCluster(b, clusterOpts{n: 3, seed: 1, snapshotEvery: 1000})
	c.waitLeader()
	const clients = 10
	per := b.N/clients + 1
	var cls []*testClient
	for id := uint64(1); id <= clients; id++ {
		ops := make([]Request, per)
		for i := range ops {
			k := fmt.Sprintf("k%d", (int(id)+i)%10)
			switch i % 3 {
			case 0:
				ops[i] = Request{Op: OpPut, Key: k, Value: fmt.Sprintf("x %d %d y", id, i)}
			case 1:
				ops[i] = Request{Op: OpAppend, Key: k, Value: fmt.Sprintf(" %d", i)}
			case 2:
				ops[i] = Request{Op: OpGet, Key: k}
			}
		}
		cls = append(cls, c.addClient(id, ops))
	}
	b.ReportAllocs()
	b.ResetTimer()
	c.runClients(maxTestTime, cls...)
	b.StopTimer()
	b.ReportMetric(float64(c.events)/b.Elapsed().Seconds(), "events/s")
}

func TestServerWorksWithoutObserver(t *testing.T) {
	c := newCluster(t, clusterOpts{n: 3, seed: 22})
	for i := 1; i <= 3; i++ {
		c.hosts[i].cfg.Observer = nil
		c.crash(i, loseUnsynced)
		c.restart(i)
	}
	clear(c.obs.appliedByNode)
	c.waitLeader()
	cl := c.addClient(1, kvOps(1, 12, 2))
	c.runClients(30_000*ms, cl)
	c.waitConverged()
	for _, r := range cl.results {
		assert.Equal(t, ErrNone, r.Err)
	}
	assert.Empty(t, c.obs.appliedByNode, "servers restarted without an observer must not report to the old one")
}

// A deposed leader whose pending proposal was overtaken by a snapshot answers
// it from the session the snapshot carries: here the client's retry went
// through the new leader, so the answer is the retry's result, not a guess.
func TestSnapshotAnswersPendingProposalFromSession(t *testing.T) {
	c, old := activeCluster(t, clusterOpts{n: 3, seed: 23, snapshotEvery: 5})
	c.isolate(old)
	req := Request{ClientID: 90, Seq: 1, Op: OpPut, Key: "k", Value: "v"}
	p := c.addProbe(3001)
	p.send(old, req)
	c.runUntil(10_000*ms, "a new leader", func() bool { l := c.leader(); return l != 0 && l != old })
	retry := c.addProbe(3002)
	retry.send(c.leader(), req)
	w := c.addClient(2, kvOps(2, 30, 2)) // enough entries to compact past the proposal
	w.target = c.leader()
	c.runClients(10_000*ms, w)
	require.Len(t, retry.got, 1)
	require.Equal(t, ErrNone, retry.got[0].Err)
	c.heal()
	c.runUntil(10_000*ms, "an answer from the old leader", func() bool { return len(p.got) > 0 })
	assert.Positive(t, c.hosts[old].srv.Stats().SnapshotsReceived)
	assert.Equal(t, ErrNone, p.got[0].Err)
	assert.Equal(t, "v", p.got[0].Value)
	c.waitConverged()
}
