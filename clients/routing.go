package clients

import (
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/kvstore"
)

// Receive handles a server's response, a *kvstore.Response or a
// kvstore.Response value.
func (c *Client) Receive(from int, msg any) {
	var resp *kvstore.Response
	switch m := msg.(type) {
	case kvstore.Response:
		resp = &m
	case *kvstore.Response:
		if m == nil {
			c.anomaly(fmt.Errorf("nil response from %d", from))
			return
		}
		resp = m
	default:
		c.anomaly(fmt.Errorf("unexpected message %T from %d", msg, from))
		return
	}
	if resp.ClientID != c.clientID {
		// A late answer to a retired process of this thread is normal.
		if resp.ClientID != 0 && resp.ClientID < c.clientID && int(resp.ClientID-1)%c.cfg.Threads == c.thread {
			c.stats.Stale++
			return
		}
		c.anomaly(fmt.Errorf("response for client %d (seq %d) from %d, this client is %d", resp.ClientID, resp.Seq, from, c.clientID))
		return
	}
	if resp.Seq > c.seq {
		c.anomaly(fmt.Errorf("response for seq %d from %d, the latest request is seq %d", resp.Seq, from, c.seq))
		return
	}
	if resp.Seq < c.seq || !c.op.active {
		c.stats.Stale++ // a duplicate, or an answer to an op already completed
		return
	}
	o := &c.op
	current := int(resp.Attempt) == o.attempts
	switch {
	case resp.Attempt == 0 || int(resp.Attempt) > o.attempts:
		c.anomaly(fmt.Errorf("response for seq %d attempt %d from %d, the latest attempt is %d", resp.Seq, resp.Attempt, from, o.attempts))
		return
	case current && from != o.target:
		c.anomaly(fmt.Errorf("response for seq %d attempt %d from %d, which was sent to %d", resp.Seq, resp.Attempt, from, o.target))
		return
	}
	node := resp.Node
	if node == 0 {
		node = from
	}
	if !current && resp.Err != kvstore.ErrNotLeader && resp.Err != kvstore.ErrDropped {
		c.stats.Earlier++
	}
	switch resp.Err {
	case kvstore.ErrNone:
		c.leader = from
		v, err := c.gen.okValue(&o.spec, resp)
		if err != nil {
			c.anomaly(fmt.Errorf("%s %q from %d: unreadable value %q", o.spec.f, o.spec.key, from, resp.Value))
			c.complete(histories.Fail, o.spec.value, node, ErrBadResponse)
			return
		}
		c.complete(histories.OK, v, node, "")
	case kvstore.ErrCASMismatch:
		// The compare was made and failed: the checker keeps the op as
		// that observation (histories.ErrCASMismatch).
		c.leader = from
		c.complete(histories.Fail, o.spec.value, node, histories.ErrCASMismatch)
	case kvstore.ErrLeaderChanged, kvstore.ErrSessionExpired:
		c.leader = 0
		c.completeUncertain(node, resp.ErrString())
	case kvstore.ErrNotLeader, kvstore.ErrDropped:
		// A rejection says only that its own attempt was not proposed:
		// taken for a later attempt (a delayed answer from the same server),
		// it would turn an attempt that may have been proposed into a
		// definite fail. Outcomes above are about the operation, whichever
		// attempt they answer (the session applies it at most once).
		if !current || !o.waiting {
			c.stats.Stale++ // the rejection of an earlier attempt
			return
		}
		c.rejected(resp, from, node)
	default:
		c.anomaly(fmt.Errorf("unknown error kind %d from %d", resp.Err, from))
		c.completeUncertain(node, resp.Err.String())
	}
}

// rejected handles a definite rejection of the latest attempt.
func (c *Client) rejected(resp *kvstore.Response, from, node int) {
	o := &c.op
	o.waiting = false
	o.lastErr, o.lastName, o.lastNode = resp.Err, resp.ErrString(), node
	if o.attempts >= c.cfg.MaxAttempts {
		c.giveUp(node, resp.ErrString())
		return
	}
	if resp.Err == kvstore.ErrNotLeader {
		if h := resp.LeaderHint; h != 0 && h != from && slices.Contains(c.cfg.Servers, h) {
			c.leader = h
			c.send()
			return
		}
		c.leader = c.otherServer(from)
	}
	// No leader known yet (an election is on) or the leader is overloaded:
	// back off before resending.
	if c.cfg.RetryDelay == 0 {
		c.send()
		return
	}
	c.env.After(c.cfg.RetryDelay, tag(tagRetry, c.opNo, o.attempts))
}

// Fire handles the client's timers.
func (c *Client) Fire(t uint64) {
	kind, n, attempt := untag(t)
	o := &c.op
	switch kind {
	case tagNext:
		if n == c.nextGen {
			c.invoke()
		}
		return
	case tagDeadline, tagAttempt, tagRetry:
		if !o.active || n != c.opNo {
			return // a timer of a completed operation
		}
	default:
		c.anomaly(fmt.Errorf("unknown timer tag %#x", t))
		return
	}
	switch kind {
	case tagDeadline:
		if o.waiting {
			o.uncertain = true
			c.moves++
			if c.cfg.NoResend {
				c.leader = c.otherServer(o.target)
			}
		}
		c.giveUp(0, ErrTimeout)
	case tagAttempt:
		if attempt != o.attempts || !o.waiting {
			return
		}
		// Unanswered: it may have been proposed. Try another server.
		o.waiting = false
		o.uncertain = true
		c.moves++
		c.leader = c.otherServer(o.target)
		if c.cfg.NoResend {
			// The copy would be a second request, not a retry.
			c.giveUp(0, ErrTimeout)
			return
		}
		if o.attempts < c.cfg.MaxAttempts {
			c.send()
		}
		// Out of attempts: wait for a late answer until the deadline.
	case tagRetry:
		if attempt == o.attempts && !o.waiting {
			c.send()
		}
	}
}

// giveUp completes the operation without an answer to its latest attempt.
func (c *Client) giveUp(node int, errKind string) {
	if c.op.uncertain {
		c.completeUncertain(node, errKind)
		return
	}
	if errKind == ErrTimeout && c.op.lastErr != kvstore.ErrNone {
		// Every attempt was rejected before proposing; say why.
		errKind, node = c.op.lastName, c.op.lastNode
	}
	c.complete(histories.Fail, c.op.spec.value, node, errKind)
}

// completeUncertain completes an operation that may or may not have taken
// effect: info, except for reads, which change nothing and so fail.
func (c *Client) completeUncertain(node int, errKind string) {
	if c.op.spec.kind == kvstore.OpGet {
		c.complete(histories.Fail, c.op.spec.value, node, errKind)
		return
	}
	c.complete(histories.Info, c.op.spec.value, node, errKind)
}

// complete records the completion and moves on to the next operation.
func (c *Client) complete(t histories.Type, value any, node int, errKind string) {
	c.rec.Complete(c.process, t, value, node, errKind)
	c.op = inflight{}
	switch t {
	case histories.OK:
		c.stats.OK++
	case histories.Fail:
		c.stats.Fail++
	case histories.Info:
		c.stats.Info++
		// The outcome is unknown: retire the process (Jepsen's model).
		c.setProcess(c.process + c.cfg.Threads)
	}
	c.scheduleNext(false)
}
