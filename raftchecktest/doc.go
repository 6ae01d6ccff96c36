// Package raftchecktest runs raftcheck from go test, as net/http/httptest
// serves HTTP from it: one call per check, failures reported through the
// test, nothing left behind by a passing test.
//
//	func TestCluster(t *testing.T) {
//		cfg := raftcheck.DefaultConfig()
//		cfg.Seed = 42
//		raftchecktest.Check(t, cfg)
//	}
//
//	func TestClusterSeeds(t *testing.T) {
//		raftchecktest.Sweep(t, raftcheck.DefaultConfig(), raftchecktest.Seeds(1, 20))
//	}
//
// What the helpers do, whatever cfg.Store says:
//
//   - A passing run writes nothing; go test -v logs its seed, operation
//     count and trace hash.
//   - A failing run keeps its reports (results.json, the histories,
//     timeline.html, linearizability.html, the plots, summary.txt) in a
//     directory that outlives the test, printed in the failure with the
//     seed, every reason, a go test command that reruns the test and a go
//     run command that replays the run with raftcheck's CLI from your
//     module. The directory is ArtifactsDir(t)/<cfg.Name>/<time>-seed<seed>:
//     under $RAFTCHECK_ARTIFACTS when it is set (point CI's artifact
//     upload there), else under os.TempDir()/raftcheck-artifacts, then the
//     test's package and name.
//   - go test -timeout is honoured: a run still going shortly before the
//     test binary's deadline (t.Deadline, less a grace of a tenth of the
//     time left, between 1 s and 30 s) is stopped, and the test fails
//     with the seed, how far the simulation got and the replay commands
//     rather than dying in a goroutine dump. A Context option stops runs
//     earlier.
//   - go test -short shortens runs: Check caps Config.MaxTime at 10 s
//     (ShortMaxTime changes the cap, SkipShort skips instead), and Sweep
//     runs only the first 3 seeds (ShortSeeds). The rerun command then
//     carries -short, as the run it reproduces was the shortened one.
//
// Replay reruns a stored run (for instance one a CI job uploaded) as a
// regression test, and CheckHistory checks a history recorded elsewhere.
package raftchecktest
