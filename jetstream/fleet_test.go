package jetstream

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/jetstream/internal/natstest"
)

const (
	fleetMessages = 2000
	fleetSessions = 8  // clients at once
	fleetPerConn  = 25 // messages a connection carries before QUIT, so that HAProxy spreads them
	fleetKillAt   = 400
)

// The fleet: a 3-node NATS cluster on loopback and a stream of 3 replicas;
// two gosmtpd behind HAProxy (send-proxy-v2); 2,000 messages from several
// sessions while the stream's leader is killed with SIGKILL and restarted.
// Every message that got 250 is in the stream exactly once, counted by
// Message-ID, and no message is there twice; a message of nearly 32 MiB
// (past the 1 MiB max payload: through the object store) reads back whole;
// a gosmtpd killed in the middle of DATA gives no 250 and publishes
// nothing of that message.
func TestFleet(t *testing.T) {
	t.Parallel()
	testkit.Program(t, "haproxy")
	cluster := natstest.Start(t, 3)
	js := connect(t, cluster.URLs())
	ctx := testContext(t)
	_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "FLEET", Subjects: []string{"mail.>"}, Replicas: 3, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: "fleet-big", Replicas: 3}); err != nil {
		t.Fatal(err)
	}

	code, stderr := runGosmtpd(t, "-n", "-l", "127.0.0.1:0", "-c", "jetstream", cluster.URLs(), "nowhere.in")
	if code != 1 || !strings.Contains(stderr, `no JetStream stream captures the subject "nowhere.in"`) {
		t.Fatalf("gosmtpd for a subject no stream captures: exit %d, %q; want 1 and a clear error", code, stderr)
	}
	code, stderr = runGosmtpd(t, "-n", "-l", "127.0.0.1:0", "-c", "jetstream", cluster.URLs(), "mail.in")
	if code != 1 || !strings.Contains(stderr, "give --nats-bucket NAME for bigger messages") {
		t.Fatalf("gosmtpd with 32 MiB messages and no bucket: exit %d, %q; want 1 and a clear error", code, stderr)
	}

	var mx []*gosmtpdProc
	for i := range 2 {
		mx = append(mx, startGosmtpd(t, "-n", "-l", "127.0.0.1:0", "--proxy-protocol", "5s", "--hostname", fmt.Sprintf("mx%d", i+1),
			"-c", "jetstream", cluster.URLs(), "mail.in", "--nats-bucket", "fleet-big"))
	}
	front := testkit.HAProxyBalance(t, "send-proxy-v2", mx[0].Addr, mx[1].Addr)

	load := &fleetLoad{front: front, acked: map[string]bool{}}
	start := time.Now()
	killed := make(chan killReport, 1)
	go func() { killed <- killLeaderAt(t, cluster, js, load, fleetKillAt) }()
	load.run(fleetMessages, fleetSessions)
	k := <-killed
	t.Logf("%d messages in %v from %d sessions: %d answered 250, %d 451, %d cut off, slowest answer %v; "+
		"stream leader %s killed after %d answers, restarted after %d, leader then %s",
		fleetMessages, time.Since(start).Round(time.Millisecond), fleetSessions, len(load.acked), load.refused.Load(), load.broken.Load(),
		time.Duration(load.slowest.Load()).Round(time.Millisecond), k.leader, k.killedAt, k.restartedAt, k.newLeader)
	if k.restartedAt >= fleetMessages {
		t.Errorf("the load was over before the leader was back: the kill was not mid-load")
	}
	if len(load.acked) < fleetMessages*9/10 {
		t.Errorf("only %d of %d messages accepted", len(load.acked), fleetMessages)
	}

	bigText := sendBig(t, front)
	killMidData(t, mx[1])

	bucket, err := js.ObjectStore(ctx, "fleet-big")
	if err != nil {
		t.Fatal(err)
	}
	counts := countByMessageID(t, js, bucket, "FLEET", map[string]string{"<big@fleet.test>": bigText})
	for id := range load.acked {
		if counts[id] != 1 {
			t.Errorf("%s answered 250 but stored %d times", id, counts[id])
		}
	}
	for id, n := range counts {
		if n > 1 {
			t.Errorf("%s stored %d times", id, n)
		}
	}
	if counts["<big@fleet.test>"] != 1 {
		t.Errorf("the 32 MiB message is stored %d times, whole or not", counts["<big@fleet.test>"])
	}
	if counts["<killed@fleet.test>"] != 0 || counts["<killed-big@fleet.test>"] != 0 {
		t.Errorf("a message cut off by its gosmtpd's death is in the stream")
	}
	if t.Failed() {
		t.Logf("mx1:\n%s\nmx2:\n%s\n%s", mx[0].Stderr.String(), mx[1].Stderr.String(), cluster.Logs())
	}
}

