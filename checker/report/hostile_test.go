package report

import (
	"strings"

	"github.com/raftcheck/raftcheck/histories"
)

// hostile strings planted in the synthetic run the browser test loads: if
// any of them became markup the page would open a dialog, load a missing
// image or throw.
const (
	hostileKey   = `<script>alert("key")</script>`
	hostileValue = `"><img src=x onerror=alert(1)>`
	hostileText  = `</script><script>alert(2)</script>`
)

// hostileRun is testRun with hostile text in keys, values, names and the
// header.
func hostileRun() *Run {
	r := testRun()
	r.Title += " <b>not bold</b>"
	r.Config = append(r.Config, KV{"note", hostileText})
	r.Faults[0].Detail += " " + hostileText
	r.Stats = append(r.Stats, KV{hostileKey, hostileValue})
	// Rename the first key the clients use, and mark string values at
	// element boundaries (" y" ends every value of the synthetic kv
	// workload), so the history stays a plausible linearizable one.
	target := ""
	for _, op := range r.History {
		if op.Process != histories.NemesisProcess && op.Key != "" {
			target = op.Key
			break
		}
	}
	for i := range r.History {
		op := &r.History[i]
		if op.Process == histories.NemesisProcess || target == "" || op.Key != target {
			continue
		}
		op.Key = hostileKey
		if v, ok := op.Value.(string); ok {
			op.Value = strings.ReplaceAll(v, " y", " y"+hostileValue)
		}
	}
	return r
}
