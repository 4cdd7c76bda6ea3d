package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// loadResult is the part of smtpload's JSON line the report uses.
type loadResult struct {
	Messages   int64   `json:"messages"`
	Errors     int64   `json:"errors"`
	FirstError string  `json:"first_error"`
	Seconds    float64 `json:"seconds"`
	MsgsPerSec float64 `json:"msgs_per_sec"`
	MBPerSec   float64 `json:"mb_per_sec"`
	P50Micros  float64 `json:"p50_us"`
	P99Micros  float64 `json:"p99_us"`
}

// runLoad runs smtpload pinned to cpu against addr for d and returns its
// figures and the CPU time its process used.
func runLoad(smtpload, cpu, addr string, flags []string, d time.Duration) (loadResult, time.Duration, error) {
	args := append([]string{"-c", cpu, smtpload, "-addr", addr, "-d", d.String(), "-json"}, flags...)
	ctx, cancel := context.WithTimeout(context.Background(), d+2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "taskset", args...)
	out, err := runCaptured(cmd)
	if err != nil {
		return loadResult{}, 0, err
	}
	var res loadResult
	if err := json.Unmarshal(lastLine(out), &res); err != nil {
		return loadResult{}, 0, fmt.Errorf("smtpload output %q: %w", out, err)
	}
	return res, processCPU(cmd), nil
}

// processCPU returns the user and system time of a finished command.
func processCPU(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// sourceResult is what a run of Postfix's smtp-source measured, timed from
// outside since it reports nothing itself.
type sourceResult struct {
	Messages int64
	Seconds  float64
	CPU      time.Duration // its user and system time
	Err      error         // it gives up at the first unexpected reply
}

// runSource runs smtp-source pinned to cpu, sending count messages in all.
// A run that outlasts limit is killed and reported as failed.
func runSource(cpu, addr string, flags []string, count int64, limit time.Duration) sourceResult {
	args := append([]string{"-c", cpu, "/usr/sbin/smtp-source",
		"-m", fmt.Sprint(count), "-M", "load.example",
		"-f", "sender@load.example", "-t", "rcpt@load.example"}, flags...)
	args = append(args, addr)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "taskset", args...)
	start := time.Now()
	_, err := runCaptured(cmd)
	res := sourceResult{Seconds: time.Since(start).Seconds(), CPU: processCPU(cmd), Err: err}
	if ctx.Err() != nil {
		res.Err = fmt.Errorf("killed after %v", limit)
	}
	if res.Err == nil {
		res.Messages = count
	}
	return res
}

// runCaptured runs cmd and returns its standard output; a failure carries
// the first line of its standard error.
func runCaptured(cmd *exec.Cmd) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		first, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return stdout.Bytes(), fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Args[3]), err, first)
	}
	return stdout.Bytes(), nil
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}
