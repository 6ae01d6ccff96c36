package etcdraft

import (
	"reflect"
	"slices"
	"strconv"

	pb "go.etcd.io/raft/v3/raftpb"

	"github.com/raftcheck/raftcheck/raft"
)

// validate names the first field of cfg etcd's node cannot honour: the
// checks the built-in makes, plus the built-in's planted protocol bugs
// (they live in its code; etcd's Raft has none to switch on) and a count
// bound on uncommitted entries (etcd bounds bytes, not entries).
func validate(c *raft.Config) error {
	bad := func(field, why string) error { return &raft.ConfigError{Field: field, Reason: why} }
	if field, ok := firstBug(c.Bugs); ok {
		return bad("Bugs."+field, "is a planted protocol bug of the built-in Raft; etcd's Raft cannot host it")
	}
	switch {
	case c.ID == raft.None:
		return bad("ID", "must be non-zero")
	case c.HeartbeatTicks <= 0:
		return bad("HeartbeatTicks", "must be positive")
	case c.ElectionTicks <= c.HeartbeatTicks:
		return bad("ElectionTicks", "must be greater than HeartbeatTicks ("+strconv.Itoa(c.HeartbeatTicks)+")")
	case c.MaxInflightMsgs <= 0:
		return bad("MaxInflightMsgs", "must be positive")
	case c.MaxSizePerMsg == 0:
		return bad("MaxSizePerMsg", "must be positive")
	case c.MaxUncommittedEntries != 0:
		return bad("MaxUncommittedEntries", "etcd's Raft bounds the uncommitted log in bytes, not entries: leave it 0")
	case c.Rand == nil:
		return bad("Rand", "is required (the node's private random stream)")
	case c.ReadOnly != raft.ReadOnlySafe && c.ReadOnly != raft.ReadOnlyLeaseBased:
		return bad("ReadOnly", "unknown option "+strconv.Itoa(int(c.ReadOnly)))
	case c.ReadOnly == raft.ReadOnlyLeaseBased && !c.CheckQuorum:
		return bad("ReadOnly", "lease-based reads require CheckQuorum")
	}
	for i, v := range c.Voters {
		if v == raft.None {
			return bad("Voters", "contains the zero id")
		}
		if slices.Contains(c.Voters[:i], v) {
			return bad("Voters", "contains "+strconv.FormatUint(v, 10)+" twice")
		}
	}
	if !c.Join {
		if len(c.Voters) == 0 {
			return bad("Voters", "is empty and Join is not set")
		}
		if !slices.Contains(c.Voters, c.ID) {
			return bad("Voters", "does not contain ID "+strconv.FormatUint(c.ID, 10)+" (set Join to add a node)")
		}
	}
	return nil
}

// firstBug returns the name of the first planted bug set in b. It reads the
// fields by reflection so a bug added to raft.Bugs later is refused too.
func firstBug(b raft.Bugs) (string, bool) {
	v := reflect.ValueOf(b)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Bool && f.Bool() {
			return v.Type().Field(i).Name, true
		}
	}
	return "", false
}

// restore fills the storage from what the host recovered, checking that it is
// a log etcd could have written: etcd itself would panic on a commit index
// outside the log, and bad input gets an error, not a panic.
func (n *Node) restore(p raft.Persisted) error {
	bad := func(field, why string) error { return &raft.ConfigError{Field: "Persisted." + field, Reason: why} }
	var base, baseTerm uint64
	if s := p.Snapshot; s != nil {
		vs := s.Meta.ConfState.Voters
		if len(vs) == 0 || vs[0] == raft.None || !slices.IsSorted(vs) || len(slices.Compact(slices.Clone(vs))) != len(vs) {
			return bad("Snapshot.Meta.ConfState", "voters must be non-empty, non-zero and strictly ascending")
		}
		if s.Meta.Index == 0 || s.Meta.Term == 0 {
			return bad("Snapshot.Meta", "index and term must be non-zero")
		}
		ps := fromSnapshot(s)
		if err := n.st.ApplySnapshot(ps); err != nil {
			return bad("Snapshot", "etcd's storage refused it: "+err.Error())
		}
		base, baseTerm = s.Meta.Index, s.Meta.Term
		n.snap = s
		n.applied = base
		n.setConf(base, ps.GetMetadata().GetConfState())
	}
	ents := make([]*pb.Entry, 0, len(p.Entries))
	prevTerm := baseTerm
	for i := range p.Entries {
		e := &p.Entries[i]
		if want := base + 1 + uint64(i); e.Index != want {
			return bad("Entries", "entry "+strconv.Itoa(i)+" has index "+strconv.FormatUint(e.Index, 10)+", want "+strconv.FormatUint(want, 10))
		}
		if e.Term < prevTerm || e.Term == 0 {
			return bad("Entries", "entry at index "+strconv.FormatUint(e.Index, 10)+" has term "+strconv.FormatUint(e.Term, 10)+" after term "+strconv.FormatUint(prevTerm, 10))
		}
		prevTerm = e.Term
		pe, err := n.fromEntry(e)
		if err != nil {
			return bad("Entries", "entry at index "+strconv.FormatUint(e.Index, 10)+": "+err.Error())
		}
		ents = append(ents, pe)
	}
	if err := n.st.Append(ents); err != nil {
		return bad("Entries", "etcd's storage refused them: "+err.Error())
	}
	last := base + uint64(len(ents))
	hs := p.HardState
	if hs.Commit > last {
		return bad("HardState.Commit", strconv.FormatUint(hs.Commit, 10)+" is beyond the last entry "+strconv.FormatUint(last, 10))
	}
	// A snapshot holds only committed state. The term is taken as it is,
	// even below the last entry's: a host that loses terms (a planted host
	// bug) must be able to start and show what follows.
	hs.Commit = max(hs.Commit, base)
	if err := n.st.SetHardState(&pb.HardState{Term: new(hs.Term), Vote: new(hs.Vote), Commit: new(hs.Commit)}); err != nil {
		return bad("HardState", "etcd's storage refused it: "+err.Error())
	}
	n.term = hs.Term
	n.last = last
	return nil
}

// setConf records the configuration in effect from index on.
func (n *Node) setConf(index uint64, cs *pb.ConfState) {
	voters := sortedCopy(cs.GetVoters())
	n.voters = voters
	n.confs = append(n.confs, confAt{index: index, voters: voters, cs: &pb.ConfState{Voters: voters}})
}

// confAtIndex returns the configuration in effect at index (≥ the snapshot's).
func (n *Node) confAtIndex(index uint64) confAt {
	for i := len(n.confs) - 1; i >= 0; i-- {
		if n.confs[i].index <= index {
			return n.confs[i]
		}
	}
	return confAt{index: 0, cs: &pb.ConfState{}}
}

func sortedCopy(s []uint64) []uint64 {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
