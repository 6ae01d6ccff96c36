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
)

// Builtin is the name of raftcheck's own Raft (package raft), the default.
const Builtin = "builtin"

// Impl is one registered Raft implementation.
type Impl struct {
	Name string
	// About says what it is, in a few words, for help texts.
	About string
	// Factory builds its nodes; nil when the implementation is registered
	// but not part of this build (Lookup refuses it, saying so).
	Factory raft.Factory
	// ProtocolBugs: it can host the built-in's protocol-layer planted bugs
	// (raft.Bugs), which are switches inside the built-in's own code. Only
	// the built-in can.
	ProtocolBugs bool
	// LeaseReporter: its nodes implement raft.LeaseReporter, which the
	// lease-wall-clock host bug needs.
	LeaseReporter bool
	// Conf is when its nodes adopt a configuration entry — on append (the
	// built-in, Ongaro's dissertation §4.1) or on apply (etcd) — which the
	// configuration-divergence invariant judges their Status().Voters by.
	Conf checker.ConfSemantics
	// Missing says why Factory is nil.
	Missing string
}

// registry lists the implementations in the order help texts give them
// (built afresh on each call: nothing can change the registry).
func registry() []Impl {
	return []Impl{
		{Name: Builtin, About: "raftcheck's own Raft (package raft)", Factory: raft.New, ProtocolBugs: true, LeaseReporter: true,
			Conf: checker.ConfOnAppend},
		{Name: "etcd", About: "go.etcd.io/raft/v3 through its RawNode (package raft/etcdraft)",
			Factory: nil, // hook: etcdraft.New once raft/etcdraft lands (then drop Missing, and set LeaseReporter if its nodes report their lease)
			Missing: "its adapter (package raft/etcdraft) is not part of this build yet",
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

// Lookup returns the implementation called name. A name that is not
// registered, or one whose factory is not in this build, is an error saying
// which; the entry comes back with the second, so callers can still say what
// it could host.
func Lookup(name string) (Impl, error) {
	for _, im := range registry() {
		if im.Name != name {
			continue
		}
		if im.Factory == nil {
			return im, fmt.Errorf("%q cannot run: %s", name, im.Missing)
		}
		return im, nil
	}
	return Impl{}, fmt.Errorf("%q is not one of %s", name, strings.Join(Names(), ", "))
}
