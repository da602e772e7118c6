//go:build !linux

package awstest

import "syscall"

func childAttr() *syscall.SysProcAttr { return nil }
