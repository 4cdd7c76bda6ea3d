// Package unix makes Unix-domain socket listeners for SMTP and LMTP
// servers (LMTP, RFC 2033, is usually served on a local socket).
//
// A socket file left behind by a server that died is stale: nothing
// listens on it, and Listen removes it. A socket file something still
// listens on is never taken over: Listen fails with ErrInUse. Any other
// kind of file at the path is left alone and Listen fails.
package unix

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"
)

// ErrInUse is returned by Listen when a server already listens on the
// socket.
var ErrInUse = errors.New("unix: socket in use by a running server")

// probeTimeout bounds the connection attempt that tells a live socket
// from a stale one.
const probeTimeout = time.Second

// Listen listens on the Unix socket at path. A stale socket file at path
// is removed first. With mode non-zero the socket file gets that mode
// (for example 0o660, for a group of local delivery agents); else it
// keeps the one the process's umask gives it. The file is removed when
// the listener is closed.
//
// The mode is applied right after the socket is bound: for access control
// that holds from the first instant, put the socket in a directory only
// its clients can enter. A path starting with "@" names a Linux abstract
// socket, which has no file.
func Listen(path string, mode fs.FileMode) (*net.UnixListener, error) {
	if path == "" {
		return nil, errors.New("unix: empty socket path")
	}
	if path[0] != '@' {
		if err := removeStale(path); err != nil {
			return nil, err
		}
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	if mode != 0 && path[0] != '@' {
		if err := os.Chmod(path, mode); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// removeStale removes the socket file at path when nothing listens on it.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode().Type() != fs.ModeSocket:
		return fmt.Errorf("unix: %s exists and is not a socket", path)
	}
	c, err := net.DialTimeout("unix", path, probeTimeout)
	if err == nil {
		c.Close()
		return fmt.Errorf("%w: %s", ErrInUse, path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("unix: cannot tell whether %s is in use: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
