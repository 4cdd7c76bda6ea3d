package handlers

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/mail"
	"net/textproto"
	"strings"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// DefaultMaxHeaderBytes bounds a message's header section for Message.
const DefaultMaxHeaderBytes = 100 << 10

// Message parses each message with net/mail and calls Func with it, as
// aiosmtpd's Message handler calls handle_message, once the message has
// arrived whole. It adds aiosmtpd's headers: X-Peer (the client's address,
// "ip:port"), X-MailFrom (the reverse-path) and X-RcptTo (the recipients,
// joined by ", "). Unlike aiosmtpd, which appends them, it replaces any the
// client sent, so that they cannot be forged.
//
// The header section is read within MaxHeaderBytes (a longer one is refused
// with 552 5.3.4 before the rest is read); a header net/mail cannot parse is
// refused with 550 5.6.0. The body is held as Debugging holds a message.
type Message struct {
	// Func receives the message; its Body is valid during the call only.
	// Its error is the reply, as a hook's is: nil accepts.
	Func func(ctx context.Context, msg *mail.Message) error
	// MaxHeaderBytes bounds the header section; 0: DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// MaxSize and MemoryLimit are as in Debugging.
	MaxSize     int64
	MemoryLimit int64
}

var replyHeaderTooBig = hooks.Reply{Code: 552, Enhanced: "5.3.4", Text: "Error: message header too big"}

// HandleDATA parses the message and calls Func.
func (m *Message) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	limit := m.MaxHeaderBytes
	if limit <= 0 {
		limit = DefaultMaxHeaderBytes
	}
	br := bufio.NewReader(msg)
	header, err := readHeader(br, limit)
	if err != nil {
		return err
	}
	body, err := readSpool(br, m.MemoryLimit, m.MaxSize, "")
	if err != nil {
		return err
	}
	defer body.Close()
	parsed, err := parseMessage(header, body.Reader())
	if err != nil {
		return err
	}
	setHeader(parsed.Header, "X-Peer", s.Peer)
	setHeader(parsed.Header, "X-MailFrom", e.MailFrom)
	setHeader(parsed.Header, "X-RcptTo", strings.Join(e.RcptTos, ", "))
	if m.Func == nil {
		return nil
	}
	return m.Func(ctx, parsed)
}

// readHeader reads the header section and the empty line that ends it (or
// the whole message when it has none), at most limit bytes: one pass, so
// that even 200 000 header lines cost no more than their bytes.
func readHeader(br *bufio.Reader, limit int) ([]byte, error) {
	var header []byte
	lineStart := true
	for {
		chunk, err := br.ReadSlice('\n')
		if len(header)+len(chunk) > limit {
			return nil, replyHeaderTooBig
		}
		header = append(header, chunk...)
		blank := lineStart && (string(chunk) == "\r\n" || string(chunk) == "\n")
		lineStart = len(chunk) > 0 && chunk[len(chunk)-1] == '\n'
		switch {
		case blank || err == io.EOF:
			return header, nil
		case err != nil && err != bufio.ErrBufferFull:
			return nil, err
		}
	}
}

// parseMessage parses the header section with net/mail; the body follows.
func parseMessage(header []byte, body io.Reader) (*mail.Message, error) {
	if len(bytes.TrimRight(header, "\r\n")) == 0 {
		return &mail.Message{Header: mail.Header{}, Body: body}, nil
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(header))
	if err != nil { // the line is not echoed: it is the client's
		return nil, hooks.Reply{Code: 550, Enhanced: "5.6.0", Text: "Error: malformed message header"}
	}
	parsed.Body = io.MultiReader(parsed.Body, body)
	return parsed, nil
}

// setHeader replaces every field called name.
func setHeader(h mail.Header, name, value string) {
	h[textproto.CanonicalMIMEHeaderKey(name)] = []string{value}
}
