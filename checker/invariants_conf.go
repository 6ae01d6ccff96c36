package checker

import (
	"fmt"
	"slices"
)

// Configuration divergence. Implementations differ in when a configuration
// entry takes effect, so the rule is parameterized by the implementation's
// declared semantics ([ConfSemantics]):
//
//   - ConfOnAppend (the built-in raft, Ongaro's dissertation §4.1): a node
//     uses the latest configuration entry in its log, committed or not, and
//     falls back to the previous one when that entry is truncated away.
//   - ConfOnApply (etcd's raft): a node uses the configuration of the latest
//     entry it applied, and never one of an entry that is not committed.
//
// Whatever the semantics, the configuration after a configuration entry is
// a function of the log up to it, and so of the committed log; the
// invariant is breached when
//
//   - two nodes apply the same configuration entry and reach different
//     configurations (their bases — a snapshot's, a restart's — differ);
//   - a snapshot (taken or installed) records a configuration other than the
//     one its node's log, or the cluster's committed log, has at its index;
//   - a node reports an active configuration (ActiveConfig) other than the
//     one its own log gives under the semantics: under ConfOnAppend exactly
//     the latest entry's in its log (so a truncated change must be undone);
//     under ConfOnApply one of a committed entry, no older than the one it
//     had applied before its latest commit advance.
//
// Configuration entries are single-server changes (the consensus boundary's
// only kind): [Entry].Conf says which voter an entry adds or removes.

// ConfDivergence names the invariant.
const ConfDivergence = "configuration-divergence"

// ConfSemantics is when an implementation's configuration entries take effect.
type ConfSemantics uint8

const (
	// ConfOnAppend: when the entry is appended to the log (dissertation
	// §4.1; the built-in raft).
	ConfOnAppend ConfSemantics = iota
	// ConfOnApply: when the entry is applied (etcd's raft).
	ConfOnApply
)

// String names the semantics.
func (s ConfSemantics) String() string {
	if s == ConfOnApply {
		return "on-apply"
	}
	return "on-append"
}

// ConfChange is what a configuration entry does: add Node as a voter, or
// remove it. Adding a voter already in, removing one not in, or removing
// the last voter changes nothing.
type ConfChange struct {
	Node   int
	Remove bool
}

// maxSnapConfs bounds the snapshot configurations remembered per node (a
// restart recovers one of its latest snapshots).
const maxSnapConfs = 4

// confPoint is the configuration in effect from index on.
type confPoint struct {
	index  uint64
	voters []int // sorted; never mutated once stored
}

// confEntry is a configuration entry some node wrote at an index.
type confEntry struct {
	term, digest uint64
	change       ConfChange
}

// appliedConf is the configuration a node reached by applying the entry at
// an index.
type appliedConf struct {
	voters []int
	node   int
	t      int64
}

// nodeConf is what the checker knows of one node's configurations.
type nodeConf struct {
	// known: pts[0], the configuration at the log's start (n.first), is
	// known, and so is every later point.
	known bool
	pts   []confPoint // pts[0] the base, then one per configuration entry in the log
	// dropped is the latest configuration point a write cut off, for evidence.
	dropped    confPoint
	droppedSet bool

	applied      confPoint // after the latest applied configuration entry
	appliedKnown bool
	// floor is the node's applied index at its latest commit advance:
	// under ConfOnApply its configuration is no older than the one there.
	floor uint64
	snaps []confPoint // configurations its latest snapshots recorded
}

// SetConfSemantics declares when the implementation under test adopts a
// configuration (default ConfOnAppend). Call it before any report.
func (c *Invariants) SetConfSemantics(s ConfSemantics) { c.confSem = s }

// votersOf returns a sorted copy of voters.
func votersOf(voters []int) []int {
	out := slices.Clone(voters)
	slices.Sort(out)
	return slices.Compact(out)
}

// applyChange returns the voter set after ch, as a new slice when it changes.
func applyChange(voters []int, ch ConfChange) []int {
	i, found := slices.BinarySearch(voters, ch.Node)
	switch {
	case !ch.Remove && !found:
		return slices.Insert(slices.Clone(voters), i, ch.Node)
	case ch.Remove && found && len(voters) > 1:
		return slices.Delete(slices.Clone(voters), i, i+1)
	}
	return voters
}

