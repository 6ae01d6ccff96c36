package live

import (
	"errors"
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/raftcheck/raftcheck/internal/live/proc"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/sim"
)

// clientBase is the address of client thread 0 (client k ≥ 1 is "ck" at
// clientBase+k-1). Node i is at address i+1: node ids n0..n(N-1) are raft
// ids 1..N in the example node.
const clientBase = 1000

// Stats counts the harness's traffic.
type Stats struct {
	PeerMessages   uint64         `json:"peer_messages"`   // node-to-node messages handed to the network
	Requests       uint64         `json:"requests"`        // client requests sent to nodes
	Replies        uint64         `json:"replies"`         // replies taken and handed to clients
	ErrorCodes     map[string]int `json:"error_codes"`     // error replies by code name
	LateReplies    uint64         `json:"late_replies"`    // replies to requests already answered or forgotten
	ForeignReplies uint64         `json:"foreign_replies"` // replies printed by another node than the one asked
	DroppedDown    uint64         `json:"dropped_down"`    // messages for or from a node that was not running
	StaleEvents    uint64         `json:"stale_events"`    // output of a killed incarnation, after its restart
	PendingSwept   uint64         `json:"pending_swept"`   // unanswered requests forgotten after PendingTTL
}

// cluster is the harness's side of the nodes: one proxy host per node in
// the sim.World, the routing of their output, and the translation between
// raftcheck's clients and lin-kv. Everything runs on the run's loop.
type cluster struct {
	w       *sim.World
	drv     *proc.Driver
	n       int
	clients int
	hosts   []*sim.Host
	codec   *codec
	since   func() time.Duration // run time, for fault reports

	pending    map[uint64]*request
	firstMsgID uint64 // msg_ids of client requests are firstMsgID...nextMsgID-1
	nextMsgID  uint64
	lastSweep  sim.Time
	ttl        sim.Time

	killed []uint64 // the incarnation the harness killed, per node: its exit is expected
	ready  []bool   // the node's current process answered init
	faults faultLog
	stats  Stats
	errs   []error // harness failures (not the nodes'): the run reports them
	// msgKind numbers a peer message's Maelstrom type for the trace (nil: 0).
	msgKind func(typ string) uint8
}

// firstClientMsgID starts client msg_ids far from the driver's init ids, so
// a stray reply is easy to tell apart in logs.
const firstClientMsgID = 1 << 20

func newCluster(w *sim.World, drv *proc.Driver, n, clients int, ttl sim.Time, since func() time.Duration) (*cluster, error) {
	c := &cluster{
		w: w, drv: drv, n: n, clients: clients, codec: newCodec(), since: since,
		pending: map[uint64]*request{}, firstMsgID: firstClientMsgID, nextMsgID: firstClientMsgID,
		ttl: ttl, killed: make([]uint64, n), ready: make([]bool, n), hosts: make([]*sim.Host, n),
	}
	c.stats.ErrorCodes = map[string]int{}
	for i := range n {
		h, err := w.AddHost(i+1, sim.HostConfig{}, func(*sim.Host) (sim.Process, error) { return &proxy{c: c, i: i}, nil })
		if err != nil {
			return nil, fmt.Errorf("live: node %s: %w", maelstrom.NodeID(i), err)
		}
		c.hosts[i] = h
	}
	return c, nil
}

// proxy stands for node i in the sim.World: what the network delivers to
// it goes to the process's stdin.
type proxy struct {
	c *cluster
	i int
}

// peerMsg is a node-to-node message on the simulated network: the line as
// the sender printed it, forwarded unchanged, and its type's trace kind.
type peerMsg struct {
	line []byte
	kind uint8
}

// TraceKind implements sim.TraceKinder: the timeline names the arrow.
func (m *peerMsg) TraceKind() uint8 { return m.kind }

func (p *proxy) Receive(from int, msg any) {
	switch m := msg.(type) {
	case *peerMsg:
		p.c.deliver(p.i, m.line)
	case *kvstore.Request:
		p.c.request(p.i, from, m)
	default:
		p.c.errs = append(p.c.errs, fmt.Errorf("live: %s received a %T from %d", maelstrom.NodeID(p.i), msg, from))
	}
}

func (p *proxy) Fire(uint64) {}

func (c *cluster) fault(node int, kind FaultKind, line []byte, format string, args ...any) {
	c.faults.add(node, kind, c.since(), fmt.Sprintf(format, args...), line)
}

// deliver writes line to node i's stdin.
func (c *cluster) deliver(i int, line []byte) {
	err := c.drv.Send(i, line)
	switch {
	case err == nil:
	case errors.Is(err, proc.ErrQueueFull):
		c.fault(i, FaultStdin, nil, "%v", err)
	default:
		c.stats.DroppedDown++
	}
}

func clientSrc(addr int) string { return maelstrom.ClientID(addr - clientBase + 1) }

// request sends a client's request to node i as a lin-kv message.
func (c *cluster) request(i, from int, req *kvstore.Request) {
	id := c.nextMsgID
	c.nextMsgID++
	src := clientSrc(from)
	body, err := c.codec.requestBody(req, id)
	var line []byte
	if err == nil {
		line, err = maelstrom.Encode(src, maelstrom.NodeID(i), body)
	}
	if err != nil {
		// Config validation refuses workloads lin-kv cannot serve; reaching
		// here is a harness bug. Answer the client so it is not stuck.
		c.errs = append(c.errs, fmt.Errorf("live: request to %s: %w", maelstrom.NodeID(i), err))
		c.hosts[i].Send(from, &kvstore.Response{ClientID: req.ClientID, Seq: req.Seq, Attempt: req.Attempt, Err: kvstore.ErrDropped, Node: i + 1})
		return
	}
	c.pending[id] = &request{client: from, src: src, node: i, req: *req, sent: c.w.Now()}
	c.stats.Requests++
	c.deliver(i, line)
}

