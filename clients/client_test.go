package clients

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/kvstore"
)

// writeOnly makes the register workload issue only writes, readOnly only reads.
var (
	writeOnly = []Weight{{"write", 1}}
	readOnly  = []Weight{{"read", 1}}
	casOnly   = []Weight{{"cas", 1}}
)

// assertResent asserts that retry resends the operation of first unchanged —
// the same (ClientID, Seq), operation and arguments, so the store
// deduplicates — as attempt number attempt.
func assertResent(t *testing.T, first, retry kvstore.Request, attempt uint32) {
	t.Helper()
	assert.Equal(t, attempt, retry.Attempt, "attempt number")
	first.Attempt, retry.Attempt = 0, 0
	assert.Equal(t, first, retry, "the same operation: the store deduplicates")
}

func registerWith(mix []Weight) Config {
	cfg := testConfig(Register)
	cfg.Mix = mix
	return cfg
}

func TestOKPath(t *testing.T) {
	s := newSingle(registerWith(writeOnly), 1, 1)
	s.l.advance(5)
	s.c.Start()
	require.Len(t, s.env.sent, 1)
	first := s.last()
	assert.Equal(t, uint64(2), first.req.ClientID, "process 1's client id")
	assert.Equal(t, uint64(1), first.req.Seq)
	assert.Equal(t, uint64(0), first.req.AckSeq)
	assert.Equal(t, kvstore.OpPut, first.req.Op)
	assert.Equal(t, registerKey, first.req.Key)
	assert.Equal(t, uint32(1), first.req.Attempt)

	s.l.advance(100)
	s.reply(first.to, kvstore.Response{})
	// Closed loop: the next op went out at once, to the same (proven) leader.
	require.Len(t, s.env.sent, 2)
	assert.Equal(t, first.to, s.last().to)
	assert.Equal(t, uint64(2), s.last().req.Seq)
	assert.Equal(t, uint64(1), s.last().req.AckSeq)
	assert.Equal(t, uint32(1), s.last().req.Attempt, "a new operation starts at attempt 1")

	h := s.rec.History()
	require.Len(t, h, 3)
	v := h[0].Value
	assert.Equal(t, histories.Op{Index: 0, Process: 1, Type: histories.Invoke, F: "write", Value: v, Time: 5}, h[0])
	assert.Equal(t, histories.Op{Index: 1, Process: 1, Type: histories.OK, F: "write", Value: v, Time: 105, Node: first.to}, h[1])
	assert.Equal(t, histories.Invoke, h[2].Type)
	require.NoError(t, histories.Validate(h))
	assert.NoError(t, s.c.Err())
	assert.NoError(t, s.rec.Err())
	assert.Equal(t, Stats{Invoked: 2, OK: 1, Requests: 2}, s.c.Stats())
}

func TestNotLeaderHintIsFollowed(t *testing.T) {
	s := newSingle(registerWith(writeOnly), 0, 2)
	s.c.Start()
	first := s.last()
	hint := 1
	if first.to == 1 {
		hint = 2
	}
	s.reply(first.to, kvstore.Response{Err: kvstore.ErrNotLeader, LeaderHint: hint})
	require.Len(t, s.env.sent, 2, "resent at once, no backoff")
	retry := s.last()
	assert.Equal(t, hint, retry.to)
	assertResent(t, first.req, retry.req, 2)

	s.reply(hint, kvstore.Response{})
	h := s.rec.History()
	assert.Equal(t, histories.OK, h[1].Type)
	assert.Equal(t, hint, h[1].Node)
	// The leader is remembered for the next op.
	assert.Equal(t, hint, s.last().to)
}

func TestNotLeaderWithoutHintBacksOffToAnotherServer(t *testing.T) {
	cfg := registerWith(writeOnly)
	s := newSingle(cfg, 0, 3)
	s.c.Start()
	first := s.last()
	s.reply(first.to, kvstore.Response{Err: kvstore.ErrNotLeader})
	require.Len(t, s.env.sent, 1, "no resend before RetryDelay")
	s.l.advance(cfg.RetryDelay - 1)
	require.Len(t, s.env.sent, 1)
	s.l.advance(1)
	require.Len(t, s.env.sent, 2)
	assert.NotEqual(t, first.to, s.last().to, "another server")
	assertResent(t, first.req, s.last().req, 2)

	// A hint naming an unknown address is not followed either.
	s.reply(s.last().to, kvstore.Response{Err: kvstore.ErrNotLeader, LeaderHint: 77})
	s.l.advance(cfg.RetryDelay)
	require.Len(t, s.env.sent, 3)
	assert.NotEqual(t, 77, s.last().to)
	assertResent(t, first.req, s.last().req, 3)
}

