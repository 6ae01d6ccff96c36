// Package realhost runs raftcheck's kvstore on a real machine: Host is a
// kvstore.Env whose clock is the monotonic wall clock, whose timers are real
// timers, and whose disk (FileDisk) is a directory of real files. The
// example Maelstrom node (examples/maelstrom-raft) uses it to run the same
// kvstore.Server and built-in Raft as the simulator, as a real process.
//
// kvstore.Server is single-threaded by contract: every Receive and Fire
// must come from one goroutine. Host never calls the server itself; its
// timers deliver their tags on the Timers channel, and a completed disk
// sync is queued until the owner calls Drain, so the owner's loop is the
// only goroutine that touches the server.
//
// Durability: a write is in the page cache as soon as the call returns, so
// it survives the process being killed (kill -9): what this host's crashes
// are. Sync fsyncs every file written since the last sync, and the
// directory when files were created, replaced or removed, before the
// server hears that the sync is done; only then has a write survived a
// machine crash as well. WriteFile writes a temporary file, fsyncs it and
// renames it over the old one, so the old or the new contents survive,
// never a mix.
package realhost