// noteConfEntry registers a configuration entry written at index.
func (c *Invariants) noteConfEntry(index, term, digest uint64, ch ConfChange) {
	if c.confs == nil {
		c.confs = make(map[uint64][]confEntry)
	}
	es := c.confs[index]
	for _, e := range es {
		if e.term == term && e.digest == digest {
			return
		}
	}
	if len(es) == 0 {
		i, _ := slices.BinarySearch(c.confIdx, index)
		c.confIdx = slices.Insert(c.confIdx, i, index)
	}
	c.confs[index] = append(es, confEntry{term: term, digest: digest, change: ch})
}

// confAt returns the configuration entry registered at index with term and
// digest.
func (c *Invariants) confAt(index, term, digest uint64) (ConfChange, bool) {
	for _, e := range c.confs[index] {
		if e.term == term && e.digest == digest {
			return e.change, true
		}
	}
	return ConfChange{}, false
}

// at returns the configuration in effect at index by the node's log.
func (nc *nodeConf) at(index uint64) ([]int, bool) {
	if !nc.known || len(nc.pts) == 0 || index < nc.pts[0].index {
		return nil, false
	}
	for k := len(nc.pts) - 1; k >= 0; k-- {
		if nc.pts[k].index <= index {
			return nc.pts[k].voters, true
		}
	}
	return nil, false
}

// latest is the configuration of the latest entry in the node's log.
func (nc *nodeConf) latest() (confPoint, bool) {
	if !nc.known || len(nc.pts) == 0 {
		return confPoint{}, false
	}
	return nc.pts[len(nc.pts)-1], true
}

// truncate forgets the configuration entries at index ≥ from.
func (nc *nodeConf) truncate(from uint64) {
	k := len(nc.pts)
	for k > 1 && nc.pts[k-1].index >= from {
		k--
	}
	if k < len(nc.pts) {
		nc.dropped, nc.droppedSet = nc.pts[len(nc.pts)-1], true
		nc.pts = nc.pts[:k]
	}
}

// confAppend follows a log write from index from on.
func (c *Invariants) confAppend(n *nodeState, from uint64, entries []Entry) {
	nc := &n.conf
	nc.truncate(from)
	for _, e := range entries {
		if e.Conf == nil {
			continue
		}
		c.noteConfEntry(e.Index, e.Term, e.Digest, *e.Conf)
		if last, ok := nc.latest(); ok {
			nc.pts = append(nc.pts, confPoint{index: e.Index, voters: applyChange(last.voters, *e.Conf)})
		}
	}
}

// confSnapshot follows a snapshot install at index: when the log kept its
// suffix the configuration at index is known from it, else it waits for
// ConfBase.
func (c *Invariants) confSnapshot(n *nodeState, index uint64, keptSuffix bool) {
	nc := &n.conf
	if v, ok := nc.at(index); ok && keptSuffix {
		k := 0
		for k < len(nc.pts) && nc.pts[k].index <= index {
			k++
		}
		nc.pts = append([]confPoint{{index: index, voters: v}}, nc.pts[k:]...)
	} else {
		nc.known, nc.pts = false, nil
	}
	nc.applied, nc.appliedKnown = confPoint{}, false
	if v, ok := nc.at(index); ok {
		nc.applied, nc.appliedKnown = confPoint{index: index, voters: v}, true
	}
}

// confRebuild recomputes a node's configuration points from its log (after
// a restart or a new base): base is the configuration at index from, which
// is in [n.first, n.last()].
func (c *Invariants) confRebuild(n *nodeState, from uint64, base []int) {
	nc := &n.conf
	nc.known = true
	nc.pts = append(nc.pts[:0], confPoint{index: from, voters: base})
	i, _ := slices.BinarySearch(c.confIdx, from+1)
	for ; i < len(c.confIdx) && c.confIdx[i] <= n.last(); i++ {
		idx := c.confIdx[i]
		e := n.at(idx)
		if ch, ok := c.confAt(idx, e.term, e.digest); ok {
			nc.pts = append(nc.pts, confPoint{index: idx, voters: applyChange(nc.pts[len(nc.pts)-1].voters, ch)})
		}
	}
}

