package kvstore

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/stretchr/testify/require"
)

// A deterministic in-test world: hosts exchange messages through one event
// queue ordered by (time, scheduling order), disks are memDisks whose syncs
// complete after a latency, and crashes drop volatile state.

const (
	ms          = int64(1_000_000)
	clientBase  = 1000 // client addresses start here
	testTick    = 10 * ms
	maxTestTime = 600 * 1000 * ms // no test may simulate more than 10 minutes
)

type eventKind uint8

const (
	evDeliver eventKind = iota
	evTimer
	evSync
	evFunc
)

type event struct {
	at   int64
	seq  uint64
	kind eventKind
	from int
	to   int
	inc  uint64 // the incarnation of host `to` that scheduled a timer or sync
	msg  any
	tag  uint64
	upTo uint64 // evSync: disk write sequence the sync covers
	fn   func()
}

type eventQueue []event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type clusterOpts struct {
	n             int
	seed          uint64
	readMode      ReadMode
	snapshotEvery uint64
	maxPending    int
	maxSessions   int
	bugs          Bugs
	observer      *recObserver // nil: a fresh one that fails the test on anomalies
	syncLatency   int64        // 0: 1 ms
	dupRate       float64
	noCheckQuorum bool
}

type cluster struct {
	t      testing.TB
	opts   clusterOpts
	now    int64
	seq    uint64
	queue  eventQueue
	hosts  map[int]*testHost
	rng    *rand.Rand
	cut    map[[2]int]bool // blocked directed links
	events uint64
	obs    *recObserver
}

// testHost is an Env for one address.
type testHost struct {
	c    *cluster
	addr int
	inc  uint64
	up   bool
	disk *memDisk
	proc Process
	srv  *Server
	cfg  ServerConfig
	// holdSyncs: sync completions are not delivered while set (a stuck disk).
	holdSyncs bool
	held      []event
}

func (h *testHost) Addr() int  { return h.addr }
func (h *testHost) Now() int64 { return h.c.now }
func (h *testHost) Send(to int, msg any) {
	h.c.send(h.addr, to, msg)
}
func (h *testHost) After(d int64, tag uint64) {
	h.c.schedule(event{at: h.c.now + d, kind: evTimer, to: h.addr, inc: h.inc, tag: tag})
}
func (h *testHost) Disk() Disk {
	if h.disk == nil {
		return nil
	}
	return h.disk
}

func newCluster(t testing.TB, opts clusterOpts) *cluster {
	if opts.syncLatency == 0 {
		opts.syncLatency = ms
	}
	if opts.observer == nil {
		opts.observer = newRecObserver(t)
	}
	c := &cluster{
		t:     t,
		opts:  opts,
		hosts: map[int]*testHost{},
		rng:   rand.New(rand.NewPCG(opts.seed, 0xC1)),
		cut:   map[[2]int]bool{},
		obs:   opts.observer,
	}
	c.obs.clock = &c.now
	voters := make([]uint64, opts.n)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	for i := 1; i <= opts.n; i++ {
		c.start(c.newServerHost(i, voters))
	}
	return c
}

// newServerHost makes the host of server addr: a fresh cluster member when
// voters is set, a node joining with an empty disk when it is nil.
func (c *cluster) newServerHost(addr int, voters []uint64) *testHost {
	opts := c.opts
	h := &testHost{c: c, addr: addr, disk: newMemDisk()}
	h.disk.onSync = c.syncHook(h)
	{
		i := addr
		h.cfg = ServerConfig{
			ID:     uint64(i),
			Voters: voters,
			Join:   voters == nil,
			Raft: raft.Config{
				ElectionTicks:   10,
				HeartbeatTicks:  1,
				PreVote:         true,
				CheckQuorum:     !opts.noCheckQuorum,
				MaxInflightMsgs: 64,
				MaxSizePerMsg:   64 << 10,
				Rand:            rand.New(rand.NewPCG(opts.seed, uint64(i))),
			},
			TickInterval:  testTick,
			ReadMode:      opts.readMode,
			SnapshotEvery: opts.snapshotEvery,
			MaxSessions:   opts.maxSessions,
			MaxPending:    opts.maxPending,
			Bugs:          opts.bugs,
			Observer:      opts.observer,
		}
	}
	c.hosts[addr] = h
	return h
}

// addServer starts server addr with an empty disk, joining the cluster; the
// leader must still add it.
func (c *cluster) addServer(addr int) {
	require.Equal(c.t, c.opts.n+1, addr, "servers are numbered 1..n")
	c.opts.n = addr
	c.start(c.newServerHost(addr, nil))
}

func (c *cluster) syncHook(h *testHost) func(tag, upTo uint64) {
	return func(tag, upTo uint64) {
		c.schedule(event{at: c.now + c.opts.syncLatency, kind: evSync, to: h.addr, inc: h.inc, tag: tag, upTo: upTo})
	}
}

