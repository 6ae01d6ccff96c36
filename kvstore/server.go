package kvstore

import (
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/raft"
)

// Timer and sync tags: the kind in the top byte, a sequence number below.
const (
	tagKindShift        = 56
	tagTick      uint64 = 1 << tagKindShift
	tagSync      uint64 = 2 << tagKindShift
	tagSeqMask   uint64 = 1<<tagKindShift - 1
)

// maxReadiesPerStep bounds how many Readies one event may handle back to back
// without waiting for a sync. Raft only produces a new Ready when something
// changed, so exceeding it means raft livelocks: reported as an anomaly.
const maxReadiesPerStep = 1024

// Server is one replica: a Raft node (any raft.Consensus), its durable log on the host's disk, and
// the key-value state machine, answering clients. It is a Process: the host
// calls Receive and Fire on a single thread.
type Server struct {
	cfg  ServerConfig
	env  Env
	disk Disk
	id   uint64
	node raft.Consensus
	obs  Observer
	ans  AnswerObserver // obs, when it implements AnswerObserver; else nil
	sm   *machine

	// What the server knows of raft, updated from each Ready.
	role   raft.Role
	term   uint64
	lead   uint64
	commit uint64

	applied   uint64 // index of the last entry applied to sm
	snapIndex uint64 // index of the snapshot on disk (0: none)
	logLast   uint64 // index of the last entry written to the log file
	ticks     uint64
	// leaseUntil is the local-clock deadline of Bugs.LeaseWallClock's lease
	// (0: none), and lease the node's report of its lease (set only with
	// that bug).
	leaseUntil int64
	lease      raft.LeaseReporter

	// The Ready being handled: taken from raft, not yet advanced.
	inReady bool
	rd      raft.Ready
	rdMsgs  []*raft.Message // copies of rd.Messages, sent after the sync

	// Disk sync state. At most one sync is in flight.
	syncing   bool
	syncSeq   uint64
	syncHS    raft.HardState // the hard state the in-flight sync makes durable
	syncAgain bool           // Bugs.AckBeforeFsync: writes after the in-flight sync need another
	opSync    bool           // the sync in flight is an operator's (Compact), started outside a Ready
	// compactWanted: Compact was called during a Ready; it runs once the Ready is done.
	compactWanted bool
	hardState     raft.HardState // the latest hard state raft reported, as written (see durableHardState)
	bootTerm      uint64         // the node's term when it was built: Bugs.NoPersistTerm persists no other
	writtenHS     raft.HardState // the last hard state written to the log

	proposals proposalQueue
	reads     readQueue

	// Reused buffers.
	recBuf   []byte
	cmdBuf   []byte
	batch    logBatch
	cmd      command
	msgSlab  slab[raft.Message]
	respSlab slab[Response]
	arena    arena

	stats ServerStats
}

// ServerStats counts a server's notable events since it started.
type ServerStats struct {
	UnknownPeer       uint64 // messages raft refused as from outside the configuration
	Proposed          uint64 // client requests proposed to raft
	NotLeader         uint64 // requests answered ErrNotLeader
	Dropped           uint64 // requests answered ErrDropped
	LeaderChanged     uint64 // requests answered ErrLeaderChanged
	ReadsServed       uint64 // reads answered without the log
	ReadRetries       uint64 // ReadIndex requests re-issued after going unanswered
	SessionsExpired   uint64 // sessions expired to keep the table bounded
	SnapshotsTaken    uint64 // snapshots of this node's own state machine (log compactions)
	SnapshotsReceived uint64 // snapshots installed from a leader
	Syncs             uint64 // disk syncs requested
	TornTail          bool   // recovery dropped an incomplete final log record
	Anomalies         uint64 // impossible states reported to the observer
}

// NewServer recovers a replica from env's disk. A damaged disk (a complete
// record failing its checksum, or contents that contradict each other) makes it
// return an error naming the file and offset: the node refuses to start rather
// than run on lost or corrupt acknowledged state. Call Start to begin ticking.
func NewServer(cfg ServerConfig, env Env) (*Server, error) {
	if err := cfg.validate(env); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	disk := env.Disk()
	st, err := readDurable(disk)
	if err != nil {
		return nil, fmt.Errorf("kvstore: node %d: recovery: %w", cfg.ID, err)
	}
	s := &Server{
		cfg:  cfg,
		env:  env,
		disk: disk,
		id:   cfg.ID,
		obs:  cfg.Observer,
		sm:   newMachine(cfg.MaxSessions, cfg.Bugs.NoDedup),
	}
	if s.obs == nil {
		s.obs = nopObserver{}
	}
	s.ans, _ = s.obs.(AnswerObserver)
	if st.torn {
		// The incomplete record was never synced (a synced write is complete),
		// so nothing acknowledged is lost; cut it off so new records follow
		// valid ones.
		s.disk.WriteFile(logFile, append([]byte(nil), st.log[:st.validLen]...))
		s.stats.TornTail = true
	}
	if st.rebased {
		// The log file does not start at the snapshot recovery adopted: the
		// crash kept the snapshot file but lost the reset batch written after
		// it, or the log diverged from it. Entries appended from now on
		// follow the snapshot, so the file is rewritten as recovery sees it
		// (else the next recovery finds a gap, or drops them with the
		// diverged log). No sync: a crash before the next one recovers the
		// same state from the older files.
		b := logBatch{hasHardState: !st.hardState.IsEmpty(), hardState: st.hardState, reset: true,
			baseIndex: st.baseIndex, baseTerm: st.baseTerm, entries: st.entries}
		s.disk.WriteFile(logFile, appendLogBatch(nil, &b))
	}
	if st.snapshot != nil {
		if err := s.sm.restore(st.snapshot.Data); err != nil {
			return nil, fmt.Errorf("kvstore: node %d: recovery: %w", cfg.ID,
				&CorruptError{File: snapshotFile, Reason: "state machine image: " + err.Error()})
		}
		s.applied = st.snapshot.Meta.Index
		s.snapIndex = st.snapshot.Meta.Index
	}
	rc := cfg.Raft
	rc.ID, rc.Voters, rc.Join = cfg.ID, cfg.Voters, cfg.Join
	rc.ReadOnly = raft.ReadOnlySafe
	if cfg.ReadMode == ReadLease {
		rc.ReadOnly = raft.ReadOnlyLeaseBased
	}
	node, err := cfg.Consensus(rc, st.persisted())
	if err != nil {
		return nil, fmt.Errorf("kvstore: node %d: %w", cfg.ID, err)
	}
	s.node = node
	s.bootTerm = node.Status().Term
	if cfg.Bugs.LeaseWallClock {
		lr, ok := node.(raft.LeaseReporter)
		if !ok {
			return nil, fmt.Errorf("kvstore: node %d: Bugs.LeaseWallClock needs a Raft that reports its read lease (raft.LeaseReporter); %T does not", cfg.ID, node)
		}
		s.lease = lr
	}
	s.term, s.commit = st.hardState.Term, st.hardState.Commit
	s.hardState, s.writtenHS = st.hardState, st.hardState
	s.logLast = st.lastIndex()
	// Reported even for an empty disk (a first boot, or a wiped or fully lost
	// disk): the observer decides whether it was a restart.
	lastTerm, _ := st.term(s.logLast)
	s.obs.Recovered(s.id, st.hardState, s.snapIndex, s.logLast, lastTerm)
	return s, nil
}