func TestDroppedRetriesSameServer(t *testing.T) {
	cfg := registerWith(writeOnly)
	s := newSingle(cfg, 0, 4)
	s.c.Start()
	first := s.last()
	s.reply(first.to, kvstore.Response{Err: kvstore.ErrDropped})
	s.l.advance(cfg.RetryDelay)
	require.Len(t, s.env.sent, 2)
	assert.Equal(t, first.to, s.last().to)
	assertResent(t, first.req, s.last().req, 2)
}

func TestTimeoutIsInfoAndRetiresTheProcess(t *testing.T) {
	cfg := registerWith(writeOnly)
	cfg.Threads = 3
	s := newSingle(cfg, 2, 5)
	s.c.Start()
	first := s.last()
	// Unanswered attempts move on to other servers, same (ClientID, Seq).
	s.l.advance(cfg.AttemptTimeout)
	require.Len(t, s.env.sent, 2)
	assert.NotEqual(t, first.to, s.env.sent[1].to)
	assertResent(t, first.req, s.env.sent[1].req, 2)
	s.l.advance(cfg.OpTimeout - cfg.AttemptTimeout)

	h := s.rec.History()
	require.Len(t, h, 3)
	assert.Equal(t, histories.Info, h[1].Type)
	assert.Equal(t, ErrTimeout, h[1].Error)
	assert.Equal(t, 2, h[1].Process)
	assert.Equal(t, h[0].Value, h[1].Value)
	assert.Equal(t, cfg.OpTimeout, h[1].Time)
	// A fresh process on the same thread, with a fresh session.
	assert.Equal(t, 5, s.c.Process())
	assert.Equal(t, 5, h[2].Process)
	assert.Equal(t, uint64(6), s.last().req.ClientID)
	assert.Equal(t, uint64(1), s.last().req.Seq)
	require.NoError(t, histories.Validate(h))

	// The old process's late answer is ignored.
	s.c.Receive(first.to, kvstore.Response{ClientID: first.req.ClientID, Seq: first.req.Seq, Node: first.to})
	assert.Len(t, s.rec.History(), 3)
	assert.Equal(t, 1, s.c.Stats().Stale)
	assert.NoError(t, s.c.Err())
}

func TestNoResendEndsTheOpAndMovesOn(t *testing.T) {
	for _, tc := range []struct {
		name string
		mix  []Weight
		want histories.Type
	}{
		{"write", writeOnly, histories.Info},
		{"read", readOnly, histories.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := registerWith(tc.mix)
			cfg.NoResend = true
			s := newSingle(cfg, 0, 5)
			s.c.Start()
			first := s.last()
			s.l.advance(cfg.AttemptTimeout)
			h := s.rec.History()
			require.Len(t, h, 3, "the op ended at its attempt timeout and the next began")
			assert.Equal(t, tc.want, h[1].Type)
			assert.Equal(t, ErrTimeout, h[1].Error)
			assert.Equal(t, cfg.AttemptTimeout, h[1].Time)
			require.Len(t, s.env.sent, 2, "nothing was resent")
			assert.False(t, first.req.ClientID == s.last().req.ClientID && first.req.Seq == s.last().req.Seq, "the second request is a new op")
			assert.NotEqual(t, first.to, s.last().to, "the next op goes to another server")

			// A definite rejection is still resent.
			s.reply(s.last().to, kvstore.Response{Err: kvstore.ErrDropped})
			s.l.advance(cfg.RetryDelay)
			require.Len(t, s.env.sent, 3)
			assertResent(t, s.env.sent[1].req, s.last().req, 2)
		})
	}
}

