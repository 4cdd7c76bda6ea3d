package observe_test

import (
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/observe"
)

// An Observer may be a plain function; Multi passes each event to several.
// Here a server logs a line per message and counts the messages accepted.
func ExampleMulti() {
	var accepted atomic.Int64
	count := observe.Func(func(e *observe.Event) {
		if e.Kind == observe.Message && e.Reply.Code/100 == 2 {
			accepted.Add(1)
		}
	})
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv := &gosmtpd.Server{Addr: "localhost:2525", Observer: observe.Multi(observe.Log(logger), count)}
	_ = srv // srv.ListenAndServe()
	fmt.Println(observe.Reason(nil))
	// Output: quit
}