// fleetLoad sends numbered messages through front and records each
// Message-ID that got 250.
type fleetLoad struct {
	front   string
	next    atomic.Int64
	mu      sync.Mutex
	acked   map[string]bool
	refused atomic.Int64 // 451
	broken  atomic.Int64 // no reply: the connection broke
	done    atomic.Int64 // messages answered either way
	slowest atomic.Int64 // the longest wait for an answer to a final dot, in ns
}

func (l *fleetLoad) run(total, sessions int) {
	var wg sync.WaitGroup
	for range sessions {
		wg.Go(func() {
			for l.next.Load() < int64(total) {
				l.session(total)
			}
		})
	}
	wg.Wait()
}

// session carries up to fleetPerConn messages over one connection.
func (l *fleetLoad) session(total int) {
	nc, err := net.DialTimeout("tcp", l.front, 5*time.Second)
	if err != nil {
		time.Sleep(100 * time.Millisecond)
		return
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(90 * time.Second))
	c := textproto.NewConn(nc)
	if _, _, err := c.ReadResponse(220); err != nil {
		return
	}
	if c.PrintfLine("EHLO load.test") != nil {
		return
	}
	if _, _, err := c.ReadResponse(250); err != nil {
		return
	}
	for range fleetPerConn {
		n := l.next.Add(1)
		if n > int64(total) {
			break
		}
		id := fmt.Sprintf("<%d@fleet.test>", n)
		sent := time.Now()
		code, err := sendOne(c, id)
		if d := int64(time.Since(sent)); d > l.slowest.Load() {
			l.slowest.Store(d) // a racy maximum, good enough for a log line
		}
		l.record(id, code, err)
		if err != nil {
			return
		}
	}
	c.PrintfLine("QUIT")
}

func (l *fleetLoad) record(id string, code int, err error) {
	l.done.Add(1)
	switch {
	case err != nil:
		l.broken.Add(1)
	case code == 250:
		l.mu.Lock()
		l.acked[id] = true
		l.mu.Unlock()
	default:
		l.refused.Add(1)
	}
}

// sendOne sends one message, MAIL, RCPT and DATA pipelined, and returns
// the code of the reply to its final dot.
func sendOne(c *textproto.Conn, id string) (int, error) {
	fmt.Fprintf(c.W, "MAIL FROM:<load@fleet.test>\r\nRCPT TO:<box@fleet.test>\r\nDATA\r\n")
	if err := c.W.Flush(); err != nil {
		return 0, err
	}
	for _, want := range []int{250, 250, 354} {
		if _, _, err := c.ReadResponse(want); err != nil {
			return 0, err
		}
	}
	fmt.Fprintf(c.W, "Message-ID: %s\r\nSubject: fleet\r\n\r\n%s\r\n.\r\n", id, strings.Repeat("fleet test body line\r\n", 40))
	if err := c.W.Flush(); err != nil {
		return 0, err
	}
	code, _, err := c.ReadResponse(0)
	if _, ok := err.(*textproto.Error); ok {
		err = nil
	}
	return code, err
}

// killReport says which leader was killed and when, in answers given.
type killReport struct {
	leader, newLeader     string
	killedAt, restartedAt int64
}