// confRestart follows a restart: the log is the recovered one, the state
// machine at the snapshot.
func (c *Invariants) confRestart(n *nodeState) {
	nc := &n.conf
	var base []int
	known := n.first == 0 && n.base == genesisChain
	for _, s := range nc.snaps {
		if s.index == n.first && n.first > 0 {
			base, known = s.voters, true
		}
	}
	nc.droppedSet = false
	if !known {
		nc.known, nc.pts, nc.appliedKnown = false, nil, false
		return
	}
	c.confRebuild(n, n.first, base)
	nc.applied, nc.appliedKnown = nc.pts[0], true
	nc.floor = n.first
}

// confWipe follows a wiped disk: the node rejoins with nothing.
func (n *nodeState) confWipe() {
	n.conf = nodeConf{known: true, pts: []confPoint{{}}, appliedKnown: true}
}

// confApply follows the state machine applying the entry at index.
func (c *Invariants) confApply(t int64, n *nodeState, index, term, digest uint64) {
	ch, ok := c.confAt(index, term, digest)
	if !ok {
		return
	}
	nc := &n.conf
	if !nc.appliedKnown {
		return
	}
	voters := applyChange(nc.applied.voters, ch)
	nc.applied = confPoint{index: index, voters: voters}
	if c.appliedConfs == nil {
		c.appliedConfs = make(map[uint64]appliedConf)
	}
	prev, seen := c.appliedConfs[index]
	switch {
	case !seen:
		c.appliedConfs[index] = appliedConf{voters: voters, node: n.id, t: t}
	case !slices.Equal(prev.voters, voters):
		c.violate(ConfDivergence, t, []int{prev.node, n.id}, []uint64{term}, index,
			"nodes %d and %d applied the configuration entry at index %d (term %d) and reached different configurations: voters %v (at %v) and %v",
			prev.node, n.id, index, term, prev.voters, durationOf(prev.t), voters)
	}
}

// committedConfAt is the configuration the cluster committed and applied
// at index: that of the latest configuration entry at or before it, when
// that entry is known committed and some node applied it. An index where a
// configuration entry was written but whose commit is not known yet leaves
// the answer unknown; one where another entry was committed is passed over.
func (c *Invariants) committedConfAt(index uint64) (at uint64, voters []int, ok bool) {
	i, found := slices.BinarySearch(c.confIdx, index)
	if found {
		i++
	}
	for i--; i >= 0; i-- {
		idx := c.confIdx[i]
		r := c.peek(idx)
		if r == nil || !r.committed.set {
			return 0, nil, false
		}
		if _, isConf := c.confAt(idx, r.committed.term, r.committed.digest); !isConf {
			continue
		}
		a, applied := c.appliedConfs[idx]
		return idx, a.voters, applied
	}
	return 0, nil, false
}

// ConfBase records the configuration node's snapshot at index records
// (meta.ConfState's voters): for a snapshot it took (LogCompacted), one it
// installed (after Snapshot), or the one it restarted from (after Restart).
// It must agree with the node's log and with the configuration the cluster
// committed there; it is also where the node's configuration starts when
// its log no longer tells.
func (c *Invariants) ConfBase(t int64, node int, index uint64, voters []int) {
	n := c.node(t, node)
	if n == nil {
		return
	}
	vs := votersOf(voters)
	nc := &n.conf
	if mine, ok := nc.at(index); ok && index <= n.last() && !slices.Equal(mine, vs) {
		c.violate(ConfDivergence, t, []int{node}, nil, index,
			"node %d's snapshot at index %d records voters %v, but its log's configuration at index %d is %v", node, index, vs, index, mine)
	} else if at, theirs, ok := c.committedConfAt(index); ok && !slices.Equal(theirs, vs) {
		c.violate(ConfDivergence, t, []int{node}, nil, index,
			"node %d's snapshot at index %d records voters %v, but the configuration the cluster committed at index %d (and applied) is %v", node, index, vs, at, theirs)
	}
	nc.snaps = append(nc.snaps, confPoint{index: index, voters: vs})
	if len(nc.snaps) > maxSnapConfs {
		nc.snaps = slices.Delete(nc.snaps, 0, 1)
	}
	if !nc.known && index >= n.first && index <= n.last() {
		// The configuration at index is known now, and so is every later
		// one the log holds.
		c.confRebuild(n, index, vs)
	}
	if !nc.appliedKnown && index == n.applied {
		nc.applied, nc.appliedKnown = confPoint{index: index, voters: vs}, true
	}
}

