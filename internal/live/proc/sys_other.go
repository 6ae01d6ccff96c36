//go:build !unix

package proc

import (
	"errors"
	"syscall"
)

var errNoGroups = errors.New("live mode needs Unix process groups and signals")

func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(int, sigKind) error { return errNoGroups }

// supported: not here.
const supported = false
