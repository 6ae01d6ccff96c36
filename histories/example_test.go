package histories_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/raftcheck/raftcheck/histories"
)

func Example() {
	log := "INFO  jepsen.util - 0\t:invoke\t:write\t3\n" +
		"INFO  jepsen.util - 1\t:invoke\t:read\tnil\n" +
		"INFO  jepsen.util - 0\t:ok\t:write\t3\n" +
		"INFO  jepsen.util - 1\t:info\t:read\t:timed-out\n"
	h, format, err := histories.Read(strings.NewReader(log), "example.log", histories.Auto)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("read", len(h), "ops as", format)
	if err := histories.Validate(h); err != nil {
		fmt.Println(err)
		return
	}
	pairs, _ := histories.Pairs(h)
	for _, p := range pairs {
		fmt.Printf("process %d %s: %s\n", p.Invoke.Process, p.Invoke.F, p.Complete.Type)
	}
	if err := histories.Write(os.Stdout, h, histories.EDN); err != nil {
		fmt.Println(err)
	}
	// Output:
	// read 4 ops as etcd-log
	// process 0 write: ok
	// process 1 read: info
	// {:index 0, :process 0, :type :invoke, :f :write, :value 3, :time 0}
	// {:index 1, :process 1, :type :invoke, :f :read, :value nil, :time 0}
	// {:index 2, :process 0, :type :ok, :f :write, :value 3, :time 0}
	// {:index 3, :process 1, :type :info, :f :read, :value nil, :time 0, :error :timed-out}
}

func ExampleRead_error() {
	_, _, err := histories.Read(strings.NewReader("INFO  jepsen.util - 3\t:oops\t:read\tnil\n"), "etcd_003.log", histories.EtcdLog)
	fmt.Println(err)
	// Output:
	// etcd_003.log:1: expected :invoke/:ok/:fail/:info, got ":oops"
}
