package realhost

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fatalPanic makes a disk's fatal errors testable.
type fatalPanic struct{ err error }

func openDisk(t *testing.T, dir string) *FileDisk {
	t.Helper()
	d, err := OpenDisk(dir, func(err error) { panic(fatalPanic{err}) })
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	return d
}

func TestFileDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "raft")
	d := openDisk(t, dir)
	var synced []uint64
	d.synced = func(tag uint64) { synced = append(synced, tag) }

	_, ok := d.ReadFile("raft.log")
	assert.False(t, ok)
	d.Append("raft.log", []byte("ab"))
	d.Append("raft.log", []byte("cd"))
	b, ok := d.ReadFile("raft.log")
	require.True(t, ok)
	assert.Equal(t, "abcd", string(b), "writes are visible at once")

	d.WriteFile("raft.snap", []byte("snap1"))
	d.WriteFile("raft.snap", []byte("snap2"))
	d.WriteFile("raft.log", []byte("xy")) // replaces a file with an open append handle
	d.Append("raft.log", []byte("z"))
	d.Sync(7)
	assert.Equal(t, []uint64{7}, synced)
	assert.Equal(t, []string{"raft.log", "raft.snap"}, d.List())

	// A leftover temporary file (a crash between write and rename) is not
	// a file of the disk.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "raft.snap.tmp"), []byte("half"), 0o644))
	assert.Equal(t, []string{"raft.log", "raft.snap"}, d.List())

	// What a killed process wrote survives: a new disk on the directory
	// reads it.
	d2 := openDisk(t, dir)
	b, _ = d2.ReadFile("raft.log")
	assert.Equal(t, "xyz", string(b))
	b, _ = d2.ReadFile("raft.snap")
	assert.Equal(t, "snap2", string(b))

	d2.Remove("raft.snap")
	d2.Remove("raft.snap") // missing: not an error
	assert.Equal(t, []string{"raft.log"}, d2.List())
}

func TestFileDiskRefusesPaths(t *testing.T) {
	d := openDisk(t, t.TempDir())
	for _, name := range []string{"", "../escape", "a/b", ".", "..", "x.tmp"} {
		assert.PanicsWithValue(t, fatalPanic{}, func() {
			defer func() {
				r := recover()
				fp, ok := r.(fatalPanic)
				require.True(t, ok, "%v", r)
				assert.Contains(t, fp.err.Error(), "invalid file name")
				panic(fatalPanic{})
			}()
			d.Append(name, []byte("x"))
		}, name)
	}
}

func TestWriteFileDurable(t *testing.T) {
	p := filepath.Join(t.TempDir(), "identity.json")
	require.NoError(t, WriteFileDurable(p, []byte("one")))
	require.NoError(t, WriteFileDurable(p, []byte("two")))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	assert.Error(t, WriteFileDurable(filepath.Join(t.TempDir(), "missing", "x"), nil))
}
