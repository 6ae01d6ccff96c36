module example.com/extmod

go 1.26

require github.com/raftcheck/raftcheck v0.0.0

// TestExternalModule copies this module to a temporary directory and
// points the replacement at the repository's root there.
replace github.com/raftcheck/raftcheck => ../../..
