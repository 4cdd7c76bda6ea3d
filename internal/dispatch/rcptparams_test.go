package dispatch

import (
	"testing"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// TestAppendRcptParams: nil while no recipient has parameters, then one
// entry per recipient, the earlier ones zero.
func TestAppendRcptParams(t *testing.T) {
	var ps []hooks.RcptParams
	ps = appendRcptParams(ps, 0, hooks.RcptParams{})
	ps = appendRcptParams(ps, 1, hooks.RcptParams{})
	if ps != nil {
		t.Fatalf("no parameters yet: %v", ps)
	}
	ps = appendRcptParams(ps, 2, hooks.RcptParams{Notify: codec.NotifyNever})
	ps = appendRcptParams(ps, 3, hooks.RcptParams{})
	e := &hooks.Envelope{RcptParams: ps}
	if len(ps) != 4 || e.RcptParamsOf(2).Notify != codec.NotifyNever || e.RcptParamsOf(0) != (hooks.RcptParams{}) || e.RcptParamsOf(9) != (hooks.RcptParams{}) {
		t.Fatalf("got %v", ps)
	}
}
