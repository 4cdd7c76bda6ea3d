package main

import (
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

func TestParseArgsLikeArgparse(t *testing.T) {
	for _, c := range []struct {
		args      []string
		class     string
		classArgs []string
		listen    string
		check     func(o *options) bool
	}{
		{args: nil, class: "debugging", listen: "localhost:8025"},
		{args: []string{"-c", "debugging", "stdout", "-l", "127.0.0.1:0"}, class: "debugging", classArgs: []string{"stdout"}, listen: "127.0.0.1:0"},
		{args: []string{"-n", "-l", "127.0.0.1:1", "-c", "debugging", "stdout"}, class: "debugging", classArgs: []string{"stdout"}, listen: "127.0.0.1:1"},
		{args: []string{"--class=mailbox", "/tmp/m", "--listen", ":2525"}, class: "mailbox", classArgs: []string{"/tmp/m"}, listen: ":2525"},
		{args: []string{"-c", "proxy", "mx", "25", "-nu"}, class: "proxy", classArgs: []string{"mx", "25"}, listen: "localhost:8025",
			check: func(o *options) bool { return o.nosetuid && o.smtputf8 }},
		{args: []string{"-l", "-n"}, class: "debugging", listen: "localhost:8025", check: func(o *options) bool { return o.nosetuid }},
		{args: []string{"-ddd", "-d", "-s100", "--timeout", "2s"}, class: "debugging", listen: "localhost:8025",
			check: func(o *options) bool { return o.debug == 4 && o.size == 100 && o.timeout == 2*time.Second }},
		{args: []string{"-c", "sink", "--", "-x"}, class: "sink", classArgs: []string{"-x"}, listen: "localhost:8025"},
		{args: []string{"--unix", "/s", "--unix-mode", "660"}, class: "debugging", listen: "localhost:8025",
			check: func(o *options) bool { return o.unix == "/s" && o.unixMode == 0o660 }},
		{args: []string{"--max-conns", "3", "--max-conns-per-client", "2", "--proxy-protocol", "1s", "--auth-file", "f", "--auth-required", "--auth-cleartext", "--lmtp", "--unix", "/s"},
			class: "debugging", listen: "localhost:8025", check: func(o *options) bool {
				return o.maxConns == 3 && o.maxConnsPerClient == 2 && o.proxyProtocol == time.Second && o.authFile == "f" && o.authRequired && o.authCleartext && o.lmtp && o.unix == "/s"
			}},
		{args: []string{"--proxy-protocol", "5s", "--proxy-trusted", "10.0.0.0/8, 2001:db8::1", "--min-data-rate", "0", "--client-ipv6-prefix", "56"},
			class: "debugging", listen: "localhost:8025", check: func(o *options) bool {
				return len(o.proxyTrusted) == 2 && o.proxyTrusted[1].Bits() == 128 && o.minDataRate == 0 && o.clientIPv6Prefix == 56
			}},
		{args: nil, class: "debugging", listen: "localhost:8025", check: func(o *options) bool { // the library's defaults
			return o.maxConns == -1 && o.maxConnsPerClient == -1 && o.minDataRate == -1 && o.proxyTrusted == nil
		}},
	} {
		o, err := parseArgs(c.args)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if o.class != c.class || !slices.Equal(o.classArgs, c.classArgs) || o.listen != c.listen || c.check != nil && !c.check(o) {
			t.Errorf("%q: got %+v", c.args, o)
		}
	}
}

func TestParseArgsMistakes(t *testing.T) {
	for _, args := range [][]string{
		{"--bogus"}, {"-x"}, {"-s"}, {"-s", "ten"}, {"--timeout", "-1s"}, {"--nosetuid=yes"},
		{"-c", "sink", "a", "-n", "b"}, {"--max-conns", "many"},
		{"--unix", "/s", "--unix-mode", "8"}, {"--unix", "/s", "--unix-mode", "1777"}, {"--unix", "/s", "--unix-mode", "0"},
		{"--unix-mode", "660"},
		{"--proxy-trusted", "127.0.0.1"}, {"--proxy-protocol", "5s", "--proxy-trusted", "10.0.0.0/33"},
		{"--proxy-protocol", "5s", "--proxy-trusted", "localhost"}, {"--client-ipv6-prefix", "0"},
		{"--client-ipv6-prefix", "129"}, {"--min-data-rate", "-5"},
	} {
		_, err := parseArgs(args)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func TestListenAddr(t *testing.T) {
	for in, want := range map[string]string{
		"": "localhost:8025", ":0": "localhost:0", "127.0.0.1": "127.0.0.1:8025", "2525": "localhost:2525",
		"[::1]:25": "[::1]:25", "[::1]": "[::1]:8025", "example.com:": "example.com:8025",
	} {
		if got, err := listenAddr(in); err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := listenAddr("host:smtp"); err == nil {
		t.Error("a port name was accepted")
	}
}

func TestHandlerArguments(t *testing.T) {
	for _, c := range []struct {
		class string
		args  []string
		ok    bool
	}{
		{"debugging", nil, true}, {"debugging", []string{"stderr"}, true}, {"debugging", []string{"file"}, false},
		{"aiosmtpd.handlers.Sink", nil, true}, {"sink", []string{"x"}, false},
		{"mailbox", []string{"/m"}, true}, {"mailbox", nil, false},
		{"proxy", []string{"mx", "25"}, true}, {"proxy", []string{"mx"}, false}, {"proxy", []string{"mx", "x"}, false},
		{"message", nil, false},
	} {
		o := defaults()
		o.class, o.classArgs = c.class, c.args
		_, err := handler(o, nil, nil)
		if (err == nil) != c.ok {
			t.Errorf("%s %q: %v", c.class, c.args, err)
		}
	}
}

// The address printed at start is the one asked for, with the port bound:
// Go listens on [::] for 0.0.0.0 (IPv4 and IPv6 both), which would read as
// if IPv4 had been left out.
func TestListenerDescribedAsAsked(t *testing.T) {
	for _, tc := range []struct {
		asked string
		bound net.Addr
		want  string
	}{
		{"0.0.0.0:0", &net.TCPAddr{IP: net.IPv6zero, Port: 40123}, "0.0.0.0:40123"},
		{"[::]:25", &net.TCPAddr{IP: net.IPv6zero, Port: 25}, "[::]:25"},
		{"localhost:8025", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8025}, "localhost:8025"},
		{"127.0.0.1:0", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5555}, "127.0.0.1:5555"},
	} {
		if got := asked(tc.asked, tc.bound); got != tc.want {
			t.Errorf("asked %s, bound %v: printed %s, want %s", tc.asked, tc.bound, got, tc.want)
		}
	}
}

// The count flags map onto the Server's limits: not given is its default
// (0), 0 is no limit (<0). --proxy-trusted's networks decide whose PROXY
// headers are read; without it, this machine's only.
func TestLimitFlags(t *testing.T) {
	if serverLimit(-1) != 0 || serverLimit(0) != -1 || serverLimit(7) != 7 {
		t.Fatal("serverLimit")
	}
	o, err := parseArgs([]string{"--proxy-protocol", "5s", "--proxy-trusted", "192.0.2.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	trusted, loopback := trusting(o.proxyTrusted), trusting(nil)
	for _, c := range []struct {
		peer               string
		trusted, byDefault bool
	}{
		{"192.0.2.9:1", true, false}, {"198.51.100.1:1", false, false},
		{"127.0.0.2:1", false, true}, {"[::1]:1", false, true}, {"[::ffff:192.0.2.9]:1", true, false},
	} {
		addr, _ := net.ResolveTCPAddr("tcp", c.peer)
		if trusted(addr) != c.trusted || loopback(addr) != c.byDefault {
			t.Errorf("%s: trusted %v by the flag, %v by default; want %v, %v", c.peer, trusted(addr), loopback(addr), c.trusted, c.byDefault)
		}
	}
}