func TestTimedOutReadFails(t *testing.T) {
	cfg := registerWith(readOnly)
	s := newSingle(cfg, 0, 6)
	s.c.Start()
	s.l.advance(cfg.OpTimeout)
	h := s.rec.History()
	require.Len(t, h, 3)
	assert.Equal(t, histories.Fail, h[1].Type, "a read changes nothing")
	assert.Equal(t, ErrTimeout, h[1].Error)
	assert.Equal(t, 0, s.c.Process(), "the process lives on")
	assert.Equal(t, uint64(2), s.last().req.Seq)
}

func TestCASMismatchFails(t *testing.T) {
	s := newSingle(registerWith(casOnly), 0, 7)
	s.c.Start()
	req, to := s.last().req, s.last().to
	assert.Equal(t, kvstore.OpCAS, req.Op)
	s.reply(to, kvstore.Response{Err: kvstore.ErrCASMismatch})
	h := s.rec.History()
	require.Len(t, h, 3)
	assert.Equal(t, histories.Fail, h[1].Type)
	assert.Equal(t, histories.ErrCASMismatch, h[1].Error, "the checker keeps it as a failed compare")
	assert.Equal(t, to, h[1].Node)
	cas := h[0].Value.([]any)
	assert.Equal(t, req.Expected, itoa(cas[0].(int64)))
	assert.Equal(t, req.Value, itoa(cas[1].(int64)))
	assert.Equal(t, 0, s.c.Process())
}

func TestUncertainAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		mix  []Weight
		err  kvstore.ErrKind
		want histories.Type
	}{
		{"leader changed write", writeOnly, kvstore.ErrLeaderChanged, histories.Info},
		{"session expired cas", casOnly, kvstore.ErrSessionExpired, histories.Info},
		{"leader changed read", readOnly, kvstore.ErrLeaderChanged, histories.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSingle(registerWith(tc.mix), 0, 8)
			s.c.Start()
			s.reply(s.last().to, kvstore.Response{Err: tc.err})
			h := s.rec.History()
			assert.Equal(t, tc.want, h[1].Type)
			assert.Equal(t, tc.err.String(), h[1].Error)
			require.NoError(t, histories.Validate(h))
		})
	}
}

func TestOnlyRejectionsFailAfterMaxAttempts(t *testing.T) {
	cfg := registerWith(writeOnly)
	cfg.MaxAttempts = 4
	s := newSingle(cfg, 0, 9)
	s.c.Start()
	for i := 0; i < cfg.MaxAttempts; i++ {
		require.Len(t, s.env.sent, i+1)
		s.reply(s.last().to, kvstore.Response{Err: kvstore.ErrNotLeader})
		s.l.advance(cfg.RetryDelay)
	}
	h := s.rec.History()
	require.GreaterOrEqual(t, len(h), 2)
	assert.Equal(t, histories.Fail, h[1].Type, "never proposed: a definite failure")
	assert.Equal(t, "not-leader", h[1].Error)
	assert.Equal(t, 0, s.c.Process())
	for i, m := range s.env.sent[:cfg.MaxAttempts] {
		assertResent(t, s.env.sent[0].req, m.req, uint32(i+1))
	}
}

// TestDuplicatedRejectionOfEarlierAttemptIsIgnored is the reviewer's case:
// attempt 1 to server X is dropped; the client resends to X after
// RetryDelay; a duplicated copy of attempt 1's rejection then arrives from X.
// Taken for attempt 2's answer, it would end the op as a definite fail while
// attempt 2 may be proposed. It must be ignored.
func TestDuplicatedRejectionOfEarlierAttemptIsIgnored(t *testing.T) {
	cfg := registerWith(writeOnly)
	cfg.MaxAttempts = 2 // attempt 2 is the last: a rejection taken for it ends the op
	s := newSingle(cfg, 0, 16)
	s.c.Start()
	first := s.last()
	rejection := kvstore.Response{ClientID: first.req.ClientID, Seq: first.req.Seq, Err: kvstore.ErrDropped, Node: first.to, Attempt: first.req.Attempt}
	s.c.Receive(first.to, rejection)
	s.l.advance(cfg.RetryDelay)
	require.Len(t, s.env.sent, 2)
	second := s.last()
	require.Equal(t, first.to, second.to, "dropped: resent to the same server")
	assertResent(t, first.req, second.req, 2)

	s.c.Receive(first.to, rejection) // the network's copy, late
	assert.Len(t, s.rec.History(), 1, "attempt 2 is still unanswered")
	assert.Equal(t, 1, s.c.Stats().Stale)
	assert.True(t, s.c.Busy())

	// Attempt 2 was proposed and applied: its answer completes the op ok.
	s.reply(second.to, kvstore.Response{})
	h := s.rec.History()
	require.Len(t, h, 3)
	assert.Equal(t, histories.OK, h[1].Type)
	require.NoError(t, s.c.Err())
}

