package clients

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/raftcheck/raftcheck/kvstore"
)

// Timer tags: the low 3 bits are the kind, the next 13 the attempt number, the
// rest the operation number, so a timer of a finished operation or attempt is
// recognised and ignored.
const (
	tagNext     = 1 // start the next operation (rate pacing)
	tagDeadline = 2 // the operation's OpTimeout expired
	tagAttempt  = 3 // an attempt's AttemptTimeout expired
	tagRetry    = 4 // RetryDelay after a rejection is over: resend

	tagKindBits    = 3
	tagAttemptBits = 13
)

func tag(kind uint64, opNo uint64, attempt int) uint64 {
	return opNo<<(tagKindBits+tagAttemptBits) | uint64(attempt)<<tagKindBits | kind
}

func untag(t uint64) (kind, opNo uint64, attempt int) {
	return t & (1<<tagKindBits - 1), t >> (tagKindBits + tagAttemptBits),
		int(t >> tagKindBits & (1<<tagAttemptBits - 1))
}

// Error kinds the client itself records (the store's are kvstore.ErrKind names).
const (
	ErrTimeout     = "timeout"      // no answer before OpTimeout
	ErrBadResponse = "bad-response" // the store answered something the workload cannot read
)

// Stats counts what a client did.
type Stats struct {
	Invoked  int // operations invoked
	OK       int // operations completed ok
	Fail     int // operations completed fail
	Info     int // operations completed info (outcome unknown)
	Requests int // requests sent, retries included
	Stale    int // responses to requests the client no longer waits for
	// Earlier counts outcomes (ok, cas-mismatch, leader-changed,
	// session-expired) taken from the answer to an earlier attempt of the
	// operation in flight: they describe the operation, whichever attempt
	// carried them. Rejections of an earlier attempt are Stale.
	Earlier int
}

// Client is one simulated client thread. The simulator calls Receive and Fire
// on its single thread; nothing else may call them concurrently.
type Client struct {
	cfg    Config
	thread int
	env    kvstore.Env
	rng    *rand.Rand
	rec    *Recorder
	gen    *generator

	process  int
	clientID uint64
	seq      uint64 // Seq of the process's latest operation

	started, stopped bool
	leader           int    // server believed to lead, 0 if unknown
	lastInvoke       int64  // local time of the latest invoke
	nextGen          uint64 // tags tagNext timers; only the latest counts
	opNo             uint64 // operations invoked so far; tags their timers
	moves            uint64 // Spread: requests unanswered so far, each moving the home server on

	op    inflight
	reqs  requestSlab
	stats Stats
	err   error // first anomaly
}

// requestSlab hands out Requests in chunks. A sent Request may be held by the
// network and the server, so each attempt gets a fresh one: the operation's
// request with the attempt's number.
type requestSlab struct {
	chunk []kvstore.Request
}

const requestSlabChunk = 256

func (s *requestSlab) next() *kvstore.Request {
	if len(s.chunk) == cap(s.chunk) {
		s.chunk = make([]kvstore.Request, 0, requestSlabChunk)
	}
	s.chunk = s.chunk[:len(s.chunk)+1]
	return &s.chunk[len(s.chunk)-1]
}

// inflight is the state of the operation in flight.
type inflight struct {
	active   bool
	spec     opSpec
	req      kvstore.Request // every attempt sends this, numbered
	attempts int             // requests sent; the latest is Attempt attempts
	target   int             // server of the latest attempt
	waiting  bool            // the latest attempt is unanswered
	// uncertain: some attempt may have been proposed (it went unanswered), so
	// giving up cannot be recorded as a definite fail.
	uncertain bool
	lastErr   kvstore.ErrKind // the latest definite rejection
	lastName  string          // its name in the history
	lastNode  int
}

// NewClient returns the client of thread (0 ≤ thread < cfg.Threads), sending
// through env, drawing every random choice from rng and recording into rec.
func NewClient(cfg Config, thread int, env kvstore.Env, rng *rand.Rand, rec *Recorder) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case thread < 0 || thread >= cfg.Threads:
		return nil, fmt.Errorf("clients: thread %d out of range [0, %d)", thread, cfg.Threads)
	case env == nil:
		return nil, errors.New("clients: nil env")
	case rng == nil:
		return nil, errors.New("clients: nil rng")
	case rec == nil:
		return nil, errors.New("clients: nil recorder")
	}
	cfg.Servers = append([]int(nil), cfg.Servers...)
	c := &Client{cfg: cfg, thread: thread, env: env, rng: rng, rec: rec}
	c.gen = newGenerator(&c.cfg, thread, rng)
	c.setProcess(thread)
	return c, nil
}

