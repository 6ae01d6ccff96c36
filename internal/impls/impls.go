// Package impls is the registry of Raft implementations a run can test:
// each name (--raft, Config.Raft) maps to a raft.Factory and to what the
// implementation can host. The harness drives every one the same way,
// through the consensus boundary (raft.Consensus).
package impls

import (
	"fmt"
	"strings"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/etcdraft"
)

// Builtin is the name of raftcheck's own Raft (package raft), the default.
const Builtin = "builtin"

// Impl is one registered Raft implementation.
type Impl struct {
	Name string
	// About says what it is, in a few words, for help texts.
	About string
	// Factory builds its nodes.
	Factory raft.Factory
	// ProtocolBugs: it can host the built-in's protocol-layer planted bugs
	// (raft.Bugs), which are switches inside the built-in's own code. Only
	// the built-in can.
	ProtocolBugs bool
	// LeaseReporter: its nodes implement raft.LeaseReporter, which the
	// lease-wall-clock host bug needs.
	LeaseReporter bool
	// LeaseHazard, when set, says why its lease reads (--read-mode lease)
	// are not linearizable even on well-behaved clocks: a stale lease read
	// on it is that known hazard, which a verdict names, and which runs that
	// draw their read mode (swarm) must not draw unless asked for.
	LeaseHazard string
	// RejoinHazard, when set, says why a removed member must not come back
	// under its old ID on this implementation, as member-churn and corrupt
	// bring it back. The swarm then draws neither unless asked for,
	// member-churn brings nodes back with their disks unless churn-wipe is
	// set (--nemesis-tuning), and a run with them whose verdict is a panic
	// or a liveness failure names the hazard.
	RejoinHazard string
	// Conf is when its nodes adopt a configuration entry — on append (the
	// built-in, Ongaro's dissertation §4.1) or on apply (etcd) — which the
	// configuration-divergence invariant judges their Status().Voters by.
	Conf checker.ConfSemantics
}

// registry lists the implementations in the order help texts give them
// (built afresh on each call: nothing can change the registry).
func registry() []Impl {
	return []Impl{
		{Name: Builtin, About: "raftcheck's own Raft (package raft)", Factory: raft.New, ProtocolBugs: true, LeaseReporter: true,
			Conf: checker.ConfOnAppend},
		// etcd does not say how long its lease lasts, so its nodes are no
		// raft.LeaseReporter. Its adapter binds each node to the goroutine
		// that built it (see raft/etcdraft): a run's nodes are built and
		// driven on one goroutine, which every caller of harness.Execute
		// keeps.
		{Name: "etcd", About: "go.etcd.io/raft/v3 v3.7.0 through its RawNode (package raft/etcdraft)", Factory: etcdraft.New,
			LeaseHazard:  "etcd's ReadOnlyLeaseBased lease outlives its quorum: a leader cut off from its majority answers lease reads until its next failed CheckQuorum, up to two election timeouts, while the others may elect a new leader after one (etcd-io/raft#166, open), so a plain partition gives stale reads",
			RejoinHazard: "etcd never takes a removed member back under its ID: a member that lost its data is removed and added back as a new member with a new ID (etcd's runtime reconfiguration guide), while raftcheck's member-churn and corrupt bring the node back under its old ID; a leader deposed meanwhile sends a wiped node a commit index past its empty log, which etcd's assertion refuses (tocommit out of range), and a node re-added with its old log may be offered only a snapshot taken before it was re-added, which it ignores as not naming it, so the leader resends it without end",
			// etcd applies a change when the application hands it back
			// (RawNode.ApplyConfChange, which the adapter calls in Advance).
			Conf: checker.ConfOnApply},
	}
}

// Names lists every registered implementation's name.
func Names() []string {
	reg := registry()
	out := make([]string, len(reg))
	for i, im := range reg {
		out[i] = im.Name
	}
	return out
}

// Lookup returns the implementation called name; a name that is not
// registered is an error listing the ones that are.
func Lookup(name string) (Impl, error) {
	for _, im := range registry() {
		if im.Name == name {
			return im, nil
		}
	}
	return Impl{}, fmt.Errorf("%q is not one of %s", name, strings.Join(Names(), ", "))
}