// onEvent handles what the driver reports about node ev.Node.
func (c *cluster) onEvent(ev proc.Event) {
	i := ev.Node
	if ev.Inc != c.drv.Incarnation(i) {
		c.stats.StaleEvents++
		return
	}
	switch ev.Kind {
	case proc.Line:
		c.onLine(i, ev.Line)
	case proc.Fault:
		c.fault(i, FaultOutput, ev.Line, "%v", ev.Err)
	case proc.Ready:
		// A restarted node completed init; its host is already up.
		c.ready[i] = true
	case proc.InitFailed:
		c.fault(i, FaultInit, ev.Line, "incarnation %d: %v (see %s)", ev.Inc, ev.Err, c.drv.LogPath(i))
		c.kill(i)
	case proc.Exited:
		if c.killed[i] != ev.Inc {
			c.fault(i, FaultExit, nil, "incarnation %d: %v (see %s)", ev.Inc, ev.Err, c.drv.LogPath(i))
		}
		c.ready[i] = false
		c.hosts[i].Crash()
	}
}

// kill crashes node i: the process (SIGKILL) and its host, so the network
// drops what is sent to it.
func (c *cluster) kill(i int) {
	c.killed[i] = c.drv.Incarnation(i)
	c.ready[i] = false
	if err := c.drv.Kill(i); err != nil {
		c.errs = append(c.errs, err)
	}
	c.hosts[i].Crash()
}

// restart starts node i again in its directory (killing it first if it
// runs, and waiting for it to be reaped): it gets init again, and is ready
// once it answers.
func (c *cluster) restart(i int) error {
	c.killed[i] = c.drv.Incarnation(i)
	c.ready[i] = false
	c.hosts[i].Crash()
	if err := c.drv.Restart(i); err != nil {
		return fmt.Errorf("live: restart %s: %w", maelstrom.NodeID(i), err)
	}
	c.hosts[i].Restart(0)
	return nil
}

// onLine routes one message node i printed.
func (c *cluster) onLine(i int, line []byte) {
	m, h, err := maelstrom.Parse(line)
	if err != nil {
		c.fault(i, FaultMalformed, line, "%v", err)
		return
	}
	if self := maelstrom.NodeID(i); m.Src != self {
		c.fault(i, FaultWrongSrc, line, "src %q, but the process is %s", m.Src, self)
	}
	if j, ok := maelstrom.ParseIndex(m.Dest, 'n'); ok && j < c.n {
		if !c.hosts[i].Alive() {
			c.stats.DroppedDown++
			return
		}
		c.stats.PeerMessages++
		var kind uint8
		if c.msgKind != nil {
			kind = c.msgKind(h.Type)
		}
		c.hosts[i].Send(j+1, &peerMsg{line: line, kind: kind})
		return
	}
	if k, ok := maelstrom.ParseIndex(m.Dest, 'c'); ok && k >= 1 && k <= c.clients {
		c.onReply(i, m, h, line)
		return
	}
	c.fault(i, FaultUnknownDest, line, "to %q, which is no node or client of this run", m.Dest)
	if id, ok := h.ID(); ok {
		if _, isReply := h.ReplyTo(); !isReply {
			if l, err := maelstrom.Encode(m.Dest, m.Src, maelstrom.NewError(id, maelstrom.NodeNotFound, "no node "+m.Dest+" in this run")); err == nil {
				c.deliver(i, l)
			}
		}
	}
}

// onReply hands node i's reply to the client that asked.
func (c *cluster) onReply(i int, m maelstrom.Message, h maelstrom.Header, line []byte) {
	to, ok := h.ReplyTo()
	if !ok {
		c.fault(i, FaultUnknownReply, line, "a %q to client %s without in_reply_to", h.Type, m.Dest)
		return
	}
	r := c.pending[to]
	if r == nil {
		if to >= c.firstMsgID && to < c.nextMsgID {
			c.stats.LateReplies++
			return
		}
		c.fault(i, FaultUnknownReply, line, "in_reply_to %d, which the harness never sent", to)
		return
	}
	delete(c.pending, to)
	if r.src != m.Dest {
		c.fault(i, FaultBadReply, line, "a reply to %s for a request of %s", m.Dest, r.src)
		return
	}
	out, err := c.codec.translateReply(r, h.Type, m.Body, r.node+1, c.leaderAddr)
	if err != nil {
		c.fault(i, FaultBadReply, line, "%v", err)
		return
	}
	if out.err {
		c.stats.ErrorCodes[out.code.String()]++
	}
	if i != r.node {
		// Maelstrom matches replies by in_reply_to alone, so a node may
		// answer for another. The client expects the answer from the node
		// it asked: it is sent from there.
		c.stats.ForeignReplies++
	}
	if !c.hosts[r.node].Alive() {
		c.stats.DroppedDown++
		return
	}
	c.stats.Replies++
	resp := out.resp
	c.hosts[r.node].Send(r.client, &resp)
}

// leaderAddr maps a node id (from an error's "leader" key) to its address.
func (c *cluster) leaderAddr(id string) int {
	if j, ok := maelstrom.ParseIndex(id, 'n'); ok && j < c.n {
		return j + 1
	}
	return 0
}

// sweep forgets requests unanswered for longer than the TTL (their client
// gave up long ago), at most once per second of run time.
func (c *cluster) sweep() {
	now := c.w.Now()
	if now-c.lastSweep < sim.Second {
		return
	}
	c.lastSweep = now
	for id, r := range c.pending {
		if now-r.sent > c.ttl {
			delete(c.pending, id)
			c.stats.PendingSwept++
		}
	}
}