// Start arms the tick timer. Call it once, after NewServer.
func (s *Server) Start() {
	first := s.cfg.TickInterval
	if s.cfg.TickPhase > 0 {
		first = s.cfg.TickPhase
	}
	s.env.After(first, tagTick)
	s.step()
}

// Receive handles a message: a *raft.Message from a peer or a *Request from a
// client. Anything else is reported as an anomaly.
func (s *Server) Receive(from int, msg any) {
	switch m := msg.(type) {
	case *raft.Message:
		if m == nil {
			s.anomaly(fmt.Errorf("nil *raft.Message from %d", from))
		} else if err := s.node.Step(*m); err != nil {
			if errors.Is(err, raft.ErrUnknownPeer) {
				s.stats.UnknownPeer++ // a removed or not yet added node: expected
				s.obs.UnknownPeer(s.id, m.From, m.Term)
			} else {
				s.anomaly(fmt.Errorf("step %v from %d: %w", m.Type, m.From, err))
			}
		}
	case *Request:
		if m == nil {
			s.anomaly(fmt.Errorf("nil *Request from %d", from))
		} else {
			s.handleRequest(from, m)
		}
	default:
		s.anomaly(fmt.Errorf("unexpected message %T from %d", msg, from))
	}
	s.step()
}

// Fire handles the tick timer and disk sync completions.
func (s *Server) Fire(tag uint64) {
	switch tag &^ tagSeqMask {
	case tagTick:
		s.ticks++
		s.node.Tick()
		s.setWallLease()
		s.retryReads()
		s.env.After(s.cfg.TickInterval, tagTick)
	case tagSync:
		s.synced(tag)
	default:
		s.anomaly(fmt.Errorf("unknown timer tag %#x", tag))
	}
	s.step()
}

// ProposeConfChange proposes a membership change (this server must lead).
func (s *Server) ProposeConfChange(cc raft.ConfChange) error {
	_, _, err := s.node.ProposeConfChange(cc)
	s.step()
	if err != nil {
		return fmt.Errorf("kvstore: node %d: propose conf change: %w", s.id, err)
	}
	return nil
}

// TransferLeadership asks this server, if it leads, to hand leadership to to.
func (s *Server) TransferLeadership(to uint64) error {
	// The target may win an election that ignores leases: raft drops its
	// lease, and so does Bugs.LeaseWallClock's deadline.
	s.leaseUntil = 0
	err := s.node.TransferLeadership(to)
	s.step()
	if err != nil {
		return fmt.Errorf("kvstore: node %d: transfer leadership to %d: %w", s.id, to, err)
	}
	return nil
}

// Status returns raft's view of this node.
func (s *Server) Status() raft.Status { return s.node.Status() }

// Role returns the role, term and leader as of the last Ready handled: what
// the server acts on when it routes requests. Unlike Status it allocates
// nothing; it may trail raft by the Ready waiting for its sync.
func (s *Server) Role() (role raft.Role, term, lead uint64) { return s.role, s.term, s.lead }

// Digest returns the hash of the state machine's data (FNV-1a over the keys in
// sorted order, sessions excluded). Replicas that applied the same log prefix
// have equal digests.
func (s *Server) Digest() uint64 { return s.sm.digest() }

// Applied returns the index of the last entry applied to the state machine.
func (s *Server) Applied() uint64 { return s.applied }

// LogSize returns the number of log entries on disk after the snapshot: what
// snapshots keep bounded.
func (s *Server) LogSize() int { return int(s.logLast - s.snapIndex) }

// Stats returns the server's counters.
func (s *Server) Stats() ServerStats {
	st := s.stats
	st.SessionsExpired = s.sm.expired
	return st
}

// anomaly reports an impossible state: in simulation, a found bug.
func (s *Server) anomaly(err error) {
	s.stats.Anomalies++
	s.obs.Anomaly(s.id, s.term, fmt.Errorf("node %d term %d: %w", s.id, s.term, err))
}
