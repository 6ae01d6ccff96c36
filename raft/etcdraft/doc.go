// Package etcdraft runs etcd's production Raft (go.etcd.io/raft/v3) behind
// raftcheck's consensus boundary (raft.Consensus), so every fault, scenario
// and checker of the harness applies to it. New is its raft.Factory.
package etcdraft