// Start begins issuing operations.
func (c *Client) Start() {
	if c.started {
		c.anomaly(errors.New("Start called twice"))
		return
	}
	c.started = true
	c.lastInvoke = c.env.Now()
	c.scheduleNext(true)
}

// Stop stops issuing new operations (the run is ending). The operation in
// flight still completes, by an answer or by its timeout.
func (c *Client) Stop() {
	c.stopped = true
}

// Process returns the Jepsen process id the thread currently acts as.
func (c *Client) Process() int { return c.process }

// Busy reports whether an operation is in flight.
func (c *Client) Busy() bool { return c.op.active }

// Stats returns the client's counters.
func (c *Client) Stats() Stats { return c.stats }

// Err returns the first impossible event the client saw (an unknown message,
// a response from the future, an unreadable value...). In simulation it is a
// bug in the store or the wiring, and the run must report it.
func (c *Client) Err() error { return c.err }

func (c *Client) anomaly(err error) {
	if c.err == nil {
		c.err = fmt.Errorf("client thread %d (process %d): %w", c.thread, c.process, err)
	}
}

// setProcess makes the thread act as process p, with a fresh session.
func (c *Client) setProcess(p int) {
	c.process = p
	c.clientID = uint64(p) + 1 // unique per process; 0 is reserved
	c.seq = 0
}

// maxGap bounds the wait between paced invokes: about 36 years.
const maxGap = 1 << 60

// scheduleNext arranges the next invoke: at once in a closed loop, else after a
// gap measured from the previous invoke.
func (c *Client) scheduleNext(first bool) {
	if c.stopped {
		return
	}
	if c.cfg.Rate == 0 {
		c.invoke()
		return
	}
	gap := 1.0
	if c.cfg.Pacing == Poisson {
		gap = c.rng.ExpFloat64()
	}
	// A tiny rate makes the gap longer than int64 nanoseconds hold, and an
	// out-of-range conversion wraps negative: clamp it to far beyond any run
	// (and below what the host's clock drift could overflow).
	wait := int64(maxGap)
	if w := gap * 1e9 / c.cfg.Rate; w < maxGap {
		wait = int64(w)
	}
	if !first {
		wait -= c.env.Now() - c.lastInvoke
	}
	c.nextGen++
	if wait <= 0 {
		c.invoke() // behind schedule: the op took longer than the gap
		return
	}
	c.env.After(wait, tag(tagNext, c.nextGen, 0))
}

// invoke starts a new operation.
func (c *Client) invoke() {
	if c.stopped || c.op.active {
		return
	}
	seq := c.seq + 1
	spec := c.gen.next(c.process, seq)
	if c.rec.Invoke(c.process, spec.f, spec.key, spec.value) < 0 {
		// The history is full (or refused the op; see Recorder.Err): stop
		// rather than run unrecorded ops.
		c.stopped = true
		return
	}
	c.seq = seq
	c.opNo++
	c.stats.Invoked++
	c.lastInvoke = c.env.Now()
	req := kvstore.Request{
		ClientID: c.clientID,
		Seq:      seq,
		Op:       spec.kind,
		Key:      spec.storeKey,
		Value:    spec.arg,
		Expected: spec.expected,
		// One op in flight, never retried after it completes: every earlier
		// Seq is done with.
		AckSeq: seq - 1,
	}
	c.op = inflight{active: true, spec: spec, req: req}
	c.env.After(c.cfg.OpTimeout, tag(tagDeadline, c.opNo, 0))
	if c.cfg.Spread {
		n := uint64(len(c.cfg.Servers))
		c.leader = c.cfg.Servers[(uint64(c.thread)+c.moves)%n]
	}
	c.send()
}

// send sends the next attempt of the operation in flight: the same
// (ClientID, Seq) and operation, with the next Attempt number, which the
// server echoes so a rejection is matched to the attempt it refuses.
func (c *Client) send() {
	o := &c.op
	if c.leader == 0 {
		c.leader = c.cfg.Servers[c.rng.IntN(len(c.cfg.Servers))]
	}
	o.attempts++
	o.target = c.leader
	o.waiting = true
	c.stats.Requests++
	req := c.reqs.next()
	*req = o.req
	req.Attempt = uint32(o.attempts)
	c.env.Send(o.target, req)
	c.env.After(c.cfg.AttemptTimeout, tag(tagAttempt, c.opNo, o.attempts))
}

// otherServer returns a server other than not, drawn from the rng.
func (c *Client) otherServer(not int) int {
	n := len(c.cfg.Servers)
	if n == 1 {
		return c.cfg.Servers[0]
	}
	i := c.rng.IntN(n - 1)
	if c.cfg.Servers[i] == not {
		// Skip not: map index i onto the last server instead.
		return c.cfg.Servers[n-1]
	}
	return c.cfg.Servers[i]
}
