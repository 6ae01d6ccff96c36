package kvstore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAnsweredReportsEveryWriteAck: on a reliable cluster every write a
// client is told ok comes with one Answered report, from the node that
// answered, naming the entry that holds that client's request; reads
// served by ReadIndex are no log entries and are not reported.
func TestAnsweredReportsEveryWriteAck(t *testing.T) {
	c := newCluster(t, clusterOpts{n: 3, seed: 11})
	c.waitLeader()
	cl := c.addClient(1, kvOps(1, 40, 3))
	c.runClients(20_000*ms, cl)

	type req struct{ client, seq uint64 }
	answered := map[req]uint64{} // → the node that answered
	for node, es := range c.obs.answered {
		for _, e := range es {
			var cmd command
			require.NoError(t, cmd.decode(e.Data), "node %d answered from entry %d", node, e.Index)
			k := req{cmd.clientID, cmd.seq}
			_, dup := answered[k]
			assert.False(t, dup, "request %+v answered twice", k)
			answered[k] = node
		}
	}
	writes := 0
	for i, r := range cl.results {
		if cl.ops[i].Op == OpGet || r.Err != ErrNone {
			continue
		}
		writes++
		node, ok := answered[req{1, r.Seq}]
		if assert.True(t, ok, "write seq %d was told ok with no Answered report", r.Seq) {
			assert.Equal(t, uint64(r.Node), node, "write seq %d: answered by node %d, reported by node %d", r.Seq, r.Node, node)
		}
	}
	require.Equal(t, 30, writes, "every write of the reliable run succeeds")
	assert.Len(t, answered, writes, "no Answered report beyond the writes told ok")
}
