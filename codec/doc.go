// Package codec is the SMTP/LMTP wire grammar of gosmtpd: line framing with a
// maximum length, command, path and ESMTP-parameter parsing, replies with
// enhanced status codes, DATA dot-unstuffing and dot-stuffing, BDAT framing,
// xtext and the SASL base64 of AUTH.
//
// It is pure: no I/O, no clock, no goroutines. Parsers return views into the
// caller's input (no allocation); every returned slice is valid only as long
// as the input it points into.
package codec
