// Package gosmtp is a differential test of the ESMTP extensions gosmtpd
// and emersion/go-smtp v0.26 both offer: DSN (RFC 3461), RRVS (RFC 7293),
// DELIVERBY (RFC 2852), MT-PRIORITY (RFC 6710), SMTPUTF8 (RFC 6531) and
// SIZE (RFC 1870). The same MAIL and RCPT commands go to both servers and
// their reply classes are compared; every difference is listed in the
// test with the RFC clause that decides it.
//
// It is a module of its own so that go-smtp never enters the library's
// go.mod; it holds no production code.
package gosmtp
