package checker

// invariantRules state each invariant as the Raft paper (Ongaro and
// Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014)
// or Ongaro's dissertation states the property it checks, paraphrased, with
// the section; the reports show it above a violation's evidence.
var invariantRules = map[string]string{
	ElectionSafety: "Election Safety (§5.2, Figure 3): at most one leader can be elected in a given term. " +
		"Each server votes for at most one candidate per term and a candidate needs a majority, so two leaders of one term mean some vote was counted twice.",
	LogMatching: "Log Matching (§5.3, Figure 3): if two logs contain an entry with the same index and term, " +
		"the logs are identical in all entries up through that index.",
	LeaderAppendOnly: "Leader Append-Only (§5.3, Figure 3): a leader never overwrites or deletes entries in its log; it only appends new entries.",
	LeaderCompleteness: "Leader Completeness (§5.4, Figure 3): if a log entry is committed in a given term, " +
		"that entry will be present in the logs of the leaders for all higher-numbered terms.",
	StateMachineSafety: "State Machine Safety (§5.4.3, Figure 3): if a server has applied a log entry at a given index to its state machine, " +
		"no other server will ever apply a different log entry for the same index; a server applies only committed entries, each once.",
	CommitSafety: "Committed entries are permanent (§5.4.2, Figure 8): once an entry is committed it is never replaced or removed, " +
		"so no two servers commit different entries at one index.",
	MonotonicTerm: "Terms increase monotonically (§5.1): a server's currentTerm only grows — it adopts a larger term it sees and never goes back, " +
		"in memory or on stable storage.",
	MonotonicCommit: "commitIndex only grows (Figure 2): it is the highest log entry known to be committed, and what is committed stays committed.",
	DurableState: "Persistent state (§5.1, Figure 2): currentTerm, votedFor and the log are updated on stable storage before responding to RPCs, " +
		"so a server that restarts comes back with at least what it had promised.",
	SingleVote: "One vote per term (§5.2): each server votes for at most one candidate in a given term, on a first-come-first-served basis; " +
		"votedFor is persistent (Figure 2), so a restart does not free the vote.",
	AckLost: "Acknowledged means durable (§5.4, §8): once the cluster has told a client an entry is committed, " +
		"every leader of that term and later holds it, and no server in such a term loses or changes it.",
	ConfDivergence: "Configuration changes (§6; dissertation §4.1): a server's configuration is a function of its log — " +
		"servers that apply the same configuration entry reach the same configuration, and a server uses exactly the configuration its log and the implementation's semantics give.",
	ElectionChurn: "Timing requirement (§5.6): broadcastTime ≪ electionTimeout ≪ MTBF; with no fault active " +
		"a leader keeps sending heartbeats and no follower times out, so terms and elections do not pile up.",
	Observation: "What a node reports must be possible for any Raft server (no gap in a log, no commit beyond the log's end, no change while crashed): " +
		"a breach means the node or the wiring that reports it is broken.",
}

// InvariantRule is the rule invariant states, in the paper's words
// (paraphrased, with the section), or "" for a name it does not know.
func InvariantRule(invariant string) string {
	return invariantRules[invariant]
}

// anomalyRules state what each anomaly kind breaks.
var anomalyRules = map[string]string{
	AnomalyStaleRead: "Linearizability (§8): a read returns the effect of every write acknowledged before it began. " +
		"A node that answers from its own state without confirming it still leads (a read index, or a lease it can trust) can return an older one.",
	AnomalyLostWrite: "Acknowledged writes survive (§5.4, §8): a write acknowledged to a client is committed, every later leader holds it, " +
		"and every later read shows it or what overwrote it.",
	AnomalyDuplicateApply: "Exactly-once commands (§8): a client retries with the same serial number and the state machine answers a repeated command " +
		"from its session without applying it again.",
	AnomalyNeverWritten:    "Linearizability: every value a read returns was written by some operation that did not fail.",
	AnomalyRealTimeOrder:   "Linearizability: an operation that completes before another begins takes effect before it.",
	AnomalyNotLinearizable: "Linearizability: some order of the operations respects real time and the object's sequential behaviour; for these operations none does.",
}

// AnomalyRule is the rule an anomaly of kind breaks, or "".
func AnomalyRule(kind string) string {
	return anomalyRules[kind]
}