// killLeaderAt waits until the load has had at messages answered, kills the
// stream's leader with SIGKILL, and restarts it a second later while the
// load goes on.
func killLeaderAt(t *testing.T, cluster *natstest.Cluster, js jetstream.JetStream, load *fleetLoad, at int64) killReport {
	for load.done.Load() < at {
		time.Sleep(10 * time.Millisecond)
	}
	k := killReport{leader: streamLeader(t, js)}
	node := cluster.Server(k.leader)
	if node == nil {
		t.Errorf("no server is the leader %q", k.leader)
		return k
	}
	k.killedAt = load.done.Load()
	node.Kill()
	time.Sleep(time.Second)
	k.restartedAt = load.done.Load()
	node.Restart()
	k.newLeader = streamLeader(t, js)
	return k
}

// streamLeader names the server leading the stream FLEET.
func streamLeader(t *testing.T, js jetstream.JetStream) string {
	s, err := js.Stream(testContext(t), "FLEET")
	if err != nil {
		t.Error(err)
		return ""
	}
	return s.CachedInfo().Cluster.Leader
}

// killMidData starts two messages on p (one small, one over the max
// payload), kills p with SIGKILL in the middle of their DATA, and checks
// that neither client got a 250.
func killMidData(t *testing.T, p *gosmtpdProc) {
	t.Helper()
	var conns []*bufio.Reader
	for _, m := range []struct{ id, body string }{
		{"<killed@fleet.test>", "half a message\r\n"},
		{"<killed-big@fleet.test>", strings.Repeat(strings.Repeat("k", 998)+"\r\n", 1500)},
	} {
		nc, err := net.Dial("tcp", p.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(20 * time.Second))
		fmt.Fprintf(nc, "PROXY TCP4 192.0.2.9 127.0.0.1 5000 25\r\nEHLO cut.test\r\nMAIL FROM:<a@fleet.test>\r\nRCPT TO:<b@fleet.test>\r\nDATA\r\n")
		r := bufio.NewReader(nc)
		tp := textproto.NewReader(r)
		for _, want := range []int{220, 250, 250, 250, 354} {
			if _, _, err := tp.ReadResponse(want); err != nil {
				t.Fatalf("%s: %v", m.id, err)
			}
		}
		fmt.Fprintf(nc, "Message-ID: %s\r\n\r\n%s", m.id, m.body)
		conns = append(conns, r)
	}
	time.Sleep(200 * time.Millisecond)
	p.Stop(syscall.SIGKILL)
	for _, r := range conns {
		if rest, _ := r.ReadString(0); rest != "" {
			t.Errorf("a client whose gosmtpd was killed mid-DATA got %q", rest)
		}
	}
}

// sendBig sends a message of nearly 32 MiB, the default size limit, through
// front and expects 250; it returns the message.
func sendBig(t *testing.T, front string) string {
	t.Helper()
	line := strings.Repeat("0123456789", 99) + "big\r\n"
	text := "Message-ID: <big@fleet.test>\r\nSubject: big\r\n\r\n" + strings.Repeat(line, (32<<20-4096)/len(line))
	c := testkit.Dial(t, "tcp", front)
	c.Expect("220")
	c.Send("EHLO big.test")
	c.Expect("250")
	c.Deliver("a@fleet.test", "b@fleet.test", text)
	return text
}

// countByMessageID reads every message of the stream, the big ones from
// bucket, and counts them by their Message-ID header; the text of each
// message named in whole must be the one given.
func countByMessageID(t *testing.T, js jetstream.JetStream, bucket jetstream.ObjectStore, stream string, whole map[string]string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for read := uint64(0); read < info.State.Msgs; {
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			if ctx.Err() != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		n := 0
		for m := range batch.Messages() {
			n++
			_, r, err := Open(ctx, bucket, m)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			id, _, _ := strings.Cut(strings.TrimPrefix(string(b), "Message-ID: "), "\r\n")
			counts[id]++
			if want, ok := whole[id]; ok && string(b) != want {
				t.Errorf("%s: %d bytes read back, want the %d sent", id, len(b), len(want))
			}
		}
		if n == 0 && ctx.Err() != nil {
			t.Fatalf("read %d of the stream's %d messages (%v)", read, info.State.Msgs, batch.Error())
		}
		read += uint64(n) // an empty batch (the consumer being reset after the cluster's upheaval) is fetched again
	}
	return counts
}
