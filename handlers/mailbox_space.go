package handlers

import (
	"context"
	"errors"
	"io"
	"path/filepath"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// ErrInsufficientStorage refuses mail for want of disk space (RFC 3463
// 4.3.1; Postfix's "452 4.3.1 Insufficient system storage"): the client
// tries again later.
var ErrInsufficientStorage = hooks.Reply{Code: 452, Enhanced: "4.3.1", Text: "Insufficient system storage"}

// defaultMinFree is 1.5 times the server's default size limit.
const defaultMinFree = 48 << 20

// errNoSpace ends a message that writing brought below MinFree; it is
// answered ErrInsufficientStorage.
var errNoSpace = errors.New("maildir: free space below the minimum")

// spaceCheckEvery is how many bytes of a message are written between two
// looks at the free space.
const spaceCheckEvery = 4 << 20

func (m *Mailbox) minFree() int64 {
	if m.MinFree == 0 {
		return defaultMinFree
	}
	return m.MinFree
}

// HandleMAIL refuses the transaction when the file system lacks room for
// the message the client declares (SIZE=, RFC 1870), one and a half times
// over, above MinFree.
func (m *Mailbox) HandleMAIL(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, _ string, options []string) error {
	if m.minFree() < 0 {
		return nil
	}
	size := hooks.ParseMailParams(options).Size
	free, ok := freeSpace(m.existingDir())
	if ok && free < m.minFree()+size/2*3 {
		return ErrInsufficientStorage
	}
	return nil
}

// existingDir is Dir, or its nearest existing parent before the Maildir is
// made: the file system it will be on.
func (m *Mailbox) existingDir() string {
	dir := m.Dir
	for {
		if _, ok := freeSpace(dir); ok {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}

// watchSpace returns msg, read through a check of the free space every
// spaceCheckEvery bytes: the read fails with errNoSpace once
// writing brought it below MinFree.
func (m *Mailbox) watchSpace(msg io.Reader) io.Reader {
	if m.minFree() < 0 {
		return msg
	}
	return &spaceWatcher{r: msg, dir: m.Dir, min: m.minFree()}
}

type spaceWatcher struct {
	r     io.Reader
	dir   string
	min   int64
	since int64 // bytes read since the last check
}

func (w *spaceWatcher) Read(p []byte) (int, error) {
	if w.since >= spaceCheckEvery {
		w.since = 0
		if free, ok := freeSpace(w.dir); ok && free < w.min {
			return 0, errNoSpace
		}
	}
	n, err := w.r.Read(p)
	w.since += int64(n)
	return n, err
}