// ActiveConfig records the voter set node uses now (raft's Status().Voters).
// Call it only where the checker has been told everything the node's
// configuration depends on, while the host is taking a Ready (raft steps
// nothing then): under ConfOnAppend right after LogAppended (the log
// written is the node's whole log); under ConfOnApply right after
// CommitAdvanced (the commit index of the Ready is known, and an adapter
// may already have adopted the configurations it hands out to apply).
// After a sync wait (at Applied, say) raft may have stepped messages the
// checker has not heard of, and the report would be judged against an old
// log.
func (c *Invariants) ActiveConfig(t int64, node int, voters []int) {
	n := c.live(t, node, "reported its configuration")
	if n == nil {
		return
	}
	vs := votersOf(voters)
	nc := &n.conf
	if c.confSem == ConfOnApply {
		c.checkActiveOnApply(t, n, vs)
		return
	}
	want, ok := nc.latest()
	if !ok || slices.Equal(want.voters, vs) {
		return
	}
	why := fmt.Sprintf("the latest configuration entry in its log (index %d) gives %v", want.index, want.voters)
	if want.index == n.first {
		why = fmt.Sprintf("its log (up to %d) holds no configuration entry after its start at %d, where the configuration is %v", n.last(), n.first, want.voters)
	}
	if nc.droppedSet && slices.Equal(nc.dropped.voters, vs) {
		why += fmt.Sprintf("; %v is the configuration of the entry at index %d, which its log no longer holds (truncated), so the change was not undone", vs, nc.dropped.index)
	}
	c.violate(ConfDivergence, t, []int{node}, []uint64{n.term}, want.index,
		"node %d uses voters %v (semantics %s), but %s", node, vs, ConfOnAppend, why)
}

// checkActiveOnApply: under ConfOnApply the node's configuration is that of
// a committed entry of its log, no older than the one it had applied at its
// latest commit advance.
func (c *Invariants) checkActiveOnApply(t int64, n *nodeState, vs []int) {
	nc := &n.conf
	if nc.appliedKnown && slices.Equal(nc.applied.voters, vs) {
		return
	}
	if !nc.known {
		return
	}
	floor := nc.pts[0].index
	for _, p := range nc.pts {
		if p.index <= nc.floor {
			floor = p.index
		}
	}
	var uncommitted *confPoint
	for k := range nc.pts {
		p := &nc.pts[k]
		if p.index < floor || !slices.Equal(p.voters, vs) {
			continue
		}
		if p.index <= n.commit {
			return
		}
		uncommitted = p
	}
	if uncommitted != nil {
		c.violate(ConfDivergence, t, []int{n.id}, []uint64{n.term}, uncommitted.index,
			"node %d uses voters %v (semantics %s), the configuration of its entry at index %d, which is beyond its commit index %d",
			n.id, vs, ConfOnApply, uncommitted.index, n.commit)
		return
	}
	applied := "unknown"
	if nc.appliedKnown {
		applied = fmt.Sprintf("%v (index %d)", nc.applied.voters, nc.applied.index)
	}
	c.violate(ConfDivergence, t, []int{n.id}, []uint64{n.term}, n.applied,
		"node %d uses voters %v (semantics %s), which no committed configuration entry of its log since index %d gives (applied configuration %s, commit index %d)",
		n.id, vs, ConfOnApply, floor, applied, n.commit)
}
