package load

import (
	"context"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Run drives cfg.Sessions concurrent sessions against cfg.Addr until each
// has sent cfg.Messages messages, cfg.Duration has passed, or ctx is done,
// and returns what they measured. Server refusals and broken connections are
// counted in Result.Errors, not returned: the error is only for a Config
// that cannot run.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Result{}, err
	}
	p := newPayload(cfg)
	var stop atomic.Bool
	if cfg.Duration > 0 {
		defer time.AfterFunc(cfg.Duration, func() { stop.Store(true) }).Stop()
	}
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()

	sessions := make([]*session, cfg.Sessions)
	for i := range sessions {
		sessions[i] = &session{cfg: &cfg, p: p, stop: &stop,
			sendTimes: make([]time.Time, 0, cfg.Window)}
	}
	cpu0 := processCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(s.run)
	}
	wg.Wait()
	elapsed := time.Since(start)
	return summarize(cfg, p, sessions, elapsed, processCPU()-cpu0), nil
}

// processCPU returns the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
