package kvstore

import (
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/raft"
)

// Defaults used when a bound in ServerConfig is left zero.
const (
	DefaultMaxSessions = 1024
	DefaultMaxPending  = 1024
)

// withDefaults returns c with zero bounds replaced by their defaults.
func (c ServerConfig) withDefaults() ServerConfig {
	if c.MaxSessions == 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.MaxPending == 0 {
		c.MaxPending = DefaultMaxPending
	}
	if c.Consensus == nil {
		c.Consensus = raft.New
	}
	return c
}

// validate reports every invalid field of c, named as in ServerConfig. Fields of
// c.Raft are the node factory's (ServerConfig.Consensus) to check.
func (c *ServerConfig) validate(env Env) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("kvstore: ServerConfig.%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.ID == 0 {
		bad("ID", "must be non-zero")
	}
	if c.TickInterval <= 0 {
		bad("TickInterval", "must be positive, got %d ns", c.TickInterval)
	}
	if c.ReadMode > ReadLocal {
		bad("ReadMode", "unknown read mode %d", c.ReadMode)
	}
	if c.MaxSessions < 0 {
		bad("MaxSessions", "must not be negative, got %d", c.MaxSessions)
	}
	if c.MaxPending < 0 {
		bad("MaxPending", "must not be negative, got %d", c.MaxPending)
	}
	if env == nil {
		errs = append(errs, errors.New("kvstore: env is nil"))
	} else {
		if env.Disk() == nil {
			errs = append(errs, errors.New("kvstore: env has no disk: a server needs durable storage"))
		}
		if c.ID != 0 && uint64(env.Addr()) != c.ID {
			bad("ID", "%d differs from the host address %d (a server's address is its raft id)", c.ID, env.Addr())
		}
	}
	return errors.Join(errs...)
}
