package dispatch_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/dispatch"
)

type (
	noHooks     struct{}
	pointerData struct{}
	wrongCase   struct{}
	wrongSig    struct{}
	halfCommand struct{}
	goodAndBad  struct{}
	fine        struct{}
)

func (*pointerData) HandleDATA(context.Context, *hooks.Session, *hooks.Envelope, io.Reader) error {
	return nil
}

func (wrongCase) HandleData(context.Context, *hooks.Session, *hooks.Envelope, io.Reader) error {
	return nil
}

func (wrongSig) HandleRCPT(_ *hooks.Session, _ *hooks.Envelope, address string) error { return nil }

func (halfCommand) HandleCommand(context.Context, *hooks.Session, *hooks.Envelope, string, string) error {
	return nil
}

func (goodAndBad) HandleRCPT(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	return nil
}

func (goodAndBad) Handle_DATA(context.Context, *hooks.Session, *hooks.Envelope, io.Reader) error {
	return nil
}

func (fine) HandleRCPT(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	return nil
}

// The compile-time check the package documentation recommends.
var _ hooks.RCPTHandler = fine{}

func TestCheckHandlerRefusesLookAlikes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler hooks.Handler
		want    []string
	}{
		{"no hook", noHooks{}, []string{"dispatch_test.noHooks implements no hook", "pass nil"}},
		{"pointer receiver by value", pointerData{}, []string{"HandleDATA has a pointer receiver", "&pointerData{...}"}},
		{"wrong case", wrongCase{}, []string{"HandleData looks like HandleDATA"}},
		{"wrong signature", wrongSig{}, []string{
			"HandleRCPT is func(*hooks.Session, *hooks.Envelope, string) error, want func(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error"}},
		{"half an interface", halfCommand{}, []string{"hooks.CommandHandler needs Commands too"}},
		{"a good hook beside a bad one", goodAndBad{}, []string{"Handle_DATA looks like HandleDATA"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := dispatch.CheckHandler(tc.handler)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestCheckHandlerAcceptsRealHandlers(t *testing.T) {
	for _, h := range []hooks.Handler{
		nil, fine{}, &fine{}, &pointerData{},
		&handlers.Debugging{}, handlers.Sink{}, &handlers.Sink{}, &handlers.Mailbox{Dir: t.TempDir()},
		&handlers.Proxy{Addr: "localhost:25"}, &handlers.Message{},
	} {
		if err := dispatch.CheckHandler(h); err != nil {
			t.Errorf("%T: %v", h, err)
		}
	}
}
