package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The NATS flags are read, and refused with another handler or half given.
func TestJetStreamFlags(t *testing.T) {
	o, err := parseArgs([]string{"-c", "jetstream", "nats://a:4222,nats://b:4222", "mail.in", "--nats-creds", "c.creds",
		"--nats-bucket", "big", "--nats-timeout", "5s", "--nats-tlsca", "ca.pem"})
	if err != nil {
		t.Fatal(err)
	}
	if o.class != "jetstream" || strings.Join(o.classArgs, " ") != "nats://a:4222,nats://b:4222 mail.in" ||
		o.nats != (natsOptions{creds: "c.creds", bucket: "big", timeout: 5 * time.Second, tlsca: "ca.pem"}) {
		t.Fatalf("parsed %+v", o)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", "jetstream", "nats://a:4222"}, "usage: -c jetstream NATS_URL[,NATS_URL...] SUBJECT"},
		{[]string{"-c", "sink", "--nats-bucket", "big"}, "the --nats-* flags go with -c jetstream"},
		{[]string{"-c", "jetstream", "nats://a", "s", "--nats-tlscert", "c.pem"}, "--nats-tlscert and --nats-tlskey must be specified together"},
		{[]string{"-c", "jetstream", "nats://a", "s", "--nats-timeout", "0s"}, "not a positive duration"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%q: exit %d, %q; want 2 and %q", c.args, code, stderr.String(), c.want)
		}
	}
}

// With no NATS server to reach the command does not start: status 1 and
// one line saying where it tried.
func TestJetStreamUnreachable(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"-n", "-l", "127.0.0.1:0", "-c", "jetstream", "nats://127.0.0.1:1", "mail.in"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "jetstream: connecting to nats://127.0.0.1:1") ||
		strings.Count(stderr.String(), "\n") != 1 {
		t.Fatalf("exit %d, %q; want 1 and one line naming the server", code, stderr.String())
	}
}

// Without a bucket the size limit must fit in one NATS message.
func TestJetStreamSizeFits(t *testing.T) {
	for _, c := range []struct {
		size   int64
		bucket string
		ok     bool
	}{
		{33554432, "", false}, {0, "", false}, {1 << 20, "", true}, {33554432, "big", true}, {0, "big", true},
	} {
		err := sizeFits(c.size, c.bucket, 1<<20)
		if (err == nil) != c.ok || err != nil && !strings.Contains(err.Error(), "--nats-bucket") {
			t.Errorf("-s %d, bucket %q: %v", c.size, c.bucket, err)
		}
	}
}
