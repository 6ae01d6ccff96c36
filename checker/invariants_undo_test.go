package checker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A follower's unsynced write that truncated its log is lost in a crash: it
// restarts with the longer, older log. That is no observation violation, and
// the checker goes on from the old entries (so committing one of them is
// checked against what it really holds). A restart with more log than any
// state since the last sync still is a violation.
func TestInvariantsLostTruncatingWrite(t *testing.T) {
	for _, tc := range []struct {
		name      string
		lastIndex uint64 // what the node recovers
		synced    bool   // the truncating write was synced before the crash
		want      string // the violated invariant, "" for none
	}{
		{"truncation lost", 5, false, ""},
		{"truncation kept", 3, false, ""},
		{"synced truncation, longer log recovered", 5, true, Observation},
		{"longer than ever written", 6, false, Observation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewInvariants()
			c.Role(1, 1, RoleFollower, 1)
			c.Durable(1, 1, 1, 0)
			c.Append(2, 1, ents(1, 1, 1, 1, 1, 1)) // indices 1..5 of term 1
			c.Durable(3, 1, 2, 0)
			c.Append(4, 1, ents(3, 2)) // a term-2 leader replaces 3..5 with one entry
			if tc.synced {
				c.Durable(5, 1, 2, 0)
			}
			c.Crash(6, 1)
			c.Restart(7, 1, Recovered{Term: 2, LastIndex: tc.lastIndex})
			if tc.want != "" {
				require.Len(t, c.Violations(), 1)
				assert.Equal(t, tc.want, c.Violations()[0].Invariant)
				return
			}
			require.Empty(t, c.Violations())
			// Another node commits the term-1 entry at index 3: consistent
			// with the restored log only if the truncation was lost.
			c.Role(8, 2, RoleFollower, 2)
			c.Append(8, 2, ents(1, 1, 1, 1))
			c.Commit(9, 2, 3)
			c.Commit(9, 1, 3)
			if tc.lastIndex == 5 {
				assert.Empty(t, c.Violations(), "node 1 holds term 1 at index 3 again")
			} else {
				assert.NotEmpty(t, c.Violations(), "node 1 kept the term-2 entry at index 3")
			}
		})
	}
}
