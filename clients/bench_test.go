package clients

import (
	"math/rand/v2"
	"testing"

	"github.com/raftcheck/raftcheck/kvstore"
)

// benchEnv keeps only the latest request and ignores timers: the benchmark
// measures the client and recorder, not a scheduler.
type benchEnv struct {
	now  int64
	last kvstore.Request
	to   int
}

func (e *benchEnv) Addr() int                 { return 100 }
func (e *benchEnv) Now() int64                { return e.now }
func (e *benchEnv) Disk() kvstore.Disk        { return nil }
func (e *benchEnv) After(d int64, tag uint64) {}
func (e *benchEnv) Send(to int, msg any) {
	e.to, e.last = to, *msg.(*kvstore.Request)
}

// benchmarkOps measures one operation: generate, invoke, send, answer, record.
func benchmarkOps(b *testing.B, workload string) {
	cfg := testConfig(workload)
	env := &benchEnv{}
	rec := NewRecorder(func() int64 { return env.now })
	rec.SetLimit(1 << 30)
	c, err := NewClient(cfg, 0, env, rand.New(rand.NewPCG(1, 1)), rec)
	if err != nil {
		b.Fatal(err)
	}
	c.Start()
	resp := kvstore.Response{Node: 1, Found: true}
	b.ReportAllocs()
	for b.Loop() {
		env.now += 1000
		resp.ClientID, resp.Seq, resp.Attempt = env.last.ClientID, env.last.Seq, env.last.Attempt
		switch workload {
		case Register:
			resp.Value = "3"
		case Append:
			resp.Value = "1 2 3 "
		default:
			resp.Value = "x 1 2 y"
		}
		c.Receive(env.to, &resp)
	}
	if c.Err() != nil || rec.Err() != nil {
		b.Fatal(c.Err(), rec.Err())
	}
}

func BenchmarkClientOpRegister(b *testing.B) { benchmarkOps(b, Register) }
func BenchmarkClientOpKV(b *testing.B)       { benchmarkOps(b, KV) }
func BenchmarkClientOpAppend(b *testing.B)   { benchmarkOps(b, Append) }
