package checker_test

import (
	"fmt"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
)

func ExampleCheckLinearizable() {
	// Process 0 writes 1 then 2; process 1 then reads the old value.
	h := histories.History{
		{Index: 0, Process: 0, Type: histories.Invoke, F: "write", Value: int64(1), Time: 10},
		{Index: 1, Process: 0, Type: histories.OK, F: "write", Value: int64(1), Time: 20, Node: 1},
		{Index: 2, Process: 0, Type: histories.Invoke, F: "write", Value: int64(2), Time: 30},
		{Index: 3, Process: 0, Type: histories.OK, F: "write", Value: int64(2), Time: 40, Node: 1},
		{Index: 4, Process: 1, Type: histories.Invoke, F: "read", Time: 50},
		{Index: 5, Process: 1, Type: histories.OK, F: "read", Value: int64(1), Time: 60, Node: 3},
	}
	r, err := checker.CheckLinearizable(h, checker.LinOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	roles := checker.NewRoleTimeline()
	_ = roles.Add(0, 3, checker.RoleLeader, 4)
	_ = roles.Add(25, 1, checker.RoleLeader, 5)
	fmt.Println(r.Model, r.Result, r.Counterexample)
	for _, s := range r.Explain(roles) {
		fmt.Println(s)
	}
	// Output:
	// register illegal [2 4]
	// 2 operations on the register cannot be linearized together (no operation can be dropped), and none of the operations left out can have been the source of a value they observe:
	// history #2 (process 0): write(2), invoked at 30ns, completed at 40ns, served by node 1, leader of term 5, the leader of the highest term
	// history #4 (process 1): read() → 1, invoked at 50ns, completed at 60ns, served by node 3, leader of term 4, while node 1 was leader of term 5; no order of the others leaves room for it
}

func ExampleInvariants() {
	inv := checker.NewInvariants()
	inv.Role(100, 1, checker.RoleLeader, 2)
	inv.Append(110, 1, []checker.Entry{{Index: 1, Term: 2, Digest: 0xabc}})
	inv.Role(120, 2, checker.RoleLeader, 2) // a second leader in term 2
	for _, v := range inv.Violations() {
		fmt.Println(v)
	}
	// Output:
	// election-safety at 120ns: nodes 1 and 2 were both leader of term 2 (since 100ns and 120ns)
}
