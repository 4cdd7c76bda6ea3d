package interop

// tail returns the last n bytes of s, a child process's output shown
// when a test fails.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}
