package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat; the
// kernel fixes it at 100 for every user-space ABI.
const clockTicks = 100

// runningServer is a server process started for one measurement.
type runningServer struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{} // closed when the process has exited
}

// startServer runs argv pinned to cpu, with its output in logPath, and
// waits until it greets on addr.
func startServer(argv []string, addr, cpu, logPath string) (*runningServer, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command("taskset", append([]string{"-c", cpu}, argv...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	rs := &runningServer{cmd: cmd, addr: addr, done: make(chan struct{})}
	go func() { cmd.Wait(); close(rs.done) }()
	if err := rs.waitReady(15 * time.Second); err != nil {
		rs.stop()
		return nil, fmt.Errorf("%w (log: %s)", err, logPath)
	}
	return rs, nil
}

// waitReady polls until the server sends its 220 greeting, then says QUIT.
func (rs *runningServer) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if rs.exited() {
			return errors.New("server exited at start")
		}
		if greets(rs.addr) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no greeting on %s within %v", rs.addr, limit)
}

func greets(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "220") {
		return false
	}
	c.Write([]byte("QUIT\r\n"))
	return true
}

func (rs *runningServer) exited() bool {
	select {
	case <-rs.done:
		return true
	default:
		return false
	}
}

// stop ends the server: SIGTERM, then SIGKILL if it lingers.
func (rs *runningServer) stop() {
	if rs.exited() {
		return
	}
	rs.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-rs.done:
	case <-time.After(5 * time.Second):
		rs.cmd.Process.Kill()
		<-rs.done
	}
}

// cpuTime returns the user plus system CPU time the server has used so
// far, all its threads included.
func (rs *runningServer) cpuTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", rs.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime, the 14th and 15th fields of a
// /proc/PID/stat line. The command name, field 2, may hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 13 { // fields[0] is field 3, the state
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// peakRSS returns VmHWM, the most resident memory the server has had.
func (rs *runningServer) peakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", rs.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	return parseHWM(b)
}

// parseHWM returns the VmHWM line of a /proc/PID/status file, in bytes.
func parseHWM(status []byte) (int64, error) {
	for line := range strings.Lines(string(status)) {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		return kb * 1024, err
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