// An outcome is the operation's, whichever attempt carried it: a late answer
// to attempt 1 completes the op while attempt 2 is in flight.
func TestOutcomeOfEarlierAttemptCompletesTheOp(t *testing.T) {
	for _, tc := range []struct {
		name string
		mix  []Weight
		err  kvstore.ErrKind
		want histories.Type
	}{
		{"ok", writeOnly, kvstore.ErrNone, histories.OK},
		{"cas mismatch", casOnly, kvstore.ErrCASMismatch, histories.Fail},
		{"leader changed", writeOnly, kvstore.ErrLeaderChanged, histories.Info},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := registerWith(tc.mix)
			s := newSingle(cfg, 0, 17)
			s.c.Start()
			first := s.last()
			s.l.advance(cfg.AttemptTimeout) // attempt 1 unanswered: attempt 2 goes out
			require.Len(t, s.env.sent, 2)
			s.c.Receive(first.to, kvstore.Response{ClientID: first.req.ClientID, Seq: first.req.Seq, Err: tc.err, Node: first.to, Attempt: 1})
			h := s.rec.History()
			require.Len(t, h, 3)
			assert.Equal(t, tc.want, h[1].Type)
			assert.Equal(t, first.to, h[1].Node)
			assert.Equal(t, 1, s.c.Stats().Earlier)
			require.NoError(t, s.c.Err())
		})
	}
}

func TestDeadlineAfterOnlyRejectionsFails(t *testing.T) {
	cfg := registerWith(writeOnly)
	cfg.RetryDelay = cfg.OpTimeout * 6 / 10 // the second backoff outlasts the deadline
	s := newSingle(cfg, 0, 10)
	s.c.Start()
	s.reply(s.last().to, kvstore.Response{Err: kvstore.ErrNotLeader})
	s.l.advance(cfg.RetryDelay)
	require.Len(t, s.env.sent, 2)
	s.reply(s.last().to, kvstore.Response{Err: kvstore.ErrDropped})
	s.l.advance(cfg.OpTimeout - cfg.RetryDelay)
	assert.Len(t, attemptsOf(s, s.env.sent[0].req), 2, "the deadline came during the backoff")
	h := s.rec.History()
	assert.Equal(t, histories.Fail, h[1].Type)
	assert.Equal(t, "dropped", h[1].Error)
	assert.Equal(t, cfg.OpTimeout, h[1].Time)
}

func TestDeadlineWithAttemptInFlightIsInfo(t *testing.T) {
	cfg := registerWith(writeOnly)
	cfg.RetryDelay = cfg.OpTimeout / 3
	s := newSingle(cfg, 0, 10)
	s.c.Start()
	s.reply(s.last().to, kvstore.Response{Err: kvstore.ErrNotLeader})
	s.l.advance(cfg.RetryDelay)
	s.reply(s.last().to, kvstore.Response{Err: kvstore.ErrDropped})
	s.l.advance(cfg.OpTimeout - cfg.RetryDelay) // a later attempt is unanswered at the deadline
	assert.Greater(t, len(attemptsOf(s, s.env.sent[0].req)), 2)
	h := s.rec.History()
	assert.Equal(t, histories.Info, h[1].Type)
	assert.Equal(t, ErrTimeout, h[1].Error)
}

