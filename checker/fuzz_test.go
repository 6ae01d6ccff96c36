package checker

import (
	"testing"

	"github.com/raftcheck/raftcheck/histories"
)

// fuzzHistory decodes bytes into a short, possibly malformed history: each
// op takes 4 bytes (process, type, f, value).
func fuzzHistory(data []byte) histories.History {
	fs := []string{"read", "write", "cas", "get", "put", "append", "delete", "frob"}
	var h histories.History
	for i := 0; i+4 <= len(data) && len(h) < 40; i += 4 {
		b := data[i : i+4]
		op := histories.Op{
			Index:   len(h),
			Process: int(b[0]%5) - 1, // includes the nemesis
			Type:    histories.Type(b[1] % 5),
			F:       fs[b[2]%uint8(len(fs))],
			Key:     string('a' + rune(b[3]%2)),
			Time:    int64(len(h)) * int64(1+b[3]%2),
		}
		switch b[3] % 6 {
		case 0:
			op.Value = nil
		case 1, 2:
			op.Value = int64(b[3] % 3)
		case 3:
			op.Value = []any{int64(b[3] % 2), int64(b[2] % 2)}
		case 4:
			op.Value = string(rune('x' + b[3]%3))
		case 5:
			op.Value = []any{int64(1), "y"}
		}
		h = append(h, op)
	}
	return h
}

// FuzzCheckers: no history, however malformed, makes a checker panic; each
// either answers or returns an error.
func FuzzCheckers(f *testing.F) {
	f.Add([]byte{0, 1, 1, 1, 0, 2, 1, 1, 1, 1, 0, 0, 1, 2, 0, 1})
	f.Add([]byte{1, 1, 4, 4, 1, 2, 4, 4, 2, 1, 3, 0, 2, 2, 3, 4})
	f.Add([]byte{0, 1, 5, 1, 0, 4, 5, 1, 1, 1, 0, 0, 1, 2, 0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		h := fuzzHistory(data)
		for _, m := range append(Models(), "") {
			r, err := CheckLinearizable(h, LinOptions{Model: m, ExplainChecks: 50})
			if err != nil {
				continue
			}
			if r.Result == LinIllegal && len(r.Counterexample) == 0 {
				t.Fatalf("model %q: illegal without a counterexample", m)
			}
			_ = r.Explain(NewRoleTimeline())
		}
		_ = CheckAppend(h)
		_, _ = HistoryStats(h)
		_, _ = CheckLiveness(h, NewRoleTimeline(), LivenessOptions{HealTime: 3, LeaderBound: 1, RecoveryWindow: 5, Threads: 2})
	})
}
