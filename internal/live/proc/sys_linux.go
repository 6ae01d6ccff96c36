//go:build linux

package proc

import "syscall"

// sysProcAttr puts the node in its own process group (so the driver can
// signal it with its children, and a terminal's Ctrl-C reaches only the
// harness, which cleans up) and kills it if the harness dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