func TestUnansweredThenRejectedIsInfo(t *testing.T) {
	cfg := registerWith(writeOnly)
	cfg.MaxAttempts = 2
	s := newSingle(cfg, 0, 11)
	s.c.Start()
	s.l.advance(cfg.AttemptTimeout) // attempt 1 may have been proposed
	require.Len(t, s.env.sent, 2)
	s.reply(s.last().to, kvstore.Response{Err: kvstore.ErrNotLeader})
	h := s.rec.History()
	assert.Equal(t, histories.Info, h[1].Type, "attempt 1 might still apply")
	assert.Equal(t, 2, s.c.Process())
}

func TestStaleAndImpossibleMessages(t *testing.T) {
	cfg := registerWith(writeOnly)
	s := newSingle(cfg, 0, 12)
	s.c.Start()
	first := s.last()
	s.reply(first.to, kvstore.Response{Err: kvstore.ErrNotLeader})
	s.l.advance(cfg.RetryDelay)
	require.Len(t, s.env.sent, 2)
	second := s.last()
	// Another copy of attempt 1's rejection is stale.
	s.c.Receive(first.to, kvstore.Response{ClientID: first.req.ClientID, Seq: first.req.Seq, Err: kvstore.ErrNotLeader, Node: first.to, Attempt: 1})
	assert.Len(t, s.env.sent, 2)
	s.reply(second.to, kvstore.Response{})
	// A duplicate of the answer is stale.
	s.c.Receive(second.to, kvstore.Response{ClientID: first.req.ClientID, Seq: first.req.Seq, Node: second.to, Attempt: 2})
	assert.Len(t, s.rec.History(), 3)
	assert.Equal(t, 2, s.c.Stats().Stale)
	require.NoError(t, s.c.Err())

	// Each case runs while op 2's attempt 1, sent to req's server, is in flight.
	for _, tc := range []struct {
		name string
		from func(to int) int
		msg  func(req kvstore.Request) any
		want string
	}{
		{"future seq", nil, func(r kvstore.Request) any { return kvstore.Response{ClientID: r.ClientID, Seq: 99, Attempt: 1} },
			"response for seq 99 from 1, the latest request is seq 2"},
		{"other client", nil, func(kvstore.Request) any { return kvstore.Response{ClientID: 12345, Seq: 1} }, "response for client 12345"},
		{"unknown message", nil, func(kvstore.Request) any { return "hello" }, "unexpected message string from 1"},
		{"nil pointer", nil, func(kvstore.Request) any { return (*kvstore.Response)(nil) }, "nil response from 1"},
		{"future attempt", func(to int) int { return to }, func(r kvstore.Request) any {
			return kvstore.Response{ClientID: r.ClientID, Seq: r.Seq, Attempt: 2, Err: kvstore.ErrNotLeader}
		}, "attempt 2 from"},
		{"no attempt", func(to int) int { return to }, func(r kvstore.Request) any { return kvstore.Response{ClientID: r.ClientID, Seq: r.Seq} },
			"attempt 0 from"},
		{"answer from a server the attempt never reached", func(to int) int { return to%5 + 1 }, func(r kvstore.Request) any {
			return kvstore.Response{ClientID: r.ClientID, Seq: r.Seq, Attempt: 1, Err: kvstore.ErrNotLeader}
		}, "which was sent to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSingle(registerWith(writeOnly), 0, 12)
			s.c.Start()
			s.reply(s.last().to, kvstore.Response{}) // completes op 1; op 2 goes out
			require.NoError(t, s.c.Err())
			from := 1
			if tc.from != nil {
				from = tc.from(s.last().to)
			}
			s.c.Receive(from, tc.msg(s.last().req))
			assert.ErrorContains(t, s.c.Err(), tc.want)
			assert.Len(t, s.rec.History(), 3, "nothing recorded")
		})
	}
}

func TestPointerResponses(t *testing.T) {
	s := newSingle(registerWith(writeOnly), 0, 13)
	s.c.Start()
	req, to := s.last().req, s.last().to
	s.c.Receive(to, &kvstore.Response{ClientID: req.ClientID, Seq: req.Seq, Node: to, Attempt: req.Attempt})
	assert.Equal(t, histories.OK, s.rec.History()[1].Type)
	assert.Equal(t, to, s.rec.History()[1].Node)
}

