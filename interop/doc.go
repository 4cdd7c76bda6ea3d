// Package interop is a differential test harness: it plays the same scripted
// SMTP/LMTP sessions against aiosmtpd 1.4.3 (the reference gosmtpd mirrors)
// and against gosmtpd's CLI, and compares the reply codes step by step.
//
// A session is a text file under testdata/sessions (see ParseScript for the
// format). TestAiosmtpd plays every session against a real aiosmtpd, checks
// that its codes match the script and keeps its replies and delivered
// messages as golden files. TestDifferential plays the sessions against
// gosmtpd and compares with those golden files; every difference must be
// fixed or listed with its reason in testdata/deliberate.txt.
//
// The package holds no production code: the script parser, the network
// runner and the comparison are plain functions so that they can be tested
// on their own; the servers are started only from the tests.
package interop
