package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type nopHandler struct{ n int }

func (h *nopHandler) Fire(uint64) { h.n++ }

func TestNextAt(t *testing.T) {
	w, err := NewWorld(Config{Seed: 1})
	require.NoError(t, err)
	_, ok := w.NextAt()
	assert.False(t, ok, "an empty queue has no next event")

	h := &nopHandler{}
	w.Schedule(5*Millisecond, h, 1)
	w.Schedule(2*Millisecond, h, 2)
	at, ok := w.NextAt()
	require.True(t, ok)
	assert.Equal(t, 2*Millisecond, at, "the earliest event, whatever the order of scheduling")

	require.NoError(t, w.Run(3*Millisecond))
	at, ok = w.NextAt()
	require.True(t, ok)
	assert.Equal(t, 5*Millisecond, at)

	require.NoError(t, w.Run(5*Millisecond))
	_, ok = w.NextAt()
	assert.False(t, ok)
	assert.Equal(t, 2, h.n)
}