// start builds h's server from its disk, as a restart does.
func (c *cluster) start(h *testHost) {
	h.inc++
	srv, err := NewServer(h.cfg, h)
	require.NoError(c.t, err, "start node %d", h.addr)
	h.srv, h.proc, h.up = srv, srv, true
	srv.Start()
}

// crash stops h: timers, syncs and messages in flight to it die; unsynced
// writes are resolved by mode.
func (c *cluster) crash(addr int, mode crashMode) {
	h := c.hosts[addr]
	h.up = false
	h.inc++
	h.held = nil
	h.holdSyncs = false
	h.disk.crash(mode, c.rng)
}

func (c *cluster) restart(addr int) { c.start(c.hosts[addr]) }

// isolate cuts every link between addr and the other servers, both ways.
func (c *cluster) isolate(addr int) {
	for i := 1; i <= c.opts.n; i++ {
		if i != addr {
			c.cut[[2]int{addr, i}], c.cut[[2]int{i, addr}] = true, true
		}
	}
}

func (c *cluster) heal() { clear(c.cut) }

func (c *cluster) schedule(e event) {
	c.seq++
	e.seq = c.seq
	heap.Push(&c.queue, e)
}

func (c *cluster) send(from, to int, msg any) {
	if _, ok := c.hosts[to]; !ok {
		c.t.Fatalf("send from %d to unknown address %d", from, to)
	}
	lat := ms/2 + c.rng.Int64N(ms)
	c.schedule(event{at: c.now + lat, kind: evDeliver, from: from, to: to, msg: msg})
	if c.opts.dupRate > 0 && c.rng.Float64() < c.opts.dupRate {
		c.schedule(event{at: c.now + lat + c.rng.Int64N(3*ms), kind: evDeliver, from: from, to: to, msg: msg})
	}
}

func (c *cluster) after(d int64, fn func()) {
	c.schedule(event{at: c.now + d, kind: evFunc, fn: fn})
}

// step processes one event; false when the queue is empty.
func (c *cluster) step() bool {
	if len(c.queue) == 0 {
		return false
	}
	e := heap.Pop(&c.queue).(event)
	c.now = e.at
	c.events++
	if e.kind == evFunc {
		e.fn()
		return true
	}
	h := c.hosts[e.to]
	switch e.kind {
	case evDeliver:
		if !h.up || c.cut[[2]int{e.from, e.to}] {
			return true
		}
		h.proc.Receive(e.from, e.msg)
	case evTimer:
		if h.up && e.inc == h.inc {
			h.proc.Fire(e.tag)
		}
	case evSync:
		if !h.up || e.inc != h.inc {
			return true
		}
		if h.holdSyncs {
			h.held = append(h.held, e)
			return true
		}
		h.disk.complete(e.upTo)
		h.proc.Fire(e.tag)
	}
	return true
}

// releaseSyncs lets a host's held sync completions through.
func (c *cluster) releaseSyncs(addr int) {
	h := c.hosts[addr]
	h.holdSyncs = false
	for _, e := range h.held {
		e.at = c.now
		c.schedule(e)
	}
	h.held = nil
}

// runFor advances simulated time by d.
func (c *cluster) runFor(d int64) {
	end := c.now + d
	for len(c.queue) > 0 && c.queue[0].at <= end {
		c.step()
	}
	c.now = end
}

// runUntil steps until cond holds, failing the test after limit of simulated time.
func (c *cluster) runUntil(limit int64, what string, cond func() bool) {
	c.t.Helper()
	end := c.now + limit
	for !cond() {
		if len(c.queue) == 0 || c.queue[0].at > end {
			c.t.Fatalf("after %d ms simulated: still waiting for %s", limit/ms, what)
		}
		c.step()
	}
}

// leader returns the address of the live server that leads in the highest
// term, or 0.
func (c *cluster) leader() int {
	best, term := 0, uint64(0)
	for i := 1; i <= c.opts.n; i++ {
		h := c.hosts[i]
		if h.up && h.srv.role == raft.Leader && h.srv.term >= term {
			best, term = i, h.srv.term
		}
	}
	return best
}

func (c *cluster) waitLeader() int {
	c.t.Helper()
	c.runUntil(10_000*ms, "a leader", func() bool { return c.leader() != 0 })
	return c.leader()
}

// converged reports whether every live server applied the same index and has
// the same digest.
func (c *cluster) converged() bool {
	var applied, digest uint64
	first := true
	for i := 1; i <= c.opts.n; i++ {
		h := c.hosts[i]
		if !h.up {
			continue
		}
		if first {
			applied, digest, first = h.srv.Applied(), h.srv.Digest(), false
			continue
		}
		if h.srv.Applied() != applied || h.srv.Digest() != digest {
			return false
		}
	}
	return true
}

func (c *cluster) waitConverged() {
	c.t.Helper()
	c.runUntil(20_000*ms, "replicas to converge", c.converged)
}

