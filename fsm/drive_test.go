package fsm

// A minimal driver for tests, fuzzers and benchmarks: it answers every ask
// with the default (or with decide's answer), collects replies and
// delivered bodies, and feeds input through Fill/Filled as the real driver
// does.

type testDriver struct {
	c      *Conn
	out    []byte   // every reply byte, in order
	bodies [][]byte // delivered messages
	body   []byte
	closed bool
	// keep makes the driver copy bodies (tests); benchmarks leave it off.
	keep bool
	// decide, when set, answers each ask in place of the default.
	decide func(Ask) Decision
}

func newTestDriver(cfg *Config, keep bool) *testDriver {
	d := &testDriver{c: NewConn(cfg), keep: keep}
	d.run()
	return d
}

// newDecidingDriver is a test driver whose hooks answer with decide.
func newDecidingDriver(cfg *Config, decide func(Ask) Decision) *testDriver {
	d := &testDriver{c: NewConn(cfg), decide: decide}
	d.run()
	return d
}

// feed passes p in pieces no larger than the core's free space, running the
// core after each, like a driver reading from a socket.
func (d *testDriver) feed(p []byte) {
	for len(p) > 0 && !d.closed {
		n := copy(d.c.Fill(), p)
		d.c.Filled(n)
		p = p[n:]
		d.run()
	}
}

func (d *testDriver) run() {
	for {
		a := d.c.Next()
		switch a.Kind {
		case ActNeedData:
			d.out = d.c.AppendOutbound(d.out)
			return
		case ActAsk:
			if a.Ask.Hook == HookDATA && a.Ask.Rcpt == 0 && d.keep {
				d.bodies = append(d.bodies, d.body)
				d.body = nil
			}
			var dec Decision
			if d.decide != nil {
				dec = d.decide(a.Ask)
			}
			d.c.Resolve(dec)
		case ActBody:
			if d.keep && a.Err == nil {
				d.body = append(d.body, a.Data...)
			} else if a.Err != nil {
				d.body = nil
			}
		case ActStartTLS:
			d.c.TLSEstablished(TLSInfo{})
		case ActClose:
			d.out = d.c.AppendOutbound(d.out)
			d.closed = true
			return
		}
	}
}