func TestBadResponseIsAnAnomaly(t *testing.T) {
	s := newSingle(registerWith(readOnly), 0, 14)
	s.c.Start()
	s.reply(1, kvstore.Response{Value: "not a number", Found: true})
	assert.ErrorContains(t, s.c.Err(), `unreadable value "not a number"`)
	h := s.rec.History()
	assert.Equal(t, histories.Fail, h[1].Type)
	assert.Equal(t, ErrBadResponse, h[1].Error)
}

func TestStop(t *testing.T) {
	s := newSingle(registerWith(writeOnly), 0, 15)
	s.c.Start()
	s.c.Stop()
	assert.True(t, s.c.Busy(), "the op in flight continues")
	s.reply(s.last().to, kvstore.Response{})
	assert.False(t, s.c.Busy())
	assert.Len(t, s.env.sent, 1, "no new op after Stop")
	h := s.rec.History()
	require.Len(t, h, 2)
	assert.Equal(t, histories.OK, h[1].Type)
	s.l.advance(10 * s.c.cfg.OpTimeout)
	assert.Len(t, s.rec.History(), 2)

	// Rate-paced: a pending next-op timer does nothing after Stop.
	cfg := registerWith(writeOnly)
	cfg.Rate = 10
	r := newSingle(cfg, 0, 16)
	r.c.Start()
	r.c.Stop()
	r.l.advance(10_000_000_000)
	assert.Empty(t, r.rec.History())
}

func TestRatePacingFixed(t *testing.T) {
	cfg := registerWith(writeOnly)
	cfg.Rate, cfg.Pacing = 100, Fixed // every 10 ms
	s := newSingle(cfg, 0, 17)
	s.c.Start()
	for i := 0; i < 20; i++ {
		s.l.advance(3_000_000) // answered 3 ms after the invoke
		if n := len(s.env.sent); n > 0 && s.c.Busy() {
			s.reply(s.last().to, kvstore.Response{})
		}
		s.l.advance(7_000_000)
	}
	var invokes []int64
	for _, op := range s.rec.History() {
		if op.Type == histories.Invoke {
			invokes = append(invokes, op.Time)
		}
	}
	require.Len(t, invokes, 20)
	for i, at := range invokes {
		assert.Equal(t, int64(i+1)*10_000_000, at, "invoke %d", i)
	}
}

func TestRatePacingSlowOpsInvokeAtOnce(t *testing.T) {
	cfg := registerWith(writeOnly)
	cfg.Rate, cfg.Pacing = 100, Fixed
	s := newSingle(cfg, 0, 18)
	s.c.Start()
	s.l.advance(10_000_000)
	require.True(t, s.c.Busy())
	s.l.advance(25_000_000) // the op takes 25 ms, more than the 10 ms gap
	s.reply(s.last().to, kvstore.Response{})
	h := s.rec.History()
	require.Len(t, h, 3)
	assert.Equal(t, int64(35_000_000), h[2].Time, "next op invoked on completion")
}

// A rate so low that its gap overflows int64 nanoseconds must wait (past any
// run), not wrap to a negative wait that invokes at once like a closed loop.
func TestRatePacingTinyRateWaits(t *testing.T) {
	for _, pacing := range []string{Fixed, Poisson} {
		t.Run(pacing, func(t *testing.T) {
			cfg := registerWith(writeOnly)
			cfg.Rate, cfg.Pacing = 1e-12, pacing // one op per ~31700 years
			s := newSingle(cfg, 0, 21)
			s.c.Start()
			s.l.advance(3600e9)
			assert.Zero(t, len(s.env.sent), "no op within an hour")
			assert.Zero(t, s.c.Stats().Invoked)
			require.Len(t, s.l.events, 1, "the next invoke is scheduled")
			assert.Positive(t, s.l.events[0].at)
		})
	}
}

