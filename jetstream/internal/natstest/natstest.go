// Package natstest runs real nats-server processes on loopback for tests:
// one JetStream server, or a cluster whose nodes a test kills with SIGKILL
// and restarts.
//
// The server is the jetstream module's tool dependency
// (github.com/nats-io/nats-server/v2), built once and cached by
// `go tool -n nats-server`; NATS_SERVER names another binary instead.
package natstest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// Binary returns the nats-server to run, building it the first time.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("NATS_SERVER"); p != "" {
		return testkit.Program(t, p)
	}
	binaryOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		cmd := exec.Command("go", "tool", "-n", "nats-server")
		cmd.Dir = filepath.Join(filepath.Dir(file), "..", "..")
		out, err := cmd.Output()
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				err = fmt.Errorf("%w: %s", err, ee.Stderr)
			}
			binaryErr = fmt.Errorf("building nats-server: %w", err)
			return
		}
		binaryPath = strings.TrimSpace(string(out))
	})
	if binaryErr != nil {
		testkit.Missing(t, "%v", binaryErr)
	}
	return binaryPath
}

// Server is one nats-server process.
type Server struct {
	Name string
	URL  string // nats://127.0.0.1:port
	args []string
	mon  string // the monitoring address, for /healthz
	logs *testkit.Buffer
	cmd  *exec.Cmd
	done chan struct{}
	t    testing.TB
}

// Cluster is n nats-server processes routed to each other (n = 1: a single
// server, no cluster), each with JetStream in a directory of its own.
type Cluster struct {
	Servers []*Server
}

// Start starts n servers and waits until JetStream answers. They are
// killed when the test ends.
func Start(t testing.TB, n int) *Cluster {
	t.Helper()
	return StartConfig(t, n, "")
}

// StartConfig is Start with a configuration file holding config (say
// "max_payload: 8192") given to every server.
func StartConfig(t testing.TB, n int, config string) *Cluster {
	t.Helper()
	bin := Binary(t)
	var confArgs []string
	if config != "" {
		path := filepath.Join(t.TempDir(), "nats.conf")
		if err := os.WriteFile(path, []byte(config+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		confArgs = []string{"-c", path}
	}
	routes := make([]string, n)
	for i := range routes {
		routes[i] = "nats://" + testkit.FreeAddr(t)
	}
	c := &Cluster{}
	for i := range n {
		s := &Server{Name: fmt.Sprintf("n%d", i+1), URL: "nats://" + testkit.FreeAddr(t),
			mon: testkit.FreeAddr(t), logs: &testkit.Buffer{}, t: t}
		_, port, _ := strings.Cut(strings.TrimPrefix(s.URL, "nats://"), ":")
		_, mport, _ := strings.Cut(s.mon, ":")
		s.args = []string{bin, "-a", "127.0.0.1", "-p", port, "-m", mport, "-n", s.Name,
			"-js", "-sd", t.TempDir()}
		s.args = append(s.args, confArgs...)
		if n > 1 {
			s.args = append(s.args, "--cluster_name", "test", "--cluster", routes[i],
				"--routes", strings.Join(routes, ","))
		}
		c.Servers = append(c.Servers, s)
		s.start()
	}
	for _, s := range c.Servers {
		s.WaitReady()
	}
	return c
}

// URLs is every server's URL, comma-separated, as nats.Connect takes them.
func (c *Cluster) URLs() string {
	urls := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		urls[i] = s.URL
	}
	return strings.Join(urls, ",")
}

// Server returns the server of that name, nil when none.
func (c *Cluster) Server(name string) *Server {
	for _, s := range c.Servers {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Logs is what every server wrote, for a failing test's message.
func (c *Cluster) Logs() string {
	var b strings.Builder
	for _, s := range c.Servers {
		fmt.Fprintf(&b, "--- %s\n%s", s.Name, s.logs.String())
	}
	return b.String()
}

func (s *Server) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.args[0], s.args[1:]...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.done = make(chan struct{})
	cmd, done := s.cmd, s.done
	go func() {
		cmd.Wait()
		close(done)
	}()
	s.t.Cleanup(s.Kill)
}

// Kill kills the server with SIGKILL and waits for it to be gone. Its
// JetStream directory stays, for Restart.
func (s *Server) Kill() {
	s.cmd.Process.Kill()
	<-s.done
}

// Restart starts the server again, as it was, and waits until it is ready.
func (s *Server) Restart() {
	s.t.Helper()
	s.start()
	s.WaitReady()
}

// WaitReady waits until the server's /healthz says JetStream is ready
// (in a cluster: a meta leader is known and the server is current).
func (s *Server) WaitReady() {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-s.done:
			s.t.Fatalf("nats-server %s exited\n%s", s.Name, s.logs.String())
		default:
		}
		if healthy(s.mon) {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("nats-server %s not ready in 30s\n%s", s.Name, s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func healthy(mon string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+mon+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
