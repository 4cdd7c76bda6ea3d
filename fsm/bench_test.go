package fsm

import (
	"bytes"
	"testing"
)

var (
	body1K    = bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog. 0123456789 abcdefghijklmnopqrstu\r\n"), 13)[:1024-5]
	mailLines = [][]byte{
		[]byte("MAIL FROM:<alice@example.com> SIZE=1024 BODY=8BITMIME\r\n"),
		[]byte("RCPT TO:<bob@example.net>\r\n"),
		[]byte("RCPT TO:<carol@example.net>\r\n"),
		[]byte("DATA\r\n"),
	}
)

func message(body []byte) []byte { return append(append([]byte{}, body...), "\r\n.\r\n"...) }

// BenchmarkTransactionLockStep: one steady-state transaction (MAIL, 2 RCPT,
// DATA, 1 KiB body) on a long-lived session, each command fed separately as
// a lock-step client sends them.
func BenchmarkTransactionLockStep(b *testing.B) {
	d := newTestDriver(&Config{}, false)
	d.feed([]byte("EHLO client.example\r\n"))
	msg := message(body1K)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range mailLines {
			d.feed(l)
		}
		d.feed(msg)
		d.out = d.out[:0]
	}
}

// BenchmarkTransactionPipelined: the same transaction in one write (RFC 2920).
func BenchmarkTransactionPipelined(b *testing.B) {
	d := newTestDriver(&Config{}, false)
	d.feed([]byte("EHLO client.example\r\n"))
	var txn []byte
	for _, l := range mailLines {
		txn = append(txn, l...)
	}
	txn = append(txn, message(body1K)...)
	b.ReportAllocs()
	b.SetBytes(int64(len(txn)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.feed(txn)
		d.out = d.out[:0]
	}
}

// BenchmarkSession: a whole session on a new Conn: greeting, EHLO, MAIL,
// 2 RCPT, DATA 1 KiB, QUIT.
func BenchmarkSession(b *testing.B) {
	var sess []byte
	sess = append(sess, "EHLO client.example\r\n"...)
	for _, l := range mailLines {
		sess = append(sess, l...)
	}
	sess = append(sess, message(body1K)...)
	sess = append(sess, "QUIT\r\n"...)
	b.ReportAllocs()
	b.SetBytes(int64(len(sess)))
	for i := 0; i < b.N; i++ {
		d := newTestDriver(&Config{}, false)
		d.feed(sess)
	}
}

// BenchmarkBody1MiB: a 1 MiB body through DATA, fed in 64 KiB reads.
func BenchmarkBody1MiB(b *testing.B) {
	d := newTestDriver(&Config{ReadBufferSize: 64 << 10}, false)
	d.feed([]byte("EHLO client.example\r\n"))
	line := []byte("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tem\r\n")
	body := bytes.Repeat(line, (1<<20)/len(line))
	msg := message(body)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range mailLines {
			d.feed(l)
		}
		d.feed(msg)
		d.out = d.out[:0]
	}
}
