package raftcheck

// FieldError is one invalid Config field, as Validate and Run report it:
// named as the Go field and as the `raftcheck run` flag that sets it, so
// the message serves both a test's author and a CLI user. Validate joins
// one per bad field (errors.Join); errors.As finds the first.
type FieldError struct {
	Field string // the Config field, e.g. "ReadMode"
	Flag  string // its flag without dashes, e.g. "read-mode"
	Msg   string // what is wrong with the value
}

// Error reads "Config.ReadMode (--read-mode): <what is wrong>".
func (e *FieldError) Error() string {
	return "Config." + e.Field + " (--" + e.Flag + "): " + e.Msg
}

// flagFields maps each flag Config.options checks to the Config field it
// sets; config_test.go checks that every entry names a real field.
var flagFields = map[string]string{
	"name": "Name", "raft": "Raft", "nodes": "Nodes", "max-time": "MaxTime", "recovery-time": "RecoveryTime",
	"workload": "Workload", "clients": "Clients", "rate": "Rate", "keys": "Keys", "key-dist": "KeyDist",
	"mix": "Mix", "op-timeout": "OpTimeout", "read-mode": "ReadMode", "prevote": "PreVote",
	"check-quorum": "CheckQuorum", "tick-interval": "TickInterval", "heartbeat-ticks": "HeartbeatTicks",
	"election-ticks": "ElectionTicks", "snapshot-every": "SnapshotEvery", "max-sessions": "MaxSessions",
	"latency": "Latency", "latency-stddev": "LatencyStddev", "latency-dist": "LatencyDist",
	"message-drop-rate": "MessageDropRate", "message-dup-rate": "MessageDupRate", "reorder-rate": "ReorderRate",
	"sync-latency": "SyncLatency", "disk-crash-mode": "DiskCrashMode", "nemesis": "Nemesis",
	"nemesis-interval": "NemesisInterval", "max-crashed": "MaxCrashed", "chaos-scenario": "ChaosScenario",
	"swarm": "Swarm", "check-timeout": "CheckTimeout", "check-memory": "CheckMemory", "check-steps": "CheckSteps", "bug": "Bugs",
	"nemesis-tuning": "NemesisTuning", "nemesis-schedule": "NemesisSchedule", "swarm-fixed": "SwarmFixed",
}

// newFieldError is the error for the field that flag sets.
func newFieldError(flag, msg string) *FieldError {
	field, ok := flagFields[flag]
	if !ok {
		// A check added without a table entry still names its flag.
		field = "?"
	}
	return &FieldError{Field: field, Flag: flag, Msg: msg}
}
