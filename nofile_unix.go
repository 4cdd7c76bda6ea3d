//go:build unix

package gosmtpd

import "syscall"

// fileLimit is the process's soft limit on open descriptors (which the Go
// runtime raises to the hard limit at start).
func fileLimit() (uint64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur == ^uint64(0) {
		return 0, false
	}
	return lim.Cur, true
}
