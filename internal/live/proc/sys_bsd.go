//go:build unix && !linux

package proc

import "syscall"

// sysProcAttr puts the node in its own process group (so the driver can
// signal it with its children). There is no parent-death signal here: a
// harness killed with SIGKILL leaves its nodes running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
