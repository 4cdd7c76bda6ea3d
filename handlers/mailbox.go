package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// Mailbox delivers each message to the Maildir at Dir (created with its
// tmp, new and cur subdirectories when missing, at the first delivery, so
// that it belongs to the user the server runs as by then).
//
// The file holds the message exactly as received: dot-unstuffed, CRLF line
// ends kept, no header added unless EnvelopeHeaders asks for aiosmtpd's
// (aiosmtpd's Mailbox parses and rewrites the message, with LF line ends).
// It is written under tmp/, synced to disk, and only then renamed into new/,
// so a reader of new/ never sees a partial message. A message that does not
// arrive whole, or that cannot be written, leaves nothing in new/ and is
// answered 451 4.3.0, never 250.
//
// Mail is refused with 452 4.3.1 when the Maildir's file system runs low
// (see MinFree): at MAIL, counting the size the client declares, and while
// a message is written, so that a client cannot fill the disk.
type Mailbox struct {
	Dir string
	// MinFree is the free space, in bytes, kept on the Maildir's file
	// system: MAIL is refused when less would remain after a message of
	// the declared size, one and a half times over (Postfix checks SIZE
	// the same way), and a message is abandoned when writing it brings the
	// free space below MinFree. Set it to 1.5 times the server's size
	// limit, as Postfix's smtpd keeps. 0: 48 MiB (1.5 times the default
	// 32 MiB); <0: no check.
	MinFree int64
	// EnvelopeHeaders adds, as aiosmtpd's Mailbox does, X-Peer (the
	// client's address, as Python prints it), X-MailFrom (the sender) and
	// X-RcptTo (every recipient, comma-separated) at the end of the
	// message's header section, so that the envelope (a Bcc recipient, the
	// bounce address) is not lost. Off, the message is stored as received.
	EnvelopeHeaders bool
}

// deliveries numbers the deliveries of this process, for unique names.
var deliveries atomic.Uint64

// HandleDATA delivers the message.
func (m *Mailbox) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	if m.EnvelopeHeaders {
		msg = newHeaderReader(msg, envelopeFields(s, e))
	}
	name := uniqueName()
	tmp := filepath.Join(m.Dir, "tmp", name)
	f, err := m.create(tmp)
	if err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	if err := writeSynced(f, m.watchSpace(msg)); err != nil {
		os.Remove(tmp)
		if errors.Is(err, errNoSpace) {
			return ErrInsufficientStorage
		}
		return fmt.Errorf("maildir: %w", err)
	}
	if err := m.publish(tmp, filepath.Join(m.Dir, "new", name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("maildir: %w", err)
	}
	return nil
}

// envelopeFields are aiosmtpd's envelope header fields. The addresses
// hold no CR or LF (the core refuses them in a path), so no field can be
// forged.
func envelopeFields(s *hooks.Session, e *hooks.Envelope) string {
	return "X-Peer: " + pyPeer(s.Peer) + "\r\nX-MailFrom: " + e.MailFrom +
		"\r\nX-RcptTo: " + strings.Join(e.RcptTos, ", ") + "\r\n"
}

// Check makes the Maildir's directories when missing and checks that a
// message can be written there, so that a server finds out at start, not at
// its first message, that it cannot deliver. Call it as the user that will
// deliver (after dropping privileges): directories made earlier by root
// would belong to root.
func (m *Mailbox) Check() error {
	if err := m.makeTree(); err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	f, err := os.CreateTemp(filepath.Join(m.Dir, "tmp"), "check-*")
	if err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// create makes the file in tmp/, creating the Maildir first when missing.
func (m *Mailbox) create(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		if err = m.makeTree(); err == nil {
			f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		}
	}
	return f, err
}

// makeTree creates the Maildir's directories, tmp/ last: a concurrent
// delivery that finds tmp/ goes on to rename into new/, which must exist by
// then.
func (m *Mailbox) makeTree() error {
	for _, sub := range []string{"new", "cur", "tmp"} {
		if err := os.MkdirAll(filepath.Join(m.Dir, sub), 0o700); err != nil {
			return err
		}
	}
	return nil
}

// writeSynced copies msg to f to its end and syncs f; it closes f.
func writeSynced(f *os.File, msg io.Reader) error {
	_, err := io.Copy(f, msg)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// publish moves a finished message into new/ and syncs the directory, so
// that the rename itself survives a crash. A Maildir left half-made (tmp/
// without new/) is completed first.
func (m *Mailbox) publish(tmp, dst string) error {
	err := os.Rename(tmp, dst)
	if errors.Is(err, fs.ErrNotExist) {
		if err = m.makeTree(); err == nil {
			err = os.Rename(tmp, dst)
		}
	}
	if err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(dst))
	if err != nil {
		return nil // delivered; only the directory sync is lost
	}
	defer d.Close()
	d.Sync()
	return nil
}

// uniqueName is a Maildir file name ("time.M<µs>P<pid>Q<n>R<random>.host",
// as in https://cr.yp.to/proto/maildir.html): unique across the deliveries
// of this process, concurrent ones included, and across processes.
func uniqueName() string {
	now := time.Now()
	var r [8]byte
	rand.Read(r[:])
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = fsm.DefaultHostname
	}
	host = strings.NewReplacer("/", `\057`, ":", `\072`).Replace(host)
	return fmt.Sprintf("%d.M%dP%dQ%dR%s.%s", now.Unix(), now.Nanosecond()/1000,
		os.Getpid(), deliveries.Add(1), hex.EncodeToString(r[:]), host)
}
