//go:build !unix

package handlers

// freeSpace is not known here: no check is made.
func freeSpace(string) (int64, bool) { return 0, false }
