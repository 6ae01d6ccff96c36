package etcdraft

import (
	"math/rand/v2"
	"runtime"

	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"

	"github.com/raftcheck/raftcheck/raft"
)

// Node is one etcd Raft peer behind the boundary: a RawNode, the
// MemoryStorage it reads from (a mirror of what the host persisted), and the
// bookkeeping that translates between the two. Like the built-in it is not
// safe for concurrent use; unlike it, it must also stay on the goroutine that
// built it (see rand.go).
type Node struct {
	id   uint64
	rn   *etcd.RawNode
	st   *etcd.MemoryStorage
	rand *rand.Rand
	slot *slot

	// draws counts election-timeout draws served from rand since the last
	// Ready (checkDraws).
	draws uint64
	// logErr is the first error line etcd logged since the last Step.
	logErr string

	// What the host knows, as of the latest Ready.
	term uint64
	ss   raft.SoftState // the soft state last reported
	// leadTerm is the term in which the latest Ready showed this node
	// leading, 0 when it did not: proposals are only taken then.
	leadTerm uint64
	// last is the log's last index as of the latest Ready, plus one per
	// proposal taken since (Propose's answer).
	last uint64
	// pendingConf mirrors etcd's pendingConfIndex on a leader: a
	// configuration change is refused until applied reaches it.
	pendingConf uint64
	// placed lists the (index, term) Propose and ProposeConfChange reported
	// since the latest Ready; the next Ready must show exactly those entries
	// (verifyPlaced).
	placed []placement

	// Configuration and snapshot.
	applied uint64   // the last index handed to the host and advanced
	voters  []uint64 // the voters in effect at applied, sorted
	confs   []confAt // configurations in effect from the snapshot on, for Compact
	snap    *raft.Snapshot

	// The Ready handed out and not yet advanced.
	outstanding bool
	rd          etcd.Ready
	snapTo      []uint64 // recipients of its MsgSnap messages
	entries     []raft.Entry
	committed   []raft.Entry
	msgs        []raft.Message
	reads       []raft.ReadState
	roles       [1]raft.SoftState
}

// placement is one entry Propose reported, to be found in the next Ready.
type placement struct {
	index, term uint64
	conf        bool   // a configuration change (EntryConfChangeV2)
	size        int    // len(data)
	sum         uint64 // fnv64a(data)
}

// confAt is the configuration in effect from a log index on.
type confAt struct {
	index  uint64
	voters []uint64
	cs     *pb.ConfState
}

var _ raft.Consensus = (*Node)(nil)

// New builds an etcd Raft node from what its host recovered from disk; it is
// a raft.Factory (see raft.NewNode for the meaning of cfg and p). It refuses
// the built-in's planted protocol bugs and the settings etcd cannot honour,
// naming the field.
func New(cfg raft.Config, p raft.Persisted) (raft.Consensus, error) {
	if err := validate(&cfg); err != nil {
		return nil, err
	}
	if !draws.installed() {
		return nil, &raft.ConfigError{Field: "Rand", Reason: "crypto/rand.Reader was replaced after etcdraft installed its dispatcher: election timeouts would not come from Rand"}
	}
	n := &Node{id: cfg.ID, rand: cfg.Rand, st: etcd.NewMemoryStorage()}
	n.slot = draws.bind()
	runtime.AddCleanup(n, draws.release, n.slot)
	if err := n.start(&cfg, p); err != nil {
		return nil, err
	}
	return n, nil
}

// start fills the storage from p, builds the RawNode and, on an empty disk
// of a fresh cluster, bootstraps the initial voters.
func (n *Node) start(cfg *raft.Config, p raft.Persisted) error {
	defer n.exit(n.enter())
	empty := p.HardState.IsEmpty() && p.Snapshot == nil && len(p.Entries) == 0
	if !empty {
		if err := n.restore(p); err != nil {
			return err
		}
	}
	readOnly := etcd.ReadOnlySafe
	if cfg.ReadOnly == raft.ReadOnlyLeaseBased {
		readOnly = etcd.ReadOnlyLeaseBased
	}
	rn, err := etcd.NewRawNode(&etcd.Config{
		ID:              cfg.ID,
		ElectionTick:    cfg.ElectionTicks,
		HeartbeatTick:   cfg.HeartbeatTicks,
		Storage:         n.st,
		Applied:         n.applied,
		MaxSizePerMsg:   cfg.MaxSizePerMsg,
		MaxInflightMsgs: cfg.MaxInflightMsgs,
		CheckQuorum:     cfg.CheckQuorum,
		PreVote:         cfg.PreVote,
		ReadOnlyOption:  readOnly,
		Logger:          logger{n},
		// The host proposes only on the node its latest Ready showed leading;
		// a follower must refuse, not forward (a forwarded proposal would get
		// no index to report).
		DisableProposalForwarding: true,
		StepDownOnRemoval:         true,
	})
	if err != nil {
		return &raft.ConfigError{Field: "Config", Reason: "etcd refused it: " + err.Error()}
	}
	n.rn = rn
	if empty && !cfg.Join {
		peers := make([]etcd.Peer, 0, len(cfg.Voters))
		for _, v := range sortedCopy(cfg.Voters) {
			peers = append(peers, etcd.Peer{ID: v})
		}
		if err := rn.Bootstrap(peers); err != nil {
			return &raft.ConfigError{Field: "Voters", Reason: "etcd's Bootstrap refused them: " + err.Error()}
		}
		// Bootstrap puts the node in term 1; its first Ready persists that.
		n.term = bootstrapTerm
		n.last = uint64(len(peers))
	}
	n.ss = raft.SoftState{Role: raft.Follower, Term: n.term}
	// Building the RawNode reset the election timer: that draw must have come
	// from Rand.
	n.checkDraws(true, "start")
	return nil
}
