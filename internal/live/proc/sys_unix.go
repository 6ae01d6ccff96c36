//go:build unix

package proc

import (
	"errors"
	"syscall"
)

func (s sigKind) sys() syscall.Signal {
	switch s {
	case sigKill:
		return syscall.SIGKILL
	case sigStop:
		return syscall.SIGSTOP
	}
	return syscall.SIGCONT
}

// killGroup signals the process group led by pid; a group that is gone
// already is not an error.
func killGroup(pid int, sig sigKind) error {
	err := syscall.Kill(-pid, sig.sys())
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// supported: process groups and signals work here.
const supported = true

var errNoGroups = errors.New("live mode needs Unix process groups and signals")
