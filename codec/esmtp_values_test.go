package codec

import "testing"

func TestParseNotify(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Notify
		ok   bool
	}{
		{"NEVER", NotifyNever, true},
		{"never", NotifyNever, true},
		{"SUCCESS", NotifySuccess, true},
		{"SUCCESS,FAILURE,DELAY", NotifySuccess | NotifyFailure | NotifyDelay, true},
		{"delay,Failure", NotifyDelay | NotifyFailure, true},
		{"NEVER,SUCCESS", 0, false},
		{"FAILURE,NEVER", 0, false},
		{"", 0, false},
		{",", 0, false},
		{"SUCCESS,", 0, false},
		{"SOMETIMES", 0, false},
	} {
		got, ok := ParseNotify([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseNotify(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSplitORCPT(t *testing.T) {
	for _, tc := range []struct {
		in        string
		utf8, ok  bool
		typ, addr string
	}{
		{in: "rfc822;bob@example.com", ok: true, typ: "rfc822", addr: "bob@example.com"},
		{in: "RFC822;b+2Bc@example.com", ok: true, typ: "RFC822", addr: "b+2Bc@example.com"},
		{in: "rfc822;b+0Ac@example.com"}, // decodes to a control byte
		{in: "rfc822;b+2bc@example.com"}, // hexchar is upper case
		{in: "rfc822;b=c@example.com"},   // "=" must be encoded
		{in: "rfc822"},                   // no address
		{in: ";bob@example.com"},         // no type
		{in: "rfc 822;bob@example.com"},  // not an atom
		{in: "utf-8;b\\x{E9}b@example.com", ok: true, typ: "utf-8", addr: "b\\x{E9}b@example.com"},
		{in: "utf-8;b\\x{e9}b@example.com"}, // HEXPOINT is upper case
		{in: "utf-8;b\\x{0E9}b@example.com"},
		{in: "utf-8;b\\x{D800}b@example.com"},
		{in: "utf-8;b\\x{110000}b@example.com"},
		{in: "utf-8;b\\x{E9b@example.com"},
		{in: "utf-8;b+b@example.com"},
		{in: "utf-8;b\u00e9b@example.com"},
		{in: "utf-8;b\u00e9b@example.com", utf8: true, ok: true, typ: "utf-8", addr: "b\u00e9b@example.com"},
		{in: "utf-8;b\xffb@example.com", utf8: true},
	} {
		typ, addr, ok := SplitORCPT([]byte(tc.in), tc.utf8)
		if ok != tc.ok || string(typ) != tc.typ || string(addr) != tc.addr {
			t.Errorf("SplitORCPT(%q, %v) = %q, %q, %v; want %q, %q, %v", tc.in, tc.utf8, typ, addr, ok, tc.typ, tc.addr, tc.ok)
		}
	}
}

func TestIsENVID(t *testing.T) {
	long := make([]byte, MaxENVID+1)
	for i := range long {
		long[i] = 'e'
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"QQ314159", true}, {"a+2Bb", true}, {"a+20b", true}, {string(long[:MaxENVID]), true},
		{string(long), false}, {"a+0Db", false}, {"a+7Fb", false}, {"a+2", false}, {"a=b", false}, {"a b", false},
	} {
		if got := IsENVID([]byte(tc.in)); got != tc.ok {
			t.Errorf("IsENVID(%q) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

func TestParseDeliverBy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want DeliverBy
		ok   bool
	}{
		{"120;R", DeliverBy{120, 'R', false}, true},
		{"-10;n", DeliverBy{-10, 'N', false}, true},
		{"+999999999;rT", DeliverBy{999999999, 'R', true}, true},
		{"0;N", DeliverBy{0, 'N', false}, true},
		{"0;R", DeliverBy{}, false},
		{"-1;R", DeliverBy{}, false},
		{"1234567890;N", DeliverBy{}, false},
		{"60", DeliverBy{}, false},
		{";N", DeliverBy{}, false},
		{"-;N", DeliverBy{}, false},
		{"60;X", DeliverBy{}, false},
		{"60;NX", DeliverBy{}, false},
		{"60;NTT", DeliverBy{}, false},
	} {
		got, ok := ParseDeliverBy([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseDeliverBy(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseMTPriority(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "3": 3, "-9": -9, "+9": 9} {
		if got, ok := ParseMTPriority([]byte(in)); !ok || got != want {
			t.Errorf("ParseMTPriority(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-", "+", "10", "-10", "a", "1a"} {
		if _, ok := ParseMTPriority([]byte(in)); ok {
			t.Errorf("ParseMTPriority(%q) ok", in)
		}
	}
}

func TestParseRRVS(t *testing.T) {
	for in, action := range map[string]byte{
		"2014-04-03T23:01:00Z":            'C',
		"2014-04-03t23:01:00z;r":          'R',
		"2014-04-03T23:01:00.123-07:00;C": 'C',
		"2016-12-31T23:59:60+00:00":       'C',
	} {
		if _, got, ok := ParseRRVS([]byte(in)); !ok || got != action {
			t.Errorf("ParseRRVS(%q) = %c, %v; want %c", in, got, ok, action)
		}
	}
	for _, in := range []string{
		"", "2014-04-03", "2014-04-03T23:01:00", "2014-04-03T23:01:00Z;X", "2014-04-03T23:01:00Z;",
		"2014-00-03T23:01:00Z", "2014-04-32T23:01:00Z", "2014-04-03T24:01:00Z", "2014-04-03T23:01:00.Z",
		"2014-04-03T23:01:00+0700", "2014-04-03T23:01:00+24:00", "2014\r04-03T23:01:00Z", "2014-04-03T23\x1a01:00Z",
	} {
		if _, _, ok := ParseRRVS([]byte(in)); ok {
			t.Errorf("ParseRRVS(%q) ok", in)
		}
	}
}

func TestExtensionValuesDoNotAllocate(t *testing.T) {
	orcpt, by, rrvs := []byte("utf-8;b\\x{E9}b@example.com"), []byte("120;RT"), []byte("2014-04-03T23:01:00Z;R")
	n := testing.AllocsPerRun(100, func() {
		SplitORCPT(orcpt, false)
		ParseNotify([]byte("SUCCESS,FAILURE"))
		ParseDeliverBy(by)
		ParseRRVS(rrvs)
		IsENVID(orcpt)
	})
	if n != 0 {
		t.Errorf("%v allocations", n)
	}
}
