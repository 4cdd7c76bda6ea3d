//go:build unix

package handlers

import "syscall"

// freeSpace is the space available to an unprivileged user on the file
// system holding dir; false when it cannot be known (dir missing).
func freeSpace(dir string) (int64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
