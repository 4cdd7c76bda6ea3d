package fsm

import "github.com/gosmtpd/gosmtpd/codec"

// The core's own replies. Package-level values, so that sending one costs no
// allocation. Texts follow aiosmtpd where it has one; enhanced codes follow
// RFC 3463 / RFC 2034 (none on 220, 250 EHLO/HELO, 334 and 354).
func r(code int, enh, text string) codec.Reply {
	return codec.Reply{Code: code, Enhanced: enh, Text: text}
}

var (
	replyOK        = r(250, "2.0.0", "OK")
	replyMailOK    = r(250, "2.1.0", "OK")
	replyRcptOK    = r(250, "2.1.5", "OK")
	replyDataOK    = r(250, "2.0.0", "OK")
	replyChunkOK   = r(250, "2.0.0", "Chunk accepted")
	replyBye       = r(221, "2.0.0", "Bye")
	replyStartData = r(354, "", "End data with <CR><LF>.<CR><LF>")
	replyTLSReady  = r(220, "2.0.0", "Ready to start TLS")
	replyVRFY      = r(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery")

	replyLineTooLong    = r(500, "5.5.2", "Command line too long")
	replyBadLine        = r(500, "5.5.2", "Error: bare CR, LF or NUL in command")
	replyBareLF         = r(500, "5.5.2", "Error: bare <LF> received")
	replyBareLFClose    = r(521, "5.5.2", "Error: bare <LF> received")
	replyHTTP           = r(500, "5.5.1", "Error: this is an SMTP server, not HTTP")
	replyNoVerb         = r(500, "5.5.2", "Error: bad syntax")
	replyUseLHLO        = r(500, "5.5.1", "Error: use LHLO in LMTP")
	replyDataLineLong   = r(500, "5.5.2", "Line too long (see RFC5321 4.5.3.1.6)")
	replyAuthLineLong   = r(500, "5.5.6", "Error: authentication exchange line too long")
	replySyntaxHELO     = r(501, "5.5.4", "Syntax: HELO hostname")
	replySyntaxEHLO     = r(501, "5.5.4", "Syntax: EHLO hostname")
	replySyntaxLHLO     = r(501, "5.5.4", "Syntax: LHLO hostname")
	replySyntaxMAIL     = r(501, "5.5.4", "Syntax: "+syntaxMAIL)
	replySyntaxRCPT     = r(501, "5.5.4", "Syntax: "+syntaxRCPT)
	replySyntaxMAILExt  = r(501, "5.5.4", "Syntax: "+syntaxMAIL+syntaxParams)
	replySyntaxRCPTExt  = r(501, "5.5.4", "Syntax: "+syntaxRCPT+syntaxParams)
	replySyntaxDATA     = r(501, "5.5.4", "Syntax: DATA")
	replySyntaxBDAT     = r(501, "5.5.4", "Syntax: BDAT chunk-size [LAST]")
	replySyntaxRSET     = r(501, "5.5.4", "Syntax: RSET")
	replySyntaxQUIT     = r(501, "5.5.4", "Syntax: QUIT")
	replySyntaxVRFY     = r(501, "5.5.4", "Syntax: VRFY <address>")
	replySyntaxTLS      = r(501, "5.5.4", "Syntax: STARTTLS")
	replySyntaxAUTH     = r(501, "5.5.4", "Syntax: AUTH <mechanism> [initial-response]")
	replyBadParams      = r(501, "5.5.4", "Error: malformed parameters")
	replyBadSize        = r(501, "5.5.4", "Error: malformed SIZE parameter")
	replyBadBody        = r(501, "5.5.4", "Error: BODY can only be one of 7BIT, 8BITMIME")
	replyBadBodyBinary  = r(501, "5.5.4", "Error: BODY can only be one of 7BIT, 8BITMIME, BINARYMIME")
	replySMTPUTF8Value  = r(501, "5.5.4", "Error: SMTPUTF8 takes no arguments")
	replyBadORCPT       = r(501, "5.5.4", "Error: malformed ORCPT parameter")
	replyDuplicateParam = r(501, "5.5.4", "Error: parameter given twice")
	replyBadBase64      = r(501, "5.5.2", "Error: cannot decode base64")
	replyAuthCancel     = r(501, "5.0.0", "Error: authentication cancelled")
	replyNoEXPN         = r(502, "5.5.1", "EXPN not implemented")
	replyAuthAfterHELO  = r(500, "5.5.1", "Error: AUTH not in effect after HELO; send EHLO")
	replyNoAUTH         = r(502, "5.5.1", "Error: AUTH not available")
	replyNotImpl        = r(502, "5.5.1", "Error: command not implemented")
	replyHELOFirst      = r(503, "5.5.1", "Error: send HELO first")
	replyNestedMAIL     = r(503, "5.5.1", "Error: nested MAIL command")
	replyNeedMAIL       = r(503, "5.5.1", "Error: need MAIL command")
	replyNeedRCPT       = r(503, "5.5.1", "Error: need RCPT command")
	replyBadSequence    = r(503, "5.5.1", "Error: bad sequence of commands")
	replyBDATOpen       = r(503, "5.5.1", "Error: BDAT transfer in progress")
	replyBinaryDATA     = r(503, "5.5.1", "Error: BINARYMIME requires BDAT")
	replyTLSActive      = r(503, "5.5.1", "Error: TLS already active")
	replyAuthed         = r(503, "5.5.1", "Error: already authenticated")
	replyAuthInTxn      = r(503, "5.5.1", "Error: AUTH not permitted during a mail transaction")
	replyNoMech         = r(504, "5.5.4", "Error: unrecognized authentication type")
	replyBadCreds       = r(535, "5.7.8", "Authentication credentials invalid")
	replyNeedTLS        = r(530, "5.7.0", "Must issue a STARTTLS command first")
	replyNeedAuth       = r(530, "5.7.0", "Authentication required")
	replyAuthNeedsTLS   = r(538, "5.7.11", "Encryption required for requested authentication mechanism")
	replyTLSNA          = r(454, "4.7.0", "TLS not available")
	replyTooMany        = r(452, "4.5.3", "Error: too many recipients")
	replyTooBig         = r(552, "5.3.4", "Error: message size exceeds fixed maximum message size")
	replyTooMuchData    = r(552, "5.3.4", "Error: Too much mail data")
	replyBare           = r(550, "5.5.2", "Error: bare CR or LF in message")
	replyBadAddress     = r(553, "5.1.3", "Error: malformed address")
	replyNonASCII       = r(553, "5.6.7", "Error: non-ASCII address requires SMTPUTF8")
	replyBadUTF8        = r(553, "5.6.7", "Error: invalid UTF-8 in address")
	replyUnknownMAIL    = r(555, "5.5.4", "MAIL FROM parameters not recognized or not implemented")
	replyUnknownRCPT    = r(555, "5.5.4", "RCPT TO parameters not recognized or not implemented")
)

// The syntax of MAIL and RCPT, and what it has after EHLO.
const (
	syntaxMAIL   = "MAIL FROM: <address>"
	syntaxRCPT   = "RCPT TO: <address>"
	syntaxParams = " [SP <mail-parameters>]"
)

// Per-connection replies that name the host, built once in NewConn.
type hostReplies struct {
	greeting, helo, timeout, tooManyErrors, tooManyUnknown, shutdown, authFailures codec.Reply
	ehlo                                                                           [2][2][2]codec.Reply // [TLS][XCLIENT granted][XFORWARD granted]
}
