package nemesis_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/raftcheck/raftcheck/nemesis"
)

func ExampleParseFaults() {
	faults, err := nemesis.ParseFaults("crash-leader, clock, partition_bridge")
	fmt.Println(faults, err)
	_, err = nemesis.ParseFaults("crash-leader,meteor-strike")
	fmt.Println(err)
	// Output:
	// [partition-bridge crash-leader clock-skew clock-drift clock-bump clock-strobe] <nil>
	// fault list "crash-leader,meteor-strike": unknown fault "meteor-strike"
}

func ExampleScenario() {
	cfg, err := nemesis.Scenario("split_brain")
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Faults, cfg.WithDefaults().Interval/nemesis.Second, "s")
	// Output:
	// [partition-leader-minority partition-bridge partition-majorities-ring pause-leader] 4 s
}

func ExampleSwarm() {
	// The run derives the stream from its seed, so the seed alone gives the
	// profile back.
	rng := rand.New(rand.NewPCG(7, 0))
	p := nemesis.Swarm(rng, 5)
	again := nemesis.Swarm(rand.New(rand.NewPCG(7, 0)), 5)
	fmt.Println(p.String() == again.String(), p.Config().Validate())
	// Output:
	// true <nil>
}
