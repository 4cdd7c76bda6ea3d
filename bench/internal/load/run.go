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
// and returns what they measured. Persistent sessions connect first; the
// clock and the duration start once they all have. Server refusals and
// broken connections are counted in Result.Errors, not returned: the error
// is only for a Config that cannot run.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Result{}, err
	}
	p := newPayload(cfg)
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()

	sessions := make([]*session, cfg.Sessions)
	for i := range sessions {
		sessions[i] = &session{cfg: &cfg, p: p, stop: &stop,
			sendTimes: make([]time.Time, 0, cfg.Window)}
	}
	if !cfg.Reconnect {
		connectAll(sessions)
	}
	cpu0 := processCPU()
	start := time.Now()
	if cfg.Duration > 0 {
		defer time.AfterFunc(cfg.Duration, func() { stop.Store(true) }).Stop()
	}
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(s.run)
	}
	wg.Wait()
	elapsed := time.Since(start)
	return summarize(cfg, p, sessions, elapsed, processCPU()-cpu0), nil
}

// connectAll opens every persistent session's connection before the clock
// starts, so that throughput measures messages, not connection set-up (the
// Reconnect mode measures that). A session that fails here counts the error
// and tries again in its run.
func connectAll(sessions []*session) {
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(func() {
			if err := s.connect(time.Now()); err != nil {
				s.fail(err, 1)
			}
		})
	}
	wg.Wait()
}

// processCPU returns the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
