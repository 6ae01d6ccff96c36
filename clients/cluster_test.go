package clients

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// runCluster runs cfg.Threads clients against a fake 5-node cluster for d
// nanoseconds; with faults the network loses 5 % of messages and leadership
// moves (sometimes to nobody) every 150 ms.
func runCluster(t *testing.T, cfg Config, d int64, faults bool, seed uint64, setup ...func(*fakeCluster)) (histories.History, []*Client, *fakeCluster) {
	t.Helper()
	l := &loop{}
	f := newFakeCluster(l, 5, seed)
	for _, s := range setup {
		s(f)
	}
	rec := NewRecorder(func() int64 { return l.now })
	var cs []*Client
	for thread := range cfg.Threads {
		env := &fakeEnv{l: l, addr: 100 + thread, deliver: f.deliver}
		c, err := NewClient(cfg, thread, env, rand.New(rand.NewPCG(seed, uint64(thread))), rec)
		require.NoError(t, err)
		env.proc = c
		f.clients[env.addr] = c
		cs = append(cs, c)
	}
	if faults {
		f.loss = 0.05
		var move func()
		move = func() {
			f.leader = f.rng.IntN(f.n + 1) // 0: an election in progress
			rec.Nemesis("move-leader", int64(f.leader))
			l.at(l.now+150_000_000, move)
		}
		l.at(100_000_000, move)
	}
	for _, c := range cs {
		c.Start()
	}
	l.runUntil(d)
	for _, c := range cs {
		c.Stop()
	}
	f.loss, f.dropped = 0, 0
	f.leader = 1
	l.runUntil(d + 2*cfg.OpTimeout) // let every op in flight finish
	for _, c := range cs {
		require.NoError(t, c.Err())
		assert.False(t, c.Busy())
	}
	require.NoError(t, rec.Err())
	return rec.History(), cs, f
}

func clusterConfig(workload string) Config {
	cfg := DefaultConfig()
	cfg.Workload = workload
	cfg.Servers = []int{1, 2, 3, 4, 5}
	return cfg
}

// TestClusterNoFaultsAllOK is the shape of the end-to-end acceptance: 5
// nodes, 10 clients, no faults: every op is ok, and the history round-trips
// through jsonl and edn unchanged.
func TestClusterNoFaultsAllOK(t *testing.T) {
	for _, w := range []string{Register, KV, Append} {
		t.Run(w, func(t *testing.T) {
			cfg := clusterConfig(w)
			h, cs, _ := runCluster(t, cfg, 2_000_000_000, false, 1)
			require.NoError(t, histories.Validate(h))
			pairs, err := histories.Pairs(h)
			require.NoError(t, err)
			require.Greater(t, len(pairs), 1000)
			for _, p := range pairs {
				require.NotNil(t, p.Complete)
				want := histories.OK
				if p.Invoke.F == "cas" && p.Complete.Type == histories.Fail {
					want = histories.Fail // a register cas may miss: a definite fail, not a fault
					assert.Equal(t, "cas-mismatch", p.Complete.Error)
				}
				require.Equal(t, want, p.Complete.Type, "%v", *p.Complete)
				assert.Equal(t, 1, p.Complete.Node, "the leader answered")
			}
			processes := map[int]bool{}
			for _, op := range h {
				processes[op.Process] = true
			}
			assert.Len(t, processes, cfg.Threads, "no process retired")
			for _, c := range cs {
				assert.Zero(t, c.Stats().Info)
			}
			for _, f := range []histories.Format{histories.JSONL, histories.EDN} {
				var buf bytes.Buffer
				require.NoError(t, histories.Write(&buf, h, f))
				got, _, err := histories.Read(&buf, "run", f)
				require.NoError(t, err)
				require.Equal(t, h, got, "round trip through %v", f)
			}
		})
	}
}

