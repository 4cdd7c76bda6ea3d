package jetstream

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// replyTooBig refuses a message too big for one NATS message when there is
// no object store for it.
var replyTooBig = hooks.Reply{Code: 552, Enhanced: "5.3.4", Text: "Error: message exceeds fixed maximum message size"}

// replyEnvelopeTooBig refuses a message whose envelope alone does not fit
// in one NATS message (thousands of recipients against a small
// max_payload): no try would ever succeed.
var replyEnvelopeTooBig = hooks.Reply{Code: 552, Enhanced: "5.3.4", Text: "Error: envelope too large for the message queue"}

// transaction is one message received whole, ready to publish: its
// headers, its body and its identity.
type transaction struct {
	id     string      // unique to the transaction, the root of every Nats-Msg-Id
	header nats.Header // the envelope, shared by every recipient's message
	rcpts  []string    // the Gosmtpd-Rcpt-To values, one per recipient
	body   body
	object string // the body's name in the bucket, once put there
}

// body is the message as received: in memory when it fits in one NATS
// message, else in an unlinked temporary file.
type body struct {
	mem  []byte
	file *os.File
	size int64
}

// receive reads the message to its end and prepares its publication. The
// message is kept in memory up to what one NATS message can carry beside
// its headers; past that it goes to a temporary file, for the bucket.
func (h *Handler) receive(s *hooks.Session, e *hooks.Envelope, msg io.Reader) (*transaction, error) {
	t := &transaction{id: newID(), rcpts: rcptValues(e)}
	t.header = envelopeHeader(s, e, h.receiver(), t.id)
	limit := h.inlineLimit(t)
	if limit < 0 {
		if _, err := io.Copy(io.Discard, msg); err != nil {
			return nil, err
		}
		return nil, replyEnvelopeTooBig
	}
	var mem bytes.Buffer
	n, err := mem.ReadFrom(io.LimitReader(msg, limit+1))
	if err != nil {
		return nil, err
	}
	t.body = body{mem: mem.Bytes(), size: n}
	if n <= limit {
		return t, nil
	}
	if h.Bucket == nil {
		if _, err := io.Copy(io.Discard, msg); err != nil {
			return nil, err
		}
		return nil, replyTooBig
	}
	if err := t.body.spill(h.SpoolDir, msg); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

// inlineLimit is the largest body that fits in one NATS message beside t's
// headers (the per-recipient and reference headers included); negative
// when the headers alone do not fit.
func (h *Handler) inlineLimit(t *transaction) int64 {
	payload := h.JetStream.Conn().MaxPayload()
	overhead := headerSize(t.header) + 512 // Nats-Msg-Id, Gosmtpd-Size, Gosmtpd-Object
	for _, r := range t.rcpts {
		overhead += len(HeaderRcptTo) + len(r) + 4
	}
	return payload - int64(overhead)
}

// spill writes the part already read and the rest of msg to an unlinked
// temporary file.
func (b *body) spill(dir string, msg io.Reader) error {
	f, err := os.CreateTemp(dir, "gosmtpd-jetstream-*")
	if err != nil {
		return err
	}
	os.Remove(f.Name()) // nothing is left behind on a crash
	b.file = f
	if _, err := f.Write(b.mem); err != nil {
		return err
	}
	n, err := io.Copy(f, msg)
	b.size += n
	b.mem = nil
	return err
}

// reader reads the whole body from its start.
func (b *body) reader() io.Reader {
	if b.file == nil {
		return bytes.NewReader(b.mem)
	}
	return io.NewSectionReader(b.file, 0, b.size)
}

func (t *transaction) close() {
	if t.body.file != nil {
		t.body.file.Close()
	}
}

// message is the NATS message for recipient r (-1: for all of them): the
// body inline, or a reference to the object holding it.
func (t *transaction) message(subject string, r int) *nats.Msg {
	m := nats.NewMsg(subject)
	for k, v := range t.header {
		m.Header[k] = slices.Clone(v) // publishing may add to a message's headers
	}
	id := t.id
	if r < 0 {
		m.Header[HeaderRcptTo] = t.rcpts
	} else {
		m.Header[HeaderRcptTo] = []string{t.rcpts[r]}
		id += "." + strconv.Itoa(r+1)
	}
	m.Header.Set(nats.MsgIdHdr, id)
	m.Header.Set(HeaderSize, strconv.FormatInt(t.body.size, 10))
	if t.object != "" {
		m.Header.Set(HeaderObject, t.object)
	} else {
		m.Data = t.body.mem
	}
	return m
}

// newID returns 128 random bits: an identity no other transaction of any
// server of the fleet will have, within the stream's duplicate window or
// ever.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// now is the clock of Gosmtpd-Received.
var now = time.Now
