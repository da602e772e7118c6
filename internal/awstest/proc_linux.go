package awstest

import "syscall"

// childAttr makes a server die with the test process, even when a test
// panics and TestMain never stops it.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
