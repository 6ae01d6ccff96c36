package raft

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJoinerAcceptsHeartbeatSizedForOldIncarnation: a node that joined with an
// empty disk under an id the cluster used before can be sent a heartbeat
// whose commit is sized by what the id's old incarnation acknowledged (a
// leader that never learned of the replacement). That is no lost write: the
// joiner clamps the commit to its log and reports nothing. Any other node
// with a log shorter than a leader's heartbeat commit lost acknowledged
// entries, and says so.
func TestJoinerAcceptsHeartbeatSizedForOldIncarnation(t *testing.T) {
	hb := Message{Type: MsgHeartbeat, From: 2, To: 1, Term: 3, Commit: 40}

	joinCfg := testConfig(1, nil)
	joinCfg.Join = true
	joiner, err := NewNode(joinCfg, Persisted{})
	require.NoError(t, err)
	require.NoError(t, joiner.Step(hb), "a joiner's log is legitimately shorter than its id's old one")
	st := joiner.Status()
	assert.Zero(t, st.Commit, "the commit is clamped to the joiner's (empty) log")
	assert.Equal(t, uint64(2), st.Lead)

	fresh, err := NewNode(testConfig(1, []uint64{1, 2, 3}), Persisted{})
	require.NoError(t, err)
	err = fresh.Step(hb)
	require.True(t, errors.Is(err, ErrSafety), "a node that never lost its disk reports the loss: %v", err)
}

// TestJoinerAnswersStaleLeaderWhenItCannotCampaign: a joiner that took a
// candidate's newer term before it learned the configuration cannot campaign
// to spread that term. Even with PreVote and CheckQuorum off it answers the
// leader's older-term messages with its term, so the leader steps down and a
// new election reaches it; otherwise the leader would never replicate to it.
func TestJoinerAnswersStaleLeaderWhenItCannotCampaign(t *testing.T) {
	cfg := testConfig(3, nil)
	cfg.Join = true
	cfg.CheckQuorum, cfg.PreVote = false, false
	n, err := NewNode(cfg, Persisted{})
	require.NoError(t, err)
	require.NoError(t, n.Step(Message{Type: MsgVote, From: 2, To: 3, Term: 5, Index: 9, LogTerm: 4}))
	require.Equal(t, uint64(5), n.Status().Term, "the joiner took the candidate's term")
	n.Ready()
	n.Advance()

	require.NoError(t, n.Step(Message{Type: MsgHeartbeat, From: 1, To: 3, Term: 2}))
	rd := n.Ready()
	var resp *Message
	for i := range rd.Messages {
		if rd.Messages[i].To == 1 {
			resp = &rd.Messages[i]
		}
	}
	require.NotNil(t, resp, "the joiner ignored the older-term leader")
	assert.Equal(t, MsgAppResp, resp.Type)
	assert.Equal(t, uint64(5), resp.Term)
	n.Advance()

	// A voter with PreVote and CheckQuorum off campaigns instead, as before.
	v, err := NewNode(func() Config {
		c := testConfig(3, []uint64{1, 2, 3})
		c.CheckQuorum, c.PreVote = false, false
		return c
	}(), Persisted{})
	require.NoError(t, err)
	require.NoError(t, v.Step(Message{Type: MsgVote, From: 2, To: 3, Term: 5, Index: 9, LogTerm: 4}))
	v.Ready()
	v.Advance()
	require.NoError(t, v.Step(Message{Type: MsgHeartbeat, From: 1, To: 3, Term: 2}))
	for _, m := range v.Ready().Messages {
		assert.NotEqual(t, uint64(1), m.To, "a voter that can campaign stays silent to the old leader: %+v", m)
	}
}

// TestStaleCandidateLearnsTheTerm: a vote request from an older term, sent by
// a candidate outside this node's configuration, is rejected with the current
// term (Figure 2): nothing else would reach it, and it would campaign in dead
// terms forever. Matters without PreVote. Candidates inside the configuration
// are left alone as before (this node writes to them when it campaigns).
func TestStaleCandidateLearnsTheTerm(t *testing.T) {
	cfg := testConfig(3, []uint64{1, 3, 4})
	cfg.CheckQuorum, cfg.PreVote = false, false
	n, err := NewNode(cfg, Persisted{})
	require.NoError(t, err)
	require.NoError(t, n.Step(Message{Type: MsgVote, From: 4, To: 3, Term: 9, Index: 1, LogTerm: 1}))
	n.Ready()
	n.Advance()
	require.NoError(t, n.Step(Message{Type: MsgVote, From: 2, To: 3, Term: 4, Index: 50, LogTerm: 3}))
	rd := n.Ready()
	require.Len(t, rd.Messages, 1, "%+v", rd.Messages)
	m := rd.Messages[0]
	assert.Equal(t, Message{Type: MsgVoteResp, From: 3, To: 2, Term: 9, Reject: true}, Message{Type: m.Type, From: m.From, To: m.To, Term: m.Term, Reject: m.Reject})
	n.Advance()
}

// TestJoinerRestartedBeforeItLearnedALogStaysAmnesiac: a joiner persists the
// term of the first leader it hears from before it holds any entry; if it
// crashes then, it restarts from a hard state and no log. The leader may still
// size its heartbeats by the id's old incarnation, and that is still no lost
// write. A restarted node that has a log keeps reporting a real loss.
func TestJoinerRestartedBeforeItLearnedALogStaysAmnesiac(t *testing.T) {
	hb := Message{Type: MsgHeartbeat, From: 2, To: 1, Term: 3, Commit: 40}

	joinCfg := testConfig(1, nil)
	joinCfg.Join = true
	joiner, err := NewNode(joinCfg, Persisted{})
	require.NoError(t, err)
	require.NoError(t, joiner.Step(hb))
	rd := joiner.Ready()
	require.Equal(t, uint64(3), rd.HardState.Term, "the joiner persists the leader's term")
	require.Empty(t, rd.Entries, "and no entry yet")
	joiner.Advance()

	restarted, err := NewNode(joinCfg, Persisted{HardState: rd.HardState})
	require.NoError(t, err)
	require.NoError(t, restarted.Step(hb), "the restarted joiner still has no log to lose")
	assert.Zero(t, restarted.Status().Commit)

	voter := restoreNode(t, 1, ids(3), []uint64{2, 2}, HardState{Term: 3})
	err = voter.Step(hb)
	assert.ErrorIs(t, err, ErrSafety, "a restarted node with a log shorter than the leader's commit lost entries")
}
