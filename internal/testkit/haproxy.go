package testkit

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// HAProxy runs Debian's haproxy in front of backend for the rest of the
// test: one frontend per mode ("send-proxy", "send-proxy-v2"), each relaying
// to backend with that PROXY protocol header. It returns each mode's
// frontend address, once HAProxy accepts there.
func HAProxy(t testing.TB, backend string, modes ...string) map[string]string {
	t.Helper()
	cfg := "global\n  maxconn 64\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
	fronts := map[string]string{}
	for i, mode := range modes {
		fronts[mode] = FreeAddr(t)
		cfg += fmt.Sprintf("frontend f%d\n  bind %s\n  default_backend b%d\nbackend b%d\n  server s%d %s %s\n",
			i, fronts[mode], i, i, i, backend, mode)
	}
	runHAProxy(t, cfg, fronts)
	return fronts
}

// HAProxyBalance runs Debian's haproxy for the rest of the test with one
// frontend that spreads connections over backends in turn (roundrobin),
// each with the PROXY header of mode ("send-proxy-v2", say), and returns
// the frontend's address once HAProxy accepts there.
func HAProxyBalance(t testing.TB, mode string, backends ...string) string {
	t.Helper()
	front := FreeAddr(t)
	cfg := "global\n  maxconn 256\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n" +
		"frontend f\n  bind " + front + "\n  default_backend b\nbackend b\n  balance roundrobin\n"
	for i, b := range backends {
		cfg += fmt.Sprintf("  server s%d %s %s\n", i, b, mode)
	}
	runHAProxy(t, cfg, map[string]string{mode: front})
	return front
}

// runHAProxy runs haproxy with cfg until the test ends and waits until it
// accepts on every frontend address of fronts.
func runHAProxy(t testing.TB, cfg string, fronts map[string]string) {
	t.Helper()
	bin := Program(t, "haproxy")
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs Buffer
	cmd := exec.Command(bin, "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	for _, front := range fronts {
		waitAccepting(t, front, exited, &logs)
	}
}

// FreeAddr is a loopback address free when called, for a program that
// cannot say which port it picked.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitAccepting waits until HAProxy accepts on addr.
func waitAccepting(t testing.TB, addr string, exited <-chan error, logs *Buffer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("haproxy exited: %v\n%s", err, logs.String())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy does not listen on %s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
