package clients

import (
	"math/rand/v2"
	"sort"

	"github.com/raftcheck/raftcheck/kvstore"
)

// loop is a tiny deterministic event loop for the tests: events run in (time,
// scheduling order), like the simulator's.
type loop struct {
	now    int64
	seq    uint64
	events []event
}

type event struct {
	at  int64
	seq uint64
	fn  func()
}

func (l *loop) at(t int64, fn func()) {
	l.seq++
	e := event{at: t, seq: l.seq, fn: fn}
	i := sort.Search(len(l.events), func(i int) bool {
		x := l.events[i]
		return x.at > e.at || x.at == e.at && x.seq > e.seq
	})
	l.events = append(l.events, event{})
	copy(l.events[i+1:], l.events[i:])
	l.events[i] = e
}

// runUntil runs every event due by t, then sets the clock to t.
func (l *loop) runUntil(t int64) {
	for len(l.events) > 0 && l.events[0].at <= t {
		e := l.events[0]
		l.events = l.events[1:]
		l.now = e.at
		e.fn()
	}
	l.now = max(l.now, t)
}

// advance runs the loop for d nanoseconds.
func (l *loop) advance(d int64) { l.runUntil(l.now + d) }

// sent is a request a client sent.
type sent struct {
	to  int
	req kvstore.Request
}

// fakeEnv is a client's host: its messages are captured (and optionally
// handed to deliver), its timers run on the loop.
type fakeEnv struct {
	l       *loop
	addr    int
	proc    kvstore.Process
	sent    []sent
	deliver func(from, to int, msg any)
}

func (e *fakeEnv) Addr() int          { return e.addr }
func (e *fakeEnv) Now() int64         { return e.l.now }
func (e *fakeEnv) Disk() kvstore.Disk { return nil }
func (e *fakeEnv) Send(to int, msg any) {
	e.sent = append(e.sent, sent{to: to, req: *msg.(*kvstore.Request)})
	if e.deliver != nil {
		e.deliver(e.addr, to, msg)
	}
}
func (e *fakeEnv) After(d int64, tag uint64) {
	e.l.at(e.l.now+d, func() { e.proc.Fire(tag) })
}

// testConfig is a small valid config on servers 1..5.
func testConfig(workload string) Config {
	cfg := DefaultConfig()
	cfg.Workload = workload
	cfg.Threads = 2
	cfg.Servers = []int{1, 2, 3, 4, 5}
	return cfg
}

// single is one client on a loop, with its requests captured.
type single struct {
	l   *loop
	env *fakeEnv
	rec *Recorder
	c   *Client
}

func newSingle(cfg Config, thread int, seed uint64) *single {
	s := &single{l: &loop{}}
	s.env = &fakeEnv{l: s.l, addr: 100 + thread}
	s.rec = NewRecorder(func() int64 { return s.l.now })
	c, err := NewClient(cfg, thread, s.env, rand.New(rand.NewPCG(seed, 0)), s.rec)
	if err != nil {
		panic(err)
	}
	s.c = c
	s.env.proc = c
	return s
}

// last returns the latest request.
func (s *single) last() sent { return s.env.sent[len(s.env.sent)-1] }

// reply answers the latest request from server from, echoing its attempt as
// a server does.
func (s *single) reply(from int, r kvstore.Response) {
	req := s.last().req
	r.ClientID, r.Seq, r.Attempt = req.ClientID, req.Seq, req.Attempt
	if r.Node == 0 {
		r.Node = from
	}
	s.c.Receive(from, r)
}

// fakeCluster is a linearizable KV store on servers 1..n with a leader that
// can change, sessions that deduplicate retries, and a network with latency
// and (optionally) loss. It stands in for kvstore in the client tests.
type fakeCluster struct {
	l       *loop
	rng     *rand.Rand
	n       int
	leader  int // 0: no leader
	latency int64
	loss    float64
	// dropped: the leader refuses this fraction of requests ErrDropped
	// (busy). dupResp: this fraction of answers arrives twice, the copy up to
	// dupDelay later — what a network without TCP semantics does.
	dropped  float64
	dupResp  float64
	dupDelay int64
	data     map[string]string
	sessions map[uint64]session
	clients  map[int]kvstore.Process
	applied  int
	ops      map[[2]uint64]bool // (ClientID, Seq) applied
}

type session struct {
	seq  uint64
	resp kvstore.Response
}

func newFakeCluster(l *loop, n int, seed uint64) *fakeCluster {
	return &fakeCluster{
		l: l, rng: rand.New(rand.NewPCG(seed, 99)), n: n, leader: 1, latency: 1_000_000,
		data: map[string]string{}, sessions: map[uint64]session{}, clients: map[int]kvstore.Process{},
		ops: map[[2]uint64]bool{},
	}
}

// deliver carries a request to server `to` and its answer back.
func (f *fakeCluster) deliver(from, to int, msg any) {
	if f.rng.Float64() < f.loss {
		return
	}
	req := *msg.(*kvstore.Request)
	f.l.at(f.l.now+f.latency+f.rng.Int64N(f.latency), func() {
		resp := f.handle(to, req)
		if f.rng.Float64() < f.loss {
			return
		}
		f.l.at(f.l.now+f.latency+f.rng.Int64N(f.latency), func() { f.clients[from].Receive(to, &resp) })
		if f.dupResp > 0 && f.rng.Float64() < f.dupResp {
			f.l.at(f.l.now+f.latency+f.rng.Int64N(f.dupDelay), func() { f.clients[from].Receive(to, &resp) })
		}
	})
}

func (f *fakeCluster) handle(node int, req kvstore.Request) kvstore.Response {
	resp := kvstore.Response{ClientID: req.ClientID, Seq: req.Seq, Node: node, Term: 1, Attempt: req.Attempt}
	if node != f.leader {
		resp.Err, resp.LeaderHint = kvstore.ErrNotLeader, f.leader
		return resp
	}
	if s, ok := f.sessions[req.ClientID]; ok && s.seq == req.Seq {
		// A retry: the first result, applied once, answering this attempt.
		r := s.resp
		r.Attempt = req.Attempt
		return r
	}
	if f.dropped > 0 && f.rng.Float64() < f.dropped {
		resp.Err = kvstore.ErrDropped
		return resp
	}
	f.applied++
	f.ops[[2]uint64{req.ClientID, req.Seq}] = true
	cur, found := f.data[req.Key]
	switch req.Op {
	case kvstore.OpGet:
		resp.Value, resp.Found = cur, found
	case kvstore.OpPut:
		f.data[req.Key] = req.Value
	case kvstore.OpAppend:
		f.data[req.Key] = cur + req.Value
	case kvstore.OpDelete:
		delete(f.data, req.Key)
	case kvstore.OpCAS:
		if found && cur == req.Expected {
			f.data[req.Key] = req.Value
		} else {
			resp.Err = kvstore.ErrCASMismatch
		}
	}
	resp.Value = f.data[req.Key]
	if req.Op == kvstore.OpGet {
		resp.Value = cur
	}
	f.sessions[req.ClientID] = session{seq: req.Seq, resp: resp}
	return resp
}