// TestClusterWithFaults: with loss and leader changes the clients still
// produce a valid history: retried ops apply once, timeouts become info and
// retire their process, the store applies each (client, seq) at most once.
func TestClusterWithFaults(t *testing.T) {
	for _, w := range []string{Register, KV, Append} {
		t.Run(w, func(t *testing.T) {
			cfg := clusterConfig(w)
			h, cs, f := runCluster(t, cfg, 3_000_000_000, true, 2)
			require.NoError(t, histories.Validate(h))
			types := map[histories.Type]int{}
			errs := map[string]int{}
			for _, op := range h {
				types[op.Type]++
				if op.Process != histories.NemesisProcess {
					errs[op.Error]++
				}
			}
			assert.Positive(t, types[histories.OK])
			assert.Positive(t, types[histories.Info], "lost messages time out")
			assert.Positive(t, errs["timeout"])
			var st Stats
			retired := 0
			for _, c := range cs {
				s := c.Stats()
				st.Invoked += s.Invoked
				st.OK += s.OK
				st.Fail += s.Fail
				st.Info += s.Info
				st.Requests += s.Requests
				retired += (c.Process() - c.thread) / cfg.Threads
			}
			assert.Equal(t, types[histories.Invoke], st.Invoked)
			assert.Equal(t, st.Invoked, st.OK+st.Fail+st.Info, "every op completed")
			assert.Equal(t, st.Info, retired, "one fresh process per info")
			assert.Greater(t, st.Requests, st.Invoked, "some requests were retries")
			assert.LessOrEqual(t, f.applied, st.Invoked, "dedup: at most one application per op")
		})
	}
}

// TestAppendReadsArePrefixes: in a linearizable append history every two
// reads of a key see one list a prefix of the other, and values are never
// duplicated: the property that makes the append workload checkable
// without search.
func TestAppendReadsArePrefixes(t *testing.T) {
	cfg := clusterConfig(Append)
	cfg.Keys = 3
	h, _, _ := runCluster(t, cfg, 1_000_000_000, true, 3)
	longest := map[string][]any{}
	reads := 0
	for _, op := range h {
		if op.Type != histories.OK || op.F != "read" {
			continue
		}
		reads++
		list := op.Value.([]any)
		seen := map[int64]bool{}
		for _, v := range list {
			require.False(t, seen[v.(int64)], "duplicate %d in %v", v, list)
			seen[v.(int64)] = true
		}
		prev := longest[op.Key]
		short, long := prev, list
		if len(list) < len(prev) {
			short, long = list, prev
		}
		require.True(t, histories.EqualValues(short, long[:len(short)]), "%v is not a prefix of %v", short, long)
		longest[op.Key] = long
	}
	assert.Greater(t, reads, 100)
}

// TestClientsAreDeterministic: one seed, one history, bit for bit.
func TestClientsAreDeterministic(t *testing.T) {
	cfg := clusterConfig(KV)
	cfg.KeyDist = Zipf
	cfg.Rate = 200
	a, _, _ := runCluster(t, cfg, 500_000_000, true, 4)
	b, _, _ := runCluster(t, cfg, 500_000_000, true, 4)
	c, _, _ := runCluster(t, cfg, 500_000_000, true, 5)
	require.Equal(t, a, b)
	assert.NotEqual(t, a, c)
}

// TestDuplicatedRejectionsNeverMakeAFalseFail: a rejection answers one
// attempt. Here the leader is busy (half its answers are ErrDropped, retried
// to the same server) and answers are duplicated, the copy arriving after the
// retry went out: a copy of attempt k's rejection must not be taken for
// attempt k+1's, which may be applied. Every op recorded fail (other than a
// cas mismatch or a read) must not have been applied.
func TestDuplicatedRejectionsNeverMakeAFalseFail(t *testing.T) {
	cfg := clusterConfig(KV)
	cfg.MaxAttempts = 3 // give up soon after rejections, so a false one shows
	h, cs, f := runCluster(t, cfg, 6_000_000_000, true, 6, func(f *fakeCluster) {
		f.dropped, f.dupResp, f.dupDelay = 0.5, 0.8, 4*cfg.RetryDelay
	})
	require.NoError(t, histories.Validate(h))
	pairs, err := histories.Pairs(h)
	require.NoError(t, err)
	seq := map[int]uint64{} // process → Seq of its latest invoke
	fails, stale := 0, 0
	for _, p := range pairs {
		if p.Invoke.Process == histories.NemesisProcess {
			continue
		}
		seq[p.Invoke.Process]++
		op := [2]uint64{uint64(p.Invoke.Process) + 1, seq[p.Invoke.Process]}
		if p.Complete.Type != histories.Fail || p.Invoke.F == "get" {
			continue
		}
		fails++
		assert.False(t, f.ops[op], "op %v (client %d seq %d) recorded %q fail, but it was applied", *p.Invoke, op[0], op[1], p.Complete.Error)
	}
	for _, c := range cs {
		stale += c.Stats().Stale
	}
	t.Logf("%d ops recorded fail, %d stale answers ignored", fails, stale)
	assert.Greater(t, fails, 50, "rejections end ops often enough to catch a false fail")
	assert.Greater(t, stale, 100, "many stale rejection copies arrived")
}
