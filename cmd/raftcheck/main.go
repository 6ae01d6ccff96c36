// Command raftcheck runs deterministic linearizability tests of a Raft-backed
// key-value store under injected faults. See README.md.
package main

import (
	"fmt"
	"os"
)

// version is the release name printed by `raftcheck version`.
const version = "0.1.0-dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Println("raftcheck", version)
		return
	}
	fmt.Fprintln(os.Stderr, "raftcheck: the run command is being built; try `raftcheck version`")
	fmt.Println("raftcheck", version)
}
