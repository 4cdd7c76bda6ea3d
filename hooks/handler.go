package hooks

import (
	"context"
	"crypto/tls"
	"io"

	"github.com/gosmtpd/gosmtpd/codec"
)

// Reply is an SMTP reply; return one from a hook to choose the reply.
type Reply = codec.Reply

// Handler is any value; it handles the hooks whose interfaces it implements.
type Handler any

// Session is what is known of the client: aiosmtpd's Session.
type Session struct {
	Peer     string // the client's address ("ip:port"), the real one under PROXY
	HeloName string
	Extended bool                 // EHLO or LHLO rather than HELO
	TLS      *tls.ConnectionState // nil until TLS (set from the start under SMTPS)
	AuthID   string               // the authenticated identity, "" when none
	Ctx      context.Context      // cancelled when the client goes or the server stops
}

// Envelope is the current mail transaction: aiosmtpd's Envelope.
type Envelope struct {
	MailFrom    string
	MailOptions []string
	SMTPUTF8    bool
	RcptTos     []string
	RcptOptions [][]string
}

// The hooks. Each is optional.
type (
	HELOHandler interface {
		HandleHELO(ctx context.Context, s *Session, e *Envelope, hostname string) error
	}
	// EHLOHandler may rewrite the capability lines (without the hostname line).
	EHLOHandler interface {
		HandleEHLO(ctx context.Context, s *Session, e *Envelope, hostname string, caps []string) ([]string, error)
	}
	MAILHandler interface {
		HandleMAIL(ctx context.Context, s *Session, e *Envelope, address string, options []string) error
	}
	RCPTHandler interface {
		HandleRCPT(ctx context.Context, s *Session, e *Envelope, address string, options []string) error
	}
	// DATAHandler receives the message as a stream: it never has to be held
	// whole. The reader fails with io.ErrUnexpectedEOF when the client goes
	// mid-message, and with the cause when the message is abandoned (too big).
	DATAHandler interface {
		HandleDATA(ctx context.Context, s *Session, e *Envelope, msg io.Reader) error
	}
	RSETHandler interface {
		HandleRSET(ctx context.Context, s *Session, e *Envelope) error
	}
	NOOPHandler interface {
		HandleNOOP(ctx context.Context, s *Session, e *Envelope, arg string) error
	}
	QUITHandler interface {
		HandleQUIT(ctx context.Context, s *Session, e *Envelope) error
	}
	VRFYHandler interface {
		HandleVRFY(ctx context.Context, s *Session, e *Envelope, address string) error
	}
	// ExceptionHandler chooses the reply when another hook fails or panics.
	ExceptionHandler interface {
		HandleException(ctx context.Context, s *Session, err error) Reply
	}
)

// ReadAll reads a whole message, refusing more than limit bytes, for handlers
// that want the content as []byte.
func ReadAll(msg io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(msg, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, Reply{Code: 552, Enhanced: "5.3.4", Text: "Error: message too big"}
	}
	return b, err
}
