// Package attacks is gosmtpd's hostile-input suite: one test per row of
// the attack list (T-01 .. T-37), run against the real server.
package attacks