// testClient is a closed-loop client: it sends each op until it gets a final
// answer, retrying with the same (ClientID, Seq) on timeouts and redirects.
// It runs on any Env (the in-test cluster or sim).
type testClient struct {
	t        testing.TB
	env      Env
	servers  int // servers are addresses 1..servers
	id       uint64
	target   int
	ops      []Request
	cur      int
	attempts int
	timeout  int64
	results  []Response
	done     bool
	// retryAll: also retry ErrLeaderChanged and ErrSessionExpired outcomes
	// (exactly-once tests), instead of recording them.
	retryAll bool
}

const (
	tagClientTimeout = 1 << 60
	tagClientRetry   = 2 << 60
	maxClientTries   = 2000
)

func newTestClient(t testing.TB, env Env, servers int, id uint64, ops []Request) *testClient {
	cl := &testClient{t: t, env: env, servers: servers, id: id, target: 1, ops: ops, timeout: 200 * ms}
	for i := range cl.ops {
		cl.ops[i].ClientID = id
		cl.ops[i].Seq = uint64(i + 1)
		cl.ops[i].AckSeq = uint64(i)
	}
	return cl
}

func (c *cluster) addClient(id uint64, ops []Request) *testClient {
	addr := clientBase + int(id)
	h := &testHost{c: c, addr: addr, up: true, inc: 1}
	cl := newTestClient(c.t, h, c.opts.n, id, ops)
	h.proc = cl
	c.hosts[addr] = h
	return cl
}

func (cl *testClient) start() { cl.send() }

func (cl *testClient) send() {
	if cl.cur >= len(cl.ops) {
		cl.done = true
		return
	}
	cl.attempts++
	if cl.attempts > maxClientTries {
		cl.t.Fatalf("client %d: op %d not done after %d attempts", cl.id, cl.cur, maxClientTries)
	}
	req := cl.ops[cl.cur] // a fresh copy per send: the server may hold it
	cl.env.Send(cl.target, &req)
	cl.env.After(cl.timeout, tagClientTimeout|uint64(cl.cur)<<20|uint64(cl.attempts))
}

func (cl *testClient) nextServer() {
	cl.target = cl.target%cl.servers + 1
}

func (cl *testClient) retryAfter(d int64) {
	cl.env.After(d, tagClientRetry|uint64(cl.cur)<<20|uint64(cl.attempts))
}

func (cl *testClient) Receive(from int, msg any) {
	resp, ok := msg.(*Response)
	if !ok {
		cl.t.Fatalf("client %d got %T", cl.id, msg)
	}
	if cl.cur >= len(cl.ops) || resp.Seq != cl.ops[cl.cur].Seq {
		return // an answer to an earlier attempt
	}
	if resp.ClientID != cl.id || resp.Node != from {
		cl.t.Fatalf("client %d: response %+v from %d", cl.id, *resp, from)
	}
	switch resp.Err {
	case ErrNotLeader:
		if resp.LeaderHint != 0 {
			cl.target = resp.LeaderHint
			cl.retryAfter(2 * ms)
		} else {
			cl.nextServer()
			cl.retryAfter(10 * ms)
		}
		return
	case ErrDropped:
		cl.retryAfter(5 * ms)
		return
	case ErrLeaderChanged, ErrSessionExpired:
		if cl.retryAll {
			cl.nextServer()
			cl.retryAfter(2 * ms)
			return
		}
	}
	cl.results = append(cl.results, *resp)
	cl.cur++
	cl.attempts = 0
	cl.send()
}

func (cl *testClient) Fire(tag uint64) {
	op, attempt := int(tag>>20&(1<<40-1)), int(tag&(1<<20-1))
	if op != cl.cur || attempt != cl.attempts {
		return // stale timer
	}
	if tag&tagClientTimeout != 0 {
		cl.nextServer()
	}
	cl.send()
}

// kvOps returns a mixed workload for client id: appends of unique tokens (to
// count duplicates), puts, CAS and gets over a few keys.
func kvOps(id uint64, n int, keys int) []Request {
	ops := make([]Request, n)
	for i := range ops {
		k := fmt.Sprintf("k%d", (int(id)+i)%keys)
		switch i % 4 {
		case 0, 2:
			ops[i] = Request{Op: OpAppend, Key: k, Value: fmt.Sprintf("<%d.%d>", id, i)}
		case 1:
			ops[i] = Request{Op: OpGet, Key: k}
		case 3:
			ops[i] = Request{Op: OpPut, Key: fmt.Sprintf("p%d", id), Value: fmt.Sprint(i)}
		}
	}
	return ops
}

// runClients starts clients and runs until all are done.
func (c *cluster) runClients(limit int64, clients ...*testClient) {
	c.t.Helper()
	for _, cl := range clients {
		cl.start()
	}
	c.runUntil(limit, "clients to finish", func() bool {
		return !slices.ContainsFunc(clients, func(cl *testClient) bool { return !cl.done })
	})
}

// serverValue reads key from node addr's state machine.
func (c *cluster) serverValue(addr int, key string) (string, bool) {
	return c.hosts[addr].srv.sm.getString(key)
}
