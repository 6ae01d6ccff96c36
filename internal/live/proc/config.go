package proc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// Defaults for zero Config fields.
const (
	DefaultInitTimeout = 10 * time.Second
	DefaultKillTimeout = 5 * time.Second
	DefaultStdinQueue  = 4096
	DefaultMaxLine     = 64 << 20
	DefaultEventQueue  = 4096
)

// MaxNodes bounds the cluster size.
const MaxNodes = 999

// Config configures a Driver.
type Config struct {
	// Bin is the node binary: a path, or a name looked up in PATH.
	Bin string
	// Args are passed to every node.
	Args []string
	// Nodes is the number of nodes, n0..n(Nodes-1).
	Nodes int
	// RunDir holds the nodes' stderr logs, and their working directories
	// unless NodeDir is set. It is created if needed.
	RunDir string
	// NodeDir, when set, holds the nodes' working directories (NodeDir/nI)
	// instead of RunDir. It is created if needed.
	NodeDir string
	// InitTimeout bounds the wait from starting a node to its init_ok.
	InitTimeout time.Duration
	// KillTimeout bounds the wait for a killed process to be reaped.
	KillTimeout time.Duration
	// StdinQueue bounds the lines waiting to be written to one node's stdin.
	StdinQueue int
	// MaxLine bounds one stdout line; a longer one is skipped and reported.
	MaxLine int
	// EventQueue is the capacity of the event channel. When it is full,
	// readers wait, and so do the nodes writing to stdout.
	EventQueue int
	// Env is added to the nodes' environment.
	Env []string
}

func (c Config) withDefaults() Config {
	if c.InitTimeout <= 0 {
		c.InitTimeout = DefaultInitTimeout
	}
	if c.KillTimeout <= 0 {
		c.KillTimeout = DefaultKillTimeout
	}
	if c.StdinQueue <= 0 {
		c.StdinQueue = DefaultStdinQueue
	}
	if c.MaxLine <= 0 {
		c.MaxLine = DefaultMaxLine
	}
	if c.EventQueue <= 0 {
		c.EventQueue = DefaultEventQueue
	}
	return c
}

// resolveBin returns the path of the binary or an error that says what is
// wrong with it.
func resolveBin(bin string) (string, error) {
	if bin == "" {
		return "", errors.New("proc: Bin: no node binary given")
	}
	if st, err := os.Stat(bin); err == nil && st.IsDir() {
		return "", fmt.Errorf("proc: Bin: %q is a directory, not a node binary", bin)
	} else if err == nil && st.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("proc: Bin: %q is not executable (mode %v); chmod +x it", bin, st.Mode().Perm())
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("proc: Bin: node binary %q not found: %w", bin, err)
		}
		return "", fmt.Errorf("proc: Bin: node binary %q cannot be run: %w", bin, err)
	}
	return path, nil
}