func TestRatePacingPoissonMean(t *testing.T) {
	cfg := registerWith(writeOnly)
	cfg.Rate = 50 // mean gap 20 ms
	s := newSingle(cfg, 0, 19)
	s.c.Start()
	const n = 2000
	for s.c.Stats().Invoked < n {
		s.l.advance(1_000_000)
		if s.c.Busy() {
			s.reply(s.last().to, kvstore.Response{})
		}
	}
	h := s.rec.History()
	var first, last int64 = -1, 0
	var gaps []int64
	for _, op := range h {
		if op.Type == histories.Invoke {
			if first >= 0 {
				gaps = append(gaps, op.Time-last)
			} else {
				first = op.Time
			}
			last = op.Time
		}
	}
	mean := float64(last-first) / float64(len(gaps))
	assert.InDelta(t, 20e6, mean, 2e6, "mean gap of a 50 ops/s Poisson client")
	distinct := map[int64]bool{}
	for _, g := range gaps {
		distinct[g/1_000_000] = true
	}
	assert.Greater(t, len(distinct), 30, "gaps vary")
}

func TestNewClientValidates(t *testing.T) {
	l := &loop{}
	env := &fakeEnv{l: l}
	rec := NewRecorder(func() int64 { return l.now })
	rng := rand.New(rand.NewPCG(1, 1))
	good := testConfig(KV)
	for _, tc := range []struct {
		name   string
		cfg    Config
		thread int
		env    kvstore.Env
		rng    *rand.Rand
		rec    *Recorder
		want   string
	}{
		{"bad config", Config{}, 0, env, rng, rec, "clients: Workload"},
		{"thread", good, 2, env, rng, rec, "thread 2 out of range [0, 2)"},
		{"negative thread", good, -1, env, rng, rec, "thread -1 out of range"},
		{"env", good, 0, nil, rng, rec, "nil env"},
		{"rng", good, 0, env, nil, rec, "nil rng"},
		{"rec", good, 0, env, rng, nil, "nil recorder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(tc.cfg, tc.thread, tc.env, tc.rng, tc.rec)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	c, err := NewClient(good, 1, env, rng, rec)
	require.NoError(t, err)
	env.proc = c
	c.Start()
	c.Start()
	assert.ErrorContains(t, c.Err(), "Start called twice")
}

func TestRecorderFullStopsClients(t *testing.T) {
	s := newSingle(registerWith(writeOnly), 0, 20)
	s.rec.SetLimit(5)
	s.c.Start()
	for range 10 {
		if s.c.Busy() {
			s.reply(s.last().to, kvstore.Response{})
		}
	}
	h := s.rec.History()
	require.NoError(t, histories.Validate(h))
	assert.Len(t, h, 6, "3 invokes + 3 completions: completions of recorded invokes still land")
	assert.False(t, s.c.Busy())
	assert.ErrorContains(t, s.rec.Err(), "limit of 5 ops reached")
}

// attemptsOf returns the requests sent for the operation of req.
func attemptsOf(s *single, req kvstore.Request) []sent {
	var out []sent
	for _, m := range s.env.sent {
		if m.req.ClientID == req.ClientID && m.req.Seq == req.Seq {
			out = append(out, m)
		}
	}
	return out
}

func itoa(v int64) string {
	return string(appendInt(nil, v))
}

func appendInt(b []byte, v int64) []byte {
	if v >= 10 {
		b = appendInt(b, v/10)
	}
	return append(b, byte('0'+v%10))
}

func TestSpreadBindsThreadsToHomeServers(t *testing.T) {
	cfg := registerWith(writeOnly)
	cfg.Spread = true
	cfg.NoResend = true
	s := newSingle(cfg, 1, 4)
	s.c.Start()
	var firsts []int
	for range 3 {
		first := s.last()
		firsts = append(firsts, first.to)
		if first.to != 3 {
			// Not the leader: the hint is followed within the operation.
			s.reply(first.to, kvstore.Response{Err: kvstore.ErrNotLeader, LeaderHint: 3})
			assert.Equal(t, 3, s.last().to, "the redirect is followed")
		}
		s.reply(3, kvstore.Response{})
	}
	// A silent home server is left for the next one.
	s.l.advance(cfg.AttemptTimeout)
	firsts = append(firsts, s.last().to)
	s.reply(3, kvstore.Response{})
	// Thread 1's home is Servers[1] (2), then, after one unanswered
	// request, Servers[2] (3).
	assert.Equal(t, []int{2, 2, 2, 3}, firsts)
	assert.NoError(t, s.c.Err())
}
