package handlers

import (
	"bytes"
	"io"
	"os"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// DefaultMemoryLimit is how much of a message the handlers that wait for
// its end keep in memory; the rest goes to a temporary file.
const DefaultMemoryLimit = 1 << 20

// replyTooBig refuses a message over a handler's own size limit.
var replyTooBig = hooks.Reply{Code: 552, Enhanced: "5.3.4", Text: "Error: message exceeds fixed maximum message size"}

// spool holds a whole message for a handler that acts only once the
// message has ended: the first memLimit bytes in memory, the rest in a
// temporary file, so that a big message costs disk rather than memory and
// a message cut short is never acted upon.
type spool struct {
	mem      bytes.Buffer
	file     *os.File
	size     int64
	memLimit int64
	dir      string // for the temporary file; "" is os.TempDir()
}

// readSpool reads msg to its end into a spool. It fails with the stream's
// error when the message did not end whole, and with a 552 Reply past
// maxSize bytes (<= 0: no limit of its own). The caller must Close it.
func readSpool(msg io.Reader, memLimit, maxSize int64, dir string) (*spool, error) {
	if memLimit <= 0 {
		memLimit = DefaultMemoryLimit
	}
	s := &spool{memLimit: memLimit, dir: dir}
	src := msg
	if maxSize > 0 {
		src = io.LimitReader(msg, maxSize+1)
	}
	_, err := io.Copy(s, src)
	if err == nil && maxSize > 0 && s.size > maxSize {
		err = replyTooBig
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Write appends p, spilling to the temporary file once memory is full.
func (s *spool) Write(p []byte) (int, error) {
	n := 0
	if room := s.memLimit - int64(s.mem.Len()); s.file == nil && room > 0 {
		n = int(min(room, int64(len(p))))
		s.mem.Write(p[:n])
	}
	if n < len(p) {
		if err := s.spill(p[n:]); err != nil {
			return n, err
		}
	}
	s.size += int64(len(p))
	return len(p), nil
}

func (s *spool) spill(p []byte) error {
	if s.file == nil {
		f, err := os.CreateTemp(s.dir, "gosmtpd-spool-*")
		if err != nil {
			return err
		}
		os.Remove(f.Name()) // unlinked at once: nothing is left behind on a crash
		s.file = f
	}
	_, err := s.file.Write(p)
	return err
}

// Size is the length of the message.
func (s *spool) Size() int64 { return s.size }

// Reader returns a new reader over the whole message.
func (s *spool) Reader() io.Reader {
	mem := bytes.NewReader(s.mem.Bytes())
	if s.file == nil {
		return mem
	}
	return io.MultiReader(mem, io.NewSectionReader(s.file, 0, s.size-int64(s.mem.Len())))
}

// Close releases the temporary file.
func (s *spool) Close() error {
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	return err
}
