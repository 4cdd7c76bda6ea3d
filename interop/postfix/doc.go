// Package postfix checks gosmtpd against a real MTA as its client: a
// private Postfix instance, started as a daemon in a directory of its own,
// relays mail submitted with sendmail to a gosmtpd server, and the tests
// check what gosmtpd's hooks received. It holds no production code.
//
// Postfix must be installed (Debian's postfix package; .ci/run installs
// it) and the tests run as root, since Postfix's master does; elsewhere
// they are skipped, and under CI=true they fail instead.
package postfix
