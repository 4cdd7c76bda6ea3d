package testkit

import (
	"fmt"
	"runtime"
	"testing"
)

// fakeTB records how a helper ended the test it was given: Fatal and
// Skip stop the calling goroutine, as the testing package's do.
type fakeTB struct {
	testing.TB // nil: a method not below panics
	failed     bool
	skipped    bool
	msg        string
	cleanups   []func()
}

// Cleanup keeps f, for the test to run with cleanup.
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// cleanup runs what was given to Cleanup, last first.
func (f *fakeTB) cleanup() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatal(args ...any) { f.end(&f.failed, fmt.Sprint(args...)) }

func (f *fakeTB) Fatalf(format string, args ...any) { f.end(&f.failed, fmt.Sprintf(format, args...)) }

func (f *fakeTB) Skip(args ...any) { f.end(&f.skipped, fmt.Sprint(args...)) }

func (f *fakeTB) end(flag *bool, msg string) {
	*flag, f.msg = true, msg
	runtime.Goexit()
}

// run calls fn with a fakeTB on its own goroutine and returns the fake
// once fn has returned or ended the test.
func run(fn func(tb *fakeTB)) *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}
