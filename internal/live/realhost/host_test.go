package realhost

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// single runs a one-node kvstore.Server on a real host: the loop the
// example node runs, reduced to what a test needs.
type single struct {
	t     *testing.T
	host  *Host
	srv   *kvstore.Server
	disk  *FileDisk
	resps []*kvstore.Response
}

func startSingle(t *testing.T, dir string) *single {
	t.Helper()
	s := &single{t: t, disk: openDisk(t, dir)}
	h, err := New(1, s.disk, func(to int, msg any) {
		if r, ok := msg.(*kvstore.Response); ok {
			s.resps = append(s.resps, r)
		}
	}, 16)
	require.NoError(t, err)
	s.host = h
	s.srv, err = kvstore.NewServer(kvstore.ServerConfig{
		ID: 1, Voters: []uint64{1},
		Raft:         raft.Config{ElectionTicks: 4, HeartbeatTicks: 1, PreVote: true, CheckQuorum: true, MaxInflightMsgs: 16, MaxSizePerMsg: 1 << 16, Rand: rand.New(rand.NewPCG(1, 2))},
		TickInterval: int64(2 * time.Millisecond),
	}, h)
	require.NoError(t, err)
	s.srv.Start()
	require.NoError(t, h.Drain(s.srv))
	return s
}

// do sends req and runs timers until the server answers it (bounded: the
// bound turns a hang into a failure, it decides nothing).
func (s *single) do(req kvstore.Request) *kvstore.Response {
	s.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		n := len(s.resps)
		s.srv.Receive(1<<30, &req)
		require.NoError(s.t, s.host.Drain(s.srv))
		for len(s.resps) == n {
			select {
			case tag := <-s.host.Timers():
				s.srv.Fire(tag)
				require.NoError(s.t, s.host.Drain(s.srv))
			case <-deadline:
				s.t.Fatal("no answer within 20s")
			}
		}
		r := s.resps[len(s.resps)-1]
		if r.Err != kvstore.ErrNotLeader {
			return r
		}
		req.Attempt++ // not elected yet: ask again after the next tick
		select {
		case tag := <-s.host.Timers():
			s.srv.Fire(tag)
			require.NoError(s.t, s.host.Drain(s.srv))
		case <-deadline:
			s.t.Fatal("no leader within 20s")
		}
	}
}

func TestServerOnARealHostSurvivesARestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "raft")
	s := startSingle(t, dir)
	r := s.do(kvstore.Request{ClientID: 1, Seq: 1, Op: kvstore.OpPut, Key: "k", Value: "v1", Attempt: 1})
	require.Equal(t, kvstore.ErrNone, r.Err)
	r = s.do(kvstore.Request{ClientID: 1, Seq: 2, Op: kvstore.OpGet, Key: "k", Attempt: 1})
	assert.Equal(t, "v1", r.Value)
	assert.Less(t, int64(0), s.host.Now())
	term := s.srv.Status().Term

	// A new server on the same directory is a restarted process: the
	// acknowledged write is there.
	s2 := startSingle(t, dir)
	r = s2.do(kvstore.Request{ClientID: 2, Seq: 1, Op: kvstore.OpGet, Key: "k", Attempt: 1})
	assert.Equal(t, kvstore.ErrNone, r.Err)
	assert.True(t, r.Found)
	assert.Equal(t, "v1", r.Value)
	assert.Greater(t, s2.srv.Status().Term, term, "the second process recovered its term and campaigned in a later one")
}

func TestNewRejectsNil(t *testing.T) {
	_, err := New(1, nil, func(int, any) {}, 1)
	assert.Error(t, err)
	_, err = New(1, openDisk(t, t.TempDir()), nil, 1)
	assert.Error(t, err)
}
