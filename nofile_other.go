//go:build !unix

package gosmtpd

// fileLimit is unknown here: no cap is derived from it.
func fileLimit() (uint64, bool) { return 0, false }
