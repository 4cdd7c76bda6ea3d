package handlers

import "testing"

// The enhanced status code an upstream reply starts with (RFC 3463 §2):
// class 2, 4 or 5, then one to three digits twice.
func TestEnhancedCode(t *testing.T) {
	for line, want := range map[string]string{
		"2.1.0 ok": "2.1.0", "5.7.1": "5.7.1", "5.123.123 x": "5.123.123", "4.4.12x": "4.4.12",
		"5.12.1234 z": "5.12.123", "5.0.0": "5.0.0",
		"5.1234.1": "", "2..1": "", "3.1.1": "", "5.1.": "", "5.1": "", "x": "", "": "", "550 5.1.1": "",
	} {
		if got := enhancedCode(line); got != want {
			t.Errorf("enhancedCode(%q) = %q, want %q", line, got, want)
		}
	}
}
